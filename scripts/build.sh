#!/usr/bin/env bash
# Configures and builds cnnc into build/ (after scripts/setup.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -f build/build.ninja ]; then
  .venv/bin/cmake -G Ninja -B build -S . -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C build
