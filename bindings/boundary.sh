#!/usr/bin/env bash
# The cost of the boundary, in one run: the seed's write preflighted through Rust, C, Python and
# Node, with a session handle and with `call` (the JSON request each time). Runs whichever of
# the four programs exist (a missing one, or one that fails, is skipped with a note), prints
# every `boundary <language> <handle|call> <calls_per_second>` line, then the ratio of Rust's
# calls per second to each binding's (1.0 = as fast as Rust; the target with a handle is ≤ 3).
#
#   bash bindings/boundary.sh            # BOUNDARY_SECONDS=N sets each measurement's length
set -uo pipefail
cd "$(dirname "$0")/.."

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT

measure() { # <language> <program file> <command...>
  local language=$1 file=$2
  shift 2
  if [[ ! -e "$file" ]]; then
    echo "# $language: skipped, $file does not exist"
    return
  fi
  if ! output=$("$@" 2>"$lines.err"); then
    echo "# $language: skipped, \`$*\` failed: $(tail -n 3 "$lines.err" | tr '\n' ' ')"
  fi
  grep '^boundary ' <<<"$output" | tee -a "$lines"
  rm -f "$lines.err"
}

measure rust bindings/c/examples/boundary.rs \
  cargo run --quiet --release -p flexrules-c --example boundary
measure c bindings/c/bench/boundary.c bash bindings/c/bench/run.sh
measure python bindings/python/bench/boundary.py python3 bindings/python/bench/boundary.py
measure node bindings/node/bench/boundary.js node bindings/node/bench/boundary.js

echo "# ratio to Rust: Rust's calls per second / the binding's (target with a handle: <= 3)"
awk '$1 == "boundary" { rate[$2 " " $3] = $4; if ($2 != "rust") order[++n] = $2 " " $3 }
     END {
       for (i = 1; i <= n; i++) {
         split(order[i], k, " ");
         base = rate["rust " k[2]];
         if (base == "" || rate[order[i]] <= 0) { print "# " order[i] ": no Rust figure to compare"; continue }
         printf "ratio %s %s %.2f\n", k[1], k[2], base / rate[order[i]];
       }
     }' "$lines"
