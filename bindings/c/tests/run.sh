#!/usr/bin/env bash
# Builds the C library (release), then runs its tests from the repository root:
#   1. tests/test_flexrules.c, compiled with the system C compiler against include/flexrules.h
#      and linked to libflexrules_c.so;
#   2. the same C program linked statically to libflexrules_c.a;
#   3. the C example of bindings/c/README.md, which must print the verdict it promises;
#   4. tests/test_ctypes.py, the shared library driven from Python's ctypes;
#   5. with --valgrind, the C program under valgrind's memcheck (leaks and memory errors fail).
set -euo pipefail
cd "$(dirname "$0")/../../.."
valgrind=false
[[ "${1:-}" == "--valgrind" ]] && valgrind=true

cargo build --release -p flexrules-c
lib=target/release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc=${CC:-cc}
flags=(-std=c11 -Wall -Wextra -Werror -O1 -g -Ibindings/c/include)

"$cc" "${flags[@]}" bindings/c/tests/test_flexrules.c -o "$out/test_dynamic" \
  -L"$lib" -lflexrules_c -Wl,-rpath,"$PWD/$lib" -lpthread
"$cc" "${flags[@]}" bindings/c/tests/test_flexrules.c -o "$out/test_static" \
  "$lib/libflexrules_c.a" -lpthread -ldl -lm

echo "-- C, shared library"
"$out/test_dynamic"
echo "-- C, static library"
"$out/test_static"
echo "-- the C example of bindings/c/README.md"
awk '/^```c$/ { inside = 1; next } /^```$/ { inside = 0 } inside' bindings/c/README.md >"$out/example.c"
"$cc" "${flags[@]}" "$out/example.c" -o "$out/example" -L"$lib" -lflexrules_c -Wl,-rpath,"$PWD/$lib"
if "$out/example" | grep -q 'outside of the current query view'; then
  echo "1 passed, 0 failed"
else
  echo "the README's example did not print the Honda's reason" >&2
  exit 1
fi
echo "-- Python ctypes"
FLEXRULES_C_LIB="$PWD/$lib/libflexrules_c.so" python3 bindings/c/tests/test_ctypes.py
if $valgrind; then
  echo "-- C under valgrind (memcheck)"
  valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$out/test_dynamic"
fi
