#!/usr/bin/env bash
# Installs everything cnnc needs on a fresh Debian 12 machine: apt packages and
# a project-local virtualenv (.venv) with pinned PyPI packages. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

APT_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libgtest-dev libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  ninja-build cmake g++ python3-venv python3-numpy zlib1g-dev libzstd-dev
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  log=$(mktemp)
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log"; echo "setup: apt-get failed" >&2; exit 1
  fi
  rm -f "$log"
fi

# Pinned PyPI packages. halide: the compiler's kernel generator (C++ API from the
# wheel); cmake: Halide's CMake package needs >= 3.28; lit: the test runner;
# onnxruntime, onnx, matplotlib: bench/ (cnnc against ONNX Runtime, chart);
# torch: scripts/export_pytorch.py and ctest -L pytorch (CPU only here, but the
# PyPI wheel pulls its CUDA libraries too: ~5 GB).
VENV="$root/.venv"
PIP_PINS=(halide==21.0.0 cmake==3.31.6 lit==18.1.8 numpy==2.2.6 onnxruntime==1.32.0 onnx==1.23.2 matplotlib==3.11.2
          torch==2.15.0)
if [ ! -x "$VENV/bin/python" ]; then
  /usr/bin/python3 -m venv "$VENV"
fi
if [ ! -f "$VENV/.pins" ] || [ "$(cat "$VENV/.pins")" != "${PIP_PINS[*]}" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_PINS[@]}"
  echo "${PIP_PINS[*]}" > "$VENV/.pins"
fi
echo "setup: ok"
