#!/usr/bin/env bash
# Benchmarks cnnc against its peers (cnnc with Halide's Adams2019
# autoscheduler, ONNX Runtime, PyTorch eager and torch.compile) on the five
# CNNs of scripts/export_pytorch.py (one ONNX export for every engine;
# outputs checked first), measures the machine's FMA peak every round, and
# rewrites the table in docs/perf.md and the chart docs/perf.png; then the
# sequence models of bench/nets against ONNX Runtime (bench/sequence.py, rows
# in docs/perf-sequence.md), and fused against unfused builds (bench/fusion.py,
# a section of docs/perf.md).
#   bash bench/run.sh [--rounds R] [--runs N] [--only a,b] [--engines e,f] [--reuse] [--bin DIR]
# Needs the build (scripts/build.sh) and the venv packages of scripts/setup.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
echo "uptime before: $(uptime)"
cc -O2 -march=native -pthread "$ROOT/bench/peak.c" -o "$OUT/peak"
"$PY" "$ROOT/bench/bench.py" --peak-bin "$OUT/peak" --json "$OUT/results.json" \
  --perf-md "$ROOT/docs/perf.md" --command "bash bench/run.sh${*:+ $*}" "$@"
"$PY" "$ROOT/bench/plot.py" "$OUT/results.json" "$ROOT/docs/perf.png"
# The sequence models (bench/nets) against ORT: rows of docs/perf-sequence.md.
if [[ " $* " != *" --only "* ]]; then
  PEAK=$("$OUT/peak" 2 | paste -sd, -)
  "$PY" "$ROOT/bench/sequence.py" --only lstm,gru,attention --peak "$PEAK" \
    --json "$OUT/sequence.json" --doc "$ROOT/docs/perf-sequence.md"
fi
# Fused against unfused (--fusion=false): docs/perf.md's fusion section.
if [[ " $* " != *" --only "* ]]; then
  "$PY" "$ROOT/bench/fusion.py" --doc "$ROOT/docs/perf.md"
fi
echo "uptime after: $(uptime)"
