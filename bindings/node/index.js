'use strict';
// flexrules from Node: the engine's JSON API (`call`) and idiomatic classes over its sessions.
// Requests go to the native module as JSON text and come back as JSON text (see src/lib.rs for
// why); this file only converts values and turns `ok: false` responses into exceptions. Every
// answer is computed by `flexrules::api` in Rust.

const path = require('node:path');

const native = loadNative();

function loadNative() {
  try {
    return require('./flexrules.node');
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND') {
      throw new globalThis.Error(
        `flexrules: the native module ${path.join(__dirname, 'flexrules.node')} has not been ` +
          `built; run \`npm install\` in ${__dirname} (it builds it with cargo)`,
      );
    }
    throw e;
  }
}

/** The error every flexrules failure is: a kind, a message and the JSON pointer at fault. */
class FlexrulesError extends globalThis.Error {
  constructor(kind, message, pointer) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.pointer = pointer;
  }
}

// One subclass per kind of docs/api.md, so that callers can `catch (e) { if (e instanceof
// flexrules.QueryError) … }`; a kind this file does not know yet is the base class.
const KINDS = {
  bad_request: 'BadRequestError',
  unknown_operation: 'UnknownOperationError',
  app: 'AppError',
  user: 'UserError',
  input: 'InputError',
  subscription: 'SubscriptionError',
  schema: 'SchemaError',
  query: 'QueryError',
  translate: 'TranslateError',
  protocol: 'ProtocolError',
  invalid_handle: 'InvalidHandleError',
  internal: 'InternalError',
};

const errorClasses = {};
for (const [kind, name] of Object.entries(KINDS)) {
  // A computed class name keeps `e.name` and stack traces naming the subclass.
  errorClasses[name] = { [name]: class extends FlexrulesError {} }[name];
  errorClasses[name].kind = kind;
}

function errorOf(error) {
  const name = KINDS[error.kind];
  const Class = name ? errorClasses[name] : FlexrulesError;
  return new Class(error.kind, error.message, error.pointer);
}

function badRequest(message, pointer = '') {
  return { kind: 'bad_request', message, pointer };
}

/**
 * `value` as JSON text, or the `bad_request` error for a value JSON cannot hold (a BigInt, a
 * cycle). `undefined` members are left out, as JSON.stringify leaves them.
 */
function toJson(value, what) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    return { error: badRequest(`${what} cannot be written as JSON: ${e.message}`) };
  }
  if (text === undefined) return { error: badRequest(`${what} cannot be written as JSON`) };
  return { text };
}

/** The result of a response, or its error thrown. */
function unwrap(responseText) {
  const response = JSON.parse(responseText);
  if (response.ok) return response.result;
  throw errorOf(response.error);
}

/**
 * Answers one request of the JSON API (docs/api.md): the response object
 * `{ok, api_version, result | error}`, exactly as `flexrules::api::call` answers it. Errors in
 * the request are answered, not thrown; only an `operation` that is not a string throws.
 */
function call(operation, request) {
  if (typeof operation !== 'string') {
    throw new TypeError(`flexrules.call: the operation must be a string, not ${typeof operation}`);
  }
  const { text, error } = toJson(request, 'the request');
  if (error) return { ok: false, api_version: native.API_VERSION, error };
  return JSON.parse(native.call(operation, text));
}

/** Runs `operation` and answers its result, throwing its error. */
function run(operation, request) {
  const { text, error } = toJson(request, 'the request');
  if (error) throw errorOf(error);
  return unwrap(native.call(operation, text));
}

/** `{version, api_version, operations}` of the engine. */
function version() {
  return run('version', {});
}

/** The members of `session()`'s request that are its arguments, not options. */
const SESSION_ARGUMENTS = ['app', 'user', 'subscriptions'];

/**
 * An exported App Services app: its directory, or a map of the export's file names to their
 * contents. Loading reads and checks it once (and lists its Flexible Sync problems); each session
 * opened from it reads the same source again, since a session is opened from a request.
 */
class App {
  /** @param {string | object} source @param {object[]} problems */
  constructor(source, problems) {
    this.source = source;
    this.problems = problems;
    Object.freeze(this);
  }

  /** The app exported to the directory `dir` (relative paths are resolved now). */
  static load(dir) {
    if (typeof dir !== 'string') {
      throw errorOf(badRequest(`App.load: the app directory must be a string, not ${typeof dir}`, '/app'));
    }
    const source = path.resolve(dir);
    return new App(source, run('validate', { app: source }));
  }

  /** The app from a map of the export's file names (e.g. `"root_config.json"`) to contents. */
  static fromFiles(files) {
    if (files === null || typeof files !== 'object' || Array.isArray(files)) {
      throw errorOf(badRequest('App.fromFiles: the files must be an object of file names to contents', '/app'));
    }
    // A copy, so that changing the caller's map later cannot change the sessions opened from it.
    const { text, error } = toJson(files, 'the app files');
    if (error) throw errorOf({ ...error, pointer: '/app' });
    const source = JSON.parse(text);
    return new App(source, run('validate', { app: source }));
  }

  /**
   * Opens a session for `user` with `subscriptions`; `options` holds the other fields a session
   * reads (`state`, `server_style`, `explain`, `log_url`), named as in docs/api.md.
   */
  session(user, subscriptions, options = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw errorOf(badRequest('the session options must be an object'));
    }
    for (const name of SESSION_ARGUMENTS) {
      if (Object.hasOwn(options, name)) {
        throw errorOf(badRequest(`\`${name}\` is an argument of session(), not an option`, `/${name}`));
      }
    }
    const request = { ...options, app: this.source, user, subscriptions };
    const { text, error } = toJson(request, 'the session request');
    if (error) throw errorOf(error);
    const handle = new native.NativeSession();
    unwrap(handle.open(text));
    return new Session(handle);
  }
}

/**
 * One user's open session: the app's roles bound and the subscriptions compiled once, and the
 * server state that judged writes change. Not constructed directly: `app.session(...)`.
 */
class Session {
  #handle;

  constructor(handle) {
    if (!(handle instanceof native.NativeSession)) {
      throw new TypeError('flexrules.Session is opened with app.session(user, subscriptions)');
    }
    this.#handle = handle;
  }

  /** Judges one uploaded changeset and applies its accepted writes: its `check` line. */
  judge(changeset) {
    const { text, error } = toJson(changeset, 'the changeset');
    if (error) throw errorOf(error);
    return unwrap(this.#handle.judge(text));
  }

  /** Would `write` be reverted, and why? The state is left unchanged. */
  preflight(write) {
    const { text, error } = toJson(write, 'the write');
    if (error) throw errorOf(error);
    return unwrap(this.#handle.preflight(text));
  }

  /** Frees the session now; later calls throw `InvalidHandleError`. */
  close() {
    this.#handle.close();
  }

  /** Whether `close()` has been called. */
  get closed() {
    return !this.#handle.isOpen;
  }
}

module.exports = {
  call,
  version,
  App,
  Session,
  Error: FlexrulesError,
  ...errorClasses,
  API_VERSION: native.API_VERSION,
};
