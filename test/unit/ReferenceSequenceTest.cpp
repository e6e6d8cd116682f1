//===- ReferenceSequenceTest.cpp - rnn/gru/lstm, layer_norm, attention ----===//
//
// Hand-computed cases for the reference evaluator, then differential tests:
// the Halide lowering (JIT) against the reference on random data, every
// result of every op compared with 1e-4 relative tolerance.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"
#include "ir/CnnDialect.h"
#include "tools/reference/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using cnnc::reference::Tensor;
using Shape = std::vector<int64_t>;

namespace {

std::string ty(const Shape &s) {
  std::string t = "tensor<";
  for (int64_t d : s)
    t += std::to_string(d) + "x";
  return t + "f32>";
}

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// Deterministic values in [-1, 1).
Tensor random(const Shape &s, unsigned seed) {
  Tensor t{s, std::vector<float>(numel(s))};
  for (float &v : t.data) {
    seed = seed * 1664525u + 1013904223u;
    v = float(seed >> 8) / float(1u << 23) - 1.0f;
  }
  return t;
}

/// `func.func @main(%a0: T0, ...) -> (R...) { <body>; return <rets> }`.
std::string moduleText(const std::vector<Shape> &args,
                       const std::vector<Shape> &results,
                       const std::string &body, const std::string &rets) {
  std::string s = "module @m { func.func @main(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? ", %a" : "%a") + std::to_string(i) + ": " + ty(args[i]);
  std::string types;
  for (size_t i = 0; i < results.size(); ++i)
    types += (i ? ", " : "") + ty(results[i]);
  return s + ") -> (" + types + ") {\n" + body + "\n return " + rets + " : " +
         types + "\n} }";
}

/// "(T0, T1) -> (R0, R1)"
std::string signature(const std::vector<Shape> &args,
                      const std::vector<Shape> &results) {
  std::string s = "(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? ", " : "") + ty(args[i]);
  s += ") -> (";
  for (size_t i = 0; i < results.size(); ++i)
    s += (i ? ", " : "") + ty(results[i]);
  return s + ")";
}

class Sequence : public ::testing::Test {
public:
  Sequence() { ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>(); }

  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &text) {
    auto m = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
    EXPECT_TRUE(m) << text;
    return m;
  }

  std::vector<Tensor> reference(const std::string &text,
                                const std::vector<Tensor> &inputs) {
    auto m = parse(text);
    if (!m)
      return {};
    auto out = cnnc::reference::evaluate(*m, inputs);
    EXPECT_TRUE(bool(out)) << llvm::toString(out.takeError());
    return out ? *out : std::vector<Tensor>{};
  }

  /// Random inputs of `args`, then JIT against reference on every result.
  void differential(const std::vector<Shape> &args, const std::string &text) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < args.size(); ++i)
      inputs.push_back(random(args[i], 17 + 31 * unsigned(i)));
    std::vector<Tensor> want = reference(text, inputs);
    auto m = parse(text);
    ASSERT_TRUE(m);
    auto model = cnnc::codegen::buildPipeline(*m);
    ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
    ASSERT_EQ(want.size(), model->outputInfo.size());
    std::vector<std::vector<float>> got;
    std::vector<float *> outs;
    for (const auto &info : model->outputInfo)
      got.emplace_back(numel(info.shape));
    for (auto &g : got)
      outs.push_back(g.data());
    std::vector<const float *> ins;
    for (const Tensor &t : inputs)
      ins.push_back(t.data.data());
    llvm::Error err = cnnc::codegen::runJit(*model, ins, outs);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
    for (size_t r = 0; r < want.size(); ++r) {
      ASSERT_EQ(got[r].size(), want[r].data.size());
      for (size_t i = 0; i < got[r].size(); ++i)
        ASSERT_NEAR(got[r][i], want[r].data[i], 1e-4f * (1 + std::fabs(want[r].data[i])))
            << "result " << r << " at " << i;
    }
  }

  mlir::MLIRContext ctx;
};

//===----------------------------------------------------------------------===//
// Hand-computed reference cases
//===----------------------------------------------------------------------===//

// Zero weights: z = r = 1/2 and the candidate is tanh(0) = 0, so each step
// halves the state: 1 -> 0.5 -> 0.25 -> 0.125.
TEST_F(Sequence, ReferenceGruHalvesState) {
  Shape xs{3, 1, 2}, ws{1, 3, 2}, rs{1, 3, 1}, hs{1, 1, 1};
  std::string text = moduleText(
      {xs, ws, rs, hs}, {{3, 1, 1, 1}, hs},
      "%y, %h = cnn.gru %a0, %a1, %a2 initial_h %a3 {hidden_size = 1 : i64, "
      "direction = #cnn<rnn_direction forward>, activations = [\"Sigmoid\", "
      "\"Tanh\"], layout = 0 : i64, linear_before_reset = false} : " +
          signature({xs, ws, rs, hs}, {{3, 1, 1, 1}, hs}),
      "%y, %h");
  auto out = reference(text, {random(xs, 1), Tensor{ws, std::vector<float>(6, 0)},
                              Tensor{rs, std::vector<float>(3, 0)},
                              Tensor{hs, {1.0f}}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data, (std::vector<float>{0.5f, 0.25f, 0.125f}));
  EXPECT_EQ(out[1].data, (std::vector<float>{0.125f}));
}

// RNN with W = 1, R = 0, reverse: y_t = tanh(x_t) whatever the order; with
// sequence_lens = [2] the last step is 0 and Y_h is the state of time 0.
TEST_F(Sequence, ReferenceRnnReverseWithLengths) {
  Shape xs{3, 1, 1}, ws{1, 1, 1}, ys{3, 1, 1, 1}, hs{1, 1, 1};
  std::string text = moduleText(
      {xs, ws, ws}, {ys, hs},
      "%y, %h = cnn.rnn %a0, %a1, %a2 {hidden_size = 1 : i64, direction = "
      "#cnn<rnn_direction reverse>, activations = [\"Tanh\"], layout = 0 : i64, "
      "sequence_lens = array<i64: 2>} : " + signature({xs, ws, ws}, {ys, hs}),
      "%y, %h");
  auto out = reference(text, {Tensor{xs, {0.5f, -1.0f, 2.0f}}, Tensor{ws, {1.0f}},
                              Tensor{ws, {0.0f}}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].data[0], std::tanh(0.5f));
  EXPECT_FLOAT_EQ(out[0].data[1], std::tanh(-1.0f));
  EXPECT_EQ(out[0].data[2], 0.0f);
  EXPECT_FLOAT_EQ(out[1].data[0], std::tanh(0.5f));
}

TEST_F(Sequence, ReferenceLayerNorm) {
  Shape xs{1, 3}, ss{3};
  std::string text = moduleText(
      {xs, ss}, {xs},
      "%r = cnn.layer_norm %a0, %a1 {axis = -1 : i64, epsilon = 0.0 : f32} : (" +
          ty(xs) + ", " + ty(ss) + ") -> " + ty(xs),
      "%r");
  auto out = reference(text, {Tensor{xs, {1, 2, 3}}, Tensor{ss, {1, 1, 2}}});
  ASSERT_EQ(out.size(), 1u);
  float s = std::sqrt(1.5f);
  EXPECT_NEAR(out[0].data[0], -s, 1e-6);
  EXPECT_NEAR(out[0].data[1], 0, 1e-6);
  EXPECT_NEAR(out[0].data[2], 2 * s, 1e-6);
}

// Equal keys give equal weights: the output is the mean of the values; a
// -inf mask entry removes a key.
TEST_F(Sequence, ReferenceAttentionMean) {
  Shape qs{1, 1, 2, 2}, vs{1, 1, 3, 1}, ms{3};
  std::string text = moduleText(
      {qs, {1, 1, 3, 2}, vs, ms}, {{1, 1, 2, 1}},
      "%r = cnn.attention %a0, %a1, %a2, %a3 : (" + ty(qs) + ", " +
          ty({1, 1, 3, 2}) + ", " + ty(vs) + ", " + ty(ms) + ") -> " +
          ty({1, 1, 2, 1}),
      "%r");
  float inf = INFINITY;
  auto out = reference(text, {random(qs, 3), Tensor{{1, 1, 3, 2}, {1, 1, 1, 1, 1, 1}},
                              Tensor{vs, {1, 2, 6}}, Tensor{ms, {0, 0, -inf}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FLOAT_EQ(out[0].data[0], 1.5f);
  EXPECT_FLOAT_EQ(out[0].data[1], 1.5f);
}

//===----------------------------------------------------------------------===//
// Halide lowering against the reference
//===----------------------------------------------------------------------===//

struct RecurrentCase {
  std::string op;
  int gates, hidden, seq, batch, input;
  std::string direction, attrs; // attrs: extra, e.g. "clip = 2.0 : f32"
  int layout;
  bool bias, initial;
  std::string acts;

  int dirs() const { return direction == "bidirectional" ? 2 : 1; }
  std::string text(std::vector<Shape> &args) const {
    int D = dirs(), H = hidden;
    Shape state = layout ? Shape{batch, D, H} : Shape{D, batch, H};

    args = {layout ? Shape{batch, seq, input} : Shape{seq, batch, input},
            {D, gates * H, input}, {D, gates * H, H}};
    std::string operands = "%a0, %a1, %a2";
    auto add = [&](const std::string &kw, Shape s) {
      operands += " " + kw + " %a" + std::to_string(args.size());
      args.push_back(s);
    };
    if (bias)
      add("bias", {D, 2 * gates * H});
    if (initial)
      add("initial_h", state);
    if (initial && op == "lstm")
      add("initial_c", state);
    if (initial && op == "lstm")
      add("peepholes", {D, 3 * H});
    std::vector<Shape> results{layout ? Shape{batch, seq, D, H} : Shape{seq, D, batch, H},
                               state};
    std::string names = "%y, %h";
    if (op == "lstm") {
      results.push_back(state);
      names += ", %c";
    }
    std::string allActs = acts;
    for (int d = 1; d < D; ++d)
      allActs += ", " + acts;
    std::string body = names + " = cnn." + op + " " + operands +
                       " {hidden_size = " + std::to_string(H) +
                       " : i64, direction = #cnn<rnn_direction " + direction +
                       ">, activations = [" + allActs + "], layout = " +
                       std::to_string(layout) + " : i64" +
                       (attrs.empty() ? "" : ", " + attrs) + "} : " +
                       signature(args, results);
    return moduleText(args, results, body, names);
  }
};
void PrintTo(const RecurrentCase &c, std::ostream *os) {
  *os << c.op << " " << c.direction << " hidden " << c.hidden << " seq " << c.seq;
}

class RecurrentDiff : public Sequence,
                      public ::testing::WithParamInterface<RecurrentCase> {};

TEST_P(RecurrentDiff, MatchesReference) {
  std::vector<Shape> args;
  std::string text = GetParam().text(args);
  differential(args, text);
}

const char *kLstmActs = "\"Sigmoid\", \"Tanh\", \"Tanh\"";
const char *kGruActs = "\"Sigmoid\", \"Tanh\"";
const char *kRnnActs = "\"Tanh\"";

INSTANTIATE_TEST_SUITE_P(
    Sequence, RecurrentDiff,
    ::testing::Values(
        RecurrentCase{"lstm", 4, 5, 4, 2, 3, "forward", "", 0, true, true, kLstmActs},
        RecurrentCase{"lstm", 4, 3, 5, 3, 2, "bidirectional", "clip = 0.5 : f32", 1, true, true, kLstmActs},
        RecurrentCase{"lstm", 4, 4, 4, 2, 3, "reverse", "sequence_lens = array<i64: 2, 4>", 0, false, false, kLstmActs},
        RecurrentCase{"lstm", 4, 4, 3, 1, 2, "forward", "", 0, true, false,
                      "\"HardSigmoid\", \"Softsign\", \"Relu\""},
        RecurrentCase{"gru", 3, 5, 4, 2, 3, "forward", "linear_before_reset = false", 0, true, true, kGruActs},
        RecurrentCase{"gru", 3, 4, 4, 2, 3, "bidirectional",
                      "linear_before_reset = true, sequence_lens = array<i64: 3, 1>", 0, true, true, kGruActs},
        RecurrentCase{"gru", 3, 3, 5, 2, 4, "reverse", "linear_before_reset = true", 1, true, false, kGruActs},
        RecurrentCase{"rnn", 1, 6, 5, 2, 3, "forward", "", 0, true, true, kRnnActs},
        RecurrentCase{"rnn", 1, 4, 4, 3, 2, "bidirectional", "sequence_lens = array<i64: 4, 2, 1>", 1, true, true,
                      "\"Softplus\""},
        // activation_alpha / activation_beta: one value per activation,
        // non-default everywhere (ignored by Relu/Tanh/Softsign entries).
        RecurrentCase{"lstm", 4, 4, 4, 2, 3, "forward",
                      "activation_alpha = array<f32: 0.3, 0.7, 1.5>, activation_beta = array<f32: 0.6, 0.4, 0.25>", 0,
                      true, true, "\"HardSigmoid\", \"ScaledTanh\", \"Affine\""},
        RecurrentCase{"gru", 3, 5, 4, 2, 3, "bidirectional",
                      "linear_before_reset = true, activation_alpha = array<f32: 0.2, 0.5, 0.05, 2.0>, "
                      "activation_beta = array<f32: 0.0, 0.0, 0.0, 0.0>", 0, true, true,
                      "\"LeakyRelu\", \"Elu\""},   // per direction: alphas 0.2, 0.5 then 0.05, 2
        RecurrentCase{"rnn", 1, 4, 5, 2, 3, "forward", "activation_alpha = array<f32: 0.1>", 0, true, true,
                      "\"ThresholdedRelu\""},
        // Sizes of the schedule's edge cases: hidden units in two packed
        // blocks (64 + 8, the last block shifted inwards) and in vectors
        // with tails, steps not a multiple of the projection tile (8).
        RecurrentCase{"lstm", 4, 72, 11, 2, 20, "bidirectional", "", 0, true, true, kLstmActs},
        RecurrentCase{"gru", 3, 40, 9, 1, 17, "forward", "linear_before_reset = false", 1, true, true, kGruActs},
        RecurrentCase{"gru", 3, 128, 3, 1, 64, "reverse", "linear_before_reset = true", 0, true, false, kGruActs}),
    // Readable test names: lstm_forward_0, gru_reverse_6, ...
    [](const ::testing::TestParamInfo<RecurrentCase> &info) {
      return info.param.op + "_" + info.param.direction + "_" + std::to_string(info.index);
    });

TEST_F(Sequence, LayerNormMatchesReference) {
  Shape xs{2, 3, 20}, ss{3, 20}, bs{20};
  differential({xs, ss, bs},
               moduleText({xs, ss, bs}, {xs},
                          "%r = cnn.layer_norm %a0, %a1, %a2 {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (" +
                              ty(xs) + ", " + ty(ss) + ", " + ty(bs) + ") -> " + ty(xs),
                          "%r"));
}

TEST_F(Sequence, LayerNormStatsMatchReference) {
  // Mean and InvStdDev next to the normalised output, over the last two
  // dimensions (kept as 1s), with a non-zero mean per row.
  Shape xs{2, 3, 20}, ss{3, 20}, stat{2, 1, 1};
  differential({xs, ss},
               moduleText({xs, ss}, {xs, stat, stat},
                          "%y = cnn.layer_norm %a0, %a1 {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (" + ty(xs) +
                              ", " + ty(ss) + ") -> " + ty(xs) +
                              "\n %c = cnn.constant dense<0.75> : tensor<f32>\n"
                              "%x = cnn.add %a0, %c : (" + ty(xs) + ", tensor<f32>) -> " + ty(xs) +
                              "\n %m:2 = cnn.layer_norm_stats %x {axis = -2 : i64, epsilon = 1.0e-3 : f32} : (" +
                              ty(xs) + ") -> (" + ty(stat) + ", " + ty(stat) + ")",
                          "%y, %m#0, %m#1"));
}

/// Differential test of one cnn.attention of `args` (q, k, v[, mask]).
void attentionDiff(Sequence &t, const std::vector<Shape> &args, const Shape &result,
                   const std::string &attrs = "") {
  std::string operands, types;
  for (size_t i = 0; i < args.size(); ++i) {
    operands += (i ? ", %a" : "%a") + std::to_string(i);
    types += (i ? ", " : "") + ty(args[i]);
  }
  t.differential(args, moduleText(args, {result},
                                  "%r = cnn.attention " + operands +
                                      (attrs.empty() ? "" : " {" + attrs + "}") + " : (" +
                                      types + ") -> " + ty(result),
                                  "%r"));
}

TEST_F(Sequence, Attention4DMaskMatchesReference) {
  attentionDiff(*this, {{2, 2, 5, 4}, {2, 2, 7, 4}, {2, 2, 7, 3}, {5, 7}}, {2, 2, 5, 3});
}

// Keys and dimension multiples of 16 (keys transposed by 16 x 16 blocks in
// registers), query rows not a multiple of the 16-row tile, values not a
// multiple of a vector, a mask.
TEST_F(Sequence, AttentionTiledMatchesReference) {
  attentionDiff(*this, {{1, 2, 37, 32}, {1, 2, 48, 32}, {1, 2, 48, 24}, {37, 48}}, {1, 2, 37, 24});
}

// 3-D operands split into 2 heads of 32; 130 queries and keys (a tail tile).
TEST_F(Sequence, Attention3DLongMatchesReference) {
  Shape xs{1, 130, 64};
  attentionDiff(*this, {xs, xs, xs}, xs, "num_heads = 2 : i64");
}

// 3-D operands split into 2 heads of 32 with keys a multiple of 16: the
// keys transposed by 16 x 16 blocks (zip stages) through the heads' columns.
TEST_F(Sequence, Attention3DBlockedKeysMatchesReference) {
  Shape xs{1, 48, 64};
  attentionDiff(*this, {{1, 20, 64}, xs, xs}, {1, 20, 64}, "num_heads = 2 : i64");
}

// Its output rows are exactly one AVX-512 vector (4 heads x 4), stored with
// aligned moves: this crashed on the std::vector buffers (16-byte aligned)
// until runJit staged caller memory that is not 64-byte aligned.
TEST_F(Sequence, Attention3DHeadsMatchesReference) {
  Shape xs{1, 6, 16};
  attentionDiff(*this, {xs, xs, xs}, xs, "num_heads = 4 : i64, scale = 0.3 : f32");
}

} // namespace
