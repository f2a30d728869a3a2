// Types of the `flexrules` package. Requests and results are JSON (MongoDB Extended JSON where
// they hold values); docs/api.md describes each operation's fields.

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The kinds of error, as docs/api.md lists them. */
export type ErrorKind =
  | 'bad_request'
  | 'unknown_operation'
  | 'app'
  | 'user'
  | 'input'
  | 'subscription'
  | 'schema'
  | 'query'
  | 'translate'
  | 'protocol'
  | 'invalid_handle'
  | 'internal';

/** The `error` member of a failed response. */
export interface ApiErrorBody {
  kind: ErrorKind;
  message: string;
  /** JSON pointer (RFC 6901) of the request field at fault; empty for the request itself. */
  pointer: string;
}

/** What `call` answers: the response of `flexrules::api::call`. */
export type Response<R = Json> =
  | { ok: true; api_version: number; result: R }
  | { ok: false; api_version: number; error: ApiErrorBody };

/** The operations of the JSON API. */
export type Operation =
  | 'query'
  | 'translate'
  | 'validate'
  | 'check'
  | 'explain'
  | 'preflight'
  | 'decode'
  | 'version';

/** The version of the response shapes. */
export const API_VERSION: number;
/** The operations `call` answers. */
export const OPERATIONS: readonly Operation[];
/** The engine's version. */
export const VERSION: string;

/**
 * Answers one request of the JSON API. Errors in the request are answered (`ok: false`), not
 * thrown; an operation that is not a string is a TypeError.
 */
export function call(operation: Operation | string, request: object): Response;

/** `call` on JSON text, answering JSON text. */
export function callJson(operation: Operation | string, request: string): string;

/** The `result` of `call`, or the flexrules.Error subclass of its error thrown. */
export function run(operation: Operation | string, request: object): Json;

/** A user, as the App Services user object. */
export interface User {
  id: string;
  type?: string;
  data?: { [key: string]: Json };
  custom_data?: { [key: string]: Json };
  identities?: Json[];
}

/** A Flexible Sync subscription: an RQL query on one table, with the values of `$0`, `$1`, …. */
export interface Subscription {
  name?: string;
  table: string;
  query: string;
  args?: Json[];
}

/** The fields a session reads besides the app, the user and the subscriptions. */
export interface SessionOptions {
  /** The objects the server holds. */
  state?: { table: string; object: { [key: string]: Json } }[];
  server_style?: '2023' | '2024' | 2023 | 2024;
  /** Add `explanations` to each judged changeset's line. */
  explain?: boolean;
  /** The `logURL` of compensating-write errors. */
  log_url?: string;
}

/** One write of an uploaded changeset, as a line of `flexrules check --changesets` holds it. */
export type Write = { [key: string]: Json };

/** An uploaded changeset: `{client_version, server_version?, writes}`. */
export interface Changeset {
  client_version: number;
  server_version?: number;
  writes: Write[];
  [key: string]: Json | undefined;
}

/** A write the server reverts, with the client's and the server log's wording of why. */
export interface Rejection {
  table: string;
  /** The object's primary key, relaxed Extended JSON. */
  pk: Json;
  reason: string;
  log_reason: string;
}

/** The compensating-write error (231) a changeset with rejected writes earns. */
export interface CompensatingWriteError {
  error_code: number;
  message: string;
  body: { [key: string]: Json };
  /** The error as the server sends it. */
  wire: string;
  /** The App Services log entry. */
  log: string;
}

/** A judged changeset: the line of `flexrules check --format json`. */
export interface CheckLine {
  client_version: number;
  /** How many writes were accepted. */
  accepted: number;
  rejected: Rejection[];
  error: CompensatingWriteError | null;
  /** Present when the session was opened with `explain: true`. */
  explanations?: Json[];
}

/** Whether one write would be accepted, and if not why. */
export type Verdict = { accepted: true } | ({ accepted: false } & Rejection);

/** A problem `validate` finds in an app's roles. */
export interface Problem {
  file: string;
  pointer: string;
  role: string;
  severity: 'error' | 'warning';
  message: string;
  /** The line `flexrules validate` prints. */
  text: string;
}

/** What `Session.open` reads. */
export interface SessionRequest extends SessionOptions {
  app: string | { [fileName: string]: Json };
  user: User;
  subscriptions: Subscription[];
}

/**
 * An exported App Services app. Making one checks that the app loads; each session opened from
 * it loads the same source again.
 */
export class App {
  /** Prefer `App.load` or `App.fromFiles`, which check that the app loads. */
  constructor(source: string | { [fileName: string]: Json });
  /** The app exported to `dir`; a relative path is resolved against the working directory now. */
  static load(dir: string): App;
  /** The app from a map of the export's file names to their contents (JSON values or text). */
  static fromFiles(files: { [fileName: string]: Json }): App;
  /** The absolute directory, or a copy of the file map. */
  readonly source: string | { [fileName: string]: Json };
  /** The Flexible Sync compatibility problems of the app's roles (`validate`). */
  validate(): Problem[];
  /** Opens a session: roles bound for `user` and `subscriptions` compiled, once. */
  session(user: User, subscriptions: Subscription[], options?: SessionOptions): Session;
}

/** One user's open session. Made by `Session.open` or `app.session`. */
export class Session {
  private constructor();
  /** Opens a session from the whole request. */
  static open(request: SessionRequest): Session;
  /** Judges one uploaded changeset and applies its accepted writes. */
  judge(changeset: Changeset): CheckLine;
  /** Would `write` be reverted, and why? The state is left unchanged. */
  preflight(write: Write): Verdict;
  /** Frees the session now; later calls throw `SessionClosedError`. */
  close(): void;
  /** Whether `close()` has been called. */
  readonly closed: boolean;
}

/** Every failure of the package: a kind, a message naming the input, and its JSON pointer. */
declare class FlexrulesError extends globalThis.Error {
  constructor(kind: string, message: string, pointer?: string);
  readonly kind: ErrorKind | string;
  readonly pointer: string;
}
export { FlexrulesError as Error };

/** Kinds `bad_request`, `unknown_operation`. */
export class RequestError extends FlexrulesError {}
/** Kind `app`. */
export class AppError extends FlexrulesError {}
/** Kinds `user`, `input`, `schema`. */
export class InputError extends FlexrulesError {}
/** Kind `subscription` (error 226). */
export class SubscriptionError extends FlexrulesError {}
/** Kinds `query`, `translate`. */
export class QueryError extends FlexrulesError {}
/** Kind `protocol`. */
export class ProtocolError extends FlexrulesError {}
/** Kind `invalid_handle`: a closed session. */
export class SessionClosedError extends FlexrulesError {}
/** Kind `internal`: a bug. */
export class InternalError extends FlexrulesError {}
