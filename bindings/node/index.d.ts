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

/**
 * Answers one request of the JSON API. Errors in the request are answered (`ok: false`), not
 * thrown; an operation that is not a string is a TypeError.
 */
export function call(operation: Operation | string, request: object): Response;

/** The engine's version, the API version and the operations. */
export function version(): { version: string; api_version: number; operations: Operation[] };

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

/**
 * An exported App Services app. Loading reads and checks it once; each session opened from it
 * reads the same source again.
 */
export class App {
  private constructor();
  /** The app exported to `dir`; a relative path is resolved against the working directory now. */
  static load(dir: string): App;
  /** The app from a map of the export's file names to their contents (JSON values or text). */
  static fromFiles(files: { [fileName: string]: Json }): App;
  /** The absolute directory, or the file map. */
  readonly source: string | { [fileName: string]: Json };
  /** The Flexible Sync compatibility problems of the app's roles (`validate`). */
  readonly problems: Problem[];
  /** Opens a session: roles bound for `user` and `subscriptions` compiled, once. */
  session(user: User, subscriptions: Subscription[], options?: SessionOptions): Session;
}

/** One user's open session. Opened by `App.session`. */
export class Session {
  private constructor();
  /** Judges one uploaded changeset and applies its accepted writes. */
  judge(changeset: Changeset): CheckLine;
  /** Would `write` be reverted, and why? The state is left unchanged. */
  preflight(write: Write): Verdict;
  /** Frees the session now; later calls throw `InvalidHandleError`. */
  close(): void;
  /** Whether `close()` has been called. */
  readonly closed: boolean;
}

/** Every failure of the package: a kind, a message naming the input, and its JSON pointer. */
declare class FlexrulesError extends globalThis.Error {
  constructor(kind: string, message: string, pointer: string);
  readonly kind: ErrorKind | string;
  readonly pointer: string;
}
export { FlexrulesError as Error };

declare class KindError<K extends ErrorKind> extends FlexrulesError {
  static readonly kind: ErrorKind;
  readonly kind: K;
}

export class BadRequestError extends KindError<'bad_request'> {}
export class UnknownOperationError extends KindError<'unknown_operation'> {}
export class AppError extends KindError<'app'> {}
export class UserError extends KindError<'user'> {}
export class InputError extends KindError<'input'> {}
export class SubscriptionError extends KindError<'subscription'> {}
export class SchemaError extends KindError<'schema'> {}
export class QueryError extends KindError<'query'> {}
export class TranslateError extends KindError<'translate'> {}
export class ProtocolError extends KindError<'protocol'> {}
export class InvalidHandleError extends KindError<'invalid_handle'> {}
export class InternalError extends KindError<'internal'> {}
