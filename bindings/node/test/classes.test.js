'use strict';
// App, Session and the error classes answer as `call` does for the same inputs, and every
// failure is thrown as the flexrules.Error subclass of its kind, with its message and pointer.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const flexrules = require('..');
const { at, json, ndjson, appFiles, demo, KIND_CLASSES } = require('./fixtures');

const { App } = flexrules;
const demoRequest = { app: demo.app, user: demo.user, subscriptions: demo.subscriptions };

/** Asserts that `fn` throws the subclass for `kind`, with `pointer`; answers the error. */
function throwsKind(fn, kind, pointer) {
  let caught;
  assert.throws(fn, (e) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof flexrules.Error, `${caught} is not a flexrules.Error`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.pointer, pointer, caught.message);
  const Class = flexrules[KIND_CLASSES[kind]];
  assert.ok(caught instanceof Class, `${caught.name} is not ${Class.name}`);
  assert.equal(caught.name, Class.name);
  assert.notEqual(caught.message, '');
  return caught;
}

test('a session judges the seed changesets as check does', () => {
  const session = App.load(demo.app).session(demo.user, demo.subscriptions);
  const lines = demo.changesets.map((c) => session.judge(c));
  assert.deepEqual(lines, flexrules.call('check', { ...demoRequest, changesets: demo.changesets }).result);
  assert.equal(lines[0].rejected.length, 0);
  assert.equal(lines[1].rejected.length, 1);
});

test('preflight answers as the preflight operation, and leaves the state', () => {
  const session = App.load(demo.app).session(demo.user, demo.subscriptions);
  for (const changeset of demo.changesets) {
    const write = changeset.writes[0];
    const verdict = session.preflight(write);
    assert.deepEqual(verdict, flexrules.call('preflight', { ...demoRequest, write }).result);
    assert.deepEqual(session.preflight(write), verdict);
  }
  assert.deepEqual(
    demo.changesets.map((c) => session.preflight(c.writes[0]).accepted),
    [true, false, false],
  );
});

test('session options are the API fields, state and wording included', () => {
  const request = {
    app: at('fixtures/apps/car'),
    user: json('fixtures/users/u1.json'),
    subscriptions: json('fixtures/judge/cli/subscriptions.json'),
    state: ndjson('fixtures/judge/cli/state.ndjson'),
    server_style: '2024',
    explain: true,
  };
  const changesets = ndjson('fixtures/judge/cli/changesets.ndjson');
  const { app, user, subscriptions, ...options } = request;
  const session = App.load(app).session(user, subscriptions, options);
  assert.deepEqual(
    changesets.map((c) => session.judge(c)),
    flexrules.call('check', { ...request, changesets }).result,
  );
});

test('an app from a file map is the app of its directory', () => {
  const byFiles = App.fromFiles(appFiles('fixtures/apps/car'));
  const byDir = App.load(at('fixtures/apps/car'));
  assert.deepEqual(byFiles.validate(), byDir.validate());
  const write = demo.changesets[2].writes[0];
  assert.deepEqual(
    byFiles.session(demo.user, demo.subscriptions).preflight(write),
    byDir.session(demo.user, demo.subscriptions).preflight(write),
  );
});

test('an app from a file map keeps its own copy of the map', () => {
  const files = appFiles('fixtures/apps/car');
  const app = App.fromFiles(files);
  const write = demo.changesets[2].writes[0];
  const before = app.session(demo.user, demo.subscriptions).preflight(write);
  for (const name of Object.keys(files)) delete files[name];
  assert.deepEqual(app.session(demo.user, demo.subscriptions).preflight(write), before);
  throwsKind(() => App.fromFiles({ 'sync/config.json': { n: 1n } }), 'bad_request', '/app');
});

test("an app's validate() is the validate operation; a relative path is resolved at load", () => {
  const rel = path.relative(process.cwd(), at('fixtures/apps/tiered-docs'));
  const app = App.load(rel);
  assert.equal(app.source, at('fixtures/apps/tiered-docs'));
  assert.deepEqual(app.validate(), flexrules.call('validate', { app: app.source }).result);
  assert.ok(app.validate().length > 0);
});

test('load errors are thrown with their kind and pointer', () => {
  throwsKind(() => App.load(at('fixtures/apps/no-such-app')), 'app', '/app');
  throwsKind(() => App.load(3), 'bad_request', '/app');
  throwsKind(() => App.fromFiles('root_config.json'), 'bad_request', '/app');
  const rules = 'data_sources/mongodb-atlas/db/Car/rules.json';
  const e = throwsKind(() => App.fromFiles({ [rules]: '{not json' }), 'app', `/app/${rules.replaceAll('/', '~1')}`);
  assert.match(e.message, /^data_sources\/mongodb-atlas\/db\/Car\/rules\.json:1:2: malformed JSON/);
});

test('session errors are the errors of call for the same request', () => {
  const app = App.load(demo.app);
  const cases = [
    [{ id: 3 }, demo.subscriptions, {}],
    [demo.user, [{ table: 'Car', query: 'make == "Ford"' }], {}],
    [demo.user, [{ table: 'Car' }], {}],
    [demo.user, demo.subscriptions, { server_style: 1999 }],
    [demo.user, demo.subscriptions, { bogus: true }],
  ];
  const kinds = [];
  for (const [user, subscriptions, options] of cases) {
    const { error } = flexrules.call('check', { ...demoRequest, user, subscriptions, ...options, changesets: [] });
    const e = throwsKind(() => app.session(user, subscriptions, options), error.kind, error.pointer);
    // An unknown field's message lists the fields of the operation, and check reads one more.
    if (e.kind !== 'bad_request') assert.equal(e.message, error.message);
    kinds.push(e.kind);
  }
  assert.deepEqual(kinds, ['user', 'subscription', 'input', 'bad_request', 'bad_request']);
});

test('options may not replace the arguments, and must be an object', () => {
  const app = App.load(demo.app);
  for (const name of ['app', 'user', 'subscriptions']) {
    throwsKind(() => app.session(demo.user, demo.subscriptions, { [name]: null }), 'bad_request', `/${name}`);
  }
  throwsKind(() => app.session(demo.user, demo.subscriptions, 'explain'), 'bad_request', '');
  throwsKind(() => app.session(1n, demo.subscriptions), 'bad_request', '');
});

test('a bad changeset or write is thrown, naming the field inside it', () => {
  const session = App.load(demo.app).session(demo.user, demo.subscriptions);
  const write = { ...demo.changesets[0].writes[0], op: 'upsert' };
  throwsKind(() => session.preflight(write), 'input', '/op');
  throwsKind(() => session.judge({ client_version: 1, writes: [write] }), 'input', '/writes/0/op');
  throwsKind(() => session.judge({ writes: [] }), 'input', '');
  throwsKind(() => session.preflight({ ...write, pk: 1n }), 'bad_request', '');
  throwsKind(() => session.judge(undefined), 'bad_request', '');
  // A failed judgement changes nothing: the seed's first write is still accepted after it.
  assert.equal(session.judge(demo.changesets[0]).rejected.length, 0);
});

test('a closed session throws SessionClosedError, and closing twice is harmless', () => {
  const session = App.load(demo.app).session(demo.user, demo.subscriptions);
  assert.equal(session.closed, false);
  session.close();
  session.close();
  assert.equal(session.closed, true);
  throwsKind(() => session.preflight(demo.changesets[0].writes[0]), 'invalid_handle', '');
  throwsKind(() => session.judge(demo.changesets[0]), 'invalid_handle', '');
});

test('Session.open takes the whole request, as app.session does', () => {
  const write = demo.changesets[1].writes[0];
  const session = flexrules.Session.open({ app: demo.app, user: demo.user, subscriptions: demo.subscriptions });
  assert.deepEqual(session.preflight(write), App.load(demo.app).session(demo.user, demo.subscriptions).preflight(write));
  throwsKind(() => flexrules.Session.open({ app: demo.app, user: demo.user }), 'bad_request', '/subscriptions');
  throwsKind(() => flexrules.Session.open([]), 'bad_request', '');
  assert.throws(() => new flexrules.Session(), TypeError);
});

test('each error kind has its family class, and the base class takes any kind', () => {
  for (const [kind, name] of Object.entries(KIND_CLASSES)) {
    const Class = flexrules[name];
    assert.ok(Class.prototype instanceof flexrules.Error, name);
    assert.equal(new Class(kind, 'm').pointer, '');
  }
  const families = Object.entries(flexrules).filter(([, v]) => v.prototype instanceof flexrules.Error);
  assert.deepEqual(families.map(([name]) => name).sort(), [...new Set(Object.values(KIND_CLASSES))].sort());
  const e = new flexrules.Error('future_kind', 'm', '/p');
  assert.deepEqual([e.name, e.kind, e.message, e.pointer], ['FlexrulesError', 'future_kind', 'm', '/p']);
});

test('a worker thread loads the package and judges as the main thread does', async () => {
  const { Worker } = require('node:worker_threads');
  const writes = demo.changesets.map((c) => c.writes[0]);
  const here = App.load(demo.app).session(demo.user, demo.subscriptions);
  const code = `
    const { parentPort, workerData: d } = require('node:worker_threads');
    const flexrules = require(d.pkg);
    const session = flexrules.App.load(d.app).session(d.user, d.subscriptions);
    parentPort.postMessage(d.writes.map((w) => session.preflight(w)));`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { pkg: path.resolve(__dirname, '..'), app: demo.app, user: demo.user, subscriptions: demo.subscriptions, writes },
  });
  const verdicts = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual(verdicts, writes.map((w) => here.preflight(w)));
});

test('a package whose native module was not built says how to build it', () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flexrules-unbuilt-'));
  try {
    fs.copyFileSync(path.join(__dirname, '..', 'index.js'), path.join(dir, 'index.js'));
    assert.throws(() => require(dir), (e) => {
      assert.match(e.message, /flexrules\.node has not been built; run `npm install` in /);
      assert.ok(e.message.includes(dir));
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
