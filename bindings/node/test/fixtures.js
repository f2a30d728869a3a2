'use strict';
// The repository's fixtures, read the same way by every test file.

const fs = require('node:fs');
const path = require('node:path');

/** The repository root (the tests sit in bindings/node/test). */
const ROOT = path.resolve(__dirname, '..', '..', '..');

/** `rel` (relative to the repository root) as an absolute path. */
function at(rel) {
  return path.join(ROOT, rel);
}

function json(rel) {
  return JSON.parse(fs.readFileSync(at(rel), 'utf8'));
}

function ndjson(rel) {
  return fs
    .readFileSync(at(rel), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** An exported app directory as the API's file map: relative file name → parsed JSON. */
function appFiles(rel) {
  const files = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) {
        files[path.relative(at(rel), full).split(path.sep).join('/')] = JSON.parse(fs.readFileSync(full, 'utf8'));
      }
    }
  };
  walk(at(rel));
  return files;
}

/** The seed scenario: the Car app, the docs' user and subscription, and its three changesets. */
const demo = {
  app: at('fixtures/apps/car'),
  user: json('fixtures/demo/user.json'),
  subscriptions: json('fixtures/demo/subscriptions.json'),
  changesets: ndjson('fixtures/demo/changesets.ndjson'),
};

/**
 * The class each error kind of docs/api.md is thrown as: the families of the Python package.
 * Kept here, apart from index.js, so that a change of either is a test failure.
 */
const KIND_CLASSES = {
  bad_request: 'RequestError',
  unknown_operation: 'RequestError',
  app: 'AppError',
  user: 'InputError',
  input: 'InputError',
  schema: 'InputError',
  subscription: 'SubscriptionError',
  query: 'QueryError',
  translate: 'QueryError',
  protocol: 'ProtocolError',
  invalid_handle: 'SessionClosedError',
  internal: 'InternalError',
};

module.exports = { ROOT, at, json, ndjson, appFiles, demo, KIND_CLASSES };
