'use strict';
// The cost of the boundary from Node: preflight of the seed's first write (the first write of
// fixtures/demo/changesets.ndjson, against fixtures/apps/car with the demo user and
// subscriptions), once through a session handle (opened once) and once through `call` (a JSON
// request each time, the app read from its directory each time). Prints
//   boundary node <handle|call> <calls_per_second>
// as bindings/boundary.sh expects. BOUNDARY_SECONDS sets the measuring time of each (default 3),
// after a warm-up of a third of it.

const fs = require('node:fs');
const path = require('node:path');

const flexrules = require('..');

const root = path.resolve(__dirname, '..', '..', '..');
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');
const app = path.join(root, 'fixtures/apps/car');
const user = JSON.parse(read('fixtures/demo/user.json'));
const subscriptions = JSON.parse(read('fixtures/demo/subscriptions.json'));
const firstLine = read('fixtures/demo/changesets.ndjson').split('\n').find((l) => l.trim() !== '');
const write = JSON.parse(firstLine).writes[0];

const seconds = Number(process.env.BOUNDARY_SECONDS || 3);
if (!(seconds > 0)) {
  console.error(`boundary.js: BOUNDARY_SECONDS must be a positive number, not ${process.env.BOUNDARY_SECONDS}`);
  process.exit(2);
}

/** Calls per second of `f`, counted over `seconds` after a warm-up. */
function rate(f) {
  const measure = (budget) => {
    const end = process.hrtime.bigint() + BigInt(Math.round(budget * 1e9));
    const start = process.hrtime.bigint();
    let calls = 0;
    let now = start;
    // Check the clock every 64 calls, so that reading it costs little against a call.
    while (now < end) {
      for (let i = 0; i < 64; i++) f();
      calls += 64;
      now = process.hrtime.bigint();
    }
    return calls / (Number(now - start) / 1e9);
  };
  measure(seconds / 3);
  return measure(seconds);
}

const session = flexrules.App.load(app).session(user, subscriptions);
const request = { app, user, subscriptions, write };
// Both routes must answer the same verdict before either is timed.
const byHandle = session.preflight(write);
const byCall = flexrules.call('preflight', request);
if (!byCall.ok || JSON.stringify(byCall.result) !== JSON.stringify(byHandle)) {
  console.error(`boundary.js: the two routes disagree: ${JSON.stringify(byHandle)} vs ${JSON.stringify(byCall)}`);
  process.exit(1);
}

console.log(`boundary node handle ${rate(() => session.preflight(write)).toFixed(0)}`);
console.log(`boundary node call ${rate(() => flexrules.call('preflight', request)).toFixed(0)}`);
