#!/usr/bin/env python3
"""cnnc against its peers on the five CNNs and the three sequence models,
one model for every engine.

Route: for each network NAME (scripts/export_pytorch.py's CNNs: resnet18,
mobilenetv2, dilated, autoencoder, dcgan_generator, the default; or its
sequence benchmarks: lstm, gru, attention, with --only)
  1. export_pytorch.py writes the PyTorch module as ONNX (opset 17), the
     reference input and PyTorch's output (WORK/torch/NAME/).
  2. Engines, all on that model:
       cnnc         `cnnc model.onnx` (-O2, cnnc's schedules)
       cnnc-direct  `cnnc model.onnx --winograd=false`: the same, with the
                    direct conv loop everywhere (Adams2019's algorithm)
       adams2019    `cnnc model.onnx --schedule=adams2019
                    --autoschedule-params=beam_size=1` (--adams-params):
                    cnnc's unfused lowering scheduled by Halide's Adams2019
                    autoscheduler, greedy by default
       ort          ONNX Runtime on model.onnx (intra-op threads T,
                    sequential, all graph optimisations, no spinning),
                    run_with_iobinding (inputs and outputs bound once: about
                    3 us less Python overhead a call than run(); about 3 us
                    remain, while cnnc-run times the C call)
       eager        the PyTorch module, torch.inference_mode(),
                    OMP_WAIT_POLICY=PASSIVE
       compile      torch.compile of it (inductor, freezing), if it compiles
     PyTorch runs in one worker process per thread count (bench/peers_torch.py).
  3. Every engine's outputs are compared with PyTorch's (max |diff| / max
     |PyTorch|, at most 1e-4) before anything is timed; an engine that
     disagrees or fails is left out of the timing, with the reason.
  4. Timing, batch 1, threads 1 and 2: rounds over networks x threads x
     engines (engine order rotated each round); per call one warm-up and the
     median of N runs (`cnnc-run --bench N --threads T`, ORT's
     run_with_iobinding, the worker's loop); N is --runs, raised for fast
     models to about --round-ms per measurement (cnnc's time probed once);
     the table reports the median over rounds and the spread (largest /
     smallest per-round median), each engine's fastest run, and the
     speedup paired by round (the best peer's and cnnc's medians of one
     round, measured one after the other, seconds apart; median over
     rounds). With --spin each measurement starts after --gap (1 s) idle: sub-0.1 ms models measured 1.3-1.6x slower right
     after another engine (cause not found: ORT's spinning pool uses about
     40 ms of CPU after its calls, PyTorch's none measurable).
  5. The sequence models get a table of their own (cnnc, ORT, PyTorch eager,
     torch.compile and the speedup against each and the best of them).

`--perf-md FILE` rewrites the part of FILE between the markers
<!-- bench:begin --> and <!-- bench:end --> (with --section S:
<!-- bench:begin S --> and <!-- bench:end S -->) with the run's table.
"""
import argparse, datetime, json, os, platform, re, subprocess, sys, time

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETS = ["resnet18", "mobilenetv2", "dilated", "autoencoder", "dcgan_generator"]
SEQ_NETS = ["lstm", "gru", "attention"]
ENGINES = ["cnnc", "cnnc-direct", "adams2019", "ort", "eager", "compile"]
LABEL = {"cnnc": "cnnc", "cnnc-direct": "cnnc direct", "adams2019": "Adams2019",
         "ort": "ORT", "eager": "PyTorch eager", "compile": "torch.compile"}
CNNC_FLAGS = {"cnnc": [], "cnnc-direct": ["--winograd=false"], "adams2019": ["--schedule=adams2019"]}
PEERS = ["ort", "eager", "compile"]
TOLERANCE = 1e-4

def markers(section):
    tag = f" {section}" if section else ""
    return f"<!-- bench:begin{tag} -->", f"<!-- bench:end{tag} -->"


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw).stdout


def cpu_model():
    """The CPU's name with its family/model and L2 per core: sessions land on
    different machines ("AMD EPYC" alone names several generations)."""
    info = {}
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    name = info.get("model name") or platform.processor() or "unknown"
    l2 = ""
    try:
        cache = "/sys/devices/system/cpu/cpu0/cache/index2/"
        if open(cache + "level").read().strip() == "2":
            l2 = ", L2 " + open(cache + "size").read().strip() + " per core"
    except OSError:
        pass
    if "cpu family" in info:
        name += f" (family {info['cpu family']}, model {info.get('model', '?')}{l2})"
    return name


def loadavg():
    return float(open("/proc/loadavg").read().split()[0])


class TorchWorker:
    def __init__(self, threads, cases, nets, compile_, spin, log):
        cmd = [sys.executable, os.path.join(ROOT, "bench", "peers_torch.py"), "--threads", str(threads),
               "--cases", cases, "--nets", ",".join(nets)] + ([] if compile_ else ["--no-compile"])
        env = dict(os.environ)
        if not spin:
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                     env=env)

    def ask(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench.py: the PyTorch worker died (see {os.path.join('bench', 'out', 'torch.log')})")
        return json.loads(line)

    def close(self):
        try:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait()


def ort_session(path, threads, spin):
    so = ort.SessionOptions()
    if not spin:
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_binding(sess, feed):
    """Inputs and outputs bound once, for run_with_iobinding."""
    binding = sess.io_binding()
    for name, x in feed.items():
        binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(x))
    for o in sess.get_outputs():
        binding.bind_output(o.name)
    return binding


def ort_time(sess, binding, runs):
    """(median, fastest) ms of `runs` calls after one warm-up."""
    sess.run_with_iobinding(binding)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run_with_iobinding(binding)
        ts.append((time.perf_counter() - t) * 1e3)
    return float(np.median(ts)), float(np.min(ts))


def cnnc_args(m):
    return sum([["--input", f"{n}={p}"] for n, p in m["inputs"].items()], [])


def gflop_of(onnx_path):
    """2 x the multiply-adds of the Conv, ConvTranspose, Gemm, MatMul and
    recurrent (LSTM, GRU, RNN: input and recurrent products) nodes."""
    m = onnx.shape_inference.infer_shapes(onnx.load(onnx_path))
    shape = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
             for v in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output)}
    shape.update({t.name: list(t.dims) for t in m.graph.initializer})
    flops = 0
    for node in m.graph.node:
        if node.op_type == "Conv":        # W [F, C/g, kh, kw]: per output element
            flops += 2 * int(np.prod(shape[node.output[0]])) * int(np.prod(shape[node.input[1]][1:]))
        elif node.op_type == "ConvTranspose":   # W [C, F/g, kh, kw]: per input element
            flops += 2 * int(np.prod(shape[node.input[0]])) * int(np.prod(shape[node.input[1]][1:]))
        elif node.op_type == "Gemm":
            flops += 2 * int(np.prod(shape[node.output[0]])) * shape[node.input[0]][-1]
        elif node.op_type == "MatMul":
            flops += 2 * int(np.prod(shape[node.output[0]])) * shape[node.input[0]][-1]
        elif node.op_type in ("LSTM", "GRU", "RNN"):   # W [D, G*H, in], R [D, G*H, H]
            x, w, r = (shape[node.input[i]] for i in range(3))
            flops += 2 * x[0] * x[1] * w[0] * w[1] * (w[2] + r[2])   # seq x batch, either layout
    return flops / 1e9


def error(got_dir, case_dir, outputs):
    """Largest max |got - want| / max |want| over the outputs."""
    worst = 0.0
    for name in outputs:
        want = np.load(os.path.join(case_dir, "want", name + ".npy")).astype(np.float64)
        got = np.load(os.path.join(got_dir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".npy")).astype(np.float64)
        if got.shape != want.shape:
            raise ValueError(f"{name}: shape {got.shape}, PyTorch {want.shape}")
        worst = max(worst, float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30)))
    return worst


def fmt_ms(v):
    if not isinstance(v, float):
        return v
    return f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def speedup(peer_ms, c):
    return f"{peer_ms / c:.2f}x" if c and peer_ms else "-"


def sequence_table(rows, engines, peak):
    """The sequence models' rows: every engine's ms, cnnc's speedup against
    each peer and the best, cnnc's GFLOP/s and share of the FMA peak."""
    cols = [e for e in ENGINES if e in engines]
    peers = [e for e in PEERS if e in engines]
    head = ["network", "GFLOP", "threads"] + [LABEL[e] for e in cols] + \
        [f"speedup vs {LABEL[e]}" for e in peers] + ["speedup vs best peer", "cnnc GFLOP/s", "% of FMA peak"]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for r in rows:
        ms, c = r["ms"], r["ms"].get("cnnc")
        cells = [r["net"], f"{r['gflop']:.4f}", str(r["threads"])]
        cells += [fmt_ms(ms.get(e, r["skipped"].get(e, "-"))) for e in cols]
        cells += [speedup(ms.get(e), c) for e in peers]
        measured = [ms[e] for e in peers if e in ms]
        cells.append(speedup(min(measured), c) if measured else "-")
        gfs = r["gflop"] / (c / 1e3) if c else None
        cells.append(f"{gfs:.1f}" if gfs else "-")
        cells.append(f"{100 * gfs / peak[r['threads']]:.1f}%" if gfs and r["threads"] in peak else "-")
        out.append("| " + " | ".join(cells) + " |")
    return out


def fastest_table(rows):
    """Each engine's fastest single run over all rounds, and the speedup by
    those: other tenants' load only ever adds time, so on a shared machine
    the fastest runs show what each engine does undisturbed."""
    rows = [r for r in rows if r.get("fastest")]
    if not rows:
        return []
    engines = [e for e in ["cnnc"] + PEERS if any(e in r["fastest"] for r in rows)]
    out = ["", "Fastest single run of each engine over all rounds (ms), and the speedup by those "
               "(other load only adds time):", "",
           "| network | threads | " + " | ".join(LABEL[e] for e in engines) + " | speedup vs best peer |",
           "|---|---:|" + "---:|" * (len(engines) + 1)]
    for r in rows:
        f = r["fastest"]
        peers = [f[e] for e in PEERS if e in f]
        cells = [r["net"], str(r["threads"])] + [fmt_ms(f[e]) if e in f else "-" for e in engines]
        cells.append(f"{min(peers) / f['cnnc']:.2f}x" if peers and "cnnc" in f else "-")
        out.append("| " + " | ".join(cells) + " |")
    return out


def paired_table(rows):
    """cnnc against the best peer round by round: each round measures the
    engines of one network and thread count one after another (seconds
    apart; cnnc direct and Adams2019 can come between), so the ratio within
    a round cancels load that moves whole rounds; the median of those
    ratios and their range over the rounds."""
    out = []
    for r in rows:
        a = r["all"]
        peers = [e for e in PEERS if e in a]
        if "cnnc" not in a or not peers:
            continue
        ratios = [min(a[e][i] for e in peers) / c for i, c in enumerate(a["cnnc"])]
        out.append(f"| {r['net']} | {r['threads']} | {np.median(ratios):.2f}x | "
                   f"{min(ratios):.2f}x-{max(ratios):.2f}x |")
    if not out:
        return []
    return ["", "Paired by round: in each round the best peer's median / cnnc's median, measured one "
                "after the other (seconds apart); the median of those ratios over the rounds and their range:", "",
            "| network | threads | paired speedup vs best peer | range over rounds |",
            "|---|---:|---:|---:|"] + out


def table(res):
    """The markdown of the run: header, main table, spread table."""
    rows, peak = res["rows"], {int(k): v for k, v in res["peak"].items()}
    raised = {n: k for n, k in res.get("runs_per_net", {}).items() if k != res["runs"]}
    more = " (more for fast models, below)" if raised else ""
    out = [f"Measured {res['date']} (machine clock) on {res['machine']} with `{res['command']}`: PyTorch {res['torch']}, "
           f"ONNX Runtime {res['ort']}, batch 1, median over {res['rounds']} interleaved rounds of "
           f"the median of {res['runs']} runs{more}. Load average (1 min) {res['load'][0]:.1f} at the start, "
           f"{res['load'][1]:.1f} at the end, {min(res['load_rounds']):.1f}-{max(res['load_rounds']):.1f} "
           f"over the rounds; the benchmark itself accounts for 1-2 of it" +
           (", so the machine was shared with other work during the run." if max(res['load_rounds'] + res['load']) > 2.5
            else ".")]
    if res.get("peaks"):
        out[-1] += (" FMA peak (bench/peak.c, measured every round; median and range): " + ", ".join(
            f"{v:.0f} GFLOP/s ({min(p[k] for p in res['peaks']):.0f}-{max(p[k] for p in res['peaks']):.0f}) "
            f"on {k} thread{'s' if k > 1 else ''}" for k, v in sorted(peak.items())) + ".")
    elif peak:
        out[-1] += (" FMA peak (bench/peak.c): " +
                    ", ".join(f"{v:.0f} GFLOP/s on {k} thread{'s' if k > 1 else ''}" for k, v in sorted(peak.items())) + ".")
    out.append("")
    out.append("Thread pools: " + ("the peers' defaults (spinning); each measurement starts after "
                                   f"{res.get('gap', 0):g} s idle (short models measured slower right after "
                                   "another engine)." if res.get("spin") else
               "ORT with `session.intra_op.allow_spinning=0`, PyTorch with `OMP_WAIT_POLICY=PASSIVE` "
               "(waiting threads sleep instead of spinning); cnnc's worker threads spin about 0.1 ms between parallel loops before they sleep (its model's own pool, `codegen/ModelGlue.c.in`), so the pass with the peers spinning too is the like-for-like one.") +
               (" Adams2019 ran with " + (f"`--autoschedule-params={res['adams_params']}`" if res["adams_params"]
                                         else "its default parameters") + " (and parallelism=2)."
                if "adams2019" in res["engines"] else ""))
    out.append("")
    out.append("ms per inference; **speedup = peer ms / cnnc ms** (above 1: cnnc is faster); "
               "\"best peer\" is the fastest of ORT, PyTorch eager and torch.compile.")
    if raised:
        out[-1] += (" Runs per measurement raised for fast models (--round-ms " + str(res["round_ms"]) + "): " +
                    ", ".join(f"{n} {k}" for n, k in raised.items()) + ".")
    out.append("")
    cnn_rows = [r for r in rows if r["net"] not in SEQ_NETS]
    seq_rows = [r for r in rows if r["net"] in SEQ_NETS]
    if seq_rows:
        out += sequence_table(seq_rows, res["engines"], peak)
        out.append("")
    spread_engines = ENGINES if cnn_rows else [e for e in ENGINES if e in res["engines"]]
    head = ["network", "GFLOP", "threads"] + [LABEL[e] for e in ENGINES] + \
        ["speedup vs best peer", "speedup vs Adams2019", "cnnc direct vs Adams2019", "cnnc GFLOP/s", "% of FMA peak"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|---|" + "---:|" * (len(head) - 1))
    for r in cnn_rows:
        ms = r["ms"]
        cells = [r["net"], f"{r['gflop']:.2f}", str(r["threads"])]
        cells += [fmt_ms(ms.get(e, r["skipped"].get(e, "-"))) for e in ENGINES]
        c = ms.get("cnnc")
        peers = [ms[e] for e in PEERS if e in ms]
        cells.append(f"{min(peers) / c:.2f}x" if c and peers else "-")
        cells.append(f"{ms['adams2019'] / c:.2f}x" if c and "adams2019" in ms else "-")
        cells.append(f"{ms['adams2019'] / ms['cnnc-direct']:.2f}x" if "adams2019" in ms and "cnnc-direct" in ms else "-")
        gfs = r["gflop"] / (c / 1e3) if c else None
        cells.append(f"{gfs:.1f}" if gfs else "-")
        cells.append(f"{100 * gfs / peak[r['threads']]:.1f}%" if gfs and r["threads"] in peak else "-")
        out.append("| " + " | ".join(cells) + " |")
    if not cnn_rows:
        out = out[:-2]   # no CNN table: drop its header
    out.append("")
    out.append("Spread: largest / smallest per-round median of each engine (1.00 = no spread).")
    out.append("")
    out.append("| network | threads | " + " | ".join(LABEL[e] for e in spread_engines) + " |")
    out.append("|---|---:|" + "---:|" * len(spread_engines))
    for r in rows:
        cells = [r["net"], str(r["threads"])]
        for e in spread_engines:
            a = r["all"].get(e)
            cells.append(f"{max(a) / min(a):.2f}" if a else "-")
        out.append("| " + " | ".join(cells) + " |")
    out += fastest_table(rows)
    out += paired_table(rows)
    out.append("")
    out.append("Outputs against PyTorch (max |diff| / max |PyTorch|, checked before timing; limit 1e-4):")
    out.append("")
    for net, errs in res["errors"].items():
        out.append(f"- {net}: " + ", ".join(f"{LABEL[e]} {v:.1e}" if isinstance(v, float) else f"{LABEL[e]} {v}"
                                            for e, v in errs.items()))
    out.append("")
    out.append("Compile times (s" + (", cnnc's from the run that compiled them (--reuse)" if res.get("reuse") else "") +
               "): " + "; ".join(
        f"{net}: " + ", ".join(f"{LABEL.get(e, e)} {v}" for e, v in ct.items()) for net, ct in res["compile_s"].items()) + ".")
    if res["notes"]:
        out.append("")
        out += [f"- {n}" for n in res["notes"]]
    return "\n".join(out)


def measure_peak(peak_bin, most):
    """{threads: GFLOP/s} for 1..most threads: bench/peak.c's 'threads:gflops' words."""
    return {int(k): float(v) for k, v in (kv.split(":") for kv in run([peak_bin, most]).split())}


def cnnc_harness_args(description, work, runs, section):
    """The options bench/fusion.py and bench/layers.py share: cnnc builds
    timed interleaved by `cnnc-run --bench`, a table into `section` of --doc."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out", work))
    ap.add_argument("--doc", default="", help=f"markdown file whose {section} section is rewritten")
    return ap


def cnnc_tools(args):
    """(cnnc, cnnc-run, thread counts) of cnnc_harness_args' options; makes --work."""
    os.makedirs(args.work, exist_ok=True)
    return (os.path.join(args.bin, "cnnc"), os.path.join(args.bin, "cnnc-run"),
            [int(t) for t in args.threads.split(",")])


def cnnc_bench(cnnc_run, so, runs, threads):
    """`cnnc-run SO --bench RUNS --threads T`: (median ms, its output)."""
    out = run([cnnc_run, so, "--bench", runs, "--threads", threads])
    return float(re.search(r"median ([0-9.]+) ms", out).group(1)), out


def write_perf_md(path, text, section=""):
    BEGIN, END = markers(section)
    doc = open(path).read()
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"bench.py: {path} has no {BEGIN} ... {END} section")
    head, rest = doc.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--only", "--nets", dest="nets", default=",".join(NETS),
                    help="networks, comma-separated: " + ",".join(NETS + SEQ_NETS))
    ap.add_argument("--engines", default=",".join(ENGINES), help="engines, comma-separated")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per measurement")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds; median reported")
    ap.add_argument("--round-ms", type=float, default=50,
                    help="runs per measurement are raised so that cnnc's takes about this long (fast models)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--json", default="")
    ap.add_argument("--perf-md", default="", help="markdown file whose bench section is rewritten")
    ap.add_argument("--section", default="", help="which bench section of --perf-md (default: the unnamed one)")
    ap.add_argument("--command", default="bench/bench.py", help="the command line recorded in the table")
    ap.add_argument("--peak", default="", help="FMA peak GFLOP/s as '1:G1,2:G2'")
    ap.add_argument("--peak-bin", default="", help="bench/peak.c built: measures the FMA peak every round "
                    "(the table divides by the median; overrides --peak)")
    ap.add_argument("--gap", type=float, default=None,
                    help="idle seconds before each measurement (default 1 with --spin, else 0): "
                         "attention on 2 threads measured 0.038 ms for cnnc and 0.037 for ORT right "
                         "after other engines, 0.024 and 0.029 after 1 s; 0.3 s was not enough")
    ap.add_argument("--spin", action="store_true",
                    help="leave the peers' thread pools spinning (their defaults); by default ORT runs with "
                         "session.intra_op.allow_spinning=0 and PyTorch with OMP_WAIT_POLICY=PASSIVE, "
                         "much faster on a machine shared with other work")
    ap.add_argument("--reuse", action="store_true",
                    help="reruns: keep WORK's exported models and the .so files newer than cnnc")
    ap.add_argument("--adams-params", default="beam_size=1",
                    help="cnnc --autoschedule-params of the adams2019 engine (default greedy: the "
                         "default beam search takes hours for ResNet-18 here)")
    args = ap.parse_args()
    gap = args.gap if args.gap is not None else (1.0 if args.spin else 0.0)
    cnnc, cnnc_run = os.path.join(args.bin, "cnnc"), os.path.join(args.bin, "cnnc-run")
    nets = args.nets.split(",")
    engines = args.engines.split(",")
    for x in nets:
        if x not in NETS + SEQ_NETS:
            raise SystemExit(f"bench.py: unknown network {x}; known: {', '.join(NETS + SEQ_NETS)}")
    for e in engines:
        if e not in ENGINES:
            raise SystemExit(f"bench.py: unknown engine {e}; known: {', '.join(ENGINES)}")
    threads = [int(t) for t in args.threads.split(",")]
    if args.adams_params:
        CNNC_FLAGS["adams2019"] = CNNC_FLAGS["adams2019"] + ["--autoschedule-params=" + args.adams_params]
    os.makedirs(args.work, exist_ok=True)
    load_start = loadavg()
    cases = os.path.join(args.work, "torch")
    manifest_path = os.path.join(cases, "manifest.json")
    if not (args.reuse and os.path.exists(manifest_path) and
            set(nets) <= {c["name"] for c in json.load(open(manifest_path))}):
        run([sys.executable, os.path.join(ROOT, "scripts", "export_pytorch.py"), cases] + nets)
    manifest = {c["name"]: c for c in json.load(open(manifest_path))}

    models, notes, errors, compile_s = {}, [], {}, {}
    for net in nets:
        case = manifest[net]
        case_dir = os.path.join(cases, net)
        onnx_path = os.path.join(cases, case["model"])
        m = dict(inputs={n: os.path.join(cases, p) for n, p in case["inputs"].items()},
                 outputs=list(case["outputs"]), so={}, skipped={})
        errors[net], compile_s[net] = {}, {}
        for e in [e for e in engines if e in CNNC_FLAGS]:
            so = os.path.join(args.work, f"{net}.{e}.so")
            t0 = time.time()
            timing = so + ".compile_s"   # the compile time, kept for --reuse
            reuse = (args.reuse and os.path.exists(timing) and os.path.exists(so)
                     and os.path.getmtime(so) > os.path.getmtime(cnnc))
            try:
                if not reuse:
                    run([cnnc, onnx_path, "-o", so] + CNNC_FLAGS[e])
                    with open(timing, "w") as f:
                        f.write(f"{time.time() - t0:.1f}\n")
            except subprocess.CalledProcessError as err:
                m["skipped"][e] = "failed"
                errors[net][e] = "failed to compile"
                notes.append(f"{net}: {LABEL[e]} failed to compile: {err.stderr.strip()[-300:]}")
                continue
            compile_s[net][e] = float(open(timing).read()) if reuse else round(time.time() - t0, 1)
            got = os.path.join(args.work, f"{net}.{e}.out")
            run([cnnc_run, so, "--output-dir", got] + cnnc_args(m))
            errors[net][e] = error(got, case_dir, m["outputs"])
            m["so"][e] = so
        feed = {n: np.load(p) for n, p in m["inputs"].items()}
        m["feed"] = feed
        if "ort" in engines:
            m["sess"] = {t: ort_session(onnx_path, t, args.spin) for t in threads}
            m["binding"] = {t: ort_binding(s, feed) for t, s in m["sess"].items()}
            got = os.path.join(args.work, f"{net}.ort.out")
            os.makedirs(got, exist_ok=True)
            for n, y in zip(m["outputs"], m["sess"][threads[0]].run(m["outputs"], feed)):
                np.save(os.path.join(got, n + ".npy"), y)
            errors[net]["ort"] = error(got, case_dir, m["outputs"])
        m["runs"] = args.runs
        if "cnnc" in m["so"]:   # fast models: more runs, from a probe of cnnc
            out = run([cnnc_run, m["so"]["cnnc"], "--bench", 5, "--threads", 1] + cnnc_args(m))
            probe = float(re.search(r"median ([0-9.]+) ms", out).group(1))
            m["runs"] = max(args.runs, min(5000, int(args.round_ms / max(probe, 1e-3))))
        m["gflop"] = gflop_of(onnx_path)
        models[net] = m
        print(f"{net}: compiled ({compile_s[net]} s)", flush=True)

    # PyTorch workers after cnnc's compiles: torch.compile running alongside
    # took ResNet-18's cnnc compile from 15 to 25-29 s on the 2 cores.
    use_torch = {"eager", "compile"} & set(engines)
    log = open(os.path.join(args.work, "torch.log"), "w")
    workers = {t: TorchWorker(t, cases, nets, "compile" in engines, args.spin, log) for t in threads} if use_torch else {}

    torch_version = "-"
    for t, w in workers.items():
        info = w.ask(cmd="info")
        torch_version = info["torch"]
        for net, entry in info["nets"].items():
            for e in [e for e in ("eager", "compile") if e in engines]:
                if e in models[net]["skipped"]:
                    continue
                if e == "compile" and entry["compile"] != "ok":
                    models[net]["skipped"][e] = "failed"
                    errors[net][e] = "failed to compile"
                    notes.append(f"{net}, {t} thread(s): torch.compile {entry['compile']}")
                    continue
                if e == "compile":
                    compile_s[net][f"torch.compile ({t} thr)"] = entry["compile_s"]
                got = os.path.join(args.work, f"{net}.{e}.{t}.out")
                w.ask(cmd="outputs", net=net, engine=e, dir=got)
                err = error(got, os.path.join(cases, net), models[net]["outputs"])
                errors[net][e] = max(err, errors[net].get(e, 0.0))  # worst over thread counts
    # Engines that disagree are not timed.
    for net, m in models.items():
        for e, v in errors[net].items():
            if isinstance(v, float) and v > TOLERANCE:
                m["skipped"][e] = "disagrees"
                notes.append(f"{net}: {LABEL[e]} disagrees with PyTorch ({v:.1e}); not timed")
        print(f"{net}: errors vs PyTorch: " + ", ".join(
            f"{e} {v:.1e}" if isinstance(v, float) else f"{e} {v}" for e, v in errors[net].items()), flush=True)

    times = {(net, t, e): [] for net in nets for t in threads for e in engines}
    fastest = {k: [] for k in times}  # each measurement's fastest run
    load_rounds, peaks = [], []
    for rnd in range(args.rounds):
        if args.peak_bin:
            peaks.append(measure_peak(args.peak_bin, max(threads)))
        order = engines[rnd % len(engines):] + engines[:rnd % len(engines)]
        for net, m in models.items():
            for t in threads:
                for e in order:
                    if e in m["skipped"]:
                        continue
                    time.sleep(gap)
                    if e in CNNC_FLAGS:
                        out = run([cnnc_run, m["so"][e], "--bench", m["runs"], "--threads", t] + cnnc_args(m))
                        ms = float(re.search(r"median ([0-9.]+) ms", out).group(1))
                        best = float(re.search(r"min ([0-9.]+) ms", out).group(1))
                    elif e == "ort":
                        ms, best = ort_time(m["sess"][t], m["binding"][t], m["runs"])
                    else:
                        reply = workers[t].ask(cmd="time", net=net, engine=e, runs=m["runs"])
                        ms, best = reply["median_ms"], reply["min_ms"]
                    times[(net, t, e)].append(ms)
                    fastest[(net, t, e)].append(best)
        load_rounds.append(loadavg())
        print(f"round {rnd + 1}/{args.rounds} done (load {load_rounds[-1]:.1f})", flush=True)
    for w in workers.values():
        w.close()

    rows = []
    for net, m in models.items():
        for t in threads:
            all_ = {e: times[(net, t, e)] for e in engines if times[(net, t, e)]}
            rows.append(dict(net=net, threads=t, gflop=m["gflop"],
                             ms={e: float(np.median(v)) for e, v in all_.items()}, all=all_,
                             fastest={e: float(np.min(fastest[(net, t, e)])) for e in all_},
                             skipped=m["skipped"]))
    peak = {}
    if args.peak:
        for kv in args.peak.split(","):
            k, v = kv.split(":")
            peak[int(k)] = float(v)
    if peaks:
        peak = {t: float(np.median([p[t] for p in peaks])) for t in peaks[0]}
    res = dict(date=datetime.date.today().isoformat(), machine=f"{cpu_model()}, {os.cpu_count()} CPUs", command=args.command,
               ort=ort.__version__, torch=torch_version, peak=peak, peaks=peaks, rounds=args.rounds, runs=args.runs,
               load=[load_start, loadavg()], load_rounds=load_rounds, rows=rows, errors=errors,
               compile_s=compile_s, notes=notes, engines=engines, labels=LABEL,
               adams_params=args.adams_params, spin=args.spin, gap=gap, reuse=args.reuse,
               runs_per_net={n: m["runs"] for n, m in models.items()}, round_ms=args.round_ms)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    text = table(res)
    print()
    print(text)
    if args.perf_md:
        write_perf_md(args.perf_md, text, args.section)


if __name__ == "__main__":
    main()
