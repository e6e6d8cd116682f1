#!/usr/bin/env python3
"""PyTorch peers of bench/bench.py: a worker process that holds the networks
of scripts/export_pytorch.py at one thread count and times them on request.

    peers_torch.py --threads T --cases DIR --nets a,b [--no-compile]

At start-up, for every network: the module of export_pytorch.build (the one
exported to DIR/NAME/model.onnx, eval mode), on the reference input
DIR/NAME/in.*.npy; `eager` runs it under torch.inference_mode(), `compile` is
torch.compile(model) (inductor, default mode, with
torch._inductor.config.freezing = True: the weights are constants, as in an
inference deployment), compiled here and run once. A network whose compile
fails keeps `compile` unavailable, with the reason. torch.set_num_threads(T)
and one inter-op thread for the whole process (inductor's OpenMP kernels take
their thread count at compile time, hence one process per T).

Then one JSON request per stdin line, one JSON reply per stdout line:
  {"cmd": "info"}                          -> {"nets": {NAME: {"outputs", "compile":
                                               "ok" | "failed: ...", "compile_s"}}}
  {"cmd": "outputs", "net", "engine", "dir"} -> writes DIR/<output>.npy, {"ok": true}
  {"cmd": "time", "net", "engine", "runs"} -> one warm-up, then runs timed calls:
                                               {"median_ms", "min_ms"}
  {"cmd": "quit"}
Diagnostics go to stderr.
"""
import argparse, json, os, pathlib, sys, time, traceback

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import export_pytorch  # noqa: E402


def as_tuple(y):
    return y if isinstance(y, tuple) else (y,)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--cases", type=pathlib.Path, required=True, help="export_pytorch.py's OUT_DIR")
    ap.add_argument("--nets", required=True)
    ap.add_argument("--no-compile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    import torch._inductor.config as inductor_config
    inductor_config.freezing = True

    manifest = {c["name"]: c for c in json.loads((args.cases / "manifest.json").read_text())}
    nets, info = {}, {}
    for name in args.nets.split(","):
        model, _ = export_pytorch.build(name)
        case = manifest[name]
        xs = [torch.from_numpy(np.load(args.cases / p)) for p in case["inputs"].values()]
        engines = {"eager": model}
        entry = {"outputs": list(case["outputs"])}
        if args.no_compile:
            entry["compile"] = "not run (--no-compile)"
        else:
            t0 = time.time()
            try:
                with torch.inference_mode():
                    compiled = torch.compile(model)
                    compiled(*xs)
                engines["compile"] = compiled
                entry["compile"] = "ok"
            except Exception as e:  # noqa: BLE001 - recorded and reported
                traceback.print_exc(file=sys.stderr)
                first = (str(e).strip().splitlines() or [type(e).__name__])[0]
                entry["compile"] = f"failed: {type(e).__name__}: {first[:200]}"
            entry["compile_s"] = round(time.time() - t0, 1)
            print(f"peers_torch[{args.threads}]: {name}: torch.compile {entry['compile']} "
                  f"({entry['compile_s']} s)", file=sys.stderr, flush=True)
        nets[name] = (engines, xs)
        info[name] = entry

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        req = json.loads(line)
        cmd = req["cmd"]
        if cmd == "quit":
            break
        if cmd == "info":
            reply({"nets": info, "torch": torch.__version__})
            continue
        engines, xs = nets[req["net"]]
        fn = engines[req["engine"]]
        with torch.inference_mode():
            if cmd == "outputs":
                os.makedirs(req["dir"], exist_ok=True)
                for out_name, y in zip(info[req["net"]]["outputs"], as_tuple(fn(*xs))):
                    np.save(os.path.join(req["dir"], out_name + ".npy"), y.numpy())
                reply({"ok": True})
            elif cmd == "time":
                fn(*xs)
                ts = []
                for _ in range(req["runs"]):
                    t = time.perf_counter()
                    fn(*xs)
                    ts.append((time.perf_counter() - t) * 1e3)
                reply({"median_ms": float(np.median(ts)), "min_ms": float(np.min(ts))})
            else:
                reply({"error": f"unknown cmd {cmd}"})


if __name__ == "__main__":
    main()
