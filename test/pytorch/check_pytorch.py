"""cnnc against PyTorch (ctest pytorch-networks, pytorch-sequence-examples).

    check_pytorch.py --cnnc BIN --cnnc-run BIN --out DIR [-j N] [NAME ...]

Runs scripts/export_pytorch.py (with this Python) into DIR, then for every
network NAME: `cnnc MODEL [--weights=W] -o DIR/NAME/model.so`, `cnnc-run
model.so --input IN=FILE.npy ... --output-dir DIR/NAME/got`, and compares each
output with PyTorch's:

    error = max_i |got_i - want_i| / max_i |want_i|     (must be <= 1e-4)

i.e. the largest absolute difference relative to the largest magnitude of
PyTorch's output (f64 arithmetic). Exits 77 (ctest: skipped) when torch is
not installed in this Python.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOLERANCE = 1e-4
# Ops the exported model must become (`cnnc --emit=mlir`): the benchmark's
# F.scaled_dot_product_attention must be fused by --cnn-form-attention.
EXPECT_OPS = {"lstm": ["cnn.lstm"], "gru": ["cnn.gru"], "attention": ["cnn.attention"]}


def run(cmd, log):
    log.append("$ " + " ".join(map(str, cmd)))
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    log.append((proc.stdout + proc.stderr).rstrip())
    if proc.returncode != 0:
        raise RuntimeError(f"{pathlib.Path(str(cmd[0])).name} exited with {proc.returncode}")


def check(case, args):
    """Compiles, runs and compares one network; returns (rows, log, error)."""
    out, name, log, rows = args.out, case["name"], [], []
    so = out / name / "model.so"
    got = out / name / "got"
    try:
        start = time.monotonic()
        cmd = [args.cnnc, pathlib.Path(case["model"]) if case["model"].endswith(".graph")
               else out / case["model"], "-o", so]
        if case["weights"]:
            cmd.append(f"--weights={out / case['weights']}")
        run(cmd, log)
        compile_s = time.monotonic() - start
        if name in EXPECT_OPS:
            mlir = subprocess.run([str(c) for c in cmd[:2]] + ["--emit=mlir", "-o", "-"],
                                  capture_output=True, text=True, check=True).stdout
            missing = [op for op in EXPECT_OPS[name] if op + " " not in mlir]
            if missing or "cnn.softmax" in mlir:
                raise RuntimeError(f"--emit=mlir lacks {missing or 'nothing'}"
                                   f"{', has cnn.softmax' if 'cnn.softmax' in mlir else ''}")

        cmd = [args.cnnc_run, so, "--output-dir", got]
        for input_name, path in case["inputs"].items():
            cmd += ["--input", f"{input_name}={out / path}"]
        run(cmd, log)
        for output_name, path in case["outputs"].items():
            want = np.load(out / path).astype(np.float64)
            have = np.load(got / f"{output_name}.npy").astype(np.float64)
            if have.shape != want.shape:
                raise RuntimeError(f"{output_name}: shape {have.shape}, PyTorch {want.shape}")
            error = np.abs(have - want).max() / np.abs(want).max()
            rows.append((name, output_name, error, compile_s))
        return rows, log, None
    except Exception as e:  # noqa: BLE001 - reported per network
        return rows, log, str(e)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--cnnc-run", required=True)
    p.add_argument("--out", required=True, type=pathlib.Path)
    p.add_argument("-j", type=int, default=1, help="networks compiled at once")
    p.add_argument("names", nargs="*", help="networks (default: all)")
    args = p.parse_args()
    if importlib.util.find_spec("torch") is None:
        print(f"skipped: no torch in {sys.executable} (scripts/setup.sh installs it)")
        return 77

    start = time.monotonic()
    subprocess.run([sys.executable, ROOT / "scripts" / "export_pytorch.py", args.out, *args.names],
                   check=True)
    export_s = time.monotonic() - start
    cases = json.loads((args.out / "manifest.json").read_text())

    failed, rows = [], []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as pool:
        for case, (case_rows, log, error) in zip(cases, pool.map(lambda c: check(c, args), cases)):
            rows += case_rows
            bad = [r for r in case_rows if not r[2] <= TOLERANCE]
            if error or bad:
                failed.append(case["name"])
                print("\n".join(log))
                if error:
                    print(f"{case['name']}: error: {error}")

    print(f"\n{'network':<18} {'output':<15} {'max rel. error':>14} {'compile s':>9}")
    for name, output_name, error, compile_s in rows:
        verdict = "ok" if error <= TOLERANCE else "MISMATCH"
        print(f"{name:<18} {output_name:<15} {error:>14.2e} {compile_s:>9.1f}  {verdict}")
    print(f"\nerror = max|cnnc - torch| / max|torch|, tolerance {TOLERANCE:g}; "
          f"export {export_s:.0f} s, total {time.monotonic() - start:.0f} s")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print(f"all {len(cases)} network(s) match PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
