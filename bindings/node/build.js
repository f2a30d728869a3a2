'use strict';
// The package's install script: builds the native module with cargo from the flexrules source
// tree and puts it next to index.js as `flexrules.node`. Nothing is downloaded but crates.
//
// `npm install path/to/bindings/node` links the folder (npm 9 and later), and runs this script
// with the folder itself as the working directory, so the source tree is two levels up. With
// `--install-links` (or from a tarball of `npm pack`) npm copies the package instead, without the
// Rust sources; npm runs `prepare` in the source folder first, and `node build.js --record-source`
// then writes `source.json` naming the tree, which the copy carries. FLEXRULES_SOURCE overrides
// both.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const RECORD = path.join(here, 'source.json');
const TARGET = path.join(here, 'flexrules.node');

/** Whether `dir` is the root of a flexrules source tree holding this package's crate. */
function isSourceTree(dir) {
  return (
    fs.existsSync(path.join(dir, 'Cargo.toml')) &&
    fs.existsSync(path.join(dir, 'bindings', 'node', 'Cargo.toml'))
  );
}

function fail(message) {
  console.error(`flexrules: ${message}`);
  process.exit(1);
}

/** The source tree to build from, or a failure saying how to name one. */
function sourceTree() {
  if (process.env.FLEXRULES_SOURCE) {
    const dir = path.resolve(process.env.FLEXRULES_SOURCE);
    if (!isSourceTree(dir)) {
      fail(`FLEXRULES_SOURCE=${dir} is not a flexrules source tree (no bindings/node/Cargo.toml)`);
    }
    return dir;
  }
  const enclosing = path.resolve(here, '..', '..');
  if (isSourceTree(enclosing)) return enclosing;
  if (fs.existsSync(RECORD)) {
    let recorded;
    try {
      recorded = JSON.parse(fs.readFileSync(RECORD, 'utf8')).root;
    } catch (e) {
      fail(`${RECORD}: ${e.message}`);
    }
    if (typeof recorded === 'string' && isSourceTree(recorded)) return recorded;
    fail(`${RECORD} names ${recorded}, which is no longer a flexrules source tree; set FLEXRULES_SOURCE`);
  }
  fail(
    `cannot find the Rust sources to build from ${here}; install the package from its folder ` +
      'in the flexrules source tree (npm install path/to/flexrules/bindings/node), or set ' +
      'FLEXRULES_SOURCE to that tree',
  );
}

/** Builds the crate and answers the path of the dynamic library cargo wrote. */
function build(root) {
  const cargo = process.env.CARGO || 'cargo';
  const args = ['build', '--release', '-p', 'flexrules-node', '--message-format=json-render-diagnostics'];
  const run = spawnSync(cargo, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) fail(`could not run \`${cargo}\` (is a Rust toolchain installed?): ${run.error.message}`);
  if (run.status !== 0) fail(`\`${cargo} ${args.join(' ')}\` in ${root} failed (status ${run.status})`);
  let library;
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason !== 'compiler-artifact' || message.target.name !== 'flexrules_node') continue;
    library = message.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || library;
  }
  if (!library) fail(`cargo built no dynamic library for flexrules-node in ${root}`);
  return library;
}

if (process.argv.includes('--record-source')) {
  // `prepare`: runs in the source folder before npm copies or packs it.
  fs.writeFileSync(RECORD, `${JSON.stringify({ root: path.resolve(here, '..', '..') })}\n`);
} else {
  const root = sourceTree();
  const library = build(root);
  // Copy then rename, so that a Node process that has the old module loaded keeps a whole file.
  const partial = `${TARGET}.partial`;
  fs.copyFileSync(library, partial);
  fs.renameSync(partial, TARGET);
  console.log(`flexrules: built ${TARGET} from ${root}`);
}
