#!/usr/bin/env python3
"""Builds and edits small ONNX models for the importer's lit tests, with a
hand-written protobuf encoder (no onnx package needed).

  onnx_tool.py bind MODEL OUT NAME=TENSOR.pb...  make graph inputs constants
  onnx_tool.py conv OUT [--location L] [--dim-param] [--dangling]
      a 1x1x3x3 -> Conv(2x2) model whose weight is external data at L
  onnx_tool.py set-opset MODEL OUT VERSION  rewrite the default-domain opset
  onnx_tool.py shape-chain OUT
      PyTorch-style Shape/Gather/Unsqueeze/Slice/Concat/Cast -> Reshape
  onnx_tool.py recurrent OUT OP DIRECTION ACTS [alpha=A,..] [beta=B,..]
      one RNN/GRU/LSTM (hidden 3, X [2, 1, 2], W and R graph inputs) with
      activations ACTS (comma-separated) and activation_alpha/beta
  onnx_tool.py layernorm OUT USED
      LayerNormalization of X [2, 4] with outputs Y, Mean, InvStdDev; the
      graph outputs Y and USED (none, Mean or InvStdDev)
"""
import os
import struct
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def ld(num, payload):  # length-delimited field
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def vi(num, n):  # varint field
    return varint(num << 3) + varint(n)


def read_varint(b, i):
    n = shift = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return n, i


def fields(b):
    """(field number, raw bytes of the whole field, payload) of a message."""
    i = 0
    while i < len(b):
        start = i
        key, i = read_varint(b, i)
        wt = key & 7
        if wt == 0:
            _, i = read_varint(b, i)
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        elif wt == 2:
            n, i = read_varint(b, i)
            i += n
        else:
            raise ValueError("bad wire type")
        yield key >> 3, b[start:i]


def payload(raw):
    _, i = read_varint(raw, 0)
    _, i = read_varint(raw, i)
    return raw[i:]


def bind(model, out, bindings):
    data = open(model, "rb").read()
    result = bytearray()
    for num, raw in fields(data):
        if num != 7:
            result += raw
            continue
        graph = bytearray(payload(raw))
        for b in bindings:
            name, path = b.split("=", 1)
            # A later scalar field wins in protobuf: this sets the name.
            graph += ld(5, open(path, "rb").read() + ld(8, name))
        result += ld(7, bytes(graph))
    open(out, "wb").write(result)


def set_opset(model, out, version):
    data = open(model, "rb").read()
    result = b"".join(ld(8, ld(1, "") + vi(2, int(version))) if num == 8 else raw
                      for num, raw in fields(data))
    open(out, "wb").write(result)


def value_info(name, dims, dim_param=False):
    shape = b"".join(ld(1, ld(2, "N") if dim_param and i == 0 else vi(1, d))
                     for i, d in enumerate(dims))
    return ld(1, name) + ld(2, ld(1, vi(1, 1) + ld(2, shape)))


def conv(out, location="w.bin", dim_param=False, dangling=False):
    weights = struct.pack("<4f", 1, 2, 3, 4)
    with open(os.path.join(os.path.dirname(out) or ".", "w.bin"), "wb") as f:
        f.write(b"pad!" + weights)  # the tensor starts at offset 4
    ext = b"".join(ld(13, ld(1, k) + ld(2, v)) for k, v in
                   [("location", location), ("offset", "4"), ("length", "16")])
    weight = vi(1, 1) + vi(1, 1) + vi(1, 2) + vi(1, 2) + vi(2, 1) + ld(8, "W") \
        + ext + vi(14, 1)
    node = ld(1, "x") + ld(1, "W2" if dangling else "W") + ld(2, "y") \
        + ld(3, "conv1") + ld(4, "Conv")
    graph = ld(1, node) + ld(2, "ext") + ld(5, weight) \
        + ld(11, value_info("x", [1, 1, 3, 3], dim_param)) \
        + ld(12, value_info("y", [1, 1, 2, 2]))
    model = vi(1, 8) + ld(8, ld(1, "") + vi(2, 13)) + ld(7, graph)
    open(out, "wb").write(model)


def int64_tensor(name, values, dims):
    return b"".join(vi(1, d) for d in dims) + vi(2, 7) + ld(8, name) \
        + ld(9, struct.pack("<%dq" % len(values), *values))


def node(op, inputs, outputs, attrs=b""):
    return ld(1, b"".join(ld(1, i) for i in inputs)
              + b"".join(ld(2, o) for o in outputs)
              + ld(3, outputs[0] + "_node") + ld(4, op) + attrs)


def int_attr(name, value):
    return ld(5, ld(1, name) + vi(3, value) + vi(20, 2))


def str_attr(name, value):
    return ld(5, ld(1, name) + ld(4, value) + vi(20, 3))


def strs_attr(name, values):
    return ld(5, ld(1, name) + b"".join(ld(9, v) for v in values) + vi(20, 8))


def floats_attr(name, values):
    return ld(5, ld(1, name) + b"".join(varint(7 << 3 | 5) + struct.pack("<f", v)
                                        for v in values) + vi(20, 6))


def model_of(nodes, name, inputs, outputs, opset=17):
    graph = b"".join(nodes) + ld(2, name) \
        + b"".join(ld(11, value_info(n, d)) for n, d in inputs) \
        + b"".join(ld(12, value_info(n, d)) for n, d in outputs)
    return vi(1, 8) + ld(8, ld(1, "") + vi(2, opset)) + ld(7, graph)


def recurrent(out, op, direction, acts, params):
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]
    dirs = 2 if direction == "bidirectional" else 1
    attrs = int_attr("hidden_size", 3) + str_attr("direction", direction) \
        + strs_attr("activations", acts.split(","))
    for p in params:
        key, values = p.split("=")
        attrs += floats_attr("activation_" + key, [float(v) for v in values.split(",")])
    n = node(op, ["X", "W", "R"], ["Y", "Y_h"], attrs)
    inputs = [("X", [2, 1, 2]), ("W", [dirs, gates * 3, 2]), ("R", [dirs, gates * 3, 3])]
    open(out, "wb").write(model_of([n], "recurrent", inputs, [("Y_h", [dirs, 1, 3])]))


def layernorm(out, used):
    n = node("LayerNormalization", ["X", "S"], ["Y", "Mean", "InvStdDev"])
    outputs = [("Y", [2, 4])] + ([(used, [2, 1])] if used != "none" else [])
    open(out, "wb").write(model_of([n], "norm", [("X", [2, 4]), ("S", [4])], outputs))


def shape_chain(out):
    # y = x.reshape(x.shape[0], x.shape[1:2], -1): [2, 3, 4, 5] -> [2, 3, 20]
    const = ld(5, ld(1, "value") + ld(5, int64_tensor("", [0], [])) + vi(20, 4))
    nodes = [
        node("Shape", ["x"], ["s"]),
        node("Constant", [], ["zero"], const),
        node("Gather", ["s", "zero"], ["n"], int_attr("axis", 0)),
        node("Unsqueeze", ["n", "axes"], ["n1"]),
        node("Slice", ["s", "one", "two"], ["c"]),
        node("Concat", ["n1", "c", "minus1"], ["shp"], int_attr("axis", 0)),
        node("Cast", ["shp"], ["shp64"], int_attr("to", 7)),
        node("Reshape", ["x", "shp64"], ["y"]),
    ]
    inits = [int64_tensor("axes", [0], [1]), int64_tensor("one", [1], [1]),
             int64_tensor("two", [2], [1]), int64_tensor("minus1", [-1], [1])]
    graph = b"".join(nodes) + ld(2, "chain") \
        + b"".join(ld(5, t) for t in inits) \
        + ld(11, value_info("x", [2, 3, 4, 5])) \
        + ld(12, value_info("y", [2, 3, 20]))
    open(out, "wb").write(vi(1, 8) + ld(8, ld(1, "") + vi(2, 13)) + ld(7, graph))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "bind":
        bind(args[0], args[1], args[2:])
    elif cmd == "set-opset":
        set_opset(*args)
    elif cmd == "shape-chain":
        shape_chain(args[0])
    elif cmd == "recurrent":
        recurrent(args[0], args[1], args[2], args[3], args[4:])
    elif cmd == "layernorm":
        layernorm(args[0], args[1])
    else:
        loc = args[args.index("--location") + 1] if "--location" in args else "w.bin"
        conv(args[0], loc, "--dim-param" in args, "--dangling" in args)
