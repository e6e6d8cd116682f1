"""Helpers of the codegen lit tests.

  npy_tool.py input NETWORK.graph OUT.npy    seeded random input of the
                                              network's (first) input shape
  npy_tool.py compare GOT_DIR WANT_DIR [TOL]  every WANT_DIR/*.npy matches
      GOT_DIR's: |got - want| <= TOL * max(1, max |want|) (default 1e-4)
"""
import pathlib
import re
import sys

import numpy as np


def make_input(graph, out):
    text = pathlib.Path(graph).read_text()
    shape = re.search(r"^input \S+ shape=\[([\d, ]+)\]", text, re.M).group(1)
    dims = [int(d) for d in shape.split(",")]
    rng = np.random.default_rng(0)
    np.save(out, rng.uniform(-1, 1, dims).astype("<f4"))


def compare(got_dir, want_dir, tol=1e-4):
    wants = sorted(pathlib.Path(want_dir).glob("*.npy"))
    if not wants:
        sys.exit(f"no .npy files in {want_dir}")
    for want_path in wants:
        want = np.load(want_path)
        got = np.load(pathlib.Path(got_dir) / want_path.name)
        if got.shape != want.shape or got.dtype != want.dtype:
            sys.exit(f"{want_path.name}: got {got.dtype}{got.shape}, want {want.dtype}{want.shape}")
        scale = max(1.0, float(np.abs(want).max()))
        err = float(np.abs(got.astype(np.float64) - want).max()) / scale
        status = "ok" if err <= tol else "MISMATCH"
        print(f"{want_path.name}: {status} (max error {err:.2e} of scale {scale:.3g}, tolerance {tol:g})")
        if err > tol:
            sys.exit(1)
    print(f"match: {len(wants)} output(s)")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "input":
        make_input(*args)
    else:
        compare(args[0], args[1], *(float(a) for a in args[2:]))
