#!/usr/bin/env bash
# Benchmarks cnnc against its peers (cnnc with Halide's Adams2019
# autoscheduler, ONNX Runtime, PyTorch eager and torch.compile) on the five
# CNNs of scripts/export_pytorch.py (one ONNX export for every engine;
# outputs checked first), measures the machine's FMA peak every round, and
# rewrites the table in docs/perf.md and the chart docs/perf.png; then the
# same harness on its three sequence models (LSTM, GRU, attention; cnnc, ORT,
# PyTorch eager, torch.compile) into docs/perf-sequence.md; then fused against
# unfused builds (bench/fusion.py) and ResNet-18's 3x3 convs timed one by
# one (bench/layers.py), sections of docs/perf.md.
#   bash bench/run.sh [--sequence] [--rounds R] [--runs N] [--only a,b] [--engines e,f] [--reuse] [--bin DIR]
# --sequence: the sequence models only; --only/--engines: the CNN run only
# (no sequence, fusion or layers run). --rounds and --runs reach bench.py
# only (fusion.py and layers.py keep their defaults). Needs the build (scripts/build.sh) and the venv
# packages of scripts/setup.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
SEQUENCE_ONLY=0 SEQUENCE=1 ARGS=() SEQ_ARGS=()
while (($#)); do
  case "$1" in
    --sequence) SEQUENCE_ONLY=1 ;;
    --only|--nets|--engines) SEQUENCE=0; ARGS+=("$1" "$2"); shift ;;
    --rounds|--runs|--bin|--round-ms) ARGS+=("$1" "$2"); SEQ_ARGS+=("$1" "$2"); shift ;;
    *) ARGS+=("$1"); SEQ_ARGS+=("$1") ;;
  esac
  shift
done
echo "uptime before: $(uptime)"
cc -O2 -march=native -pthread "$ROOT/bench/peak.c" -o "$OUT/peak"
if ((!SEQUENCE_ONLY)); then
  "$PY" "$ROOT/bench/bench.py" --peak-bin "$OUT/peak" --json "$OUT/results.json" \
    --perf-md "$ROOT/docs/perf.md" --command "bash bench/run.sh${ARGS[*]:+ ${ARGS[*]}}" ${ARGS[@]+"${ARGS[@]}"}
  "$PY" "$ROOT/bench/plot.py" "$OUT/results.json" "$ROOT/docs/perf.png"
  # Again with the peers' pools spinning (their defaults), as cnnc's do
  # between parallel loops: the same compiled models.
  "$PY" "$ROOT/bench/bench.py" --peak-bin "$OUT/peak" --json "$OUT/results-spin.json" \
    --perf-md "$ROOT/docs/perf.md" --section spin --reuse --spin \
    --command "bash bench/run.sh${ARGS[*]:+ ${ARGS[*]}}" ${ARGS[@]+"${ARGS[@]}"}
fi
# The sequence models: their own work dir (export_pytorch.py's manifest);
# twice, the peers' thread pools sleeping (as above) and spinning (their
# defaults), since sub-millisecond models feel the wake-ups most.
if ((SEQUENCE_ONLY || SEQUENCE)); then
  for SPIN in "" --spin; do
    "$PY" "$ROOT/bench/bench.py" --only lstm,gru,attention --engines cnnc,ort,eager,compile \
      --work "$OUT/sequence" --peak-bin "$OUT/peak" --json "$OUT/sequence${SPIN:+-spin}.json" \
      --perf-md "$ROOT/docs/perf-sequence.md" --section "${SPIN#--}" ${SPIN:+--reuse} $SPIN \
      --command "bash bench/run.sh --sequence${SEQ_ARGS[*]:+ ${SEQ_ARGS[*]}}" ${SEQ_ARGS[@]+"${SEQ_ARGS[@]}"}
  done
fi
# Fused against unfused (--fusion=false), and ResNet-18's 3x3 convs timed
# one by one: docs/perf.md's fusion and layers sections.
if ((!SEQUENCE_ONLY && SEQUENCE)); then
  "$PY" "$ROOT/bench/fusion.py" --doc "$ROOT/docs/perf.md"
  "$PY" "$ROOT/bench/layers.py" --peak-bin "$OUT/peak" --doc "$ROOT/docs/perf.md"
fi
echo "uptime after: $(uptime)"
