#!/usr/bin/env bash
# The main job: install, build, compile an example network to a native .so
# with cnnc, then run it with cnnc-run and print the result and the latency.
# Usage: scripts/demo.sh [examples/NAME.graph]   (default: ResNet-18)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
graph="${1:-$root/examples/resnet18.graph}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" >/dev/null
name="$(basename "$graph" .graph)"
mkdir -p "$root/out"
echo "== cnnc $graph -o out/$name.so"
time "$root/build/bin/cnnc" "$graph" -o "$root/out/$name.so"
echo "== cnnc-run out/$name.so --bench 20"
"$root/build/bin/cnnc-run" "$root/out/$name.so" --bench 20
