#!/bin/sh
# Usage: coexist.sh <cnnc-coexist> <libHalide.so>
# MLIR's libLLVM and the LLVM hidden inside libHalide must not resolve each
# other's llvm:: symbols. libHalide.so exports no llvm:: symbol at all (its
# LLVM is linked statically with hidden visibility) and imports none, so the
# check is strict: no `_ZN4llvm` definition or reference in its dynamic
# table, and no runtime binding of one between libHalide and libLLVM.
set -eu
bin=$1
halide=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

n=$(nm -D "$halide" | grep -c ' _ZN4llvm' || true)
if [ "$n" != 0 ]; then
  echo "FAIL: $halide has $n llvm:: symbols in its dynamic table"
  nm -D "$halide" | grep ' _ZN4llvm' | head
  exit 1
fi

LD_DEBUG=bindings LD_DEBUG_OUTPUT="$dir/ld" "$bin" > "$dir/out"
grep -q 'coexist ok' "$dir/out"
cat "$dir"/ld.* > "$dir/all"
# Sanity: the log really covers both libraries.
grep -q 'binding file [^ ]*libHalide' "$dir/all"
grep -q 'binding file [^ ]*libLLVM' "$dir/all"
if grep -E "binding file [^ ]*libHalide[^ ]* \[[0-9]+\] to [^ ]*libLLVM[^ ]* .*_ZN4llvm|binding file [^ ]*libLLVM[^ ]* \[[0-9]+\] to [^ ]*libHalide[^ ]* .*_ZN4llvm" "$dir/all"; then
  echo "FAIL: llvm:: symbols bind across libHalide and libLLVM"
  exit 1
fi
echo "PASS: no llvm:: binding between libHalide and libLLVM"
