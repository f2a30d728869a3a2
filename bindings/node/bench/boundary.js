'use strict';
// The cost of the boundary from Node: preflight of the seed's first write (the first write of
// fixtures/demo/changesets.ndjson, against fixtures/apps/car with the demo user and
// subscriptions), once through a session handle (opened once) and once through `call` (a JSON
// request each time, the app read from its directory each time). Prints
//   boundary node <handle|call> <calls_per_second>
// as bindings/boundary.sh expects. It measures as the other languages' programs do: a warm-up of a
// quarter of a round, then three rounds of BOUNDARY_SECONDS / 3 seconds each (default 3 s in
// all), reporting the best round, the one least disturbed by other work on a shared machine.

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

/** Calls per second of `f`: the best of three rounds after a warm-up. */
function rate(f) {
  const round = seconds / 3;
  const measure = (budget) => {
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(budget * 1e9));
    let calls = 0;
    let now = start;
    // Read the clock every 16 calls, so that reading it costs little against a call.
    while (now < end) {
      for (let i = 0; i < 16; i++) f();
      calls += 16;
      now = process.hrtime.bigint();
    }
    return calls / (Number(now - start) / 1e9);
  };
  measure(round / 4);
  return Math.max(measure(round), measure(round), measure(round));
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
