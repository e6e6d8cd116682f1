#!/usr/bin/env python3
"""ResNet-18's 3x3 conv layers, each timed on its own by difference.

`cnnc-run --profile` attributes a layer's time by sampling; within one
network its per-layer shares are off by several percent (a conv's
neighbours' work can land on it). This script times each of ResNet-18's
3x3 conv shapes in a network built around it and one without it:
  with:     input -> pre (1x1 conv C -> C + ReLU) -> conv (3x3, stride s,
            pad 1, + ReLU) -> global_avg_pool
  without:  input -> pre -> global_avg_pool
  reads:    input -> pre -> global_avg_pool and global_max_pool (two
            outputs; the same pool twice would be merged by CSE)
`pre` hands the conv a blocked input, as its producer does in the network.
The conv's time is with - without, corrected for the pool's reads: `with`
pools the conv's output, `without` the conv's input, and reads - without
(one more pool over the input; a max pool reads as much as an average
pool) scales to the difference in their sizes.
GFLOP/s count the direct algorithm's 2 x OH x OW x F x C x 9 FLOPs (the
effective rate of a Winograd conv). Each round runs a layer's three builds
back to back at each thread count (`cnnc-run --bench N --threads T`) and
takes the difference within the round (load that comes and goes over
seconds moves all three alike); the table shows the median of those
differences over --rounds rounds and, against bench/peak.c's FMA peak
measured every round, its share of the peak. It replaces the
<!-- bench:begin layers --> section of --doc.
"""
import datetime, os, statistics, sys

import bench  # bench/bench.py: the harness helpers, run, loadavg, cpu_model, write_perf_md

# (name, input channels, input size, filters, stride): ResNet-18's 3x3 convs.
LAYERS = [("layer1.*.conv*", 64, 56, 64, 1), ("layer2.0.conv1", 64, 56, 128, 2),
          ("layer2.*.conv* (other)", 128, 28, 128, 1), ("layer3.0.conv1", 128, 28, 256, 2),
          ("layer3.*.conv* (other)", 256, 14, 256, 1), ("layer4.0.conv1", 256, 14, 512, 2),
          ("layer4.*.conv* (other)", 512, 7, 512, 1)]

# The three builds of a layer, in graphs()'s order.
KINDS = ("with", "without", "reads")


def graphs(c, hw, f, s):
    head = [f"input x shape=[1, {c}, {hw}, {hw}]", f"conv2d pre filters={c} kernel=1 activation=relu"]
    return {
        "with": head + [f"conv2d conv filters={f} kernel=3 stride={s} padding=1 activation=relu",
                        "global_avg_pool pool"],
        "without": head + ["global_avg_pool pool"],
        "reads": head + ["global_avg_pool pool", "global_max_pool pool2 (pre)", "output pool, pool2"],
    }


def conv_ms(with_, without, reads, out_over_in):
    """The conv's time from one round's three builds: with - without, plus
    the pool's reads of its input (reads - without, one more pool over it)
    less those of the conv's output, which `with` pools instead."""
    return with_ - without + (reads - without) * (1 - out_over_in)


def main():
    ap = bench.cnnc_harness_args(__doc__.split("\n")[0], "layers", 200, "layers")
    ap.add_argument("--peak-bin", required=True, help="bench/peak.c built")
    args = ap.parse_args()
    cnnc, cnnc_run, threads = bench.cnnc_tools(args)
    load = [bench.loadavg()]

    builds = {}  # (layer, kind) -> so
    for i, (name, c, hw, f, s) in enumerate(LAYERS):
        for kind, lines in graphs(c, hw, f, s).items():
            path = os.path.join(args.work, f"l{i}_{kind}.graph")
            with open(path, "w") as g:
                g.write("\n".join([f"network l{i}_{kind}"] + lines) + "\n")
            builds[(name, kind)] = path[:-len(".graph")] + ".so"
            bench.run([cnnc, path, "-o", builds[(name, kind)]])
    print(f"layers.py: {len(builds)} builds", flush=True)

    times, peak_rounds = {}, []  # (layer, threads, kind) -> [ms per round]
    for r in range(args.rounds):
        peak_rounds.append(bench.measure_peak(args.peak_bin, max(threads)))
        # A layer's three builds back to back at each thread count: each
        # round's difference pairs measurements taken seconds apart.
        for name, *_ in LAYERS:
            for t in threads:
                for kind in KINDS[r % 3:] + KINDS[:r % 3]:  # the first rotates by round
                    times.setdefault((name, t, kind), []).append(
                        bench.cnnc_bench(cnnc_run, builds[(name, kind)], args.runs, t)[0])
        print(f"round {r + 1}/{args.rounds} done (load {bench.loadavg():.1f})", flush=True)
    load.append(bench.loadavg())
    peak = {t: statistics.median(p[t] for p in peak_rounds) for t in threads}

    rows = ["| layer | C -> F, input, stride | threads | conv ms | GFLOP/s | % of FMA peak |",
            "|---|---|---:|---:|---:|---:|"]
    for name, c, hw, f, s in LAYERS:
        oh = (hw + 2 - 3) // s + 1
        flop = 2 * oh * oh * f * c * 9
        for t in threads:
            ms = statistics.median(conv_ms(*(times[(name, t, k)][r] for k in KINDS),
                                           (f * oh * oh) / (c * hw * hw))
                                   for r in range(args.rounds))
            gfs = flop / ms / 1e6
            rows.append(f"| {name} | {c} -> {f}, {hw}x{hw}, {s} | {t} | {ms:.3f} | {gfs:.1f} | "
                        f"{100 * gfs / peak[t]:.1f}% |")
    text = "\n".join([
        f"Measured {datetime.date.today()} on {bench.cpu_model()} by `bench/layers.py` (each conv "
        f"timed by difference, see the script: per round, a layer's builds run back to back, "
        f"`cnnc-run --bench {args.runs}` each; the median over {args.rounds} rounds of the round's "
        f"difference; FMA peak (bench/peak.c, median of the rounds) "
        + ", ".join(f"{peak[t]:.0f} GFLOP/s on {t} thread{'s' if t > 1 else ''}" for t in threads)
        + f"; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end).", "", *rows])
    print(text)
    if args.doc:
        bench.write_perf_md(args.doc, text, "layers")


if __name__ == "__main__":
    sys.exit(main())
