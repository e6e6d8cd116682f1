//===- LowerSequence.cpp - rnn/gru/lstm, layer_norm, attention to Halide --===//
//
// Recurrent ops: the input projections of every time step are one
// GEMM-shaped stage computed up front ([dirs, seq, batch, G*hidden]); the
// recurrence is a chain of per-step Funcs (a recurrent GEMV stage and the
// fused gate math), unrolled over the sequence, so each step is scheduled
// like any other stage. Long sequences therefore cost compile time linearly.
// Sequence lengths freeze a batch entry's state after its last step.
//
//===----------------------------------------------------------------------===//
#include "codegen/LowerSequence.h"

#include "ir/CnnDialect.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using Halide::Expr;
using Halide::RDom;

namespace cnnc::codegen {
namespace {

using Shape = std::vector<int64_t>;
using T = SeqTensor;

Shape shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return Shape(s.begin(), s.end());
}

/// ONNX activation functions of the recurrent ops (default parameters).
Expr activate(StringRef name, Expr x) {
  if (name == "Relu")
    return Halide::max(x, 0.0f);
  if (name == "Tanh")
    return Halide::tanh(x);
  if (name == "Sigmoid")
    return 1.0f / (1.0f + Halide::exp(-x));
  if (name == "HardSigmoid")
    return Halide::clamp(0.2f * x + 0.5f, 0.0f, 1.0f);
  if (name == "Softsign")
    return x / (1.0f + Halide::abs(x));
  // Softplus, without overflow.
  return Halide::max(x, 0.0f) + Halide::log(1.0f + Halide::exp(-Halide::abs(x)));
}

//===----------------------------------------------------------------------===//
// The recurrence driver shared by rnn, gru and lstm
//===----------------------------------------------------------------------===//

class Recurrence {
public:
  template <typename OpT>
  Recurrence(OpT op, const SequenceEnv &env, int gates, int numActs)
      : op(op), env(env), gates(gates), numActs(numActs) {
    x = env.get(op.getX());
    w = env.get(op.getW());
    r = env.get(op.getR());
    if (op.getB())
      b = env.get(op.getB());
    batchFirst = op.getLayout() == 1;
    seq = x.shape[batchFirst ? 1 : 0];
    batch = x.shape[batchFirst ? 0 : 1];
    input = x.shape[2];
    hidden = op.getHiddenSize();
    dirs = op.getDirection() == cnn::RnnDirection::bidirectional ? 2 : 1;
    reverseOnly = op.getDirection() == cnn::RnnDirection::reverse;
    for (Attribute a : op.getActivations())
      acts.push_back(cast<StringAttr>(a).str());
    if (auto c = op.getClip())
      clip = c->convertToFloat();
    if (auto l = op.getSequenceLens())
      lens = Shape(l->begin(), l->end());
  }

  /// One time step of direction d: the new states from the previous ones.
  using StepFn =
      std::function<std::vector<T>(int d, int s, const std::vector<T> &prev)>;

  /// Runs `step` over the sequence of every direction from the initial
  /// states `init` (one per state: h, then c) and returns Y, Y_h (, Y_c).
  std::vector<T> run(const std::vector<Value> &init, const StepFn &step) {
    std::vector<std::vector<T>> hs(dirs); // h after each step
    std::vector<std::vector<T>> last(dirs);
    for (int d = 0; d < dirs; ++d) {
      std::vector<T> states;
      for (Value v : init)
        states.push_back(initialState(d, v));
      for (int s = 0; s < seq; ++s) {
        states = step(d, s, states);
        hs[d].push_back(states[0]);
      }
      last[d] = states;
    }
    std::vector<T> results{sequenceOutput(hs)};
    for (size_t k = 0; k < init.size(); ++k)
      results.push_back(stateOutput(last, k));
    return results;
  }

  /// [batch, hidden] state: `body` at active steps, the previous state after
  /// a batch entry's sequence has ended.
  T state(int s, const T &prev, const SeqBody &body) {
    return env.define(op, {batch, hidden}, [&](const SeqCoords &i) {
      return lens ? Halide::select(active(s, i[0]), body(i), prev(i)) : body(i);
    });
  }

  /// sum_k R[d, first + row, k] * in(n, k) (+ init(n, row)): [batch, rows].
  T gemv(int d, int first, int rows, const std::function<Expr(Expr, Expr)> &in,
         const SeqBody &init) {
    RDom k(0, hidden, "k");
    return env.accumulate(op, {batch, rows}, k, init, [&](const SeqCoords &i) {
      return r({d, first + i[1], k}) * in(i[0], k);
    });
  }

  /// The projections X_t W^T + Wb (+ Rb where `foldRb(row)`) of every step:
  /// [dirs, seq, batch, G*hidden], indexed by input time.
  void project(const std::function<bool(int row)> &foldRb) {
    RDom k(0, input, "k");
    int rows = gates * hidden;
    SeqBody init = [&](const SeqCoords &i) -> Expr {
      if (!b)
        return 0.0f;
      Expr rb = 0.0f;
      for (int g = 0; g < gates; ++g) // only the folded rows add Rb
        if (foldRb(g * hidden))
          rb = Halide::select(i[3] >= g * hidden && i[3] < (g + 1) * hidden,
                              (*b)({i[0], rows + i[3]}), rb);
      return (*b)({i[0], i[3]}) + rb;
    };
    proj = env.accumulate(op, {dirs, seq, batch, rows}, k, init,
                          [&](const SeqCoords &i) {
                            return w({i[0], i[3], k}) * xAt(i[1], i[2], k);
                          });
  }

  /// Projection of gate g, unit j at step s of direction d for batch n.
  Expr projected(int d, int s, int g, Expr n, Expr j) const {
    return proj({d, timeOf(d, s, n), n, g * hidden + j});
  }
  /// The recurrent bias Rb of gate g, unit j (0 without B).
  Expr recurrentBias(int d, int g, Expr j) const {
    return b ? (*b)({d, (gates + g) * hidden + j}) : Expr(0.0f);
  }
  /// Activation `which` of direction d; `clipped` applies `clip` first.
  Expr act(int d, int which, Expr v, bool clipped = true) const {
    if (clip && clipped)
      v = Halide::clamp(v, -*clip, *clip);
    return activate(acts[d * numActs + which], v);
  }

  Operation *op;
  const SequenceEnv &env;
  int gates, numActs;
  int seq, batch, input, hidden, dirs;
  bool batchFirst, reverseOnly;
  T x, w, r, proj;
  std::optional<T> b;
  std::vector<std::string> acts;
  std::optional<float> clip;
  std::optional<Shape> lens;

private:
  bool reversed(int d) const { return dirs == 2 ? d == 1 : reverseOnly; }
  Expr length(Expr n) const {
    if (!lens)
      return Expr(seq);
    std::vector<Expr> values;
    for (int64_t len : *lens)
      values.push_back(Expr(int(len)));
    return values.size() == 1 ? values[0] : Halide::mux(n, values);
  }
  Expr active(int s, Expr n) const { return s < length(n); }
  /// Input time of step s (clamped: inactive steps read a valid row).
  Expr timeOf(int d, int s, Expr n) const {
    if (!reversed(d))
      return Expr(s);
    return Halide::clamp(length(n) - 1 - s, 0, seq - 1);
  }
  Expr xAt(Expr t, Expr n, Expr k) const {
    return batchFirst ? x({n, t, k}) : x({t, n, k});
  }
  /// [batch, hidden] of an initial state operand (zeros when absent).
  T initialState(int d, Value v) {
    std::optional<T> in;
    if (v)
      in = env.get(v);
    return env.define(op, {batch, hidden}, [&](const SeqCoords &i) -> Expr {
      if (!in)
        return 0.0f;
      return batchFirst ? (*in)({i[0], d, i[1]}) : (*in)({d, i[0], i[1]});
    });
  }
  /// Y: h of the step that read time t; 0 past a sequence's end.
  T sequenceOutput(const std::vector<std::vector<T>> &hs) {
    Shape shape = batchFirst ? Shape{batch, seq, dirs, hidden}
                             : Shape{seq, dirs, batch, hidden};
    return env.define(op, shape, [&](const SeqCoords &i) {
      Expr t = batchFirst ? i[1] : i[0], d = batchFirst ? i[2] : i[1],
           n = batchFirst ? i[0] : i[2], j = i[3];
      std::vector<Expr> perDir;
      for (int dd = 0; dd < dirs; ++dd) {
        Expr s = reversed(dd) ? Halide::clamp(length(n) - 1 - t, 0, seq - 1) : t;
        std::vector<Expr> steps;
        for (const T &h : hs[dd])
          steps.push_back(h({n, j}));
        perDir.push_back(steps.size() == 1 ? steps[0] : Halide::mux(s, steps));
      }
      Expr y = perDir.size() == 1 ? perDir[0] : Halide::mux(d, perDir);
      return lens ? Halide::select(t < length(n), y, 0.0f) : y;
    });
  }
  /// Y_h or Y_c: state k after the last step.
  T stateOutput(const std::vector<std::vector<T>> &last, size_t k) {
    Shape shape = batchFirst ? Shape{batch, dirs, hidden}
                             : Shape{dirs, batch, hidden};
    return env.define(op, shape, [&](const SeqCoords &i) {
      Expr d = batchFirst ? i[1] : i[0], n = batchFirst ? i[0] : i[1];
      std::vector<Expr> perDir;
      for (int dd = 0; dd < dirs; ++dd)
        perDir.push_back(last[dd][k]({n, i[2]}));
      return perDir.size() == 1 ? perDir[0] : Halide::mux(d, perDir);
    });
  }
};

SeqBody zeroInit() {
  return [](const SeqCoords &) { return Expr(0.0f); };
}

std::vector<T> lowerRnn(cnn::RnnOp op, const SequenceEnv &env) {
  Recurrence rc(op, env, 1, 1);
  rc.project([](int) { return true; });
  return rc.run({op.getInitialH()}, [&](int d, int s, const std::vector<T> &prev) {
    const T &h = prev[0];
    T rec = rc.gemv(d, 0, rc.hidden, [&](Expr n, Expr k) { return h({n, k}); },
                    zeroInit());
    return std::vector<T>{rc.state(s, h, [&](const SeqCoords &i) {
      return rc.act(d, 0, rc.projected(d, s, 0, i[0], i[1]) + rec(i));
    })};
  });
}

std::vector<T> lowerGru(cnn::GruOp op, const SequenceEnv &env) {
  Recurrence rc(op, env, 3, 2);
  bool lbr = op.getLinearBeforeReset();
  int H = rc.hidden;
  // Rb of the h gate stays inside r . (H Rh^T + Rbh) with linear_before_reset.
  rc.project([&](int row) { return !lbr || row < 2 * H; });
  return rc.run({op.getInitialH()}, [&](int d, int s, const std::vector<T> &prev) {
    const T &h = prev[0];
    T zr = rc.gemv(d, 0, 2 * H, [&](Expr n, Expr k) { return h({n, k}); },
                   zeroInit());
    auto gate = [&](int g, const SeqCoords &i) { // g: 0 = z, 1 = r
      return rc.act(d, 0, rc.projected(d, s, g, i[0], i[1]) +
                              zr({i[0], g * H + i[1]}));
    };
    T reset = env.define(op, {rc.batch, H},
                         [&](const SeqCoords &i) { return gate(1, i); });
    T hr = rc.gemv(
        d, 2 * H, H,
        [&](Expr n, Expr k) { return lbr ? h({n, k}) : reset({n, k}) * h({n, k}); },
        [&](const SeqCoords &i) {
          return lbr ? rc.recurrentBias(d, 2, i[1]) : Expr(0.0f);
        });
    return std::vector<T>{rc.state(s, h, [&](const SeqCoords &i) {
      Expr z = gate(0, i);
      Expr candidate = rc.projected(d, s, 2, i[0], i[1]) +
                       (lbr ? reset(i) * hr(i) : hr(i));
      return (1.0f - z) * rc.act(d, 1, candidate) + z * h(i);
    })};
  });
}

std::vector<T> lowerLstm(cnn::LstmOp op, const SequenceEnv &env) {
  Recurrence rc(op, env, 4, 3);
  int H = rc.hidden;
  std::optional<T> p;
  if (op.getP())
    p = env.get(op.getP());
  rc.project([](int) { return true; });
  auto peep = [&](int d, int g, Expr j) { // P order i, o, f
    return p ? (*p)({d, g * H + j}) : Expr(0.0f);
  };
  return rc.run({op.getInitialH(), op.getInitialC()},
                [&](int d, int s, const std::vector<T> &prev) {
    const T &h = prev[0], &c = prev[1];
    T rec = rc.gemv(d, 0, 4 * H, [&](Expr n, Expr k) { return h({n, k}); },
                    zeroInit());
    // Gate order in W, R, B: i, o, f, c.
    auto pre = [&](int g, const SeqCoords &i) {
      return rc.projected(d, s, g, i[0], i[1]) + rec({i[0], g * H + i[1]});
    };
    T cNext = rc.state(s, c, [&](const SeqCoords &i) {
      Expr in = rc.act(d, 0, pre(0, i) + peep(d, 0, i[1]) * c(i));
      Expr forget = rc.act(d, 0, pre(2, i) + peep(d, 2, i[1]) * c(i));
      return forget * c(i) + in * rc.act(d, 1, pre(3, i));
    });
    T hNext = rc.state(s, h, [&](const SeqCoords &i) {
      Expr out = rc.act(d, 0, pre(1, i) + peep(d, 1, i[1]) * cNext(i));
      return out * rc.act(d, 2, cNext(i), /*clipped=*/false);
    });
    return std::vector<T>{hNext, cNext};
  });
}

//===----------------------------------------------------------------------===//
// layer_norm, attention
//===----------------------------------------------------------------------===//

/// Index of a tensor of `inShape` broadcast (numpy) to coordinates `out`.
SeqCoords broadcastCoords(const SeqCoords &out, const Shape &inShape) {
  size_t offset = out.size() - inShape.size();
  SeqCoords in;
  for (size_t i = 0; i < inShape.size(); ++i)
    in.push_back(inShape[i] == 1 ? Expr(0) : out[offset + i]);
  return in;
}

T lowerLayerNorm(cnn::LayerNormOp op, const SequenceEnv &env) {
  T x = env.get(op.getInput()), scale = env.get(op.getScale());
  std::optional<T> bias;
  if (op.getBias())
    bias = env.get(op.getBias());
  size_t rank = x.shape.size();
  size_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  Shape outer(x.shape.begin(), x.shape.begin() + axis);
  std::vector<Halide::Range> ranges; // innermost first
  float count = 1;
  for (size_t k = rank; k-- > axis;) {
    ranges.emplace_back(0, int(x.shape[k]));
    count *= float(x.shape[k]);
  }
  auto full = [&](const SeqCoords &o, const RDom &r) {
    SeqCoords i = o;
    for (size_t k = axis; k < rank; ++k)
      i.push_back(r[int(rank - 1 - k)]);
    return i;
  };
  RDom r1(ranges, "r"), r2(ranges, "r2");
  T mean = env.define(op, outer, [&](const SeqCoords &o) {
    return Halide::sum(x(full(o, r1)), env.reduction(op, "sum")) / count;
  });
  T invStd = env.define(op, outer, [&](const SeqCoords &o) {
    Expr dev = x(full(o, r2)) - mean(o);
    return 1.0f / Halide::sqrt(Halide::sum(dev * dev, env.reduction(op, "sum")) / count +
                               op.getEpsilon().convertToFloat());
  });
  return env.define(op, x.shape, [&](const SeqCoords &i) {
    SeqCoords o(i.begin(), i.begin() + axis), inner(i.begin() + axis, i.end());
    Expr y = (x(i) - mean(o)) * invStd(o) * scale(broadcastCoords(inner, scale.shape));
    return bias ? y + (*bias)(broadcastCoords(inner, bias->shape)) : y;
  });
}

/// q, k, v of attention read as [batch, heads, seq, dim].
struct HeadView {
  T t;
  int heads;
  bool is4d() const { return t.shape.size() == 4; }
  int dim() const { return int(is4d() ? t.shape[3] : t.shape[2] / heads); }
  int seq() const { return int(is4d() ? t.shape[2] : t.shape[1]); }
  Expr operator()(Expr b, Expr h, Expr s, Expr d) const {
    return is4d() ? t({b, h, s, d}) : t({b, s, h * dim() + d});
  }
};

T lowerAttention(cnn::AttentionOp op, const SequenceEnv &env) {
  T qt = env.get(op.getQ());
  bool is4d = qt.shape.size() == 4;
  int heads = int(is4d ? qt.shape[1] : *op.getNumHeads());
  HeadView q{qt, heads}, k{env.get(op.getK()), heads}, v{env.get(op.getV()), heads};
  int batch = int(qt.shape[0]), D = q.dim(), Dv = v.dim();
  float scale = op.getScale() ? op.getScale()->convertToFloat()
                              : 1.0f / std::sqrt(float(D));
  std::optional<T> mask;
  if (op.getMask())
    mask = env.get(op.getMask());
  Shape scoreShape{batch, heads, q.seq(), k.seq()};
  // scores[b, h, i, j] = q_i . k_j * scale + mask
  RDom rd(0, D, "d");
  T scores = env.accumulate(
      op, scoreShape, rd,
      [&](const SeqCoords &i) {
        return mask ? (*mask)(broadcastCoords(i, mask->shape)) : Expr(0.0f);
      },
      [&](const SeqCoords &i) {
        return q(i[0], i[1], i[2], rd) * k(i[0], i[1], i[3], rd) * scale;
      });
  Shape rowShape{batch, heads, q.seq()};
  RDom rj(0, k.seq(), "j"), rj2(0, k.seq(), "j2");
  auto at = [](const SeqCoords &row, Expr j) {
    return SeqCoords{row[0], row[1], row[2], j};
  };
  T mx = env.define(op, rowShape, [&](const SeqCoords &row) {
    return Halide::maximum(scores(at(row, rj)), env.reduction(op, "max"));
  });
  T denom = env.define(op, rowShape, [&](const SeqCoords &row) {
    return Halide::sum(Halide::exp(scores(at(row, rj2)) - mx(row)), env.reduction(op, "sum"));
  });
  RDom rv(0, k.seq(), "jv");
  auto weighted = [&](Expr b, Expr h, Expr i, Expr e) {
    SeqCoords row{b, h, i};
    return Halide::exp(scores(at(row, rv)) - mx(row)) / denom(row) *
           v(b, h, rv, e);
  };
  if (is4d)
    return env.accumulate(op, {batch, heads, q.seq(), Dv}, rv, zeroInit(),
                          [&](const SeqCoords &i) {
                            return weighted(i[0], i[1], i[2], i[3]);
                          });
  return env.accumulate(op, {batch, q.seq(), heads * Dv}, rv, zeroInit(),
                        [&](const SeqCoords &i) {
                          return weighted(i[0], i[2] / Dv, i[1], i[2] % Dv);
                        });
}

} // namespace

bool isSequenceOp(Operation *op) {
  return isa<cnn::RnnOp, cnn::GruOp, cnn::LstmOp, cnn::LayerNormOp,
             cnn::AttentionOp>(op);
}

llvm::Expected<std::vector<SeqTensor>> lowerSequenceOp(Operation *op,
                                                       const SequenceEnv &env) {
  using R = std::vector<T>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<cnn::RnnOp>([&](auto o) { return lowerRnn(o, env); })
      .Case<cnn::GruOp>([&](auto o) { return lowerGru(o, env); })
      .Case<cnn::LstmOp>([&](auto o) { return lowerLstm(o, env); })
      .Case<cnn::LayerNormOp>([&](auto o) { return R{lowerLayerNorm(o, env)}; })
      .Case<cnn::AttentionOp>([&](auto o) { return R{lowerAttention(o, env)}; })
      .Default([](Operation *) { return R{}; });
}

} // namespace cnnc::codegen
