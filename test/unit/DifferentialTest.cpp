//===- DifferentialTest.cpp - codegen (JIT) against the reference evaluator ===//
//
// For every op of the cnn dialect, random cases from fixed seeds (shapes,
// kernels, strides, paddings, dilations, groups, modes, axes, broadcasts) are
// built with cnn::createInferred -- cases the shape rule or verifier rejects
// are skipped -- batched several to one module, compiled with the Halide JIT
// and compared with cnnc::reference::evaluate. Tolerance:
// |jit - ref| <= 1e-4 * max(1, |ref|), or for a case whose rounding error
// scales with its output's largest value (Winograd F(4x4, 3x3): ~2e-6 of it,
// test/unit/CodegenTest.cpp) 1e-4 * max(1, |ref|, 0.1 * max |ref|).
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"
#include "ir/CnnDialect.h"
#include "ir/OpBuilding.h"
#include "tools/reference/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <functional>
#include <numeric>
#include <random>

using namespace mlir;
using Shape = std::vector<int64_t>;
using Buf = std::vector<float>;

namespace {

constexpr float kTolerance = 1e-4f;
constexpr size_t kBatch = 6; // cases per module (one JIT compile)

/// Deterministic random choices of one test.
struct Rng {
  std::mt19937 gen;
  explicit Rng(unsigned seed) : gen(seed) {}
  int64_t range(int64_t lo, int64_t hi) { // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(gen);
  }
  bool coin() { return range(0, 1); }
  float real(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen); }
  template <class T> T pick(std::initializer_list<T> xs) {
    return xs.begin()[range(0, int64_t(xs.size()) - 1)];
  }
  Shape shape(int rankLo, int rankHi, int64_t dimHi) {
    Shape s(range(rankLo, rankHi));
    for (int64_t &d : s)
      d = range(1, dimHi);
    return s;
  }
};

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

std::string str(const Shape &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

/// How a function argument's random values are drawn.
enum class Fill { Unit, Wide, Positive, AwayFromZero };

/// A module under construction: `main` gains an argument per operand and a
/// result per accepted case; check() compiles and compares them all.
class Batch {
public:
  Batch(MLIRContext &ctx, Rng &rng) : ctx(ctx), rng(rng), builder(&ctx) {
    module = ModuleOp::create(builder.getUnknownLoc(), StringRef("diff"));
    builder.setInsertionPointToEnd(module.getBody());
    main = func::FuncOp::create(builder, builder.getUnknownLoc(), "main",
                                        builder.getFunctionType({}, {}));
    builder.setInsertionPointToEnd(main.addEntryBlock());
  }
  ~Batch() { module->erase(); }

  MLIRContext &context() { return ctx; }
  OpBuilder &b() { return builder; }
  size_t size() const { return results.size(); }

  Value arg(const Shape &s, Fill fill = Fill::Unit) {
    Buf data(numel(s));
    for (float &v : data)
      v = draw(fill);
    inputs.push_back({s, std::move(data)});
    return main.getBody().front().addArgument(type(s), builder.getUnknownLoc());
  }

  Value constant(const Shape &s) {
    Buf data(numel(s));
    for (float &v : data)
      v = draw(Fill::Unit);
    auto attr = DenseElementsAttr::get(type(s), ArrayRef<float>(data));
    return cnn::ConstantOp::create(builder, builder.getUnknownLoc(), type(s), attr);
  }

  /// Adds op `name` as a case (`returned`: main returns its result; else it
  /// is only an intermediate of later cases); false (and nothing added) when
  /// the shape rule or the verifier rejects it.
  bool add(const std::string &desc, StringRef name, ValueRange operands,
           ArrayRef<NamedAttribute> attrs, bool returned = true) {
    ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
    FailureOr<Operation *> op =
        cnn::createInferred(builder, builder.getUnknownLoc(), "cnn." + name.str(), operands, attrs);
    if (failed(op))
      return false;
    if (failed(verify(*op))) {
      (*op)->erase();
      return false;
    }
    lastValue = (*op)->getResult(0);
    if (returned)
      result(lastValue, name.str() + " " + desc);
    return true;
  }
  /// The value of the last op added.
  Value last() const { return lastValue; }
  /// The last case's error scales with its largest output (see the top).
  void errorScalesWithOutput() { scaled.back() = true; }

  /// Returns `v` from main as one more case.
  void result(Value v, const std::string &desc) {
    results.push_back(v);
    descs.push_back(desc);
    scaled.push_back(false);
  }

  void check();

  NamedAttribute attr(StringRef name, Attribute a) { return builder.getNamedAttr(name, a); }
  NamedAttribute ints(StringRef name, ArrayRef<int64_t> v) {
    return attr(name, builder.getDenseI64ArrayAttr(v));
  }
  NamedAttribute flag(StringRef name, bool v) { return attr(name, builder.getBoolAttr(v)); }
  NamedAttribute f32(StringRef name, float v) { return attr(name, builder.getF32FloatAttr(v)); }
  NamedAttribute i64(StringRef name, int64_t v) { return attr(name, builder.getI64IntegerAttr(v)); }

private:
  /// Runs `model` by the JIT and compares each output with `want`.
  void expectMatches(cnnc::codegen::LoweredModel &model, const std::vector<const float *> &ins,
                     const std::vector<cnnc::reference::Tensor> &want, const std::string &prefix);
  RankedTensorType type(const Shape &s) { return RankedTensorType::get(s, builder.getF32Type()); }
  float draw(Fill fill) {
    switch (fill) {
    case Fill::Unit: return rng.real(-1, 1);
    case Fill::Wide: return rng.real(-6, 6);
    case Fill::Positive: return rng.real(0.1f, 2);
    case Fill::AwayFromZero: return rng.real(0.5f, 2) * (rng.coin() ? 1 : -1);
    }
    return 0;
  }

  MLIRContext &ctx;
  Rng &rng;
  OpBuilder builder;
  ModuleOp module;
  func::FuncOp main;
  std::vector<cnnc::reference::Tensor> inputs;
  std::vector<Value> results;
  Value lastValue;
  std::vector<std::string> descs;
  std::vector<bool> scaled;
};

void Batch::check() {
  if (results.empty())
    return;
  func::ReturnOp::create(builder, builder.getUnknownLoc(), results);
  main.setFunctionType(builder.getFunctionType(main.getBody().front().getArgumentTypes(),
                                               ValueRange(results).getTypes()));
  ASSERT_TRUE(succeeded(verify(module)));
  auto want = cnnc::reference::evaluate(module, inputs);
  ASSERT_TRUE(bool(want)) << llvm::toString(want.takeError());
  auto model = cnnc::codegen::buildPipeline(module);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError()) << "\ncases: " << descs[0] << " ...";
  std::vector<const float *> ins;
  for (const auto &t : inputs)
    ins.push_back(t.data.data());
  // The schedules for 1 thread and for more differ (row tasks of depthwise
  // convs, kOneTaskRows): both run, the pipeline compiled once.
  for (int threads : {1, 2}) {
    model->threads.set(threads);
    expectMatches(*model, ins, *want, "threads=" + std::to_string(threads) + ": ");
  }
}

void Batch::expectMatches(cnnc::codegen::LoweredModel &model,
                          const std::vector<const float *> &ins,
                          const std::vector<cnnc::reference::Tensor> &want,
                          const std::string &prefix) {
  std::vector<Buf> got;
  std::vector<float *> outs;
  for (const auto &info : model.outputInfo)
    got.emplace_back(numel(info.shape), NAN);
  for (Buf &g : got)
    outs.push_back(g.data());
  llvm::Error err = cnnc::codegen::runJit(model, ins, outs);
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (size_t k = 0; k < got.size(); ++k) {
    const Buf &w = want[k].data;
    ASSERT_EQ(got[k].size(), w.size()) << prefix << descs[k];
    float floor = 1.0f;
    if (scaled[k])
      for (float v : w)
        floor = std::max(floor, 0.1f * std::fabs(v));
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < w.size(); ++i)
      if (got[k][i] != w[i] && // equal infinities match too
          !(std::fabs(got[k][i] - w[i]) <= kTolerance * std::max(floor, std::fabs(w[i]))) &&
          bad++ == 0)
        first = i;
    EXPECT_EQ(bad, 0u) << prefix << descs[k] << ": " << bad << " of " << w.size()
                       << " values differ; first at " << first << ": jit " << got[k][first]
                       << ", reference " << w[first];
  }
}

//===----------------------------------------------------------------------===//
// Case generators: each adds one random case of its op to a Batch (or is
// rejected by the shape rule) and returns whether it was accepted.
//===----------------------------------------------------------------------===//

using Gen = std::function<bool(Rng &, Batch &)>;

std::string fmt(std::initializer_list<std::pair<const char *, std::string>> kv) {
  std::string s;
  for (auto &[k, v] : kv)
    s += std::string(s.empty() ? "" : " ") + k + "=" + v;
  return s;
}
std::string str(int64_t v) { return std::to_string(v); }

bool genConv(Rng &r, Batch &b) {
  int64_t g = r.pick<int64_t>({1, 1, 2, 3, 0}); // 0: depthwise
  int64_t c = g ? g * r.range(1, 3) : r.range(1, 6);
  g = g ? g : c;
  int64_t f = g * r.range(1, 3);
  Shape x{r.range(1, 2), c, r.range(1, 14), r.range(1, 14)};
  Shape w{f, c / g, r.range(1, 7), r.range(1, 7)};
  Shape s{r.range(1, 3), r.range(1, 3)}, d{r.range(1, 3), r.range(1, 3)};
  Shape p{r.range(0, 3), r.range(0, 3), r.range(0, 3), r.range(0, 3)};
  std::vector<Value> ops{b.arg(x), b.arg(w)};
  bool bias = r.coin();
  if (bias)
    ops.push_back(b.arg({f}));
  return b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"s", str(s)}, {"p", str(p)}, {"d", str(d)},
                    {"g", str(g)}, {"bias", str(bias)}}),
               "conv2d", ops,
               {b.ints("strides", s), b.ints("pads", p), b.ints("dilations", d), b.i64("groups", g)});
}

/// A direct conv in the blocked layout (16, 24 or 40 filters: whole and
/// partial blocks) with constant weights, any kernel, stride, dilation and
/// padding, its kx taps outside or inside (cnn.tiling kx_inner) the input
/// channels of a block.
bool genConvBlocked(Rng &r, Batch &b) {
  int64_t c = r.range(1, 20), f = r.pick<int64_t>({16, 24, 40});
  // Up to 40 columns: outputs of 16 and more are stored by 16 x 16 tiles
  // (scheduleBlockedOutput), with partial tiles of channels and columns.
  Shape x{r.range(1, 2), c, r.range(1, 14), r.range(1, 40)};
  Shape w{f, c, r.range(1, 5), r.range(1, 5)};
  Shape s{r.range(1, 3), r.range(1, 3)}, d{r.range(1, 2), r.range(1, 2)};
  Shape p{r.range(0, 2), r.range(0, 2), r.range(0, 2), r.range(0, 2)};
  bool kxInner = r.coin(), bias = r.coin();
  std::vector<Value> ops{b.arg(x), b.constant(w)};
  if (bias)
    ops.push_back(b.arg({f}));
  auto tiling = b.b().getDictionaryAttr({b.flag("kx_inner", kxInner)});
  return b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"s", str(s)}, {"p", str(p)}, {"d", str(d)},
                    {"kx_inner", str(kxInner)}, {"bias", str(bias)}}),
               "conv2d", ops,
               {b.ints("strides", s), b.ints("pads", p), b.ints("dilations", d),
                b.i64("groups", 1), b.attr("cnn.tiling", tiling)});
}

/// cnn.tiling marking a conv for Winograd F(m x m, 3x3), with the
/// stationary operand when given (as --cnn-choose-tiling marks one).
DictionaryAttr winogradTiling(Batch &b, int64_t m, StringRef stationary = "") {
  SmallVector<NamedAttribute> keys{b.attr("algorithm", b.b().getStringAttr("winograd")),
                                   b.i64("winograd_tile", m)};
  if (!stationary.empty())
    keys.push_back(b.attr("stationary", b.b().getStringAttr(stationary)));
  return b.b().getDictionaryAttr(keys);
}

/// A 3x3 stride-1 conv (dilated or not) with constant weights marked for
/// Winograd, F(2x2, 3x3) or F(4x4, 3x3), inputs or weights stationary (as
/// --cnn-choose-tiling marks it; the pass picks F(4x4) only for larger
/// maps): odd sizes leave partial tiles, channel counts partial blocks; 288
/// channels split the weights-stationary GEMM's reduction into chunks. Some
/// are 2x2, F(2x2, 2x2) (codegen takes a hand-written mark on any r x r
/// kernel with tables).
bool genConvWinograd(Rng &r, Batch &b) {
  int64_t c = r.pick<int64_t>({16, 17, 24, 32, 40, 288}), f = r.range(1, 40);
  int64_t k = r.pick<int64_t>({3, 3, 3, 2}), m = k == 3 ? r.pick<int64_t>({2, 4}) : 2;
  StringRef stationary = r.coin() ? "weights" : "inputs";
  Shape x{r.range(1, 2), c, r.range(1, 13), r.range(1, 13)};
  Shape w{f, c, k, k};
  Shape p{r.range(0, 2), r.range(0, 2), r.range(0, 2), r.range(0, 2)};
  Shape d{r.pick<int64_t>({1, 1, 2, 3}), r.pick<int64_t>({1, 1, 2, 4})};
  std::vector<Value> ops{b.arg(x), b.constant(w)};
  bool bias = r.coin();
  if (bias)
    ops.push_back(b.arg({f}));
  auto tiling = winogradTiling(b, m, stationary);
  if (!b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"p", str(p)}, {"d", str(d)},
                    {"m", str(m)}, {"stationary", stationary.str()}, {"bias", str(bias)}}),
             "conv2d", ops,
             {b.ints("strides", {1, 1}), b.ints("pads", p), b.ints("dilations", d),
              b.i64("groups", 1), b.attr("cnn.tiling", tiling)}))
    return false;
  if (m == 4)
    b.errorScalesWithOutput();
  return true;
}

/// A depthwise conv over whole blocks of 16 channels (the blocked schedule),
/// with constant (packed at compile time) or argument filters.
bool genConvDepthwiseBlocked(Rng &r, Batch &b) {
  int64_t c = r.pick<int64_t>({16, 32});
  Shape x{r.range(1, 2), c, r.range(1, 12), r.range(1, 12)};
  Shape w{c, 1, r.range(1, 5), r.range(1, 5)};
  Shape s{r.range(1, 2), r.range(1, 2)}, d{r.range(1, 2), r.range(1, 2)};
  Shape p{r.range(0, 2), r.range(0, 2), r.range(0, 2), r.range(0, 2)};
  bool constW = r.coin(), bias = r.coin();
  std::vector<Value> ops{b.arg(x), constW ? b.constant(w) : b.arg(w)};
  if (bias)
    ops.push_back(b.arg({c}));
  return b.add(fmt({{"x", str(x)}, {"w", str(w) + (constW ? " const" : "")}, {"s", str(s)},
                    {"p", str(p)}, {"d", str(d)}, {"bias", str(bias)}}),
               "conv2d", ops,
               {b.ints("strides", s), b.ints("pads", p), b.ints("dilations", d), b.i64("groups", c)});
}

/// Blocked producers feeding blocked consumers: two convs (direct,
/// Winograd or depthwise) over whole 16-channel blocks, a relu, their
/// concat, and a conv over the concat, each read in the blocked layout.
bool genBlockedChain(Rng &r, Batch &b) {
  int64_t c = r.pick<int64_t>({16, 32}), h = r.range(2, 11), w = r.range(2, 11);
  Value x = b.arg({1, c, h, w});
  auto conv = [&](Value in, int64_t f, int64_t k, int64_t g, int64_t d, StringRef algorithm) {
    int64_t p = d * (k - 1) / 2; // "same"
    std::vector<NamedAttribute> attrs{b.ints("strides", {1, 1}), b.ints("pads", {p, p, p, p}),
                                      b.ints("dilations", {d, d}), b.i64("groups", g)};
    if (!algorithm.empty())
      attrs.push_back(b.attr("cnn.tiling", b.b().getDictionaryAttr({b.attr(
                                               "algorithm", b.b().getStringAttr(algorithm))})));
    int64_t cin = cast<RankedTensorType>(in.getType()).getDimSize(1);
    return b.add(fmt({{"chain k", str(k)}, {"g", str(g)}, {"d", str(d)}, {"alg", algorithm.str()}}),
                 "conv2d", {in, b.constant({f, cin / g, k, k})}, attrs);
  };
  if (!conv(x, 16, 3, 1, r.range(1, 2), r.coin() ? "winograd" : ""))
    return false;
  Value a = b.last();
  if (!b.add("chain", "relu", {a}, {}))
    return false;
  Value ra = b.last();
  if (!conv(x, c, 3, c, 1, "")) // depthwise
    return false;
  Value dw = b.last();
  if (!b.add("chain", "concat", {ra, dw}, {b.i64("axis", 1)}))
    return false;
  Value cat = b.last();
  return conv(cat, 16, r.pick<int64_t>({1, 3}), 1, 1, r.coin() ? "winograd" : "");
}

/// MobileNetV2's inverted residual block marked as --cnn-fuse marks it: a
/// 1x1 expansion ("consumer": computed per task of the depthwise conv), a
/// 3x3 depthwise conv ("pair": computed per band of rows of the projection
/// when the map has two bands or more; on 1 thread one band up to 28 rows),
/// each with a relu epilogue, the 1x1 projection and, at stride 1 with
/// equal channels, the residual add. Only
/// the block's output is returned, and on a coin flip also read by a
/// blocked 1x1 conv (returned too), which reads the projection's blocked
/// result: then the bands run in the projection itself, not in the
/// returned output.
bool genInvertedBlock(Rng &r, Batch &b) {
  int64_t c = r.pick<int64_t>({16, 24}), e = r.pick<int64_t>({32, 48});
  int64_t f = r.pick<int64_t>({16, 24}), s = r.range(1, 2);
  Value x = b.arg({r.range(1, 2), c, r.range(6, 30), r.range(3, 20)});
  auto mark = [&](StringRef m) { return b.attr("cnn.fuse", b.b().getStringAttr(m)); };
  auto conv = [&](Value in, Shape w, int64_t stride, int64_t pad, int64_t groups, StringRef m,
                  bool returned) {
    std::vector<NamedAttribute> attrs{b.ints("strides", {stride, stride}),
                                      b.ints("pads", {pad, pad, pad, pad}),
                                      b.ints("dilations", {1, 1}), b.i64("groups", groups)};
    if (!m.empty())
      attrs.push_back(mark(m));
    return b.add(fmt({{"block w", str(w)}, {"s", str(stride)}, {"fuse", m.str()}}), "conv2d",
                 {in, b.constant(w)}, attrs, returned);
  };
  auto relu = [&] {
    return b.add("block", "relu", {b.last()}, {mark("epilogue"), b.i64("cnn.fuse_operand", 0)},
                 false);
  };
  if (!conv(x, {e, c, 1, 1}, 1, 0, 1, "consumer", false) || !relu() ||
      !conv(b.last(), {e, 1, 3, 3}, s, 1, e, "pair", false) || !relu())
    return false;
  bool residual = s == 1 && f == c;
  if (!conv(b.last(), {f, e, 1, 1}, 1, 0, 1, "", !residual) ||
      (residual && !b.add("block", "add", {x, b.last()},
                          {mark("epilogue"), b.i64("cnn.fuse_operand", 1)})))
    return false;
  return !r.coin() || conv(b.last(), {16, f, 1, 1}, 1, 0, 1, "", true);
}

/// A Winograd conv (F(2x2) or F(4x4), dilated or not) over a blocked input
/// whose padded copy outgrows L2 (64 channels at 89-95 square: over 2 MiB),
/// which codegen packs per tile row instead of whole: odd sizes leave
/// partial tiles of every dilation phase.
bool genConvWinogradRows(Rng &r, Batch &b) {
  int64_t h = r.range(89, 95), w = r.range(89, 95), d = r.pick<int64_t>({1, 2, 4});
  Value x = b.arg({1, 16, h, w});
  if (!b.add("rows in", "conv2d", {x, b.constant({64, 16, 1, 1})},
             {b.ints("strides", {1, 1}), b.ints("pads", {0, 0, 0, 0}),
              b.ints("dilations", {1, 1}), b.i64("groups", 1)}) ||
      !b.add("rows in", "relu", {b.last()}, {}))
    return false;
  Shape p{r.range(0, d), r.range(0, d), r.range(0, d), r.range(0, d)};
  int64_t f = r.pick<int64_t>({16, 24}), m = r.pick<int64_t>({2, 4});
  auto tiling = winogradTiling(b, m);
  if (!b.add(fmt({{"rows x", str(Shape{1, 64, h, w})}, {"p", str(p)}, {"d", str(d)},
                    {"f", str(f)}, {"m", str(m)}}),
             "conv2d", {b.last(), b.constant({f, 64, 3, 3})},
             {b.ints("strides", {1, 1}), b.ints("pads", p), b.ints("dilations", {d, d}),
              b.i64("groups", 1), b.attr("cnn.tiling", tiling)}))
    return false;
  if (m == 4)
    b.errorScalesWithOutput();
  return true;
}

/// The dilated context module with parallel branches (as exported from
/// PyTorch): an input that three Winograd convs read (one blocked copy of
/// it), their relus concatenated and fused by a 1x1 conv that computes the
/// branches per band of rows, a residual add of the input and a relu, the
/// network output running the bands. Each branch is F(2x2) or F(4x4).
/// Sizes leave partial bands and tiles. (Every op here is also a result of
/// the module, so nothing is computed inside another op's loops: the
/// branches per band are covered by test/codegen/diff-context.test.)
bool genContextModule(Rng &r, Batch &b) {
  int64_t c = r.pick<int64_t>({16, 32}), h = r.range(3, 21), w = r.range(3, 21);
  Value x = b.arg({1, c, h, w});
  bool f4 = false; // from the first F(4x4) branch on, errors scale with the output
  auto add = [&](const std::string &desc, StringRef name, ValueRange operands,
                 ArrayRef<NamedAttribute> attrs) {
    if (!b.add(desc, name, operands, attrs))
      return false;
    if (f4)
      b.errorScalesWithOutput();
    return true;
  };
  std::vector<Value> branches;
  for (int64_t d : {1, 2, 4}) {
    int64_t m = r.pick<int64_t>({2, 4});
    f4 = f4 || m == 4;
    auto tiling = winogradTiling(b, m);
    if (!add(fmt({{"context h", str(h)}, {"w", str(w)}, {"d", str(d)}, {"m", str(m)}}), "conv2d",
             {x, b.constant({16, c, 3, 3}), b.constant({16})},
             {b.ints("strides", {1, 1}), b.ints("pads", {d, d, d, d}),
              b.ints("dilations", {d, d}), b.i64("groups", 1), b.attr("cnn.tiling", tiling)}) ||
        !add("context", "relu", {b.last()}, {}))
      return false;
    branches.push_back(b.last());
  }
  if (!add("context", "concat", branches, {b.i64("axis", 1)}) ||
      !add("context", "conv2d", {b.last(), b.constant({c, 48, 1, 1})},
           {b.ints("strides", {1, 1}), b.ints("pads", {0, 0, 0, 0}),
            b.ints("dilations", {1, 1}), b.i64("groups", 1)}) ||
      !add("context", "add", {b.last(), x}, {}))
    return false;
  return add("context", "relu", {b.last()}, {});
}

/// A global pool read in the blocked layout of the conv (and relu) before it,
/// whose filters may end in a partial block of 16.
Gen genBlockedGlobalPool(const char *name) {
  return [=](Rng &r, Batch &b) {
    int64_t n = r.range(1, 2), c = r.range(1, 8), f = r.pick<int64_t>({16, 24, 40});
    int64_t k = r.pick<int64_t>({1, 3}), p = k / 2;
    Value x = b.arg({n, c, r.range(1, 9), r.range(1, 9)});
    if (!b.add(fmt({{"pool in: f", str(f)}, {"k", str(k)}}), "conv2d",
               {x, b.constant({f, c, k, k})},
               {b.ints("strides", {1, 1}), b.ints("pads", {p, p, p, p}),
                b.ints("dilations", {1, 1}), b.i64("groups", 1)}))
      return false;
    if (r.coin() && !b.add("pool in", "relu", {b.last()}, {}))
      return false;
    return b.add("blocked", name, {b.last()}, {});
  };
}

bool genConvTranspose(Rng &r, Batch &b) {
  int64_t g = r.pick<int64_t>({1, 1, 2, 3, 0});
  int64_t c = g ? g * r.range(1, 3) : r.range(1, 5);
  g = g ? g : c;
  Shape x{r.range(1, 2), c, r.range(1, 6), r.range(1, 6)};
  // Kernels to 8 and strides to 4: K = 8, s = 4 has phases of 2 x 2 taps
  // (unrolled, kx_inner possible); 1-pixel axes one tap per phase.
  Shape w{c, r.range(1, 3), r.range(1, 8), r.range(1, 8)};
  Shape s{r.range(1, 4), r.range(1, 4)}, d{r.range(1, 3), r.range(1, 3)};
  Shape op{r.range(0, std::max(s[0], d[0]) - 1), r.range(0, std::max(s[1], d[1]) - 1)};
  Shape p{r.range(0, 2), r.range(0, 2), r.range(0, 2), r.range(0, 2)};
  std::vector<Value> ops{b.arg(x), b.arg(w)};
  // kx_inner and unroll_kx: the sub-pixel form's taps (a phase's columns
  // unrolled, and inside the channels).
  bool bias = r.coin(), kxInner = r.coin(), unrollKx = r.range(0, 3) > 0;
  if (bias)
    ops.push_back(b.arg({w[1] * g}));
  auto tiling = b.b().getDictionaryAttr(
      {b.flag("kx_inner", kxInner), b.flag("unroll_kx", unrollKx)});
  return b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"s", str(s)}, {"p", str(p)}, {"d", str(d)},
                    {"outpad", str(op)}, {"g", str(g)}, {"kx_inner", str(kxInner)},
                    {"unroll_kx", str(unrollKx)}, {"bias", str(bias)}}),
               "conv_transpose2d", ops,
               {b.ints("strides", s), b.ints("pads", p), b.ints("output_padding", op),
                b.ints("dilations", d), b.i64("groups", g), b.attr("cnn.tiling", tiling)});
}

/// A sub-pixel conv_transpose2d with constant weights marked for Winograd
/// per phase (as --cnn-choose-tiling marks DCGAN's): phases of 2 x 2 taps
/// (F(2x2, 2x2)) or 3 x 3 (F(2x2) or F(4x4, 3x3)) on both axes, kernels that
/// fill every phase or leave some taps beyond the kernel (zero), odd sizes
/// (partial tiles), partial channel blocks, pads up to 3 (phase offsets
/// past a stride), either operand stationary, the input an argument or a
/// blocked conv + relu read in place; a 1-pixel input axis (one tap a
/// phase) falls back to the direct loop.
bool genConvTransposeWinograd(Rng &r, Batch &b) {
  int64_t taps = r.pick<int64_t>({2, 2, 3}), m = taps == 3 ? r.pick<int64_t>({2, 4}) : 2;
  int64_t c = r.pick<int64_t>({16, 17, 24, 32}), f = r.range(1, 40);
  Shape s{r.range(1, 3), r.range(1, 3)};
  // ceil(K / s) = taps: K in (s (taps - 1), s taps].
  Shape w{c, f, s[0] * taps - r.range(0, s[0] - 1), s[1] * taps - r.range(0, s[1] - 1)};
  Shape x{r.range(1, 2), c, r.range(1, 9), r.range(2, 9)};
  Shape p{r.range(0, 3), r.range(0, 3), r.range(0, 3), r.range(0, 3)};
  Shape op{r.range(0, s[0] - 1), r.range(0, s[1] - 1)};
  StringRef stationary = r.coin() ? "weights" : "inputs";
  Value in = b.arg(x);
  bool producer = r.coin() && c % 16 == 0;
  if (producer && !(b.add("producer: conv2d + relu", "conv2d", {in, b.constant({c, c, 1, 1})},
                          {b.ints("strides", {1, 1}), b.ints("pads", {0, 0, 0, 0}),
                           b.ints("dilations", {1, 1}), b.i64("groups", 1)}) &&
                    b.add("relu", "relu", {b.last()}, {})))
    return false;
  std::vector<Value> ops{producer ? b.last() : in, b.constant(w)};
  bool bias = r.coin();
  if (bias)
    ops.push_back(b.arg({f}));
  if (!b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"s", str(s)}, {"p", str(p)}, {"outpad", str(op)},
                  {"m", str(m)}, {"stationary", stationary.str()}, {"bias", str(bias)},
                  {"producer", str(producer)}}),
             "conv_transpose2d", ops,
             {b.ints("strides", s), b.ints("pads", p), b.ints("output_padding", op),
              b.ints("dilations", {1, 1}), b.i64("groups", 1),
              b.attr("cnn.tiling", winogradTiling(b, m, stationary))}))
    return false;
  if (m == 4)
    b.errorScalesWithOutput();
  return true;
}

/// A conv_transpose2d with constant weights and fewer output channels than a
/// vector, marked "nchw" as --cnn-choose-tiling marks it (ColumnPhasedConv:
/// vectors along each phase's columns; widths from scalar to two vectors).
bool genConvTransposeColumns(Rng &r, Batch &b) {
  int64_t c = r.range(1, 20), f = r.range(1, 15);
  Shape x{r.range(1, 2), c, r.range(1, 12), r.range(1, 40)};
  Shape w{c, f, r.range(1, 5), r.range(1, 5)};
  Shape s{r.range(1, 3), r.range(1, 3)};
  Shape op{r.range(0, s[0] - 1), r.range(0, s[1] - 1)};
  Shape p{r.range(0, 1), r.range(0, 1), r.range(0, 1), r.range(0, 1)};
  std::vector<Value> ops{b.arg(x), b.constant(w)};
  bool bias = r.coin();
  if (bias)
    ops.push_back(b.arg({f}));
  auto tiling = b.b().getDictionaryAttr({b.attr("layout", b.b().getStringAttr("nchw"))});
  return b.add(fmt({{"x", str(x)}, {"w", str(w)}, {"s", str(s)}, {"p", str(p)},
                    {"outpad", str(op)}, {"bias", str(bias)}}),
               "conv_transpose2d", ops,
               {b.ints("strides", s), b.ints("pads", p), b.ints("output_padding", op),
                b.ints("dilations", {1, 1}), b.i64("groups", 1), b.attr("cnn.tiling", tiling)});
}

/// conv_transpose2d_columns reading a blocked producer (a conv2d, or a
/// stride-2 conv_transpose2d stored by phases; 16 or 32 filters, maybe a
/// relu): its pack transposes 16 x 16 blocks in registers, the padded
/// columns rounded up to whole blocks.
bool genBlockedConvTransposeColumns(Rng &r, Batch &b) {
  int64_t n = r.range(1, 2), c = r.range(1, 4), f = r.pick<int64_t>({16, 32});
  Value x = b.arg({n, c, r.range(1, 9), r.range(1, 20)});
  bool phased = r.coin();
  bool made = phased ? b.add(fmt({{"producer: conv_transpose2d f", str(f)}}), "conv_transpose2d",
                             {x, b.constant({c, f, 4, 4})},
                             {b.ints("strides", {2, 2}), b.ints("pads", {1, 1, 1, 1}),
                              b.ints("output_padding", {0, 0}), b.ints("dilations", {1, 1}),
                              b.i64("groups", 1)})
                     : b.add(fmt({{"producer: conv2d f", str(f)}}), "conv2d",
                             {x, b.constant({f, c, 3, 3})},
                             {b.ints("strides", {1, 1}), b.ints("pads", {1, 1, 1, 1}),
                              b.ints("dilations", {1, 1}), b.i64("groups", 1)});
  if (!made || (r.coin() && !b.add("relu", "relu", {b.last()}, {})))
    return false;
  Shape w{f, r.range(1, 3), r.range(1, 5), r.range(1, 5)};
  Shape s{r.range(1, 3), r.range(1, 3)};
  Shape p{r.range(0, 1), r.range(0, 1), r.range(0, 1), r.range(0, 1)};
  auto tiling = b.b().getDictionaryAttr({b.attr("layout", b.b().getStringAttr("nchw"))});
  return b.add(fmt({{"w", str(w)}, {"s", str(s)}, {"p", str(p)}}), "conv_transpose2d",
               {b.last(), b.constant(w)},
               {b.ints("strides", s), b.ints("pads", p), b.ints("output_padding", {0, 0}),
                b.ints("dilations", {1, 1}), b.i64("groups", 1), b.attr("cnn.tiling", tiling)});
}

/// Kernel, strides and pads of a pooling case (pads up to half the kernel).
struct PoolGeometry {
  Shape x, k, s, p;
  bool ceil;
  PoolGeometry(Rng &r)
      : x{r.range(1, 2), r.range(1, 3), r.range(1, 12), r.range(1, 12)},
        k{r.range(1, 5), r.range(1, 5)}, s{r.range(1, 3), r.range(1, 3)},
        p{r.range(0, k[0] / 2), r.range(0, k[1] / 2), r.range(0, k[0] / 2), r.range(0, k[1] / 2)},
        ceil(r.coin()) {}
  std::string desc() const {
    return fmt({{"x", str(x)}, {"k", str(k)}, {"s", str(s)}, {"p", str(p)}, {"ceil", str(ceil)}});
  }
};

bool genMaxPool(Rng &r, Batch &b) {
  PoolGeometry pg(r);
  Shape d{r.range(1, 3), r.range(1, 3)};
  return b.add(pg.desc() + " d=" + str(d), "max_pool2d", {b.arg(pg.x)},
               {b.ints("kernel", pg.k), b.ints("strides", pg.s), b.ints("pads", pg.p),
                b.ints("dilations", d), b.flag("ceil_mode", pg.ceil)});
}

bool genAvgPool(Rng &r, Batch &b) {
  PoolGeometry pg(r);
  bool include = r.coin();
  return b.add(pg.desc() + " count_include_pad=" + str(include), "avg_pool2d", {b.arg(pg.x)},
               {b.ints("kernel", pg.k), b.ints("strides", pg.s), b.ints("pads", pg.p),
                b.flag("ceil_mode", pg.ceil), b.flag("count_include_pad", include)});
}

Gen genGlobalPool(const char *name) {
  return [=](Rng &r, Batch &b) {
    Shape x = {r.range(1, 2), r.range(1, 4), r.range(1, 9), r.range(1, 9)};
    return b.add("x=" + str(x), name, {b.arg(x, Fill::Wide)}, {});
  };
}

/// An elementwise op of one input with attributes from `attrs`.
Gen genUnary(const char *name,
             std::function<std::vector<NamedAttribute>(Rng &, Batch &)> attrs = nullptr) {
  return [=](Rng &r, Batch &b) {
    Shape x = r.shape(1, 4, 6);
    std::vector<NamedAttribute> a = attrs ? attrs(r, b) : std::vector<NamedAttribute>{};
    std::string desc = "x=" + str(x);
    for (NamedAttribute &n : a) {
      std::string v;
      llvm::raw_string_ostream os(v);
      n.getValue().print(os);
      desc += " " + n.getName().str() + "=" + v;
    }
    return b.add(desc, name, {b.arg(x, Fill::Wide)}, a);
  };
}

/// `s` with leading dimensions dropped and some dimensions set to 1: a shape
/// that broadcasts to `s`.
Shape broadcastable(Rng &r, const Shape &s, bool mayDrop = true) {
  Shape t(s.begin() + (mayDrop ? r.range(0, int64_t(s.size())) : 0), s.end());
  for (int64_t &d : t)
    if (r.range(0, 2) == 0)
      d = 1;
  return t.empty() ? Shape{1} : t;
}

Gen genBinary(const char *name) {
  return [=](Rng &r, Batch &b) {
    Shape out = r.shape(1, 4, 5);
    Shape l = broadcastable(r, out), rr = broadcastable(r, out);
    Fill rhsFill = std::string(name) == "div" ? Fill::AwayFromZero : Fill::Unit;
    return b.add("lhs=" + str(l) + " rhs=" + str(rr), name, {b.arg(l), b.arg(rr, rhsFill)}, {});
  };
}

bool genPRelu(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5);
  Shape slope = broadcastable(r, x);
  return b.add("x=" + str(x) + " slope=" + str(slope), "prelu", {b.arg(x), b.arg(slope)}, {});
}

bool genBatchNorm(Rng &r, Batch &b) {
  Shape x = r.shape(2, 4, 5), c{x[1]};
  float eps = r.pick({1e-5f, 1e-3f, 0.1f});
  return b.add("x=" + str(x) + " eps=" + std::to_string(eps), "batch_norm",
               {b.arg(x), b.arg(c), b.arg(c), b.arg(c), b.arg(c, Fill::Positive)},
               {b.f32("epsilon", eps)});
}

bool genConcat(Rng &r, Batch &b) {
  Shape base = r.shape(1, 4, 4);
  int64_t rank = base.size(), axis = r.range(-rank, rank - 1);
  size_t ax = axis < 0 ? axis + rank : axis;
  std::vector<Value> ins;
  std::string desc = "axis=" + str(axis);
  for (int64_t i = 0, n = r.range(1, 4); i < n; ++i) {
    Shape s = base;
    s[ax] = r.range(1, 4);
    ins.push_back(b.arg(s));
    desc += " " + str(s);
  }
  return b.add(desc, "concat", ins, {b.i64("axis", axis)});
}

bool genFlatten(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5);
  int64_t axis = r.range(0, int64_t(x.size()));
  return b.add("x=" + str(x) + " axis=" + str(axis), "flatten", {b.arg(x)}, {b.i64("axis", axis)});
}

bool genReshape(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5);
  // A random factorisation of the element count, then -1 and 0 entries.
  int64_t left = numel(x);
  Shape to;
  for (int64_t rank = r.range(1, 4); int64_t(to.size()) + 1 < rank;) {
    std::vector<int64_t> divisors;
    for (int64_t d = 1; d <= left; ++d)
      if (left % d == 0)
        divisors.push_back(d);
    int64_t d = divisors[r.range(0, int64_t(divisors.size()) - 1)];
    to.push_back(d);
    left /= d;
  }
  to.push_back(left);
  if (r.coin())
    to[r.range(0, int64_t(to.size()) - 1)] = -1;
  for (size_t i = 0; i < to.size() && i < x.size(); ++i)
    if (to[i] == x[i] && r.coin())
      to[i] = 0;
  return b.add("x=" + str(x) + " shape=" + str(to), "reshape", {b.arg(x)}, {b.ints("shape", to)});
}

bool genTranspose(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5), perm(x.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), r.gen);
  return b.add("x=" + str(x) + " perm=" + str(perm), "transpose", {b.arg(x)}, {b.ints("perm", perm)});
}

bool genPad(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5), pads(2 * x.size());
  for (int64_t &p : pads)
    p = r.range(0, 3);
  auto mode = r.pick({cnn::PadMode::constant, cnn::PadMode::reflect, cnn::PadMode::edge});
  float value = r.real(-2, 2);
  return b.add("x=" + str(x) + " pads=" + str(pads) + " mode=" + cnn::stringifyPadMode(mode).str(),
               "pad", {b.arg(x)},
               {b.ints("pads", pads), b.attr("mode", cnn::PadModeAttr::get(&b.context(), mode)),
                b.f32("value", value)});
}

bool genResize(Rng &r, Batch &b) {
  Shape x{r.range(1, 2), r.range(1, 3), r.range(1, 6), r.range(1, 6)};
  auto mode = r.pick({cnn::ResizeMode::nearest, cnn::ResizeMode::linear, cnn::ResizeMode::cubic});
  auto coord = r.pick({cnn::CoordMode::half_pixel, cnn::CoordMode::asymmetric,
                       cnn::CoordMode::align_corners, cnn::CoordMode::pytorch_half_pixel,
                       cnn::CoordMode::tf_half_pixel_for_nn,
                       cnn::CoordMode::tf_crop_and_resize});
  auto nearest = r.pick({cnn::NearestMode::round_prefer_floor, cnn::NearestMode::round_prefer_ceil,
                         cnn::NearestMode::floor, cnn::NearestMode::ceil});
  MLIRContext *ctx = &b.context();
  Shape size{r.range(1, 12), r.range(1, 12)};
  std::string desc;
  std::vector<NamedAttribute> attrs;
  auto floats = [](ArrayRef<float> v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  if (coord == cnn::CoordMode::tf_crop_and_resize) {
    float sh = r.real(-0.3f, 0.7f), sw = r.real(-0.3f, 0.7f);
    std::vector<float> roi{sh, sw, sh + r.real(-0.2f, 1.0f), sw + r.real(-0.2f, 1.0f)};
    float extrapolation = r.real(-2, 2);
    attrs.push_back(b.attr("roi", DenseF32ArrayAttr::get(ctx, roi)));
    attrs.push_back(b.f32("extrapolation_value", extrapolation));
    desc += " roi=" + floats(roi) + " extrapolation=" + std::to_string(extrapolation);
  } else if (r.coin()) {
    // ONNX's scales: the output is floor(in * scale), coordinates by scale.
    std::vector<float> scale;
    for (int d = 0; d < 2; ++d) {
      float s = r.real(std::max(0.3f, 1.0f / float(x[2 + d])), 3.0f);
      size[d] = std::max<int64_t>(1, int64_t(std::floor(double(x[2 + d]) * s)));
      scale.push_back(s);
    }
    attrs.push_back(b.attr("scale", DenseF32ArrayAttr::get(ctx, scale)));
    desc += " scale=" + floats(scale);
  }
  if (mode == cnn::ResizeMode::cubic) {
    float a = r.pick({-0.75f, -0.5f});
    bool exclude = r.coin();
    attrs.push_back(b.f32("cubic_coeff_a", a));
    attrs.push_back(b.flag("exclude_outside", exclude));
    desc += " a=" + std::to_string(a) + (exclude ? " exclude_outside" : "");
  }
  attrs.push_back(b.ints("size", size));
  attrs.push_back(b.attr("mode", cnn::ResizeModeAttr::get(ctx, mode)));
  attrs.push_back(b.attr("coord_mode", cnn::CoordModeAttr::get(ctx, coord)));
  attrs.push_back(b.attr("nearest_mode", cnn::NearestModeAttr::get(ctx, nearest)));
  return b.add("x=" + str(x) + " size=" + str(size) + " " + cnn::stringifyResizeMode(mode).str() +
                   " " + cnn::stringifyCoordMode(coord).str() + " " +
                   cnn::stringifyNearestMode(nearest).str() + desc,
               "resize", {b.arg(x)}, attrs);
}

/// Dense layers of nMin..nMax outputs (64 and more: several output
/// vectors accumulated at once, and their tails).
Gen genDense(int64_t nMin, int64_t nMax) {
  return [=](Rng &r, Batch &b) {
    int64_t m = r.range(1, 8), k = r.range(1, 8), n = r.range(nMin, nMax);
    bool ta = r.coin(), tb = r.coin(), hasC = r.coin();
    float alpha = r.pick({1.0f, 0.5f, -1.5f}), beta = r.pick({1.0f, 0.25f, 2.0f});
    Shape a = ta ? Shape{k, m} : Shape{m, k}, bs = tb ? Shape{n, k} : Shape{k, n};
    bool constB = r.coin(); // constant weights: stored transposed when trans_b
    std::vector<Value> ops{b.arg(a), constB ? b.constant(bs) : b.arg(bs)};
    Shape c = broadcastable(r, {m, n});
    if (hasC)
      ops.push_back(b.arg(c));
    return b.add(
        fmt({{"a", str(a)},
             {"b", str(bs) + (constB ? " const" : "")},
             {"c", hasC ? str(c) : "none"},
             {"alpha", std::to_string(alpha)},
             {"beta", std::to_string(beta)}}),
        "dense", ops,
        {b.flag("trans_a", ta), b.flag("trans_b", tb), b.f32("alpha", alpha), b.f32("beta", beta)});
  };
}

bool genMatMul(Rng &r, Batch &b) {
  int64_t m = r.range(1, 6), k = r.range(1, 6), n = r.range(1, 6);
  Shape batch = r.shape(0, 2, 3);
  auto operand = [&](int64_t rows, int64_t cols) {
    if (r.range(0, 3) == 0)
      return Shape{r.coin() ? rows : cols}; // 1-D: the caller picks which
    Shape s = batch.empty() ? Shape{} : broadcastable(r, batch);
    if (batch.empty() || r.range(0, 2) == 0)
      s.clear();
    s.push_back(rows);
    s.push_back(cols);
    return s;
  };
  Shape l = operand(m, k), rr = operand(k, n);
  if (l.size() == 1)
    l = {k};
  if (rr.size() == 1)
    rr = {k};
  return b.add("lhs=" + str(l) + " rhs=" + str(rr), "matmul", {b.arg(l), b.arg(rr)}, {});
}

Gen genSoftmax(const char *name) {
  return [=](Rng &r, Batch &b) {
    Shape x = r.shape(1, 4, 6);
    int64_t rank = x.size(), axis = r.range(-rank, rank - 1);
    return b.add("x=" + str(x) + " axis=" + str(axis), name, {b.arg(x, Fill::Wide)},
                 {b.i64("axis", axis)});
  };
}

/// Constants (as operands and returned directly), inputs returned directly
/// and a value returned twice: codegen's copy paths.
bool genPlumbing(Rng &r, Batch &b) {
  Shape x = r.shape(1, 4, 5);
  Value in = b.arg(x), k = b.constant(x);
  if (!b.add("x=" + str(x) + " (input * constant)", "mul", {in, k}, {}))
    return false;
  b.result(k, "constant returned");
  b.result(in, "input returned");
  b.result(b.arg(x), "input returned");
  return true;
}

//===----------------------------------------------------------------------===//

float rangeAttr(Rng &r, float lo, float hi) { return r.real(lo, hi); }

struct OpCase {
  const char *name;
  int cases;
  Gen gen;
};

using AttrFn = std::function<std::vector<NamedAttribute>(Rng &, Batch &)>;

std::vector<OpCase> opCases() {
  AttrFn alpha = [](Rng &r, Batch &b) { return std::vector{b.f32("alpha", rangeAttr(r, 0.01f, 2))}; };
  return {
      {"conv2d", 36, genConv},
      {"conv2d_blocked", 24, genConvBlocked},
      {"conv2d_winograd", 24, genConvWinograd},
      {"conv2d_depthwise_blocked", 18, genConvDepthwiseBlocked},
      {"blocked_chain", 6, genBlockedChain},
      {"inverted_block", 12, genInvertedBlock},
      {"conv2d_winograd_rows", 3, genConvWinogradRows},
      {"context_module", 5, genContextModule},
      {"conv_transpose2d", 24, genConvTranspose},
      {"conv_transpose2d_winograd", 24, genConvTransposeWinograd},
      {"conv_transpose2d_columns", 24, genConvTransposeColumns},
      {"conv_transpose2d_columns_blocked", 12, genBlockedConvTransposeColumns},
      {"max_pool2d", 24, genMaxPool},
      {"avg_pool2d", 24, genAvgPool},
      {"global_avg_pool", 6, genGlobalPool("global_avg_pool")},
      {"global_max_pool", 6, genGlobalPool("global_max_pool")},
      {"global_avg_pool_blocked", 6, genBlockedGlobalPool("global_avg_pool")},
      {"global_max_pool_blocked", 6, genBlockedGlobalPool("global_max_pool")},
      {"relu", 6, genUnary("relu")},
      {"sigmoid", 6, genUnary("sigmoid")},
      {"tanh", 6, genUnary("tanh")},
      {"hard_swish", 6, genUnary("hard_swish")},
      {"softplus", 6, genUnary("softplus")},
      {"softsign", 6, genUnary("softsign")},
      {"gelu", 12, genUnary("gelu", [](Rng &r, Batch &b) {
         return std::vector{b.flag("approximate", r.coin())};
       })},
      {"leaky_relu", 6, genUnary("leaky_relu", alpha)},
      {"elu", 6, genUnary("elu", alpha)},
      {"selu", 6, genUnary("selu", [](Rng &r, Batch &b) {
         return std::vector{b.f32("alpha", rangeAttr(r, 0.5f, 2)), b.f32("gamma", rangeAttr(r, 0.5f, 2))};
       })},
      {"hard_sigmoid", 6, genUnary("hard_sigmoid", [](Rng &r, Batch &b) {
         return std::vector{b.f32("alpha", rangeAttr(r, 0.05f, 0.5f)), b.f32("beta", rangeAttr(r, 0.2f, 0.8f))};
       })},
      {"clip", 6, genUnary("clip", [](Rng &r, Batch &b) {
         return std::vector{b.f32("min", rangeAttr(r, -3, 0)), b.f32("max", rangeAttr(r, 0, 3))};
       })},
      {"prelu", 12, genPRelu},
      {"batch_norm", 12, genBatchNorm},
      {"add", 12, genBinary("add")},
      {"sub", 12, genBinary("sub")},
      {"mul", 12, genBinary("mul")},
      {"div", 12, genBinary("div")},
      {"concat", 12, genConcat},
      {"flatten", 12, genFlatten},
      {"reshape", 12, genReshape},
      {"transpose", 12, genTranspose},
      {"pad", 18, genPad},
      {"resize", 60, genResize},
      {"dense", 18, genDense(1, 8)},
      {"dense_wide", 8, genDense(64, 150)},
      {"matmul", 18, genMatMul},
      {"softmax", 12, genSoftmax("softmax")},
      {"log_softmax", 12, genSoftmax("log_softmax")},
      {"constant", 6, genPlumbing},
  };
}

class Differential : public ::testing::TestWithParam<OpCase> {};

TEST_P(Differential, JitMatchesReference) {
  const OpCase &c = GetParam();
  MLIRContext ctx;
  ctx.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  Rng rng(std::hash<std::string>()(c.name) & 0xffff); // fixed per op
  int accepted = 0, tries = 0;
  while (accepted < c.cases && tries < 20 * c.cases) {
    Batch batch(ctx, rng);
    while (batch.size() < kBatch && accepted < c.cases && tries++ < 20 * c.cases)
      accepted += c.gen(rng, batch);
    batch.check();
    if (HasFatalFailure())
      return;
  }
  // A generator the shape rules mostly reject would test nothing.
  EXPECT_EQ(accepted, c.cases) << "only " << accepted << " valid cases in " << tries << " tries";
}

INSTANTIATE_TEST_SUITE_P(EveryOp, Differential, ::testing::ValuesIn(opCases()),
                         [](const auto &info) { return std::string(info.param.name); });

} // namespace
