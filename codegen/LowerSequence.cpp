//===- LowerSequence.cpp - rnn/gru/lstm, layer_norm, attention to Halide --===//
//
// Recurrent ops (LoweredRecurrence): the input projections of every time
// step are one GEMM-shaped stage computed up front; the recurrence is a
// chain of per-step Funcs, unrolled over the sequence: each step's gate math
// (and new state: a Tuple (h, c) for lstm) with its recurrent GEMV over
// weights packed at compile time, which the schedule computes per block of
// hidden units inside it. Long sequences therefore cost compile time
// linearly. Sequence lengths freeze a batch entry's state after its last
// step.
//
//===----------------------------------------------------------------------===//
#include "codegen/LowerSequence.h"

#include "ir/CnnDialect.h"
#include "ir/RecurrentActivations.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::Var;

namespace cnnc::codegen {
namespace {

using Shape = std::vector<int64_t>;
using T = SeqTensor;

Shape shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return Shape(s.begin(), s.end());
}

/// ONNX activation functions of the recurrent ops.
Expr activate(const cnn::RecurrentActivation &f, Expr x) {
  const std::string &name = f.name;
  Expr alpha = f.alpha, beta = f.beta;
  if (name == "Relu")
    return Halide::max(x, 0.0f);
  if (name == "Tanh")
    return tanhOf(x);
  if (name == "Sigmoid")
    return 1.0f / (1.0f + Halide::exp(-x));
  if (name == "Affine")
    return alpha * x + beta;
  if (name == "LeakyRelu")
    return Halide::select(x >= 0.0f, x, alpha * x);
  if (name == "ThresholdedRelu")
    return Halide::select(x > alpha, x, 0.0f);
  if (name == "ScaledTanh")
    return alpha * tanhOf(beta * x);
  if (name == "HardSigmoid")
    return Halide::clamp(alpha * x + beta, 0.0f, 1.0f);
  if (name == "Elu")
    return Halide::select(x >= 0.0f, x, alpha * (Halide::exp(x) - 1.0f));
  if (name == "Softsign")
    return x / (1.0f + Halide::abs(x));
  // Softplus, without overflow.
  return Halide::max(x, 0.0f) + Halide::log(1.0f + Halide::exp(-Halide::abs(x)));
}

std::string uniqueName(const std::string &prefix) {
  return Halide::Internal::unique_name(prefix);
}

//===----------------------------------------------------------------------===//
// The recurrence driver shared by rnn, gru and lstm
//===----------------------------------------------------------------------===//

/// Builds a LoweredRecurrence: packed weights, the projections of every
/// step, the steps' stages (each op supplies its step), the outputs.
class Recurrence {
public:
  template <typename OpT>
  Recurrence(OpT op, const SequenceEnv &env, int gates, int numActs)
      : op(op), env(env), gates(gates), numActs(numActs) {
    x = env.get(op.getX());
    if (op.getB())
      b = env.get(op.getB());
    batchFirst = op.getLayout() == 1;
    seq = x.shape[batchFirst ? 1 : 0];
    batch = x.shape[batchFirst ? 0 : 1];
    input = x.shape[2];
    hidden = op.getHiddenSize();
    dirs = op.getDirection() == cnn::RnnDirection::bidirectional ? 2 : 1;
    reverseOnly = op.getDirection() == cnn::RnnDirection::reverse;
    acts = cnn::recurrentActivations(op);
    if (auto c = op.getClip())
      clip = c->convertToFloat();
    if (auto l = op.getSequenceLens())
      lens = Shape(l->begin(), l->end());
    name = op->getName().stripDialect().str();
    lr.op = op;
    lr.hidden = hidden, lr.gates = gates, lr.seq = seq, lr.batch = batch, lr.input = input;
    lr.dirs = dirs;
    lr.j = Var("j"), lr.g = Var("g"), lr.n = Var("n"), lr.t = Var("t"), lr.dir = Var("dir");
    pack(op.getW(), op.getR());
  }

  /// One time step of direction d: the new states from the previous ones.
  using StepFn =
      std::function<std::vector<T>(int d, int s, const std::vector<T> &prev)>;

  /// Runs `step` over the sequence of every direction from the initial
  /// states `init` (one per state: h, then c), registers the recurrence and
  /// returns Y, Y_h (, Y_c).
  std::vector<T> run(const std::vector<Value> &init, const StepFn &step) {
    std::vector<std::vector<T>> hs(dirs); // h after each step
    std::vector<std::vector<T>> last(dirs);
    for (int d = 0; d < dirs; ++d) {
      std::vector<T> states = initialStates(d, init);
      for (int s = 0; s < seq; ++s) {
        states = step(d, s, states);
        hs[d].push_back(states[0]);
      }
      last[d] = states;
    }
    std::vector<T> results{sequenceOutput(hs)};
    for (size_t k = 0; k < init.size(); ++k)
      results.push_back(stateOutput(last, k));
    env.model->recurrences.push_back(lr);
    return results;
  }

  /// A GEMV of `count` gates from gate `first` of direction d, added to a
  /// stage: gemv(j, g, n) = init(j, g, n) + sum_k R[first + g][j][k] in(k, n).
  Func gemv(RecurrentStage &stage, int d, int first, int count,
            const std::function<Expr(Expr k, Expr n)> &in,
            const std::function<Expr(Expr j, Expr g, Expr n)> &init) {
    Var j = lr.j, g = lr.g, n = lr.n;
    RDom k(0, hidden, "k");
    Func f = env.func(op, "gemv");
    f(j, g, n) = init(j, g, n);
    f(j, g, n) += lr.rPack(j, first + g, k, d) * in(k, n);
    f.bound(g, 0, count);
    stage.gemvs.push_back(f);
    stage.ks.push_back(k);
    return f;
  }

  /// A stage of step s with one value per state (a Tuple for several) at
  /// i = {n, j}: `values(i)` at active steps, `prev` after a batch entry's
  /// sequence has ended. Returns the states it holds.
  std::vector<T> stage(RecurrentStage st, int s, const std::vector<T> &prev,
                       const std::function<std::vector<Expr>(const SeqCoords &)> &values) {
    Var j = lr.j, n = lr.n;
    SeqCoords i{n, j};
    std::vector<Expr> v = values(i);
    if (lens)
      for (size_t k = 0; k < v.size(); ++k)
        v[k] = Halide::select(active(s, n), v[k], prev[k](i));
    st.f = env.func(op, "step");
    st.f(j, n) = v.size() == 1 ? Halide::Tuple(v[0]) : Halide::Tuple(v);
    lr.stages.push_back(st);
    std::vector<T> out;
    for (size_t k = 0; k < v.size(); ++k)
      out.push_back(T{st.f, {batch, hidden}, v.size() == 1 ? -1 : int(k)});
    return out;
  }

  /// A stage f(j, g, n) of `count` gates that is not a state (GRU's gates
  /// before the second GEMV).
  Func gateStage(RecurrentStage st, int count,
                 const std::function<Expr(Expr j, Expr g, Expr n)> &value) {
    Var j = lr.j, g = lr.g, n = lr.n;
    st.f = env.func(op, "gates");
    st.f(j, g, n) = value(j, g, n);
    st.f.bound(g, 0, count);
    st.gates = count;
    lr.stages.push_back(st);
    return st.f;
  }

  /// The projections X_t W^T + Wb (+ Rb of the gates where `foldRb(g)`) of
  /// every step: proj(j, g, n, t, dir), indexed by input time.
  void project(const std::function<bool(int g)> &foldRb) {
    Var j = lr.j, g = lr.g, n = lr.n, t = lr.t, dd = lr.dir;
    RDom k(0, input, "k");
    lr.projK = k;
    Expr init = 0.0f;
    if (b) {
      Expr rb = 0.0f;
      for (int gg = 0; gg < gates; ++gg) // only the folded gates add Rb
        if (foldRb(gg))
          rb = Halide::select(g == gg, (*b)({dd, (gates + gg) * hidden + j}), rb);
      init = (*b)({dd, g * hidden + j}) + rb;
    }
    lr.projAcc = env.func(op, "proj_acc");
    lr.projAcc(j, g, n, t, dd) = init;
    lr.projAcc(j, g, n, t, dd) += lr.wPack(j, g, k, dd) * xAt(t, n, k);
    lr.proj = env.func(op, "proj");
    lr.proj(j, g, n, t, dd) = lr.projAcc(j, g, n, t, dd);
  }

  /// Projection of gate g, unit j at step s of direction d for batch n.
  Expr projected(int d, int s, Expr g, Expr n, Expr j) const {
    return lr.proj(j, g, n, timeOf(d, s, n), d);
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
  T x;
  std::optional<T> b;
  std::vector<cnn::RecurrentActivation> acts;
  std::optional<float> clip;
  std::optional<Shape> lens;
  std::string name;
  LoweredRecurrence lr;

private:
  /// wPack(j, g, k, dir) = W[dir][g * hidden + j][k] and rPack likewise
  /// (layouts in LoweredRecurrence), packed now when both are constants.
  void pack(Value wValue, Value rValue) {
    int G = gates, H = hidden, I = input;
    int B = lr.block = std::min(kRecurrentBlock, H);
    int PB = lr.projBlock = std::min(kProjectionBlock, H);
    int blocks = (H + B - 1) / B, projBlocks = (H + PB - 1) / PB;
    Var j = lr.j, g = lr.g, k("k"), dd = lr.dir;
    lr.wPack = env.func(op, "wpack");
    lr.rPack = env.func(op, "rpack");
    auto wData = env.constant(wValue), rData = env.constant(rValue);
    if (wData && rData) {
      Halide::Buffer<float> wb(std::vector<int>{PB, I, projBlocks, G, dirs}, uniqueName(name + "_w"));
      Halide::Buffer<float> rb(std::vector<int>{B, G, H, blocks, dirs}, uniqueName(name + "_r"));
      wb.fill(0.0f);
      rb.fill(0.0f);
      for (int d = 0; d < dirs; ++d)
        for (int gg = 0; gg < G; ++gg)
          for (int jj = 0; jj < H; ++jj) {
            size_t row = size_t(d) * G * H + size_t(gg) * H + jj;
            for (int kk = 0; kk < I; ++kk)
              wb(jj % PB, kk, jj / PB, gg, d) = (*wData)[row * I + kk];
            for (int kk = 0; kk < H; ++kk)
              rb(jj % B, gg, kk, jj / B, d) = (*rData)[row * H + kk];
          }
      lr.wPack(j, g, k, dd) = wb(j % PB, k, j / PB, g, dd);
      lr.rPack(j, g, k, dd) = rb(j % B, g, k, j / B, dd);
      lr.weightsConstant = true;
    } else {
      T w = env.get(wValue), r = env.get(rValue);
      lr.wPack(j, g, k, dd) = w({dd, g * H + j, k});
      lr.rPack(j, g, k, dd) = r({dd, g * H + j, k});
    }
  }

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
  /// The initial states of direction d, one stage (zeros without operands).
  std::vector<T> initialStates(int d, const std::vector<Value> &init) {
    RecurrentStage st;
    Var j = lr.j, n = lr.n;
    std::vector<Expr> v;
    for (Value value : init) {
      if (!value) {
        v.push_back(0.0f);
        continue;
      }
      T in = env.get(value);
      v.push_back(batchFirst ? in({n, d, j}) : in({d, n, j}));
    }
    st.f = env.func(op, "init");
    st.f(j, n) = Halide::Tuple(v);
    lr.stages.push_back(st);
    std::vector<T> out;
    for (size_t k = 0; k < v.size(); ++k)
      out.push_back(T{st.f, {batch, hidden}, v.size() == 1 ? -1 : int(k)});
    return out;
  }
  /// Y: h of the step that read time t; 0 past a sequence's end.
  T sequenceOutput(const std::vector<std::vector<T>> &hs) {
    Shape shape = batchFirst ? Shape{batch, seq, dirs, hidden}
                             : Shape{seq, dirs, batch, hidden};
    Var tv("t"), dv("dir"), nv("n"), jv("j");
    // Halide order: innermost (MLIR's last) first.
    std::vector<Var> args = batchFirst ? std::vector<Var>{jv, dv, tv, nv}
                                       : std::vector<Var>{jv, nv, dv, tv};
    Expr t = tv, d = dv, n = nv, j = jv;
    std::vector<Expr> perDir;
    for (int dd = 0; dd < dirs; ++dd) {
      Expr s = reversed(dd) ? Halide::clamp(length(n) - 1 - t, 0, seq - 1) : t;
      std::vector<Expr> steps;
      for (const T &h : hs[dd])
        steps.push_back(h({n, j}));
      perDir.push_back(steps.size() == 1 ? steps[0] : Halide::mux(s, steps));
    }
    Expr y = perDir.size() == 1 ? perDir[0] : Halide::mux(d, perDir);
    if (lens)
      y = Halide::select(t < length(n), y, 0.0f);
    lr.y = env.func(op, "y");
    lr.y(args) = y;
    lr.yTime = tv;
    lr.outputs.push_back(lr.y);
    return T{lr.y, shape};
  }
  /// Y_h or Y_c: state k after the last step.
  T stateOutput(const std::vector<std::vector<T>> &last, size_t k) {
    Shape shape = batchFirst ? Shape{batch, dirs, hidden}
                             : Shape{dirs, batch, hidden};
    Var dv("dir"), nv("n"), jv("j");
    std::vector<Var> args = batchFirst ? std::vector<Var>{jv, dv, nv}
                                       : std::vector<Var>{jv, nv, dv};
    std::vector<Expr> perDir;
    for (int dd = 0; dd < dirs; ++dd)
      perDir.push_back(last[dd][k]({nv, jv}));
    Func f = env.func(op, k ? "yc" : "yh");
    f(args) = perDir.size() == 1 ? perDir[0] : Halide::mux(dv, perDir);
    lr.outputs.push_back(f);
    return T{f, shape};
  }
};

std::vector<T> lowerRnn(cnn::RnnOp op, const SequenceEnv &env) {
  Recurrence rc(op, env, 1, 1);
  rc.project([](int) { return true; });
  return rc.run({op.getInitialH()}, [&](int d, int s, const std::vector<T> &prev) {
    const T &h = prev[0];
    RecurrentStage st;
    Func rec = rc.gemv(
        st, d, 0, 1, [&](Expr k, Expr n) { return h({n, k}); },
        [&](Expr j, Expr g, Expr n) { return rc.projected(d, s, g, n, j); });
    return rc.stage(st, s, prev, [&](const SeqCoords &i) {
      return std::vector<Expr>{rc.act(d, 0, rec(i[1], 0, i[0]))};
    });
  });
}

std::vector<T> lowerGru(cnn::GruOp op, const SequenceEnv &env) {
  Recurrence rc(op, env, 3, 2);
  bool lbr = op.getLinearBeforeReset();
  // Rb of the h gate stays inside r . (H Rh^T + Rbh) with linear_before_reset.
  rc.project([&](int g) { return !lbr || g < 2; });
  return rc.run({op.getInitialH()}, [&](int d, int s, const std::vector<T> &prev) {
    const T &h = prev[0];
    auto hIn = [&](Expr k, Expr n) { return h({n, k}); };
    RecurrentStage st;
    if (lbr) { // one GEMV of all three gates; Rbh inside the reset product
      Func rec = rc.gemv(st, d, 0, 3, hIn, [&](Expr j, Expr g, Expr n) {
        return Halide::select(g < 2, rc.projected(d, s, g, n, j), rc.recurrentBias(d, 2, j));
      });
      return rc.stage(st, s, prev, [&](const SeqCoords &i) {
        Expr n = i[0], j = i[1];
        Expr z = rc.act(d, 0, rec(j, 0, n)), r = rc.act(d, 0, rec(j, 1, n));
        Expr candidate = rc.act(d, 1, rc.projected(d, s, 2, n, j) + r * rec(j, 2, n));
        return std::vector<Expr>{(1.0f - z) * candidate + z * h(i)};
      });
    }
    // z and r first: the h gate's GEMV reads r . h.
    Func zr = rc.gemv(st, d, 0, 2, hIn, [&](Expr j, Expr g, Expr n) {
      return rc.projected(d, s, g, n, j);
    });
    Func gate = rc.gateStage(st, 2, [&](Expr j, Expr g, Expr n) {
      return rc.act(d, 0, zr(j, g, n));
    });
    RecurrentStage st2;
    Func hr = rc.gemv(
        st2, d, 2, 1, [&](Expr k, Expr n) { return gate(k, 1, n) * h({n, k}); },
        [&](Expr j, Expr, Expr n) { return rc.projected(d, s, 2, n, j); });
    return rc.stage(st2, s, prev, [&](const SeqCoords &i) {
      Expr n = i[0], j = i[1], z = gate(j, 0, n);
      return std::vector<Expr>{(1.0f - z) * rc.act(d, 1, hr(j, 0, n)) + z * h(i)};
    });
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
    RecurrentStage st;
    // Gate order in W, R, B: i, o, f, c.
    Func rec = rc.gemv(
        st, d, 0, 4, [&](Expr k, Expr n) { return h({n, k}); },
        [&](Expr j, Expr g, Expr n) { return rc.projected(d, s, g, n, j); });
    return rc.stage(st, s, prev, [&](const SeqCoords &i) {
      Expr n = i[0], j = i[1];
      auto pre = [&](int g) { return rec(j, g, n); };
      Expr in = rc.act(d, 0, pre(0) + peep(d, 0, j) * c(i));
      Expr forget = rc.act(d, 0, pre(2) + peep(d, 2, j) * c(i));
      Expr cNext = forget * c(i) + in * rc.act(d, 1, pre(3));
      Expr out = rc.act(d, 0, pre(1) + peep(d, 1, j) * cNext);
      return std::vector<Expr>{out * rc.act(d, 2, cNext, /*clipped=*/false), cNext};
    });
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

/// The mean and inverse standard deviation of every slice x[o, ...] over
/// the dimensions from the axis on, indexed by the outer coordinates o.
struct NormStats {
  T mean, invStd;
  size_t axis;
};

template <typename OpT>
NormStats normStats(OpT op, const T &x, const SequenceEnv &env) {
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
    return Halide::sum(x(full(o, r1)), env.func(op, "sum")) / count;
  });
  T invStd = env.define(op, outer, [&](const SeqCoords &o) {
    Expr dev = x(full(o, r2)) - mean(o);
    return 1.0f / Halide::sqrt(Halide::sum(dev * dev, env.func(op, "sum")) / count +
                               op.getEpsilon().convertToFloat());
  });
  return {mean, invStd, axis};
}

T lowerLayerNorm(cnn::LayerNormOp op, const SequenceEnv &env) {
  T x = env.get(op.getInput()), scale = env.get(op.getScale());
  std::optional<T> bias;
  if (op.getBias())
    bias = env.get(op.getBias());
  auto [mean, invStd, axis] = normStats(op, x, env);
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

/// 2^t for t <= 0 (clamped at -125, whose power of two is still a normal
/// float): 2^n * 2^f with n = t rounded toward zero (one truncating
/// conversion; Halide's round splits AVX-512 vectors in two), f = t - n in
/// (-1, 0], 2^f by a degree-5 minimax polynomial on [-1, 0] (relative error
/// < 3.1e-7 in float arithmetic) and n added to the exponent bits: 12
/// vector operations with the subtraction of the row maximum.
Expr exp2NonPositive(Expr t) {
  t = Halide::max(t, -125.0f);
  Expr n = Halide::cast<int>(t);
  Expr f = t - Halide::cast<float>(n);
  Expr p = 9.38788173e-4f;
  for (float c : {9.18861106e-3f, 5.52797206e-2f, 2.40172192e-1f, 6.93142235e-1f, 9.99999940e-1f})
    p = p * f + c;
  Expr bits = Halide::reinterpret(Halide::Int(32), p) + (n << 23);
  return Halide::reinterpret(Halide::Float(32), bits);
}

/// Lanes of the partial row maxima and sums of attention: the reductions
/// over keys run in two levels, across vectors of 16 keys (one AVX-512
/// vector) and then across the lanes.
constexpr int kLanes = 16;

T lowerAttention(cnn::AttentionOp op, const SequenceEnv &env) {
  T qt = env.get(op.getQ());
  bool is4d = qt.shape.size() == 4;
  int heads = int(is4d ? qt.shape[1] : *op.getNumHeads());
  HeadView q{qt, heads}, k{env.get(op.getK()), heads}, v{env.get(op.getV()), heads};
  int batch = int(qt.shape[0]), D = q.dim(), Dv = v.dim(), Sq = q.seq(), Sk = k.seq();
  float scale = op.getScale() ? op.getScale()->convertToFloat()
                              : 1.0f / std::sqrt(float(D));
  std::optional<T> mask;
  if (op.getMask())
    mask = env.get(op.getMask());
  LoweredAttention la;
  la.op = op;
  la.batch = batch, la.heads = heads, la.seqQ = Sq, la.seqK = Sk, la.dim = D, la.dimV = Dv;
  la.is4d = is4d;
  Var j("j"), i("i"), h("h"), b("b"), e("e"), x("x"), lane("lane"), d("d");
  la.j = j, la.i = i, la.h = h, la.b = b, la.e = e, la.x = x, la.lane = lane, la.d = d;
  auto func = [&](const char *suffix) { return env.func(op, suffix); };

  la.keys = k.t.f;
  la.kT = func("kT");
  // The scale and log2(e) folded into the keys: scores (and the mask's
  // terms) are logits in base 2, so that the softmax takes powers of two.
  float log2e = float(M_LOG2E);
  Expr keyScale = scale * log2e;
  constexpr int B = kTransposeBlock;
  if (D % B == 0 && Sk % B == 0) {
    // By blocks of 16 keys x 16 dims (transposeBlocks): row r of block
    // (jb, db) is key jb * 16 + r, x its dim.
    Var x2("x2"), rr("rr"), jb("jb"), db("db");
    BlockRows rows = [&](Expr x, Expr r, Expr jb_, Expr db_) {
      return k(b, h, jb_ * B + r, db_ * B + x);
    };
    rows = transposeBlocks(rows, x2, rr, jb, db, {h, b}, [&] { return func("kT_zip"); }, la.zips);
    la.x2 = x2, la.rr = rr;
    // Transposed: row r of a block is dim r, x its key.
    la.kT(j, d, h, b) = rows(j % B, d % B, j / B, d / B) * keyScale;
  } else {
    la.kT(j, d, h, b) = k(b, h, j, d) * keyScale;
  }
  la.rd = RDom(0, D, "rd");
  la.scores = func("scores");
  la.scores(j, i, h, b) = 0.0f;
  la.scores(j, i, h, b) += q(b, h, i, la.rd) * la.kT(j, la.rd, h, b);
  // (q.k * scale + mask) * log2(e), read twice (row max, probabilities):
  // not stored.
  auto logit = [&](Expr jj, Expr ii, Expr hh, Expr bb) {
    Expr l = la.scores(jj, ii, hh, bb);
    if (mask)
      l += (*mask)(broadcastCoords({bb, hh, ii, jj}, mask->shape)) * log2e;
    return l;
  };
  int vectors = (Sk + kLanes - 1) / kLanes;
  la.rjMax = RDom(0, vectors, "rjmax");
  Expr key = Halide::min(la.rjMax * kLanes + lane, Sk - 1); // max: repeats harmless
  la.maxPart = func("max_part");
  la.maxPart(lane, i, h, b) = Halide::Float(32).min();
  la.maxPart(lane, i, h, b) = Halide::max(la.maxPart(lane, i, h, b), logit(key, i, h, b));
  la.rLaneMax = RDom(0, kLanes, "lane");
  la.rowMax = func("row_max");
  la.rowMax(i, h, b) = Halide::Float(32).min();
  la.rowMax(i, h, b) = Halide::max(la.rowMax(i, h, b), la.maxPart(la.rLaneMax, i, h, b));
  la.probs = func("probs");
  la.probs(j, i, h, b) = exp2NonPositive(logit(j, i, h, b) - la.rowMax(i, h, b));
  la.rjSum = RDom(0, vectors, "rjsum");
  Expr keyS = la.rjSum * kLanes + lane;
  la.sumPart = func("sum_part");
  la.sumPart(lane, i, h, b) = 0.0f;
  la.sumPart(lane, i, h, b) += Halide::select(
      keyS < Sk, la.probs(Halide::min(keyS, Sk - 1), i, h, b), 0.0f);
  la.rLaneSum = RDom(0, kLanes, "lane");
  la.rowSum = func("row_sum");
  la.rowSum(i, h, b) = 0.0f;
  la.rowSum(i, h, b) += la.sumPart(la.rLaneSum, i, h, b);
  la.rj = RDom(0, Sk, "rj");
  la.acc = func("acc");
  la.acc(e, i, h, b) = 0.0f;
  la.acc(e, i, h, b) += la.probs(la.rj, i, h, b) * v(b, h, la.rj, e);
  la.out = func("out");
  Shape shape;
  if (is4d) {
    la.out(e, i, h, b) = la.acc(e, i, h, b) * (1.0f / la.rowSum(i, h, b));
    shape = {batch, heads, Sq, Dv};
  } else {
    Expr hh = x / Dv;
    la.out(x, i, b) = la.acc(x % Dv, i, hh, b) * (1.0f / la.rowSum(i, hh, b));
    shape = {batch, Sq, heads * Dv};
  }
  env.model->attentions.push_back(la);
  return T{la.out, shape};
}

/// Mean and InvStdDev, keeping the normalised dimensions (as 1s).
std::vector<T> lowerLayerNormStats(cnn::LayerNormStatsOp op, const SequenceEnv &env) {
  T x = env.get(op.getInput());
  NormStats s = normStats(op, x, env);
  Shape kept = x.shape;
  std::fill(kept.begin() + s.axis, kept.end(), 1);
  std::vector<T> out;
  for (const T &stat : {s.mean, s.invStd})
    out.push_back(env.define(op, kept, [&](const SeqCoords &i) {
      return stat(SeqCoords(i.begin(), i.begin() + s.axis));
    }));
  return out;
}

} // namespace

bool isSequenceOp(Operation *op) {
  return isa<cnn::RnnOp, cnn::GruOp, cnn::LstmOp, cnn::LayerNormOp,
             cnn::LayerNormStatsOp, cnn::AttentionOp>(op);
}

llvm::Expected<std::vector<SeqTensor>> lowerSequenceOp(Operation *op,
                                                       const SequenceEnv &env) {
  using R = std::vector<T>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<cnn::RnnOp>([&](auto o) { return lowerRnn(o, env); })
      .Case<cnn::GruOp>([&](auto o) { return lowerGru(o, env); })
      .Case<cnn::LstmOp>([&](auto o) { return lowerLstm(o, env); })
      .Case<cnn::LayerNormOp>([&](auto o) { return R{lowerLayerNorm(o, env)}; })
      .Case<cnn::LayerNormStatsOp>([&](auto o) { return lowerLayerNormStats(o, env); })
      .Case<cnn::AttentionOp>([&](auto o) { return R{lowerAttention(o, env)}; })
      .Default([](Operation *) { return R{}; });
}

} // namespace cnnc::codegen
