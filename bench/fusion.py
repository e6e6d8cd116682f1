#!/usr/bin/env python3
"""Fused against unfused: the same kernels with and without cnnc's fusion.

For each network (the conv + activation + pool blocks and the inverted
residual block of bench/nets/fuse_*.graph, then whole examples), compiles
  fused:    cnnc NET -o fused.so                  (the default)
  unfused:  cnnc NET --fusion=false -o unfused.so (every activation and
            residual add stored on its own, no conv computed at its pool or
            depthwise consumer: each op its own loop nest)
checks that both give the same outputs on one random input, then times them
interleaved (`cnnc-run --bench N --threads T`, median of N runs) over
--rounds rounds and reports the median over rounds, the ratio unfused /
fused of those medians (above 1: fusion pays) and the median of the
per-round ratios (the two builds run back to back), and each build's peak
intermediate memory.
The table replaces the <!-- bench:begin fusion --> ... <!-- bench:end
fusion --> section of --doc (bench.write_perf_md).
"""
import datetime, os, re, sys

import numpy as np

import bench  # bench/bench.py: run, loadavg, cpu_model

ROOT = bench.ROOT
NETS = ["bench/nets/fuse_stem.graph", "bench/nets/fuse_vgg.graph",
        "bench/nets/fuse_strided.graph", "bench/nets/fuse_inverted.graph",
        "examples/resnet18.graph", "examples/mobilenetv2.graph"]


def outputs(cnnc_run, so, out_dir):
    bench.run([cnnc_run, so, "--seed", "7", "--output-dir", out_dir])
    return {f: np.load(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir))}


def measure(cnnc_run, so, runs, threads):
    """(median ms, peak intermediate memory in MiB) of `cnnc-run --bench`."""
    ms, out = bench.cnnc_bench(cnnc_run, so, runs, threads)
    mem = re.search(r"peak intermediate memory ([0-9.]+) ([KM])iB", out)
    mib = float(mem.group(1)) / (1024 if mem.group(2) == "K" else 1)
    return ms, mib


def main():
    ap = bench.cnnc_harness_args(__doc__.split("\n")[0], "fusion", 30, "fusion")
    ap.add_argument("--nets", default=",".join(NETS), help="graphs, comma-separated")
    args = ap.parse_args()
    cnnc, cnnc_run, threads = bench.cnnc_tools(args)
    load = [bench.loadavg()]

    builds = {}  # net -> {"fused": so, "unfused": so}
    for net in args.nets.split(","):
        name = os.path.splitext(os.path.basename(net))[0]
        so = {}
        for kind, flags in (("fused", []), ("unfused", ["--fusion=false"])):
            so[kind] = os.path.join(args.work, f"{name}.{kind}.so")
            bench.run([cnnc, os.path.join(ROOT, net), "-o", so[kind]] + flags)
        got = {k: outputs(cnnc_run, so[k], os.path.join(args.work, f"{name}.{k}.out")) for k in so}
        for f, want in got["fused"].items():
            err = float(np.max(np.abs(got["unfused"][f] - want)) / max(np.max(np.abs(want)), 1e-30))
            if not err < 1e-5:
                raise SystemExit(f"fusion.py: {name} {f}: fused and unfused differ ({err:.2e})")
        builds[name] = so
        print(f"{name}: built, outputs agree", flush=True)

    times = {}  # (net, threads, kind) -> [ms per round]
    memory = {}
    for r in range(args.rounds):
        for name, so in builds.items():
            for t in threads:
                # Which build runs first alternates by round.
                for kind in ("fused", "unfused")[::1 if r % 2 == 0 else -1]:
                    ms, mib = measure(cnnc_run, so[kind], args.runs, t)
                    times.setdefault((name, t, kind), []).append(ms)
                    memory[(name, kind)] = mib
        print(f"round {r + 1}/{args.rounds} done (load {bench.loadavg():.1f})", flush=True)
    load.append(bench.loadavg())

    rows = ["| network | threads | fused ms | unfused ms | unfused / fused | paired by round | "
            "peak intermediate MiB, fused / unfused |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name in builds:
        for t in threads:
            fused, unfused = times[(name, t, "fused")], times[(name, t, "unfused")]
            f, u = float(np.median(fused)), float(np.median(unfused))
            # The two builds run back to back in each round: their ratio
            # there cancels load that moves whole rounds.
            paired = float(np.median([b / a for a, b in zip(fused, unfused)]))
            rows.append(f"| {name} | {t} | {f:.3f} | {u:.3f} | {u / f:.2f}x | {paired:.2f}x | "
                        f"{memory[(name, 'fused')]:.2f} / {memory[(name, 'unfused')]:.2f} |")
    text = "\n".join([
        f"Measured {datetime.date.today()} on {bench.cpu_model()} by `bench/fusion.py` "
        f"(`cnnc NET` against `cnnc NET --fusion=false`, outputs compared first; median over "
        f"{args.rounds} interleaved rounds of `cnnc-run --bench {args.runs}`; load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end).", "", *rows])
    print(text)
    if args.doc:
        bench.write_perf_md(args.doc, text, "fusion")


if __name__ == "__main__":
    sys.exit(main())
