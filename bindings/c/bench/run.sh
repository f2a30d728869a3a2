#!/usr/bin/env bash
# Builds the C library (release) and bench/boundary.c against it (-O2), then runs the benchmark
# from the repository root; prints `boundary c handle N` and `boundary c call N`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build --release -p flexrules-c >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -Ibindings/c/include bindings/c/bench/boundary.c \
  -o "$out/boundary" -Ltarget/release -lflexrules_c -Wl,-rpath,"$PWD/target/release"
"$out/boundary"
