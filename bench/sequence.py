#!/usr/bin/env python3
"""cnnc vs ONNX Runtime on the example networks, with the same weights.

Route (no change to the compiler needed): for each examples/*.graph (or
bench/nets/*.graph: the sequence models, sized for the benchmark)
  1. `cnnc --emit=mlir -O0` gives the network as cnn ops; the constants are
     named by layer (`dense_resource<conv1.weight> : tensor<64x3x7x7xf32>`).
  2. This script draws seeded weights for those names (batch-norm variances
     positive) and writes them to a safetensors file; cnnc compiles the
     .graph with `--weights=` that file, and the same arrays go into an ONNX
     model built here from the cnn ops (onnx.helper, opset 17).
  3. Both run on the same random input; outputs must agree (max abs diff
     relative to the output range < 1e-3) before anything is timed.
  4. Timing, batch 1, threads 1 and 2, interleaved over rounds:
     `cnnc-run --bench N --threads T` (median of N runs) and ORT's
     InferenceSession.run_with_iobinding (intra_op_num_threads=T, sequential
     execution, median of N runs); the table reports the median over rounds.
     N is raised for sub-millisecond networks (--round-ms).
"""
import argparse, datetime, json, os, platform, re, struct, subprocess, sys, tempfile, time

import numpy as np

import bench  # bench/bench.py: the peers harness
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETS = ["lstm", "gru", "attention", "resnet18", "mobilenetv2", "dilated", "autoencoder",
        "dcgan_generator"]
TABLE_HEAD = "| network | GFLOP | threads | cnnc ms | ORT ms | cnnc / ORT | cnnc GFLOP/s | % of FMA peak |"

TENSOR = re.compile(r"tensor<([0-9x]+)xf32>")


def shape_of(t):
    return [int(d) for d in t.split("x")]


def parse_mlir(text):
    """[(result, opname, operands, attrs, result types, const name)] and I/O."""
    ops, inputs, outputs = [], [], []
    m = re.search(r"func\.func @main\((.*?)\) -> (.*?) \{\n", text)
    for am in re.finditer(r"(%arg\d+): tensor<([0-9x]+)xf32> \{cnn\.name = \"([^\"]+)\"\}", m.group(1)):
        inputs.append((am.group(1), shape_of(am.group(2)), am.group(3)))
    for line in text.splitlines():
        line = line.strip()
        om = re.match(r"(%\w+(?:, %\w+)*) = cnn\.(\w+) (.*)$", line)
        if om:
            res, name, rest = om.groups()
            results = res.split(", ")
            res = results[0]
            if name == "constant":
                cm = re.match(r"dense_resource<([^>]+)> : tensor<([0-9x]+)xf32>", rest)
                ops.append(dict(res=res, op=name, const=cm.group(1), shape=shape_of(cm.group(2))))
                continue
            am = re.search(r"\{([^}]*)\}", rest)
            head = rest.split("{")[0].split(" : ")[0]
            operands = re.findall(r"%\w+", head)
            # Optional operands of the sequence ops follow a keyword.
            keyed = dict((k, v) for k, v in re.findall(r"([a-z_]+) (%\w+)", head))
            attrs = {}
            if am:
                for k, v in re.findall(r"(\w+) = (array<i64(?:: [-0-9, ]+)?>|[-+0-9.eE]+ : \w+|true|false)", am.group(1)):
                    if v.startswith("array"):
                        attrs[k] = [int(x) for x in re.findall(r"-?\d+", v.split(":", 1)[1])] if ":" in v else []
                    elif v in ("true", "false"):
                        attrs[k] = v == "true"
                    else:
                        num = v.split(" : ")[0]
                        attrs[k] = float(num) if v.endswith("f32") else int(num)
                for k, v in re.findall(r"(\w+) = \[((?:\"\w+\"(?:, )?)*)\]", am.group(1)):
                    attrs[k] = re.findall(r"\"(\w+)\"", v)
                for k, v in re.findall(r"(\w+) = #cnn<\w+ (\w+)>", am.group(1)):
                    attrs[k] = v
            types = TENSOR.findall(rest.rsplit(" -> ", 1)[-1])
            ops.append(dict(res=res, results=results, op=name, operands=operands, keyed=keyed, attrs=attrs,
                            out=shape_of(types[0]), outs=[shape_of(t) for t in types]))
        elif line.startswith("return "):
            outputs = re.findall(r"%\w+", line.split(" : ")[0])
    names = re.findall(r"cnn\.name = \"([^\"]+)\"", m.group(2))
    return ops, inputs, list(zip(outputs, names))


def draw_weights(ops, seed):
    rng = np.random.default_rng(seed)
    w = {}
    for o in ops:
        if o["op"] != "constant":
            continue
        name, shape = o["const"], o["shape"]
        if name.endswith("running_var"):
            a = rng.uniform(0.5, 1.5, shape)
        elif name.endswith("running_mean") or name.endswith("bias"):
            a = rng.uniform(-0.1, 0.1, shape)
        elif len(shape) == 1:  # batch-norm scale
            a = rng.uniform(0.8, 1.2, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[-1]
            a = rng.normal(0, np.sqrt(2.0 / max(fan_in, 1)), shape)
        w[name] = a.astype(np.float32)
    return w


def write_safetensors(path, tensors):
    header, off, blobs = {}, 0, []
    for k, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def value_shape(ops, inputs, v):
    """Shape of an SSA value: a function argument or any op result."""
    for arg, shape, _ in inputs:
        if arg == v:
            return shape
    for o in ops:
        if o.get("res") == v and o["op"] == "constant":
            return o["shape"]
        for r, shape in zip(o.get("results", []), o.get("outs", [])):
            if r == v:
                return shape
    raise KeyError(v)


def count_flops(ops, inputs):
    """Multiply-adds of convs, dense layers, recurrences and attention, x2."""
    flops = 0
    for o in ops:
        op = o["op"]
        if op in ("conv2d", "conv_transpose2d", "dense"):
            wshape = value_shape(ops, inputs, o["operands"][1])
            if op == "conv2d":
                flops += 2 * int(np.prod(o["out"])) * int(np.prod(wshape[1:]))
            elif op == "conv_transpose2d":
                flops += 2 * int(np.prod(value_shape(ops, inputs, o["operands"][0]))) * int(np.prod(wshape[1:]))
            else:
                flops += 2 * int(np.prod(wshape))
        elif op in ("lstm", "gru", "rnn"):
            x = value_shape(ops, inputs, o["operands"][0])
            w = value_shape(ops, inputs, o["operands"][1])  # [D, G*hidden, input]
            steps = x[0] * x[1]  # seq * batch, either layout
            flops += 2 * steps * w[0] * w[1] * (w[2] + o["attrs"]["hidden_size"])
        elif op == "attention":
            q, k = (value_shape(ops, inputs, v) for v in o["operands"][:2])
            # q k^T and p v: batch * heads * Sq * Sk * (D + Dv) multiply-adds,
            # whatever the head split.
            flops += 2 * int(np.prod(q[:-1])) * k[-2] * (q[-1] + o["out"][-1])
    return flops


def build_onnx(ops, inputs, outputs, weights):
    nodes, inits, const_of = [], [], {}
    for o in ops:
        if o["op"] == "constant":
            const_of[o["res"]] = o["const"]
    val = lambda v: const_of.get(v, v)
    for name, a in weights.items():
        inits.append(numpy_helper.from_array(a, name))
    extra = 0
    for o in ops:
        op, a = o["op"], o.get("attrs", {})
        if op == "constant":
            continue
        ins, out = [val(v) for v in o["operands"]], o["res"]
        if op in ("conv2d", "conv_transpose2d"):
            kw = dict(strides=a["strides"], pads=a["pads"], dilations=a["dilations"], group=a["groups"])
            if op == "conv_transpose2d":
                kw["output_padding"] = a["output_padding"]
            nodes.append(helper.make_node("Conv" if op == "conv2d" else "ConvTranspose", ins, [out], **kw))
        elif op == "batch_norm":
            nodes.append(helper.make_node("BatchNormalization", ins, [out], epsilon=a["epsilon"]))
        elif op in ("relu", "sigmoid", "tanh"):
            nodes.append(helper.make_node(op.capitalize(), ins, [out]))
        elif op == "clip":
            lo, hi = f"clip_lo{extra}", f"clip_hi{extra}"
            extra += 1
            inits += [numpy_helper.from_array(np.array(a["min"], np.float32), lo),
                      numpy_helper.from_array(np.array(a["max"], np.float32), hi)]
            nodes.append(helper.make_node("Clip", ins + [lo, hi], [out]))
        elif op == "add":
            nodes.append(helper.make_node("Add", ins, [out]))
        elif op == "max_pool2d":
            nodes.append(helper.make_node("MaxPool", ins, [out], kernel_shape=a["kernel"], strides=a["strides"],
                                          pads=a["pads"], dilations=a["dilations"], ceil_mode=int(a["ceil_mode"])))
        elif op == "global_avg_pool":
            nodes.append(helper.make_node("GlobalAveragePool", ins, [out]))
        elif op == "flatten":
            nodes.append(helper.make_node("Flatten", ins, [out], axis=a["axis"]))
        elif op == "concat":
            nodes.append(helper.make_node("Concat", ins, [out], axis=a["axis"]))
        elif op == "dense":
            nodes.append(helper.make_node("Gemm", ins, [out], alpha=a["alpha"], beta=a["beta"],
                                          transA=int(a["trans_a"]), transB=int(a["trans_b"])))
        elif op in ("lstm", "gru", "rnn"):
            keyed = {k: val(v) for k, v in o["keyed"].items()}
            order = ["bias", "sequence_lens", "initial_h", "initial_c", "peepholes"][:5 if op == "lstm" else 3]
            onnx_in = ins[:3] + [keyed.get(k, "") for k in order]
            while onnx_in[-1] == "":
                onnx_in.pop()
            kw = dict(hidden_size=a["hidden_size"], direction=a["direction"], activations=a["activations"],
                      layout=a["layout"])
            if op == "gru":
                kw["linear_before_reset"] = int(a.get("linear_before_reset", False))
            if "clip" in a:
                kw["clip"] = a["clip"]
            if "sequence_lens" in a:
                raise SystemExit("bench.py: sequence_lens attribute not mapped")
            nodes.append(helper.make_node(op.upper(), onnx_in, o["results"], **kw))
        elif op == "attention":
            # softmax(q k^T * scale + mask) v, heads given by 4-D operands or
            # by num_heads = 1 on 3-D ones.
            if len(o["out"]) == 3 and a.get("num_heads", 1) != 1:
                raise SystemExit("bench.py: 3-D multi-head attention not mapped")
            rank = len(o["out"])
            scale = a.get("scale", 1.0 / float(np.sqrt(value_shape(ops, inputs, o["operands"][1])[-1])))
            sc = f"att_scale{extra}"
            extra += 1
            inits.append(numpy_helper.from_array(np.array(scale, np.float32), sc))
            perm = list(range(rank - 2)) + [rank - 1, rank - 2]
            nodes += [helper.make_node("Transpose", [ins[1]], [out + "_kt"], perm=perm),
                      helper.make_node("MatMul", [ins[0], out + "_kt"], [out + "_s"]),
                      helper.make_node("Mul", [out + "_s", sc], [out + "_ss"])]
            logits = out + "_ss"
            if len(ins) > 3:
                nodes.append(helper.make_node("Add", [logits, ins[3]], [out + "_sm"]))
                logits = out + "_sm"
            nodes += [helper.make_node("Softmax", [logits], [out + "_p"], axis=-1),
                      helper.make_node("MatMul", [out + "_p", ins[2]], [out])]
        else:
            raise SystemExit(f"bench.py: no ONNX mapping for cnn.{op}")
    shapes = {}
    for o in ops:
        for r, shape in zip(o.get("results", []), o.get("outs", [])):
            shapes[r] = shape
    g_in = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for v, s, n in inputs]
    rename = {v: n for v, s, n in inputs}
    for nd in nodes:
        for i, x in enumerate(nd.input):
            if x in rename:
                nd.input[i] = rename[x]
    g_out = []
    for v, n in outputs:
        nodes.append(helper.make_node("Identity", [rename.get(v, v)], [n]))
        g_out.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, shapes[v]))
    g = helper.make_graph(nodes, "g", g_in, g_out, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def cnnc_bench(so, inputs, runs, threads):
    out = run([CNNC_RUN, so, "--bench", str(runs), "--threads", str(threads)] +
              sum([["--input", f"{n}={p}"] for n, p in inputs], []))
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def ort_session(path, threads):
    # bench.py's session with ORT's default (spinning) thread pool, as this
    # harness has always measured it.
    return bench.ort_session(path, threads, spin=True)


def ort_bench(sess, feed, runs):
    """Median ms of runs with inputs and outputs bound once (io_binding):
    about 3 us less Python overhead per run than sess.run, which matters for
    the sub-millisecond sequence models."""
    binding = sess.io_binding()
    for name, x in feed.items():
        binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(x))
    for o in sess.get_outputs():
        binding.bind_output(o.name)
    sess.run_with_iobinding(binding)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run_with_iobinding(binding)
        ts.append((time.perf_counter() - t) * 1e3)
    return float(np.median(ts))


def fmt_ms(ms):
    return f"{ms:.2f}" if ms >= 1 else f"{ms:.3f}"


def fmt_gflop(gf):
    return f"{gf:.2f}" if gf >= 0.1 else f"{gf:.4f}"


def table_span(doc):
    """[start, end) of the results table's rows in the lines of a doc."""
    start = doc.index(TABLE_HEAD) + 2
    end = start
    while end < len(doc) and doc[end].startswith("|"):
        end += 1
    return start, end


def doc_rows(path):
    """The results table of `path` as results.json rows (net, threads, GFLOP, ms)."""
    doc = open(path).read().split("\n")
    start, end = table_span(doc)
    rows = []
    for line in doc[start:end]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append(dict(net=cells[0], gflop=float(cells[1]), threads=int(cells[2]),
                         cnnc_ms=float(cells[3]), ort_ms=float(cells[4])))
    return rows


def merge_doc(path, lines, nets):
    """Replaces the rows of `nets` in the results table of `path` (the one
    under TABLE_HEAD) by `lines`, keeping the other networks' rows; rows of
    networks new to the table go at its end."""
    doc = open(path).read().split("\n")
    start, end = table_span(doc)
    new = {}
    for line in lines:
        new.setdefault(line.split("|")[1].strip(), []).append(line)
    rows, done = [], set()
    for line in doc[start:end]:
        net = line.split("|")[1].strip()
        if net in new:
            if net not in done:
                rows += new[net]
                done.add(net)
        else:
            rows.append(line)
    for net in nets:
        if net not in done:
            rows += new[net]
    doc[start:end] = rows
    with open(path, "w") as f:
        f.write("\n".join(doc))


def main():
    global CNNC_RUN
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--nets", "--only", default=",".join(NETS), help="comma-separated subset of " + ",".join(NETS))
    ap.add_argument("--runs", type=int, default=20, help="timed runs per measurement")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds; median reported")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out"))
    ap.add_argument("--json", default="")
    ap.add_argument("--peak", default="", help="FMA peak GFLOP/s as '1:G1,2:G2' (bench/peak)")
    ap.add_argument("--round-ms", type=float, default=50,
                    help="runs per measurement are raised so that one takes about this long")
    ap.add_argument("--doc", default="", help="merge the table rows into this markdown file "
                    "(replacing the measured networks' rows, keeping the others)")
    args = ap.parse_args()
    CNNC_RUN = os.path.join(args.bin, "cnnc-run")
    cnnc = os.path.join(args.bin, "cnnc")
    os.makedirs(args.work, exist_ok=True)
    threads = [int(t) for t in args.threads.split(",")]
    models = {}
    for net in args.nets.split(","):
        graph = os.path.join(ROOT, "examples", net + ".graph")
        if not os.path.exists(graph):
            graph = os.path.join(ROOT, "bench", "nets", net + ".graph")
        mlir = run([cnnc, graph, "--emit=mlir", "-O0", "-o", "-"])
        ops, inputs, outputs = parse_mlir(mlir)
        weights = draw_weights(ops, seed=1)
        st = os.path.join(args.work, net + ".safetensors")
        write_safetensors(st, weights)
        so = os.path.join(args.work, net + ".so")
        t0 = time.time()
        run([cnnc, graph, "--weights=" + st, "-o", so])
        compile_s = time.time() - t0
        onnx_path = os.path.join(args.work, net + ".onnx")
        onnx.save(build_onnx(ops, inputs, outputs, weights), onnx_path)
        rng = np.random.default_rng(7)
        feed, files = {}, []
        for v, shape, name in inputs:
            x = rng.uniform(-1, 1, shape).astype(np.float32)
            p = os.path.join(args.work, f"{net}.{name}.npy")
            np.save(p, x)
            feed[name] = x
            files.append((name, p))
        # Agreement check before timing.
        outdir = os.path.join(args.work, net + ".out")
        run([CNNC_RUN, so, "--output-dir", outdir] + sum([["--input", f"{n}={p}"] for n, p in files], []))
        ref = ort_session(onnx_path, 1).run(None, feed)
        worst = 0.0
        for (v, n), r in zip(outputs, ref):
            mine = np.load(os.path.join(outdir, re.sub(r"[^A-Za-z0-9_.-]", "_", n) + ".npy"))
            rng_ = max(float(r.max() - r.min()), 1e-6)
            worst = max(worst, float(np.abs(mine - r).max()) / rng_)
        print(f"{net}: compiled in {compile_s:.1f} s; cnnc vs ORT max |diff| / range = {worst:.2e}", flush=True)
        if worst > 1e-3:
            raise SystemExit(f"bench.py: {net}: outputs disagree ({worst:.2e}); not timing")
        flops = count_flops(ops, inputs)
        # Sub-millisecond networks get more runs per measurement.
        probe = cnnc_bench(so, files, 5, 1)
        runs = max(args.runs, min(5000, int(args.round_ms / max(probe, 1e-3))))
        models[net] = dict(so=so, files=files, onnx=onnx_path, feed=feed, flops=flops, diff=worst, runs=runs,
                           sess={t: ort_session(onnx_path, t) for t in threads},
                           cnnc={t: [] for t in threads}, ort={t: [] for t in threads})
    for rnd in range(args.rounds):
        for net, m in models.items():
            for t in threads:
                m["cnnc"][t].append(cnnc_bench(m["so"], m["files"], m["runs"], t))
                m["ort"][t].append(ort_bench(m["sess"][t], m["feed"], m["runs"]))
        print(f"round {rnd + 1}/{args.rounds} done", flush=True)
    peak = {}
    if args.peak:
        for kv in args.peak.split(","):
            k, v = kv.split(":")
            peak[int(k)] = float(v)
    rows, lines = [], []
    print()
    print(TABLE_HEAD)
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for net, m in models.items():
        for t in threads:
            c, o = float(np.median(m["cnnc"][t])), float(np.median(m["ort"][t]))
            gf = m["flops"] / 1e9
            pct = f"{100 * gf / (c / 1e3) / peak[t]:.1f}%" if t in peak else "-"
            lines.append(f"| {net} | {fmt_gflop(gf)} | {t} | {fmt_ms(c)} | {fmt_ms(o)} | {c / o:.2f}x | "
                         f"{gf / (c / 1e3):.1f} | {pct} |")
            print(lines[-1])
            rows.append(dict(net=net, threads=t, gflop=gf, cnnc_ms=c, ort_ms=o, cnnc_all=m["cnnc"][t],
                             ort_all=m["ort"][t], diff=m["diff"], runs=m["runs"]))
    if args.doc:
        merge_doc(args.doc, lines, list(models))
    if args.json:
        # Rows of networks not measured this time are kept from the last run.
        kept = []
        if os.path.exists(args.json):
            kept = [r for r in json.load(open(args.json))["rows"] if r["net"] not in models]
        elif args.doc:  # no earlier results here: the doc's table has them
            kept = [r for r in doc_rows(args.doc) if r["net"] not in models]
        with open(args.json, "w") as f:
            json.dump(dict(date=datetime.date.today().isoformat(), machine=platform.processor(),
                           ort=ort.__version__, peak=peak, rows=kept + rows), f, indent=1)


if __name__ == "__main__":
    main()
