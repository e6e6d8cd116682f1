"""Builds the reference networks in PyTorch and writes what cnnc needs to
compile and check them:

    .venv/bin/python scripts/export_pytorch.py OUT_DIR [NAME ...]

Every network has fixed seeds, random weights, eval mode and batch 1. For
each NAME (default: all) OUT_DIR/NAME/ receives

  - CNNs (resnet18, mobilenetv2, dilated, autoencoder, dcgan_generator):
    model.onnx, exported by torch.onnx.export (the TorchScript exporter,
    opset 17), with the graph inputs and outputs named as below;
  - sequence benchmarks (lstm, gru, attention): model.onnx, as the CNNs;
  - sequence examples (lstm_classifier, gru_step, transformer_block):
    weights.safetensors, the PyTorch state_dict converted to the tensor names
    and layouts that examples/NAME.graph expects;
  - in.<input>.npy, the reference input(s), and want/<output>.npy, PyTorch's
    output(s) (f32; the file names are those cnnc-run --output-dir writes).

OUT_DIR/manifest.json lists the cases: {name, model (.onnx or .graph),
weights (or null), inputs {name: file}, outputs {name: file}}, paths relative
to OUT_DIR except a .graph, which is absolute.

The CNNs match the shapes of the examples/*.graph networks; the sequence
models are the examples themselves (issue #6). Nothing here is committed:
test/pytorch/check_pytorch.py runs this at test time into the build dir.
"""
import functools
import json
import pathlib
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
OPSET = 17


# ---------------------------------------------------------------------------
# The networks
# ---------------------------------------------------------------------------

class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock (same module names)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """torchvision.models.resnet18 (its state_dict names = examples/resnet18.graph)."""

    def __init__(self, classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, cout in enumerate([64, 128, 256, 512]):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}",
                    nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def conv_bn(cin, cout, kernel, stride, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """torchvision's MobileNetV2 block (same module names)."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        layers = [] if expand == 1 else [conv_bn(cin, hidden, 1, 1)]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    """torchvision.models.mobilenet_v2, width 1.0 (its state_dict names =
    examples/mobilenetv2.graph)."""

    def __init__(self, classes=1000):
        super().__init__()
        features = [conv_bn(3, 32, 3, 2)]
        cin = 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(n):
                features.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        features.append(conv_bn(cin, 1280, 1, 1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class Dilated(nn.Module):
    """The context module of examples/dilated.graph (3x3 convs with
    dilations 1, 2, 4, 'same' padding = dilation; concat, 1x1 fuse,
    residual add, relu) with parallel branches: here all three read the
    input, where the .graph chains them (d2 reads d1, d4 reads d2)."""

    def __init__(self, c=64):
        super().__init__()
        self.d1 = nn.Conv2d(c, c, 3, padding=1, dilation=1)
        self.d2 = nn.Conv2d(c, c, 3, padding=2, dilation=2)
        self.d4 = nn.Conv2d(c, c, 3, padding=4, dilation=4)
        self.fuse = nn.Conv2d(3 * c, c, 1)

    def forward(self, x):
        ctx = torch.cat([F.relu(self.d1(x)), F.relu(self.d2(x)), F.relu(self.d4(x))], 1)
        return F.relu(self.fuse(ctx) + x)


def he_init(model):
    """He-uniform conv weights (PyTorch's default init shrinks activations by
    ~1/sqrt(3) a layer, which leaves a shallow net's output nearly constant)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")


class Autoencoder(nn.Module):
    """examples/autoencoder.graph, shapes and names, with one difference:
    dec3 is PyTorch's usual 'doubling' transposed conv (padding=1,
    output_padding=1), where the .graph uses padding=same (ONNX SAME_UPPER,
    pads [0, 0, 1, 1]); both give 3x64x64 but select different rows of the
    full transposed convolution; a ConvTranspose2d's padding is symmetric and
    cannot express SAME_UPPER."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 32, 3, 2, 1)
        self.enc2 = nn.Conv2d(32, 64, 3, 2, 1)
        self.pool = nn.MaxPool2d(2)
        self.code = nn.Conv2d(64, 16, 1)
        self.dec1 = nn.ConvTranspose2d(16, 64, 3, 2, 1, output_padding=1)
        self.dec2 = nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1)
        self.dec3 = nn.ConvTranspose2d(32, 3, 3, 2, 1, output_padding=1)
        he_init(self)

    def forward(self, x):
        code = F.relu(self.code(self.pool(F.relu(self.enc2(F.relu(self.enc1(x)))))))
        y = F.relu(self.dec2(F.relu(self.dec1(code))))
        return torch.sigmoid(self.dec3(y)), code


class DCGANGenerator(nn.Module):
    """The PyTorch DCGAN tutorial's generator (nz 100, ngf 64, nc 3) =
    examples/dcgan_generator.graph."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        layers = []
        cin = nz
        for i, cout in enumerate([ngf * 8, ngf * 4, ngf * 2, ngf]):
            layers += [nn.ConvTranspose2d(cin, cout, 4, 1 if i == 0 else 2, 0 if i == 0 else 1,
                                          bias=False),
                       nn.BatchNorm2d(cout), nn.ReLU(True)]
            cin = cout
        layers += [nn.ConvTranspose2d(cin, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, z):
        return self.main(z)


class LSTMClassifier(nn.Module):
    """examples/lstm_classifier.graph: bidirectional LSTM (32 -> 64, batch
    first), its last hidden states [forward, backward] -> dense -> softmax."""

    def __init__(self):
        super().__init__()
        self.enc = nn.LSTM(32, 64, batch_first=True, bidirectional=True)
        self.head = nn.Linear(128, 10)
        nn.init.uniform_(self.head.weight, -0.5, 0.5)   # logits of a few units, not ~0.1

    def forward(self, tokens):
        _, (h, _) = self.enc(tokens)            # h: [2, batch, 64] even with batch_first
        h = h.transpose(0, 1).flatten(1)        # the .graph's Y_h is [batch, 2, 64]
        return torch.softmax(self.head(h), -1)


class GRUStep(nn.Module):
    """examples/gru_step.graph: one GRU step (seq-first), then dense and
    log_softmax; outputs the distribution and the new state."""

    def __init__(self):
        super().__init__()
        self.cell = nn.GRU(64, 128)
        self.logits = nn.Linear(128, 256)

    def forward(self, embedding, state):
        _, h = self.cell(embedding, state)      # h: [1, batch, 128]
        return torch.log_softmax(self.logits(h.flatten(1)), -1), h


class TransformerBlock(nn.Module):
    """examples/transformer_block.graph: pre-norm encoder block, 4 heads of
    nn.MultiheadAttention, exact GELU MLP."""

    def __init__(self, e=64, heads=4):
        super().__init__()
        self.ln1 = nn.LayerNorm(e)
        self.attn = nn.MultiheadAttention(e, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(e)
        self.fc1 = nn.Linear(e, 4 * e)
        self.fc2 = nn.Linear(4 * e, e)

    def forward(self, x):
        h = self.ln1(x)
        res1 = x + self.attn(h, h, h, need_weights=False)[0]
        return res1 + self.fc2(F.gelu(self.fc1(self.ln2(res1))))


class SeqRecurrent(nn.Module):
    """Benchmarks (issue #6, bench/nets/lstm.graph's size): one nn.LSTM or
    nn.GRU layer (`cell`), 32 steps (seq-first) of 64 features, batch 1, 128
    hidden units; the output is the hidden state of every step. Exports to
    ONNX LSTM or GRU (GRU with linear_before_reset = 1: PyTorch's equations;
    bench/nets/gru.graph uses ONNX's default 0)."""

    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(64, 128)

    def forward(self, x):
        return self.rnn(x)[0]


class SeqAttention(nn.Module):
    """Benchmark: single-head scaled dot-product attention over 128
    positions of dimension 64, batch 1, as PyTorch code writes it today
    (F.scaled_dot_product_attention, PyTorch's fused CPU kernel in eager).
    The exporter scales q and k^T by sqrt(1/8) each; cnnc's
    --cnn-form-attention folds that into one cnn.attention."""

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)


# ---------------------------------------------------------------------------
# Weight conversion for the .graph examples
# ---------------------------------------------------------------------------

def gate_blocks(t, order):
    """Reorders the gate blocks along dim 0 of a PyTorch RNN weight or bias:
    `order` lists, for each ONNX gate in turn, its index in PyTorch's order."""
    blocks = t.chunk(len(order), 0)
    return torch.cat([blocks[i] for i in order], 0)


def rnn_to_onnx(sd, prefix, layer, order, bidirectional):
    """PyTorch nn.LSTM/nn.GRU weights -> the cnn op's ONNX W, R, B.

    PyTorch: weight_ih_l0 [G*H, in], weight_hh_l0 [G*H, H], bias_ih_l0 and
    bias_hh_l0 [G*H], gates LSTM (i, f, g, o), GRU (r, z, n); the reverse
    direction has the suffix _reverse. ONNX: W [D, G*H, in], R [D, G*H, H],
    B [D, 2*G*H] = [Wb, Rb], gates LSTM (i, o, f, c), GRU (z, r, h). The GRU
    equations match with linear_before_reset = 1 (the bias_hh of n goes
    inside r * (...), as ONNX's Rbh does)."""
    sfx = ["_l0"] + (["_l0_reverse"] if bidirectional else [])
    w = torch.stack([gate_blocks(sd.pop(f"{prefix}.weight_ih{s}"), order) for s in sfx])
    r = torch.stack([gate_blocks(sd.pop(f"{prefix}.weight_hh{s}"), order) for s in sfx])
    b = torch.stack([torch.cat([gate_blocks(sd.pop(f"{prefix}.bias_ih{s}"), order),
                                gate_blocks(sd.pop(f"{prefix}.bias_hh{s}"), order)]) for s in sfx])
    sd.update({f"{layer}.W": w, f"{layer}.R": r, f"{layer}.B": b})


LSTM_ORDER = [0, 3, 1, 2]   # ONNX (i, o, f, c) from PyTorch (i, f, g, o)
GRU_ORDER = [1, 0, 2]       # ONNX (z, r, h) from PyTorch (r, z, n)


def lstm_weights(model):
    sd = dict(model.state_dict())
    rnn_to_onnx(sd, "enc", "enc", LSTM_ORDER, bidirectional=True)
    return sd


def gru_weights(model):
    sd = dict(model.state_dict())
    rnn_to_onnx(sd, "cell", "cell", GRU_ORDER, bidirectional=False)
    return sd


def transformer_weights(model):
    """nn.MultiheadAttention keeps q, k, v stacked in in_proj_weight [3E, E]
    and in_proj_bias [3E]; the .graph's attention layer names them
    attn.{q,k,v}.{weight,bias}, and out_proj is attn.out."""
    sd = dict(model.state_dict())
    for kind, w, b in zip("qkv", sd.pop("attn.in_proj_weight").chunk(3),
                          sd.pop("attn.in_proj_bias").chunk(3)):
        sd[f"attn.{kind}.weight"], sd[f"attn.{kind}.bias"] = w, b
    sd["attn.out.weight"] = sd.pop("attn.out_proj.weight")
    sd["attn.out.bias"] = sd.pop("attn.out_proj.bias")
    return sd


def write_safetensors(path, tensors):
    """The safetensors format with numpy: an 8-byte little-endian header
    size, a JSON header {name: {dtype, shape, data_offsets}}, the data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().numpy(), dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # keeps the data 8-byte aligned
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

def randomize_batch_norms(model, *shapes):
    """Gives every BatchNorm random affine parameters and running statistics
    measured on random inputs (so that eval-mode activations stay near unit
    scale through deep stacks and folding the batch norms is exercised)."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    model.eval()
    if not bns:
        return
    with torch.no_grad():
        for bn in bns:
            bn.momentum = None              # cumulative average of the batches
            bn.reset_running_stats()
        model.train()
        for _ in range(2):
            model(*[torch.randn(4, *s[1:]) for s in shapes])
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.1, 0.1)
    model.eval()


# name: (constructor, inputs {name: shape}, outputs, .graph example or None,
#        weight converter for the .graph)
CASES = {
    "resnet18": (ResNet18, {"image": [1, 3, 224, 224]}, ["logits"], None, None),
    "mobilenetv2": (MobileNetV2, {"image": [1, 3, 224, 224]}, ["logits"], None, None),
    "dilated": (Dilated, {"features": [1, 64, 128, 128]}, ["out"], None, None),
    "autoencoder": (Autoencoder, {"image": [1, 3, 64, 64]}, ["reconstruction", "code"],
                    None, None),
    "dcgan_generator": (DCGANGenerator, {"z": [1, 100, 1, 1]}, ["image"], None, None),
    "lstm_classifier": (LSTMClassifier, {"tokens": [1, 16, 32]}, ["prob"],
                        "lstm_classifier", lstm_weights),
    "gru_step": (GRUStep, {"embedding": [1, 1, 64], "state": [1, 1, 128]}, ["next", "cell"],
                 "gru_step", gru_weights),
    "transformer_block": (TransformerBlock, {"x": [1, 32, 64]}, ["res2"],
                          "transformer_block", transformer_weights),
    # The sequence benchmarks (bench/bench.py --only lstm,gru,attention).
    "lstm": (functools.partial(SeqRecurrent, nn.LSTM), {"x": [32, 1, 64]}, ["y"], None, None),
    "gru": (functools.partial(SeqRecurrent, nn.GRU), {"x": [32, 1, 64]}, ["y"], None, None),
    "attention": (SeqAttention, {"q": [1, 128, 64], "k": [1, 128, 64], "v": [1, 128, 64]},
                  ["out"], None, None),
}


# Seeds by this order: the first eight sorted, as before the benchmarks came,
# so that their weights and reference outputs did not change.
SEEDS = sorted(list(CASES)[:8]) + list(CASES)[8:]


def build(name):
    """The network NAME in eval mode with its seeded weights, and its
    reference inputs (also used by bench/peers_torch.py to time PyTorch)."""
    make, inputs = CASES[name][:2]
    seed = SEEDS.index(name)
    torch.manual_seed(seed)
    model = make()
    randomize_batch_norms(model, *inputs.values())
    gen = torch.Generator().manual_seed(1000 + seed)
    return model, [torch.randn(shape, generator=gen) for shape in inputs.values()]


def export(name, out_dir):
    _, inputs, outputs, graph, convert = CASES[name]
    model, xs = build(name)
    with torch.no_grad():
        ys = model(*xs)
    ys = ys if isinstance(ys, tuple) else (ys,)

    case_dir = out_dir / name
    (case_dir / "want").mkdir(parents=True, exist_ok=True)
    entry = {"name": name, "inputs": {}, "outputs": {}, "weights": None}
    for input_name, x in zip(inputs, xs):
        np.save(case_dir / f"in.{input_name}.npy", x.numpy().astype("<f4"))
        entry["inputs"][input_name] = f"{name}/in.{input_name}.npy"
    for output_name, y in zip(outputs, ys):
        np.save(case_dir / "want" / f"{output_name}.npy", y.numpy().astype("<f4"))
        entry["outputs"][output_name] = f"{name}/want/{output_name}.npy"
    if graph is None:
        torch.onnx.export(model, tuple(xs), str(case_dir / "model.onnx"), dynamo=False,
                          opset_version=OPSET, input_names=list(inputs), output_names=outputs)
        entry["model"] = f"{name}/model.onnx"
    else:
        write_safetensors(case_dir / "weights.safetensors", convert(model))
        entry["model"] = str(ROOT / "examples" / f"{graph}.graph")
        entry["weights"] = f"{name}/weights.safetensors"
    return entry


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    out_dir = pathlib.Path(argv[0])
    names = argv[1:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.exit(f"unknown network(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    import warnings
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # the TorchScript exporter
    manifest = [export(n, out_dir) for n in names]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"exported {len(manifest)} network(s) to {out_dir} (torch {torch.__version__})")


if __name__ == "__main__":
    main(sys.argv[1:])
