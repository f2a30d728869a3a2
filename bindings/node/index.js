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
  constructor(kind, message, pointer = '') {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.pointer = pointer;
  }
}

/** A malformed request: not a JSON object, a field missing, unknown or mistyped, a value JSON
 * cannot hold, or an unknown operation (kinds `bad_request`, `unknown_operation`). */
class RequestError extends FlexrulesError {}
/** The exported app cannot be loaded (kind `app`). */
class AppError extends FlexrulesError {}
/** A user, subscription, state entry, changeset, write or table schema of the wrong shape
 * (kinds `user`, `input`, `schema`). */
class InputError extends FlexrulesError {}
/** A subscription the Flexible Sync subset refuses, as a server does with error 226 (kind
 * `subscription`). */
class SubscriptionError extends FlexrulesError {}
/** A query that does not parse or bind, or that MongoDB cannot express exactly (kinds `query`,
 * `translate`). */
class QueryError extends FlexrulesError {}
/** Sync protocol bytes that cannot be decoded (kind `protocol`). */
class ProtocolError extends FlexrulesError {}
/** A call on a closed session (kind `invalid_handle`). */
class SessionClosedError extends FlexrulesError {}
/** A fault inside the engine, never expected, always a bug (kind `internal`). */
class InternalError extends FlexrulesError {}

// The class of each kind: the same families as the Python package. A kind this table does not
// know (from a newer engine) is thrown as the base class.
const KINDS = {
  bad_request: RequestError,
  unknown_operation: RequestError,
  app: AppError,
  user: InputError,
  input: InputError,
  schema: InputError,
  subscription: SubscriptionError,
  query: QueryError,
  translate: QueryError,
  protocol: ProtocolError,
  invalid_handle: SessionClosedError,
  internal: InternalError,
};

function errorOf(error) {
  const Class = Object.hasOwn(KINDS, error.kind) ? KINDS[error.kind] : FlexrulesError;
  return new Class(error.kind, error.message, error.pointer);
}

function badRequest(message, pointer = '') {
  return { kind: 'bad_request', message, pointer };
}

/**
 * `value` as JSON text, throwing the `bad_request` error of a value JSON cannot hold (a BigInt,
 * a cycle). `undefined` members are left out, as JSON.stringify leaves them.
 */
function textOf(value, what, pointer = '') {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw errorOf(badRequest(`${what} cannot be written as JSON: ${e.message}`, pointer));
  }
  if (text === undefined) throw errorOf(badRequest(`${what} cannot be written as JSON`, pointer));
  return text;
}

/** The result of a response of `call`, or its error thrown. */
function unwrap(responseText) {
  const response = JSON.parse(responseText);
  if (response.ok) return response.result;
  throw errorOf(response.error);
}

/** The result of a session method's answer: its JSON text, or `!` and the error's JSON (see
 * src/lib.rs), thrown. */
function answer(text) {
  if (text.charCodeAt(0) === 33) throw errorOf(JSON.parse(text.slice(1)));
  return JSON.parse(text);
}

/** A TypeError unless `operation` is a string: a program's mistake, not a request's. */
function checkOperation(operation, caller) {
  if (typeof operation !== 'string') {
    throw new TypeError(`flexrules.${caller}: the operation must be a string, not ${typeof operation}`);
  }
}

/**
 * Answers one request of the JSON API (docs/api.md): the response object
 * `{ok, api_version, result | error}`, exactly as `flexrules::api::call` answers it. Errors in
 * the request are answered, not thrown; only an `operation` that is not a string throws.
 */
function call(operation, request) {
  checkOperation(operation, 'call');
  let text;
  try {
    text = textOf(request, 'the request');
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    return { ok: false, api_version: native.API_VERSION, error: { kind: e.kind, message: e.message, pointer: e.pointer } };
  }
  return JSON.parse(native.call(operation, text));
}

/** `call` on JSON text, answering JSON text (text that is not JSON is a `bad_request`). */
function callJson(operation, request) {
  checkOperation(operation, 'callJson');
  if (typeof request !== 'string') {
    throw new TypeError(`flexrules.callJson: the request must be JSON text, not ${typeof request}`);
  }
  return native.call(operation, request);
}

/** The `result` of `call`, or the flexrules.Error subclass of its error thrown. */
function run(operation, request) {
  checkOperation(operation, 'run');
  return unwrap(native.call(operation, textOf(request, 'the request')));
}

/** What `version` answers: the engine's version and the operations of the API. */
const ABOUT = run('version', {});

/** The members of `session()`'s request that are its arguments, not options. */
const SESSION_ARGUMENTS = ['app', 'user', 'subscriptions'];

/**
 * An exported App Services app: its directory, or a map of the export's file names to their
 * contents. Making one checks that the app loads; each session opened from it loads the same
 * source again (a session is opened from a request), so the sessions opened after an edit of
 * the export see the edit.
 */
class App {
  /** Prefer `App.load` or `App.fromFiles`, which check that the app loads. */
  constructor(source) {
    this.source = source;
    Object.freeze(this);
  }

  /** The app exported to the directory `dir` (made absolute now, so that a later change of
   * working directory does not matter). Throws `AppError`. */
  static load(dir) {
    if (typeof dir !== 'string') {
      throw errorOf(badRequest(`App.load: the app directory must be a string, not ${typeof dir}`, '/app'));
    }
    const app = new App(path.resolve(dir));
    app.validate();
    return app;
  }

  /** The app from a map of each export file's path inside the export (`"sync/config.json"`) to
   * its contents, as parsed JSON or as JSON text. Throws `AppError`. */
  static fromFiles(files) {
    if (files === null || typeof files !== 'object' || Array.isArray(files)) {
      throw errorOf(badRequest('App.fromFiles: the files must be an object of file names to contents', '/app'));
    }
    // A copy, so that changing the caller's map later cannot change the sessions opened from it.
    const app = new App(JSON.parse(textOf(files, 'the app files', '/app')));
    app.validate();
    return app;
  }

  /** The problems `flexrules validate` reports for the app (empty when none): each
   * `{file, pointer, role, severity, message, text}`. */
  validate() {
    return run('validate', { app: this.source });
  }

  /**
   * Opens a session of `user` with its `subscriptions`; `options` holds the other fields a
   * session reads (`state`, `server_style`, `explain`, `log_url`), named as in docs/api.md.
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
    return Session.open({ ...options, app: this.source, user, subscriptions });
  }
}

/** Whether a `Session` is being made by `Session.open`, the one way to make one. */
let opening = false;

/**
 * One user's subscriptions compiled and roles bound against one app, and the server state their
 * uploads are judged against. Made by `Session.open` or `app.session`.
 */
class Session {
  #handle;

  constructor(handle) {
    if (!opening) {
      throw new TypeError('a flexrules.Session is made by Session.open(request) or app.session(user, subscriptions)');
    }
    this.#handle = handle;
  }

  /** Opens a session from `{app, user, subscriptions, state?, server_style?, explain?,
   * log_url?}`; throws the flexrules.Error of a bad field. */
  static open(request) {
    const handle = new native.NativeSession();
    answer(handle.open(textOf(request, 'the session request')));
    opening = true;
    try {
      return new Session(handle);
    } finally {
      opening = false;
    }
  }

  /** Judges one uploaded changeset and applies its accepted writes to the session's state: the
   * line `flexrules check --format json` prints for it. */
  judge(changeset) {
    return answer(this.#handle.judge(textOf(changeset, 'the changeset')));
  }

  /** Would `write` be reverted, and why? `{accepted: true}` or `{accepted: false, table, pk,
   * reason, log_reason}`; the state is left unchanged. */
  preflight(write) {
    return answer(this.#handle.preflight(textOf(write, 'the write')));
  }

  /** Frees the session now; later calls throw `SessionClosedError`. */
  close() {
    this.#handle.close();
  }

  /** Whether `close()` has been called. */
  get closed() {
    return !this.#handle.isOpen;
  }
}

module.exports = {
  API_VERSION: native.API_VERSION,
  OPERATIONS: Object.freeze([...ABOUT.operations]),
  VERSION: ABOUT.version,
  call,
  callJson,
  run,
  App,
  Session,
  Error: FlexrulesError,
  RequestError,
  AppError,
  InputError,
  SubscriptionError,
  QueryError,
  ProtocolError,
  SessionClosedError,
  InternalError,
};
