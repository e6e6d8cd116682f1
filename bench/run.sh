#!/usr/bin/env bash
# Benchmarks cnnc against ONNX Runtime on the example networks (same weights,
# outputs checked first) and measures the machine's FMA peak.
#   bash bench/run.sh [--rounds R] [--runs N] [--nets a,b] [--bin DIR]
# Needs the build (scripts/build.sh) and the venv packages of scripts/setup.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
cc -O2 -march=native -pthread "$ROOT/bench/peak.c" -o "$OUT/peak"
PEAK=$("$OUT/peak" 2 | paste -sd, -)
echo "FMA peak GFLOP/s (threads:GFLOP/s): $PEAK"
"$PY" "$ROOT/bench/bench.py" --peak "$PEAK" --json "$OUT/results.json" "$@"
"$PY" "$ROOT/bench/plot.py" "$OUT/results.json" "$ROOT/docs/perf.png"
