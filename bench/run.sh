#!/usr/bin/env bash
# Benchmarks cnnc against ONNX Runtime on the example networks and the
# sequence models of bench/nets (same weights, outputs checked first),
# measures the machine's FMA peak, merges the table rows into docs/perf.md
# (other networks' rows are kept) and redraws docs/perf.png.
#   bash bench/run.sh [--rounds R] [--runs N] [--only a,b] [--bin DIR]
# e.g. bash bench/run.sh --only lstm,gru,attention
# Needs the build (scripts/build.sh) and the venv packages of scripts/setup.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
cc -O2 -march=native -pthread "$ROOT/bench/peak.c" -o "$OUT/peak"
PEAK=$("$OUT/peak" 2 | paste -sd, -)
echo "FMA peak GFLOP/s (threads:GFLOP/s): $PEAK"
"$PY" "$ROOT/bench/bench.py" --peak "$PEAK" --json "$OUT/results.json" --doc "$ROOT/docs/perf.md" "$@"
"$PY" "$ROOT/bench/plot.py" "$OUT/results.json" "$ROOT/docs/perf.png"
