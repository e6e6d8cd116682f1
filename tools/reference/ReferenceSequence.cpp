//===- ReferenceSequence.cpp - reference loops of the sequence ops --------===//
//
// Literal transcriptions of the ONNX RNN, GRU, LSTM, LayerNormalization and
// scaled dot-product attention formulas: one time step at a time, one output
// element at a time, sums in double.
//
//===----------------------------------------------------------------------===//
#include "tools/reference/ReferenceSequence.h"

#include "ir/CnnDialect.h"
#include "ir/RecurrentActivations.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::cnn;
using cnnc::reference::Tensor;

namespace {

using Shape = std::vector<int64_t>;
using Operand = llvm::function_ref<const Tensor &(Value)>;

Tensor zeros(Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return Tensor{std::move(shape), std::vector<float>(n, 0.0f)};
}

/// ONNX activation functions of the recurrent ops, straight from the spec.
double activate(const RecurrentActivation &f, double x) {
  const std::string &name = f.name;
  double alpha = f.alpha, beta = f.beta;
  if (name == "Relu")
    return std::max(x, 0.0);
  if (name == "Tanh")
    return std::tanh(x);
  if (name == "Sigmoid")
    return 1.0 / (1.0 + std::exp(-x));
  if (name == "Affine")
    return alpha * x + beta;
  if (name == "LeakyRelu")
    return x >= 0 ? x : alpha * x;
  if (name == "ThresholdedRelu")
    return x > alpha ? x : 0.0;
  if (name == "ScaledTanh")
    return alpha * std::tanh(beta * x);
  if (name == "HardSigmoid")
    return std::clamp(alpha * x + beta, 0.0, 1.0);
  if (name == "Elu")
    return x >= 0 ? x : alpha * std::expm1(x);
  if (name == "Softsign")
    return x / (1.0 + std::abs(x));
  return std::log1p(std::exp(x)); // Softplus
}

//===----------------------------------------------------------------------===//
// rnn, gru, lstm
//===----------------------------------------------------------------------===//

/// Everything a recurrent cell reads, with index helpers in ONNX terms.
struct Recurrence {
  const Tensor &x, &w, &r;
  const Tensor *b, *h0, *c0, *p;
  int64_t seq, batch, input, hidden, dirs;
  bool batchFirst, reverseOnly;
  std::vector<RecurrentActivation> acts; // per direction, numActs each
  size_t numActs;
  std::optional<double> clip;

  double xAt(int64_t t, int64_t n, int64_t k) const {
    int64_t row = batchFirst ? n * seq + t : t * batch + n;
    return x.data[row * input + k];
  }
  /// X_t W_g^T + Wb_g, row j of gate g of direction d, batch entry n.
  double inputPart(int64_t d, int64_t g, int64_t j, int64_t t, int64_t n) const {
    double s = b ? b->data[d * 2 * numGates() * hidden + g * hidden + j] : 0.0;
    const float *row = &w.data[(d * numGates() * hidden + g * hidden + j) * input];
    for (int64_t k = 0; k < input; ++k)
      s += row[k] * xAt(t, n, k);
    return s;
  }
  /// h R_g^T + Rb_g, row j of gate g of direction d.
  double recurrentPart(int64_t d, int64_t g, int64_t j,
                       const std::vector<double> &h) const {
    int64_t G = numGates();
    double s = b ? b->data[d * 2 * G * hidden + (G + g) * hidden + j] : 0.0;
    const float *row = &r.data[(d * G * hidden + g * hidden + j) * hidden];
    for (int64_t k = 0; k < hidden; ++k)
      s += row[k] * h[k];
    return s;
  }
  int64_t numGates() const { return w.shape[1] / hidden; }
  double act(int64_t d, size_t which, double v) const {
    if (clip)
      v = std::clamp(v, -*clip, *clip);
    return activate(acts[d * numActs + which], v);
  }
  /// Flat offset of state [d, n, :] (layout-dependent).
  int64_t stateAt(int64_t d, int64_t n) const {
    return (batchFirst ? n * dirs + d : d * batch + n) * hidden;
  }
  int64_t yAt(int64_t t, int64_t d, int64_t n) const {
    return (batchFirst ? (n * seq + t) * dirs + d : (t * dirs + d) * batch + n) *
           hidden;
  }
};

/// One step of a cell: updates h (and c) of direction d, batch n at time t.
using Cell = std::function<void(const Recurrence &, int64_t d, int64_t n,
                                int64_t t, std::vector<double> &h,
                                std::vector<double> &c)>;

/// The driver shared by rnn, gru and lstm: directions, sequence lengths and
/// the Y / Y_h / Y_c outputs.
std::vector<Tensor> runRecurrence(const Recurrence &rc,
                                  std::optional<ArrayRef<int64_t>> lens,
                                  const Cell &cell, bool withC) {
  Shape state = rc.batchFirst ? Shape{rc.batch, rc.dirs, rc.hidden}
                              : Shape{rc.dirs, rc.batch, rc.hidden};
  Shape seqShape = rc.batchFirst ? Shape{rc.batch, rc.seq, rc.dirs, rc.hidden}
                                 : Shape{rc.seq, rc.dirs, rc.batch, rc.hidden};
  Tensor y = zeros(seqShape), yh = zeros(state), yc = zeros(state);
  for (int64_t d = 0; d < rc.dirs; ++d) {
    bool reverse = rc.dirs == 2 ? d == 1 : rc.reverseOnly;
    for (int64_t n = 0; n < rc.batch; ++n) {
      int64_t base = rc.stateAt(d, n);
      std::vector<double> h(rc.hidden, 0.0), c(rc.hidden, 0.0);
      for (int64_t j = 0; j < rc.hidden; ++j) {
        h[j] = rc.h0 ? rc.h0->data[base + j] : 0.0;
        c[j] = rc.c0 ? rc.c0->data[base + j] : 0.0;
      }
      int64_t len = lens ? (*lens)[n] : rc.seq;
      for (int64_t s = 0; s < len; ++s) {
        int64_t t = reverse ? len - 1 - s : s;
        cell(rc, d, n, t, h, c);
        for (int64_t j = 0; j < rc.hidden; ++j)
          y.data[rc.yAt(t, d, n) + j] = float(h[j]);
      }
      for (int64_t j = 0; j < rc.hidden; ++j) {
        yh.data[base + j] = float(h[j]);
        yc.data[base + j] = float(c[j]);
      }
    }
  }
  std::vector<Tensor> out{std::move(y), std::move(yh)};
  if (withC)
    out.push_back(std::move(yc));
  return out;
}

/// The Recurrence of a verified rnn, gru or lstm op; `OpT` gives the
/// accessors. c0 and p are set by the lstm caller.
template <typename OpT>
Recurrence recurrenceOf(OpT op, Operand operand, size_t numActs) {
  auto opt = [&](Value v) { return v ? &operand(v) : nullptr; };
  const Tensor &x = operand(op.getX());
  bool batchFirst = op.getLayout() == 1;
  Recurrence rc{x, operand(op.getW()), operand(op.getR()), opt(op.getB()),
                opt(op.getInitialH()), nullptr, nullptr,
                x.shape[batchFirst ? 1 : 0], x.shape[batchFirst ? 0 : 1],
                x.shape[2], op.getHiddenSize(),
                op.getDirection() == RnnDirection::bidirectional ? 2 : 1,
                batchFirst, op.getDirection() == RnnDirection::reverse, {},
                numActs, std::nullopt};
  rc.acts = recurrentActivations(op);
  if (auto clip = op.getClip())
    rc.clip = clip->convertToDouble();
  return rc;
}

std::vector<Tensor> evalRnn(RnnOp op, Operand operand) {
  Recurrence rc = recurrenceOf(op, operand, 1);
  auto cell = [](const Recurrence &rc, int64_t d, int64_t n, int64_t t,
                 std::vector<double> &h, std::vector<double> &) {
    std::vector<double> next(rc.hidden);
    for (int64_t j = 0; j < rc.hidden; ++j)
      next[j] = rc.act(d, 0, rc.inputPart(d, 0, j, t, n) +
                                 rc.recurrentPart(d, 0, j, h));
    h = next;
  };
  return runRecurrence(rc, op.getSequenceLens(), cell, false);
}

std::vector<Tensor> evalGru(GruOp op, Operand operand) {
  Recurrence rc = recurrenceOf(op, operand, 2);
  bool linearBeforeReset = op.getLinearBeforeReset();
  auto cell = [=](const Recurrence &rc, int64_t d, int64_t n, int64_t t,
                  std::vector<double> &h, std::vector<double> &) {
    int64_t H = rc.hidden;
    std::vector<double> z(H), r(H), rh(H), next(H);
    for (int64_t j = 0; j < H; ++j) { // gate order z, r, h
      z[j] = rc.act(d, 0, rc.inputPart(d, 0, j, t, n) + rc.recurrentPart(d, 0, j, h));
      r[j] = rc.act(d, 0, rc.inputPart(d, 1, j, t, n) + rc.recurrentPart(d, 1, j, h));
      rh[j] = r[j] * h[j];
    }
    for (int64_t j = 0; j < H; ++j) {
      double candidate =
          linearBeforeReset
              ? rc.inputPart(d, 2, j, t, n) + r[j] * rc.recurrentPart(d, 2, j, h)
              : rc.inputPart(d, 2, j, t, n) + rc.recurrentPart(d, 2, j, rh);
      next[j] = (1 - z[j]) * rc.act(d, 1, candidate) + z[j] * h[j];
    }
    h = next;
  };
  return runRecurrence(rc, op.getSequenceLens(), cell, false);
}

std::vector<Tensor> evalLstm(LstmOp op, Operand operand) {
  Recurrence rc = recurrenceOf(op, operand, 3);
  rc.c0 = op.getInitialC() ? &operand(op.getInitialC()) : nullptr;
  rc.p = op.getP() ? &operand(op.getP()) : nullptr;
  auto cell = [](const Recurrence &rc, int64_t d, int64_t n, int64_t t,
                 std::vector<double> &h, std::vector<double> &c) {
    int64_t H = rc.hidden;
    auto peep = [&](int64_t g, int64_t j) { // P order i, o, f
      return rc.p ? double(rc.p->data[d * 3 * H + g * H + j]) : 0.0;
    };
    // Gate order in W, R, B: i, o, f, c.
    auto pre = [&](int64_t g, int64_t j) {
      return rc.inputPart(d, g, j, t, n) + rc.recurrentPart(d, g, j, h);
    };
    std::vector<double> nextC(H), nextH(H);
    for (int64_t j = 0; j < H; ++j) {
      double i = rc.act(d, 0, pre(0, j) + peep(0, j) * c[j]);
      double f = rc.act(d, 0, pre(2, j) + peep(2, j) * c[j]);
      double cand = rc.act(d, 1, pre(3, j));
      nextC[j] = f * c[j] + i * cand;
      double o = rc.act(d, 0, pre(1, j) + peep(1, j) * nextC[j]);
      nextH[j] = o * activate(rc.acts[d * 3 + 2], nextC[j]);
    }
    h = nextH;
    c = nextC;
  };
  return runRecurrence(rc, op.getSequenceLens(), cell, true);
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

/// Offset into a parameter of shape `param` broadcast (numpy) to `shape`, at
/// the flat row-major index `flat` of `shape`.
int64_t broadcastOffset(ArrayRef<int64_t> param, ArrayRef<int64_t> shape,
                        int64_t flat) {
  int64_t offset = 0, stride = 1;
  size_t lead = shape.size() - param.size();
  for (size_t i = shape.size(); i-- > 0;) {
    int64_t idx = flat % shape[i];
    flat /= shape[i];
    if (i >= lead && param[i - lead] != 1) {
      offset += idx * stride;
      stride *= param[i - lead];
    }
  }
  return offset;
}

/// The slices layer normalisation works on: x's rows over the dimensions
/// from the axis on, with each row's mean and 1 / sqrt(var + epsilon).
struct NormRows {
  int64_t axis, inner, outer;
  std::vector<double> mean, invStd;
};

template <typename OpT> NormRows normRows(OpT op, const Tensor &x) {
  NormRows n;
  n.axis = op.getAxis() < 0 ? op.getAxis() + int64_t(x.shape.size())
                            : op.getAxis();
  n.inner = 1;
  for (int64_t d : ArrayRef<int64_t>(x.shape).drop_front(n.axis))
    n.inner *= d;
  n.outer = int64_t(x.data.size()) / n.inner;
  double eps = op.getEpsilon().convertToDouble();
  for (int64_t o = 0; o < n.outer; ++o) {
    const float *row = &x.data[o * n.inner];
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n.inner; ++i)
      mean += row[i];
    mean /= double(n.inner);
    for (int64_t i = 0; i < n.inner; ++i)
      var += (row[i] - mean) * (row[i] - mean);
    var /= double(n.inner);
    n.mean.push_back(mean);
    n.invStd.push_back(1.0 / std::sqrt(var + eps));
  }
  return n;
}

Tensor evalLayerNorm(LayerNormOp op, Operand operand) {
  const Tensor &x = operand(op.getInput()), &scale = operand(op.getScale());
  const Tensor *bias = op.getBias() ? &operand(op.getBias()) : nullptr;
  NormRows n = normRows(op, x);
  ArrayRef<int64_t> normalized = ArrayRef<int64_t>(x.shape).drop_front(n.axis);
  Tensor y = zeros(x.shape);
  for (int64_t o = 0; o < n.outer; ++o) {
    const float *row = &x.data[o * n.inner];
    for (int64_t i = 0; i < n.inner; ++i) {
      double v = (row[i] - n.mean[o]) * n.invStd[o] *
                 scale.data[broadcastOffset(scale.shape, normalized, i)];
      if (bias)
        v += bias->data[broadcastOffset(bias->shape, normalized, i)];
      y.data[o * n.inner + i] = float(v);
    }
  }
  return y;
}

/// Mean and InvStdDev, shaped like x with the normalised dimensions 1.
std::vector<Tensor> evalLayerNormStats(LayerNormStatsOp op, Operand operand) {
  const Tensor &x = operand(op.getInput());
  NormRows n = normRows(op, x);
  Shape kept = x.shape;
  std::fill(kept.begin() + n.axis, kept.end(), 1);
  Tensor mean = zeros(kept), invStd = zeros(kept);
  for (int64_t o = 0; o < n.outer; ++o) {
    mean.data[o] = float(n.mean[o]);
    invStd.data[o] = float(n.invStd[o]);
  }
  return {mean, invStd};
}

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

/// A 3-D [B, S, H*D] or 4-D [B, H, S, D] operand read as (b, h, s, d).
struct HeadView {
  const Tensor &t;
  int64_t heads;
  int64_t seq() const { return t.shape.size() == 4 ? t.shape[2] : t.shape[1]; }
  int64_t dim() const {
    return t.shape.size() == 4 ? t.shape[3] : t.shape[2] / heads;
  }
  int64_t offset(int64_t b, int64_t h, int64_t s, int64_t d) const {
    if (t.shape.size() == 4)
      return ((b * heads + h) * seq() + s) * dim() + d;
    return (b * seq() + s) * heads * dim() + h * dim() + d;
  }
  float operator()(int64_t b, int64_t h, int64_t s, int64_t d) const {
    return t.data[offset(b, h, s, d)];
  }
};

Tensor evalAttention(AttentionOp op, Operand operand) {
  const Tensor &qt = operand(op.getQ());
  bool is4d = qt.shape.size() == 4;
  int64_t heads = is4d ? qt.shape[1] : *op.getNumHeads();
  HeadView q{qt, heads}, k{operand(op.getK()), heads}, v{operand(op.getV()), heads};
  const Tensor *mask = op.getMask() ? &operand(op.getMask()) : nullptr;
  int64_t B = qt.shape[0], Sq = q.seq(), Sk = k.seq(), D = q.dim(), Dv = v.dim();
  double scale = op.getScale() ? op.getScale()->convertToDouble()
                               : 1.0 / std::sqrt(double(D));
  Shape outShape = is4d ? Shape{B, heads, Sq, Dv} : Shape{B, Sq, heads * Dv};
  Tensor y = zeros(outShape);
  HeadView out{y, heads};
  Shape scoreShape{B, heads, Sq, Sk};
  std::vector<double> scores(Sk);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < Sq; ++i) {
        double mx = -std::numeric_limits<double>::infinity(), total = 0;
        for (int64_t j = 0; j < Sk; ++j) {
          double s = 0;
          for (int64_t d = 0; d < D; ++d)
            s += double(q(b, h, i, d)) * k(b, h, j, d);
          s *= scale;
          if (mask)
            s += mask->data[broadcastOffset(
                mask->shape, scoreShape, ((b * heads + h) * Sq + i) * Sk + j)];
          scores[j] = s;
          mx = std::max(mx, s);
        }
        for (int64_t j = 0; j < Sk; ++j)
          total += scores[j] = std::exp(scores[j] - mx);
        for (int64_t d = 0; d < Dv; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < Sk; ++j)
            acc += scores[j] / total * v(b, h, j, d);
          y.data[out.offset(b, h, i, d)] = float(acc);
        }
      }
  return y;
}

} // namespace

bool cnnc::reference::isSequenceOp(Operation *op) {
  return isa<RnnOp, GruOp, LstmOp, LayerNormOp, LayerNormStatsOp, AttentionOp>(
      op);
}

llvm::Expected<std::vector<Tensor>>
cnnc::reference::evalSequenceOp(Operation *op, Operand operand) {
  using R = std::vector<Tensor>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<RnnOp>([&](auto o) { return evalRnn(o, operand); })
      .Case<GruOp>([&](auto o) { return evalGru(o, operand); })
      .Case<LstmOp>([&](auto o) { return evalLstm(o, operand); })
      .Case<LayerNormOp>([&](auto o) { return R{evalLayerNorm(o, operand)}; })
      .Case<LayerNormStatsOp>(
          [&](auto o) { return evalLayerNormStats(o, operand); })
      .Case<AttentionOp>([&](auto o) { return R{evalAttention(o, operand)}; })
      .Default([](Operation *) { return R{}; });
}
