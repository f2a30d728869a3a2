// Compiled by `tsc --noEmit --strict` in CI (never run): index.d.ts describes the package as the
// tests use it, and refuses what the package refuses.
import * as flexrules from '..';
import { App, type CheckLine, type Response, type Verdict } from '..';

const response: Response = flexrules.call('version', {});
if (response.ok) {
  const result: flexrules.Json = response.result;
  void result;
} else {
  const kind: flexrules.ErrorKind = response.error.kind;
  const pointer: string = response.error.pointer;
  void kind, pointer;
}

const app: App = App.load('fixtures/apps/car');
const problems: string[] = app.validate().map((p) => `${p.severity}: ${p.text}`);
void problems;
const session = app.session({ id: 'u1' }, [{ table: 'Car', query: 'miles < 100', args: [] }], {
  server_style: '2024',
  explain: true,
});
const line: CheckLine = session.judge({ client_version: 1, writes: [{ op: 'insert', table: 'Car' }] });
const verdict: Verdict = session.preflight({ op: 'insert', table: 'Car' });
if (!verdict.accepted) {
  const why: string = verdict.reason + verdict.log_reason + line.rejected.length;
  void why;
}
session.close();
const closed: boolean = session.closed;
void closed;

try {
  App.fromFiles({ 'sync/config.json': { is_recovery_mode_disabled: false } });
} catch (e) {
  if (e instanceof flexrules.SessionClosedError) {
    const kind: string = e.kind;
    void kind;
  } else if (e instanceof flexrules.Error) {
    const where: string = e.pointer;
    void where;
  }
}
const version: string = flexrules.VERSION;
const operations: readonly flexrules.Operation[] = flexrules.OPERATIONS;
const result: flexrules.Json = flexrules.run('version', {});
const text: string = flexrules.callJson('version', '{}');
const opened = flexrules.Session.open({ app: 'fixtures/apps/car', user: { id: 'u1' }, subscriptions: [] });
void version, operations, result, text, opened;

// @ts-expect-error: sessions are opened by Session.open or App.session
new flexrules.Session();
// @ts-expect-error: Session.open reads the user
flexrules.Session.open({ app: 'fixtures/apps/car', subscriptions: [] });
// @ts-expect-error: a subscription names its table
app.session({ id: 'u1' }, [{ query: 'miles < 100' }]);
// @ts-expect-error: options are the API's field names
app.session({ id: 'u1' }, [], { serverStyle: '2024' });
// @ts-expect-error: a changeset has writes
session.judge({ client_version: 1 });
