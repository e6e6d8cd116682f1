//===- ReferenceTest.cpp - the reference evaluator on hand-worked cases ---===//
//
// Expected values are worked out by hand (see the comments) or with
// arithmetic written independently of the evaluator's loops.
//
//===----------------------------------------------------------------------===//
#include "tools/reference/Reference.h"

#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>

using namespace mlir;
using cnnc::reference::evaluate;
using cnnc::reference::Tensor;

namespace {

Tensor T(std::vector<int64_t> shape, std::vector<float> data) {
  return Tensor{std::move(shape), std::move(data)};
}

/// 0, 1, 2, ... in the given shape.
Tensor ramp(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<float> data(n);
  std::iota(data.begin(), data.end(), 0.0f);
  return T(std::move(shape), std::move(data));
}

void expectTensor(const Tensor &actual, std::vector<int64_t> shape,
                  std::vector<float> values, float tol = 1e-5f) {
  ASSERT_EQ(actual.shape, shape);
  ASSERT_EQ(actual.data.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(actual.data[i], values[i], tol) << "at flat index " << i;
}

class ReferenceTest : public ::testing::Test {
protected:
  ReferenceTest() {
    ctx.loadDialect<cnn::CnnDialect, func::FuncDialect>();
    ctx.allowUnregisteredDialects();
  }

  OwningOpRef<ModuleOp> parse(const std::string &src) {
    return parseSourceString<ModuleOp>(src, &ctx);
  }

  /// Parses `src`, evaluates it and returns its results (empty on failure).
  std::vector<Tensor> run(const std::string &src, std::vector<Tensor> inputs) {
    auto module = parse(src);
    if (!module) {
      ADD_FAILURE() << "module does not parse:\n" << src;
      return {};
    }
    auto results = evaluate(*module, inputs);
    if (!results) {
      ADD_FAILURE() << llvm::toString(results.takeError());
      return {};
    }
    return std::move(*results);
  }

  /// Like run() for a single result.
  Tensor run1(const std::string &src, std::vector<Tensor> inputs) {
    auto results = run(src, std::move(inputs));
    if (results.size() != 1) {
      ADD_FAILURE() << "expected one result, got " << results.size();
      return {};
    }
    return results[0];
  }

  /// The error text of evaluating `src` ("" if it succeeds).
  std::string errorOf(const std::string &src, std::vector<Tensor> inputs) {
    auto module = parse(src);
    if (!module)
      return "module does not parse";
    auto results = evaluate(*module, inputs);
    return results ? "" : llvm::toString(results.takeError());
  }

  MLIRContext ctx;
};

/// A module applying one unary op, written `OP %x ATTRS : tensor<Nxf32>`.
std::string unaryModule(const std::string &op, const std::string &attrs, int n) {
  std::string t = "tensor<" + std::to_string(n) + "xf32>";
  return "func.func @main(%x: " + t + ") -> " + t + " {\n  %0 = " + op +
         " %x " + attrs + " : " + t + "\n  return %0 : " + t + "\n}\n";
}

//===----------------------------------------------------------------------===//
// conv2d, conv_transpose2d
//===----------------------------------------------------------------------===//

const char *kConvRamp = R"(
func.func @main(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w = cnn.constant dense<1.0> : tensor<1x1x3x3xf32>
  %b = cnn.constant dense<[0.5]> : tensor<1xf32>
  %0 = cnn.conv2d %x, %w, %b {strides = array<i64: STRIDE>, pads = array<i64: PADS>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
)";

std::string convRamp(const std::string &stride, const std::string &pads) {
  std::string s = kConvRamp;
  s.replace(s.find("STRIDE"), 6, stride);
  s.replace(s.find("PADS"), 4, pads);
  return s;
}

TEST_F(ReferenceTest, ConvOfRampWithOnesKernel) {
  // Window sum of x = 4r + c over the 3x3 block at (r, c) is 9 * (4r + c + 5).
  Tensor y = run1(convRamp("1, 1", "0, 0, 0, 0"), {ramp({1, 1, 4, 4})});
  float b = 0.5f;
  expectTensor(y, {1, 1, 2, 2}, {45 + b, 54 + b, 81 + b, 90 + b});
}

TEST_F(ReferenceTest, ConvStrideAndPadding) {
  // Stride 2 with one row/column of zeros all round: the windows cover rows
  // {0,1} or {1,2,3} and the same columns.
  Tensor y = run1(convRamp("2, 2", "1, 1, 1, 1"), {ramp({1, 1, 4, 4})});
  float b = 0.5f;
  expectTensor(y, {1, 1, 2, 2},
               {0 + 1 + 4 + 5 + b, 1 + 2 + 3 + 5 + 6 + 7 + b,
                4 + 5 + 8 + 9 + 12 + 13 + b,
                5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15 + b});
}

TEST_F(ReferenceTest, ConvAsymmetricPadding) {
  // pads [top=1, left=0, bottom=0, right=1] on a 1x3 input with a 2x2 ones
  // kernel: one output row (padding row + input row), columns {0,1}, {1,2},
  // {2,pad}.
  std::string src = R"(
func.func @main(%x: tensor<1x1x1x3xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x1x3xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x1x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x3xf32>
  return %0 : tensor<1x1x1x3xf32>
}
)";
  // Kernel [[a, b], [c, d]]: the top row meets padding, so y = c*x0 + d*x1.
  Tensor y = run1(src, {T({1, 1, 1, 3}, {1, 2, 3}), T({1, 1, 2, 2}, {5, 6, 7, 8})});
  expectTensor(y, {1, 1, 1, 3}, {7 * 1 + 8 * 2, 7 * 2 + 8 * 3, 7 * 3});
}

TEST_F(ReferenceTest, ConvDilation) {
  // 2x2 kernel of ones with dilation 2 reads x(r,c) + x(r,c+2) + x(r+2,c) +
  // x(r+2,c+2) = 4 * (4r + c) + 20.
  std::string src = R"(
func.func @main(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w = cnn.constant dense<1.0> : tensor<1x1x2x2xf32>
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 1} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
)";
  Tensor y = run1(src, {ramp({1, 1, 4, 4})});
  expectTensor(y, {1, 1, 2, 2}, {20, 24, 36, 40});
}

TEST_F(ReferenceTest, ConvGroups) {
  // groups = 2, C = 4, F = 2: filter 0 reads channels 0-1, filter 1 channels
  // 2-3, each with 1x1 weights [w0, w1].
  std::string src = R"(
func.func @main(%x: tensor<1x4x1x1xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x4x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
)";
  Tensor y = run1(src, {T({1, 4, 1, 1}, {1, 2, 3, 4}),
                        T({2, 2, 1, 1}, {1, 10, 100, 1000})});
  expectTensor(y, {1, 2, 1, 1}, {1 * 1 + 2 * 10, 3 * 100 + 4 * 1000});
}

TEST_F(ReferenceTest, ConvDepthwiseBatch) {
  // Depthwise (groups = C = 2) 1x1 conv scales each channel; batch of 2.
  std::string src = R"(
func.func @main(%x: tensor<2x2x1x2xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<2x2x1x2xf32> {
  %0 = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<2x2x1x2xf32>, tensor<2x1x1x1xf32>) -> tensor<2x2x1x2xf32>
  return %0 : tensor<2x2x1x2xf32>
}
)";
  Tensor y = run1(src, {ramp({2, 2, 1, 2}), T({2, 1, 1, 1}, {2, 3})});
  expectTensor(y, {2, 2, 1, 2}, {0, 2, 6, 9, 8, 10, 18, 21});
}

TEST_F(ReferenceTest, ConvTransposeStride2StampsKernel) {
  // With a 2x2 kernel and stride 2 the stamps do not overlap:
  // y[2i+a][2j+b] = x[i][j] * k[a][b], plus the bias.
  std::string src = R"(
func.func @main(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %b = cnn.constant dense<[1.0]> : tensor<1xf32>
  %0 = cnn.conv_transpose2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}
)";
  float x[2][2] = {{1, 2}, {3, 4}}, k[2][2] = {{1, 10}, {100, 1000}};
  std::vector<float> want(16);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          want[(2 * i + a) * 4 + 2 * j + b] = x[i][j] * k[a][b] + 1;
  Tensor y = run1(src, {T({1, 1, 2, 2}, {1, 2, 3, 4}),
                        T({1, 1, 2, 2}, {1, 10, 100, 1000})});
  expectTensor(y, {1, 1, 4, 4}, want);
}

TEST_F(ReferenceTest, ConvTransposeOverlapPadsAndOutputPadding) {
  // 1-D along W: x = [1, 2], k = [1, 1], stride 1 -> [1, 3, 2]. Pads
  // [0, 1, 0, 1] crop one column each side -> [3]. With stride 2 and
  // output_padding 1: [1, 1, 2, 2] plus one extra zero column.
  auto module = [](const char *attrs, int ow) {
    std::string t = "tensor<1x1x1x" + std::to_string(ow) + "xf32>";
    return std::string(
               "func.func @main(%x: tensor<1x1x1x2xf32>, %w: "
               "tensor<1x1x1x2xf32>) -> ") +
           t + " {\n  %0 = cnn.conv_transpose2d %x, %w {" + attrs +
           ", dilations = array<i64: 1, 1>, groups = 1} : "
           "(tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> " +
           t + "\n  return %0 : " + t + "\n}\n";
  };
  std::vector<Tensor> in = {T({1, 1, 1, 2}, {1, 2}), T({1, 1, 1, 2}, {1, 1})};
  expectTensor(run1(module("strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>", 3), in),
               {1, 1, 1, 3}, {1, 3, 2});
  expectTensor(run1(module("strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>, output_padding = array<i64: 0, 0>", 1), in),
               {1, 1, 1, 1}, {3});
  expectTensor(run1(module("strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 1>", 5), in),
               {1, 1, 1, 5}, {1, 1, 2, 2, 0});
}

TEST_F(ReferenceTest, ConvTransposeGroupsAndChannels) {
  // groups = 2, C = 2, weight [2, 1, 1, 1]: channel c feeds filter c only.
  // groups = 1 with weight [2, 1, 1, 1]: both channels feed the one filter.
  std::string grouped = R"(
func.func @main(%x: tensor<1x2x1x1xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x2x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
)";
  std::string summed = R"(
func.func @main(%x: tensor<1x2x1x1xf32>, %w: tensor<2x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %0 = cnn.conv_transpose2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x2x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}
)";
  std::vector<Tensor> in = {T({1, 2, 1, 1}, {2, 3}), T({1 * 2, 1, 1, 1}, {10, 100})};
  expectTensor(run1(grouped, in), {1, 2, 1, 1}, {20, 300});
  expectTensor(run1(summed, in), {1, 1, 1, 1}, {320});
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

TEST_F(ReferenceTest, MaxPoolCeilModePartialWindow) {
  // 5x5 ramp, 2x2 windows, stride 2. Ceil mode adds a last row/column of
  // windows that only see row/column 4.
  auto module = [](bool ceil, int o) {
    std::string t = "tensor<1x1x" + std::to_string(o) + "x" + std::to_string(o) + "xf32>";
    return "func.func @main(%x: tensor<1x1x5x5xf32>) -> " + t +
           " {\n  %0 = cnn.max_pool2d %x {kernel = array<i64: 2, 2>, strides = "
           "array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = "
           "array<i64: 1, 1>, ceil_mode = " +
           (ceil ? "true" : "false") + "} : (tensor<1x1x5x5xf32>) -> " + t +
           "\n  return %0 : " + t + "\n}\n";
  };
  expectTensor(run1(module(false, 2), {ramp({1, 1, 5, 5})}), {1, 1, 2, 2},
               {6, 8, 16, 18});
  expectTensor(run1(module(true, 3), {ramp({1, 1, 5, 5})}), {1, 1, 3, 3},
               {6, 8, 9, 16, 18, 19, 21, 23, 24});
}

TEST_F(ReferenceTest, MaxPoolCeilModeDropsWindowInPadding) {
  // W = 6, kernel 2, stride 2, right pad 1, ceil: ceil(5/2)+1 = 4 windows,
  // but the 4th would start at 6 (in the padding) and is dropped.
  // Padding never wins even against negative inputs.
  std::string src = R"(
func.func @main(%x: tensor<1x1x1x6xf32>) -> tensor<1x1x1x3xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 1, 2>, strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 1>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x1x6xf32>) -> tensor<1x1x1x3xf32>
  return %0 : tensor<1x1x1x3xf32>
}
)";
  expectTensor(run1(src, {T({1, 1, 1, 6}, {-6, -5, -4, -3, -2, -1})}),
               {1, 1, 1, 3}, {-5, -3, -1});
}

TEST_F(ReferenceTest, MaxPoolPaddingAndDilation) {
  // All-negative 1x4 row, kernel 2 with dilation 2, left pad 1, stride 1:
  // windows {-1,1}, {0,2}, {1,3} -> the padded position never wins.
  std::string src = R"(
func.func @main(%x: tensor<1x1x1x4xf32>) -> tensor<1x1x1x3xf32> {
  %0 = cnn.max_pool2d %x {kernel = array<i64: 1, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 0>, dilations = array<i64: 1, 2>, ceil_mode = false} : (tensor<1x1x1x4xf32>) -> tensor<1x1x1x3xf32>
  return %0 : tensor<1x1x1x3xf32>
}
)";
  expectTensor(run1(src, {T({1, 1, 1, 4}, {-1, -5, -3, -7})}), {1, 1, 1, 3},
               {-5, -1, -5});
}

std::string avgPoolModule(const std::string &in, const std::string &out,
                          const std::string &attrs) {
  return "func.func @main(%x: " + in + ") -> " + out +
         " {\n  %0 = cnn.avg_pool2d %x {" + attrs + "} : (" + in + ") -> " +
         out + "\n  return %0 : " + out + "\n}\n";
}

TEST_F(ReferenceTest, AvgPoolDivisorWithAndWithoutPadding) {
  // 3x3 input 1..9, 3x3 window, stride 1, pad 1: the corner window sees
  // 1+2+4+5 = 12 in 4 input positions (9 with padding); the centre sees all.
  std::string attrs = "kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, "
                      "pads = array<i64: 1, 1, 1, 1>, ceil_mode = false, "
                      "count_include_pad = ";
  Tensor x = T({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::string t = "tensor<1x1x3x3xf32>";
  Tensor excl = run1(avgPoolModule(t, t, attrs + "false"), {x});
  Tensor incl = run1(avgPoolModule(t, t, attrs + "true"), {x});
  ASSERT_EQ(excl.data.size(), 9u);
  ASSERT_EQ(incl.data.size(), 9u);
  EXPECT_FLOAT_EQ(excl.data[0], 12.0f / 4);
  EXPECT_FLOAT_EQ(incl.data[0], 12.0f / 9);
  EXPECT_FLOAT_EQ(excl.data[1], (1 + 2 + 3 + 4 + 5 + 6) / 6.0f);
  EXPECT_FLOAT_EQ(incl.data[1], (1 + 2 + 3 + 4 + 5 + 6) / 9.0f);
  EXPECT_FLOAT_EQ(excl.data[4], 5.0f);
  EXPECT_FLOAT_EQ(incl.data[4], 5.0f);
}

TEST_F(ReferenceTest, AvgPoolCeilModeCountsOnlyToPaddingEdge) {
  // W = 4 = [1, 2, 3, 4], kernel 3, stride 2, pads 1/1, ceil: 3 windows
  // starting at -1, 1, 3. The last covers column 3 (input), 4 (padding) and
  // 5 (beyond the padding, never counted).
  std::string in = "tensor<1x1x1x4xf32>", out = "tensor<1x1x1x3xf32>";
  std::string attrs = "kernel = array<i64: 1, 3>, strides = array<i64: 1, 2>, "
                      "pads = array<i64: 0, 1, 0, 1>, ceil_mode = true, "
                      "count_include_pad = ";
  Tensor x = T({1, 1, 1, 4}, {1, 2, 3, 4});
  expectTensor(run1(avgPoolModule(in, out, attrs + "false"), {x}), {1, 1, 1, 3},
               {3.0f / 2, 9.0f / 3, 4.0f / 1});
  expectTensor(run1(avgPoolModule(in, out, attrs + "true"), {x}), {1, 1, 1, 3},
               {3.0f / 3, 9.0f / 3, 4.0f / 2});
}

TEST_F(ReferenceTest, GlobalPools) {
  std::string src = R"(
func.func @main(%x: tensor<1x2x2x2xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) {
  %0 = cnn.global_avg_pool %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %1 = cnn.global_max_pool %x : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  return %0, %1 : tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>
}
)";
  auto y = run(src, {T({1, 2, 2, 2}, {1, 2, 3, 4, -1, -8, -3, -4})});
  ASSERT_EQ(y.size(), 2u);
  expectTensor(y[0], {1, 2, 1, 1}, {2.5f, -4.0f});
  expectTensor(y[1], {1, 2, 1, 1}, {4, -1});
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

TEST_F(ReferenceTest, UnaryActivations) {
  Tensor x = T({4}, {-2, -0.5f, 1, 3});
  auto apply = [&](const std::string &op, const std::string &attrs) {
    return run1(unaryModule(op, attrs, 4), {x});
  };
  expectTensor(apply("cnn.relu", ""), {4}, {0, 0, 1, 3});
  expectTensor(apply("cnn.sigmoid", ""), {4},
               {1 / (1 + std::exp(2.0f)), 1 / (1 + std::exp(0.5f)),
                1 / (1 + std::exp(-1.0f)), 1 / (1 + std::exp(-3.0f))});
  expectTensor(apply("cnn.tanh", ""), {4},
               {std::tanh(-2.0f), std::tanh(-0.5f), std::tanh(1.0f), std::tanh(3.0f)});
  // x * clamp(x/6 + 1/2, 0, 1): 0 at -3 and below, x at 3 and above.
  expectTensor(apply("cnn.hard_swish", ""), {4},
               {-2 * (1.0f / 6), -0.5f * (5.0f / 12), 1 * (2.0f / 3), 3});
  expectTensor(apply("cnn.softplus", ""), {4},
               {std::log(1 + std::exp(-2.0f)), std::log(1 + std::exp(-0.5f)),
                std::log(1 + std::exp(1.0f)), std::log(1 + std::exp(3.0f))});
  expectTensor(apply("cnn.softsign", ""), {4}, {-2.0f / 3, -0.5f / 1.5f, 0.5f, 0.75f});
  expectTensor(apply("cnn.leaky_relu", "{alpha = 0.1 : f32}"), {4},
               {-0.2f, -0.05f, 1, 3});
  expectTensor(apply("cnn.elu", "{alpha = 2.0 : f32}"), {4},
               {2 * (std::exp(-2.0f) - 1), 2 * (std::exp(-0.5f) - 1), 1, 3});
  expectTensor(apply("cnn.selu", "{alpha = 2.0 : f32, gamma = 3.0 : f32}"), {4},
               {6 * (std::exp(-2.0f) - 1), 6 * (std::exp(-0.5f) - 1), 3, 9});
  // clamp(0.2 x + 0.5, 0, 1).
  expectTensor(apply("cnn.hard_sigmoid", "{alpha = 0.2 : f32, beta = 0.5 : f32}"),
               {4}, {0.1f, 0.4f, 0.7f, 1.0f});
  expectTensor(apply("cnn.clip", "{min = -1.0 : f32, max = 2.0 : f32}"), {4},
               {-1, -0.5f, 1, 2});
}

TEST_F(ReferenceTest, SoftplusDoesNotOverflow) {
  Tensor y = run1(unaryModule("cnn.softplus", "", 2), {T({2}, {100, -100})});
  expectTensor(y, {2}, {100, 0});
}

TEST_F(ReferenceTest, Gelu) {
  // Published values: gelu(1) = 0.8413447 (erf), 0.8411920 (tanh form);
  // gelu(-1) = -0.1586553 (erf), -0.1588080 (tanh form).
  Tensor x = T({3}, {1, -1, 0});
  expectTensor(run1(unaryModule("cnn.gelu", "{approximate = false}", 3), {x}),
               {3}, {0.8413447f, -0.1586553f, 0});
  expectTensor(run1(unaryModule("cnn.gelu", "{approximate = true}", 3), {x}),
               {3}, {0.8411920f, -0.1588080f, 0});
}

TEST_F(ReferenceTest, PReluPerChannel) {
  std::string src = R"(
func.func @main(%x: tensor<1x2x1x2xf32>, %s: tensor<2x1x1xf32>) -> tensor<1x2x1x2xf32> {
  %0 = cnn.prelu %x, %s : (tensor<1x2x1x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x1x2xf32>
  return %0 : tensor<1x2x1x2xf32>
}
)";
  Tensor y = run1(src, {T({1, 2, 1, 2}, {-1, 2, -3, 4}), T({2, 1, 1}, {0.1f, 0.5f})});
  expectTensor(y, {1, 2, 1, 2}, {-0.1f, 2, -1.5f, 4});
}

TEST_F(ReferenceTest, BatchNorm) {
  // ch0: 2 * (1 - 0) / sqrt(3 + 1) + 0.5 = 1.5; ch1: 3 * (2 - 1) / 1 + 1 = 4.
  std::string src = R"(
func.func @main(%x: tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %scale = cnn.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %bias = cnn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = cnn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = cnn.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = cnn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
)";
  expectTensor(run1(src, {T({1, 2, 1, 1}, {1, 2})}), {1, 2, 1, 1}, {1.5f, 4});
}

//===----------------------------------------------------------------------===//
// Broadcasting arithmetic
//===----------------------------------------------------------------------===//

std::string binaryModule(const std::string &op, const std::string &lhs,
                         const std::string &rhs, const std::string &out) {
  return "func.func @main(%a: " + lhs + ", %b: " + rhs + ") -> " + out +
         " {\n  %0 = " + op + " %a, %b : (" + lhs + ", " + rhs + ") -> " + out +
         "\n  return %0 : " + out + "\n}\n";
}

TEST_F(ReferenceTest, BroadcastingArithmetic) {
  Tensor a = T({2, 3}, {1, 2, 3, 4, 5, 6}), row = T({3}, {10, 20, 30});
  std::string t23 = "tensor<2x3xf32>", t3 = "tensor<3xf32>";
  expectTensor(run1(binaryModule("cnn.add", t23, t3, t23), {a, row}), {2, 3},
               {11, 22, 33, 14, 25, 36});
  expectTensor(run1(binaryModule("cnn.sub", t3, t23, t23), {row, a}), {2, 3},
               {9, 18, 27, 6, 15, 24});
  // [2, 1] x [1, 3] -> [2, 3]: an outer product.
  Tensor col = T({2, 1}, {2, 3}), line = T({1, 3}, {1, 10, 100});
  expectTensor(run1(binaryModule("cnn.mul", "tensor<2x1xf32>", "tensor<1x3xf32>",
                                 t23),
                    {col, line}),
               {2, 3}, {2, 20, 200, 3, 30, 300});
  expectTensor(run1(binaryModule("cnn.div", t23, "tensor<1xf32>", t23),
                    {a, T({1}, {4})}),
               {2, 3}, {0.25f, 0.5f, 0.75f, 1, 1.25f, 1.5f});
}

TEST_F(ReferenceTest, SameValueUsedTwice) {
  // x + x, then x used again: values are dropped only after their last use.
  std::string src = R"(
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = cnn.add %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = cnn.mul %0, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
)";
  expectTensor(run1(src, {T({2}, {2, 3})}), {2}, {8, 18});
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

TEST_F(ReferenceTest, ConcatAlongAxes) {
  std::string src = R"(
func.func @main(%a: tensor<2x1xf32>, %b: tensor<2x2xf32>, %c: tensor<1x2xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %0 = cnn.concat %a, %b {axis = -1 : i64} : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  %1 = cnn.concat %b, %c {axis = 0 : i64} : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<3x2xf32>
}
)";
  auto y = run(src, {T({2, 1}, {1, 2}), T({2, 2}, {3, 4, 5, 6}), T({1, 2}, {7, 8})});
  ASSERT_EQ(y.size(), 2u);
  expectTensor(y[0], {2, 3}, {1, 3, 4, 2, 5, 6});
  expectTensor(y[1], {3, 2}, {3, 4, 5, 6, 7, 8});
}

TEST_F(ReferenceTest, FlattenAndReshapeKeepData) {
  std::string src = R"(
func.func @main(%x: tensor<2x3x2xf32>) -> (tensor<2x6xf32>, tensor<3x4xf32>) {
  %0 = cnn.flatten %x {axis = 1 : i64} : (tensor<2x3x2xf32>) -> tensor<2x6xf32>
  %1 = cnn.reshape %x {shape = array<i64: 3, -1>} : (tensor<2x3x2xf32>) -> tensor<3x4xf32>
  return %0, %1 : tensor<2x6xf32>, tensor<3x4xf32>
}
)";
  auto y = run(src, {ramp({2, 3, 2})});
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y[0].shape, (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(y[0].data, ramp({12}).data);
  EXPECT_EQ(y[1].shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(y[1].data, ramp({12}).data);
}

TEST_F(ReferenceTest, Transpose) {
  std::string src = R"(
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>) -> (tensor<3x2xf32>, tensor<4x2x3xf32>) {
  %0 = cnn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = cnn.transpose %y {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<4x2x3xf32>
}
)";
  auto y = run(src, {ramp({2, 3}), ramp({2, 3, 4})});
  ASSERT_EQ(y.size(), 2u);
  expectTensor(y[0], {3, 2}, {0, 3, 1, 4, 2, 5});
  // out[k][i][j] = in[i][j][k] = 12i + 4j + k.
  std::vector<float> want;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        want.push_back(12 * i + 4 * j + k);
  expectTensor(y[1], {4, 2, 3}, want);
}

std::string padModule(const std::string &mode, const std::string &in,
                      const std::string &out, const std::string &pads) {
  return "func.func @main(%x: " + in + ") -> " + out +
         " {\n  %0 = cnn.pad %x {pads = array<i64: " + pads +
         ">, mode = #cnn<pad_mode " + mode + ">, value = 9.0 : f32} : (" + in +
         ") -> " + out + "\n  return %0 : " + out + "\n}\n";
}

TEST_F(ReferenceTest, PadModes1D) {
  Tensor x = T({3}, {1, 2, 3});
  std::string in = "tensor<3xf32>", out = "tensor<6xf32>";
  expectTensor(run1(padModule("constant", in, out, "2, 1"), {x}), {6},
               {9, 9, 1, 2, 3, 9});
  expectTensor(run1(padModule("reflect", in, out, "2, 1"), {x}), {6},
               {3, 2, 1, 2, 3, 2});
  expectTensor(run1(padModule("edge", in, out, "2, 1"), {x}), {6},
               {1, 1, 1, 2, 3, 3});
}

TEST_F(ReferenceTest, PadModes2D) {
  // [[1, 2], [3, 4]] padded by one row on top and one column on the right.
  Tensor x = T({2, 2}, {1, 2, 3, 4});
  std::string in = "tensor<2x2xf32>", out = "tensor<3x3xf32>";
  expectTensor(run1(padModule("constant", in, out, "1, 0, 0, 1"), {x}), {3, 3},
               {9, 9, 9, 1, 2, 9, 3, 4, 9});
  expectTensor(run1(padModule("reflect", in, out, "1, 0, 0, 1"), {x}), {3, 3},
               {3, 4, 3, 1, 2, 1, 3, 4, 3});
  expectTensor(run1(padModule("edge", in, out, "1, 0, 0, 1"), {x}), {3, 3},
               {1, 2, 2, 1, 2, 2, 3, 4, 4});
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

std::string resizeModule(const std::string &mode, const std::string &coord,
                         const std::string &nearest, int oh, int ow) {
  std::string out = "tensor<1x1x" + std::to_string(oh) + "x" +
                    std::to_string(ow) + "xf32>";
  return "func.func @main(%x: tensor<1x1x2x2xf32>) -> " + out +
         " {\n  %0 = cnn.resize %x {size = array<i64: " + std::to_string(oh) +
         ", " + std::to_string(ow) + ">, mode = #cnn<resize_mode " + mode +
         ">, coord_mode = #cnn<coord_mode " + coord +
         ">, nearest_mode = #cnn<nearest_mode " + nearest +
         ">} : (tensor<1x1x2x2xf32>) -> " + out + "\n  return %0 : " + out +
         "\n}\n";
}

/// The 4x4 image with out[i][j] = x[idx[i]][idx[j]] of x = [[1,2],[3,4]].
std::vector<float> nearest4x4(std::vector<int> idx) {
  float x[2][2] = {{1, 2}, {3, 4}};
  std::vector<float> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      out.push_back(x[idx[i]][idx[j]]);
  return out;
}

/// Bilinear interpolation of [[1,2],[3,4]] is 1 + cx + 2 cy for source
/// coordinates (cy, cx) in [0, 1].
std::vector<float> linear4x4(std::vector<double> c) {
  std::vector<float> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      out.push_back(float(1 + c[j] + 2 * c[i]));
  return out;
}

TEST_F(ReferenceTest, ResizeNearest2x2To4x4) {
  Tensor x = T({1, 1, 2, 2}, {1, 2, 3, 4});
  auto resize = [&](const char *coord, const char *nearest) {
    return run1(resizeModule("nearest", coord, nearest, 4, 4), {x});
  };
  // asymmetric: source 0, 0.5, 1, 1.5.
  expectTensor(resize("asymmetric", "floor"), {1, 1, 4, 4}, nearest4x4({0, 0, 1, 1}));
  expectTensor(resize("asymmetric", "round_prefer_floor"), {1, 1, 4, 4},
               nearest4x4({0, 0, 1, 1}));
  // Ties go up; 1.5 -> 2 is clamped to 1.
  expectTensor(resize("asymmetric", "round_prefer_ceil"), {1, 1, 4, 4},
               nearest4x4({0, 1, 1, 1}));
  expectTensor(resize("asymmetric", "ceil"), {1, 1, 4, 4}, nearest4x4({0, 1, 1, 1}));
  // half_pixel: source -0.25, 0.25, 0.75, 1.25.
  expectTensor(resize("half_pixel", "round_prefer_floor"), {1, 1, 4, 4},
               nearest4x4({0, 0, 1, 1}));
  expectTensor(resize("half_pixel", "floor"), {1, 1, 4, 4}, nearest4x4({0, 0, 0, 1}));
  expectTensor(resize("half_pixel", "ceil"), {1, 1, 4, 4}, nearest4x4({0, 1, 1, 1}));
  // align_corners: source 0, 1/3, 2/3, 1.
  expectTensor(resize("align_corners", "round_prefer_floor"), {1, 1, 4, 4},
               nearest4x4({0, 0, 1, 1}));
}

TEST_F(ReferenceTest, ResizeLinear2x2To4x4) {
  Tensor x = T({1, 1, 2, 2}, {1, 2, 3, 4});
  auto resize = [&](const char *coord) {
    return run1(resizeModule("linear", coord, "round_prefer_floor", 4, 4), {x});
  };
  // Source coordinates clamped to [0, 1].
  expectTensor(resize("half_pixel"), {1, 1, 4, 4}, linear4x4({0, 0.25, 0.75, 1}));
  expectTensor(resize("pytorch_half_pixel"), {1, 1, 4, 4},
               linear4x4({0, 0.25, 0.75, 1}));
  expectTensor(resize("asymmetric"), {1, 1, 4, 4}, linear4x4({0, 0.5, 1, 1}));
  expectTensor(resize("align_corners"), {1, 1, 4, 4},
               linear4x4({0, 1.0 / 3, 2.0 / 3, 1}));
}

TEST_F(ReferenceTest, ResizeLinearToOnePixel) {
  // half_pixel maps the single output pixel to (0.5, 0.5): the mean 2.5;
  // pytorch_half_pixel and align_corners map it to (0, 0).
  Tensor x = T({1, 1, 2, 2}, {1, 2, 3, 4});
  auto resize = [&](const char *coord) {
    return run1(resizeModule("linear", coord, "floor", 1, 1), {x});
  };
  expectTensor(resize("half_pixel"), {1, 1, 1, 1}, {2.5f});
  expectTensor(resize("pytorch_half_pixel"), {1, 1, 1, 1}, {1});
  expectTensor(resize("align_corners"), {1, 1, 1, 1}, {1});
}

/// A resize of an [1, 1, h, w] input to [1, 1, oh, ow] with the attributes
/// `attrs` (besides size).
std::string resizeModuleWith(int h, int w, int oh, int ow, const std::string &attrs) {
  auto type = [](int a, int b) {
    return "tensor<1x1x" + std::to_string(a) + "x" + std::to_string(b) + "xf32>";
  };
  return "func.func @main(%x: " + type(h, w) + ") -> " + type(oh, ow) +
         " {\n  %0 = cnn.resize %x {size = array<i64: " + std::to_string(oh) + ", " +
         std::to_string(ow) + ">, " + attrs + "} : (" + type(h, w) + ") -> " + type(oh, ow) +
         "\n  return %0 : " + type(oh, ow) + "\n}\n";
}

std::vector<float> iota(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = float(i + 1);
  return v;
}

// The expected values below are those of the ONNX backend test cases named.
TEST_F(ReferenceTest, ResizeByFractionalScale) {
  // [[1..4], [5..8]] at scale 0.6: a 1x2 output whose coordinates map by
  // the scale, not by size / in (test_resize_downsample_scales_linear*).
  Tensor x = T({1, 1, 2, 4}, iota(8));
  std::string linear = "mode = #cnn<resize_mode linear>, nearest_mode = "
                       "#cnn<nearest_mode floor>, scale = array<f32: 0.6, 0.6>, ";
  // half_pixel: rows (0.5 / 0.6 - 0.5 = 1/3), columns 1/3 and 2.
  expectTensor(run1(resizeModuleWith(2, 4, 1, 2, linear + "coord_mode = #cnn<coord_mode half_pixel>"),
                    {x}),
               {1, 1, 1, 2}, {2.6666667f, 4.3333333f});
  // align_corners: the resized length is 4 * 0.6 = 2.4; column 1 maps to 3 / 1.4.
  expectTensor(run1(resizeModuleWith(2, 4, 1, 2,
                                     linear + "coord_mode = #cnn<coord_mode align_corners>"),
                    {x}),
               {1, 1, 1, 2}, {1, 3.142857f});
}

TEST_F(ReferenceTest, ResizeCubicExcludeOutside) {
  // test_resize_downsample_scales_cubic_A_n0p5_exclude_outside.
  Tensor x = T({1, 1, 4, 4}, iota(16));
  std::string attrs = "mode = #cnn<resize_mode cubic>, coord_mode = #cnn<coord_mode half_pixel>, "
                      "nearest_mode = #cnn<nearest_mode round_prefer_floor>, "
                      "scale = array<f32: 0.8, 0.8>, cubic_coeff_a = -0.5 : f32, "
                      "exclude_outside = true";
  expectTensor(run1(resizeModuleWith(4, 4, 3, 3, attrs), {x}), {1, 1, 3, 3},
               {1.36812675f, 2.66950130f, 4.01333666f, 6.57362509f, 7.875f, 9.21883488f,
                11.94896603f, 13.25034142f, 14.59417629f});
}

TEST_F(ReferenceTest, ResizeCropAndResize) {
  // test_resize_tf_crop_and_resize: rows map to 1.2, 2.4, 3.6 (outside),
  // columns to 1.8, 3.45 (outside), 5.1 (outside).
  Tensor x = T({1, 1, 4, 4}, iota(16));
  std::string attrs = "mode = #cnn<resize_mode linear>, coord_mode = #cnn<coord_mode "
                      "tf_crop_and_resize>, nearest_mode = #cnn<nearest_mode floor>, "
                      "roi = array<f32: 0.4, 0.6, 1.2, 1.7>, extrapolation_value = 10.0 : f32";
  expectTensor(run1(resizeModuleWith(4, 4, 3, 3, attrs), {x}), {1, 1, 3, 3},
               {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10});
}

TEST_F(ReferenceTest, ResizeTfHalfPixelForNn) {
  // test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn: rows map to
  // 2/3, 2, 10/3, columns to 1, 3.
  Tensor x = T({1, 1, 4, 4}, iota(16));
  std::string attrs = "mode = #cnn<resize_mode nearest>, coord_mode = #cnn<coord_mode "
                      "tf_half_pixel_for_nn>, nearest_mode = #cnn<nearest_mode round_prefer_floor>";
  expectTensor(run1(resizeModuleWith(4, 4, 3, 2, attrs), {x}), {1, 1, 3, 2},
               {6, 8, 10, 12, 14, 16});
}

//===----------------------------------------------------------------------===//
// dense, matmul, softmax
//===----------------------------------------------------------------------===//

std::string denseModule(const std::string &a, const std::string &b,
                        bool transA, bool transB) {
  std::string types = "(" + a + ", " + b + ", tensor<2xf32>) -> tensor<2x2xf32>";
  return "func.func @main(%a: " + a + ", %b: " + b +
         ", %c: tensor<2xf32>) -> tensor<2x2xf32> {\n  %0 = cnn.dense %a, %b, %c "
         "{trans_a = " +
         (transA ? "true" : "false") + ", trans_b = " + (transB ? "true" : "false") +
         ", alpha = 2.0 : f32, beta = 0.5 : f32} : " + types +
         "\n  return %0 : tensor<2x2xf32>\n}\n";
}

TEST_F(ReferenceTest, DenseTransposesAlphaBeta) {
  // a = [[1,2,3],[4,5,6]], b = [[1,0],[0,1],[1,1]]: a*b = [[4,5],[10,11]];
  // 2 * a*b + 0.5 * [1, 2] (broadcast over rows).
  std::vector<float> want = {8.5f, 11, 20.5f, 23};
  Tensor a = T({2, 3}, {1, 2, 3, 4, 5, 6}), aT = T({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor b = T({3, 2}, {1, 0, 0, 1, 1, 1}), bT = T({2, 3}, {1, 0, 1, 0, 1, 1});
  Tensor c = T({2}, {1, 2});
  std::string t23 = "tensor<2x3xf32>", t32 = "tensor<3x2xf32>";
  expectTensor(run1(denseModule(t23, t32, false, false), {a, b, c}), {2, 2}, want);
  expectTensor(run1(denseModule(t32, t32, true, false), {aT, b, c}), {2, 2}, want);
  expectTensor(run1(denseModule(t23, t23, false, true), {a, bT, c}), {2, 2}, want);
  expectTensor(run1(denseModule(t32, t23, true, true), {aT, bT, c}), {2, 2}, want);
}

TEST_F(ReferenceTest, DenseWithoutBias) {
  std::string src = R"(
func.func @main(%a: tensor<1x2xf32>, %b: tensor<3x2xf32>) -> tensor<1x3xf32> {
  %0 = cnn.dense %a, %b {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
)";
  // PyTorch Linear: y = x W^T with W = [[1,2],[3,4],[5,6]], x = [1, 10].
  expectTensor(run1(src, {T({1, 2}, {1, 10}), T({3, 2}, {1, 2, 3, 4, 5, 6})}),
               {1, 3}, {21, 43, 65});
}

TEST_F(ReferenceTest, MatMulVectors) {
  std::string src = R"(
func.func @main(%v: tensor<3xf32>, %w: tensor<3xf32>, %m: tensor<3x2xf32>, %n: tensor<2x3xf32>) -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>) {
  %0 = cnn.matmul %v, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  %1 = cnn.matmul %v, %m : (tensor<3xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  %2 = cnn.matmul %n, %w : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<f32>, tensor<2xf32>, tensor<2xf32>
}
)";
  Tensor v = T({3}, {1, 2, 3}), w = T({3}, {4, 5, 6});
  Tensor m = T({3, 2}, {1, 2, 3, 4, 5, 6}), n = T({2, 3}, {1, 0, 1, 0, 1, 0});
  auto y = run(src, {v, w, m, n});
  ASSERT_EQ(y.size(), 3u);
  expectTensor(y[0], {}, {32});
  expectTensor(y[1], {2}, {1 + 6 + 15, 2 + 8 + 18});
  expectTensor(y[2], {2}, {4 + 6, 5});
}

TEST_F(ReferenceTest, MatMulBatchBroadcast) {
  // [2, 1, 2, 2] x [3, 2, 2] -> [2, 3, 2, 2]: lhs batch i times rhs batch j.
  std::string src = R"(
func.func @main(%a: tensor<2x1x2x2xf32>, %b: tensor<3x2x2xf32>) -> tensor<2x3x2x2xf32> {
  %0 = cnn.matmul %a, %b : (tensor<2x1x2x2xf32>, tensor<3x2x2xf32>) -> tensor<2x3x2x2xf32>
  return %0 : tensor<2x3x2x2xf32>
}
)";
  // lhs batches: identity and 2 * identity; rhs batches: ramps.
  Tensor a = T({2, 1, 2, 2}, {1, 0, 0, 1, 2, 0, 0, 2});
  Tensor b = ramp({3, 2, 2});
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int e = 0; e < 4; ++e)
        want.push_back(float((i + 1) * (4 * j + e)));
  expectTensor(run1(src, {a, b}), {2, 3, 2, 2}, want);
}

TEST_F(ReferenceTest, SoftmaxAndLogSoftmax) {
  std::string src = R"(
func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = cnn.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  %1 = cnn.softmax %x {axis = 0 : i64} : tensor<2x3xf32>
  %2 = cnn.log_softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
)";
  // Large values check the max subtraction (exp(1000) overflows).
  Tensor x = T({2, 3}, {1, 2, 3, 1000, 1000, 1000});
  auto y = run(src, {x});
  ASSERT_EQ(y.size(), 3u);
  double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expectTensor(y[0], {2, 3},
               {float(std::exp(1.0) / s), float(std::exp(2.0) / s),
                float(std::exp(3.0) / s), 1.0f / 3, 1.0f / 3, 1.0f / 3});
  for (int r = 0; r < 2; ++r)
    EXPECT_NEAR(y[0].data[3 * r] + y[0].data[3 * r + 1] + y[0].data[3 * r + 2], 1.0, 1e-6);
  // Along axis 0 the second row dominates completely.
  expectTensor(y[1], {2, 3}, {0, 0, 0, 1, 1, 1});
  expectTensor(y[2], {2, 3},
               {float(1 - std::log(s)), float(2 - std::log(s)),
                float(3 - std::log(s)), float(-std::log(3.0)),
                float(-std::log(3.0)), float(-std::log(3.0))});
}

//===----------------------------------------------------------------------===//
// Constants, entry point and errors
//===----------------------------------------------------------------------===//

TEST_F(ReferenceTest, ResourceAndSplatConstants) {
  // Blob: alignment 4, then 1.0f, 2.0f, -1.0f little-endian.
  std::string src = R"(
func.func @main() -> (tensor<3xf32>, tensor<2x2xf32>) {
  %0 = cnn.constant dense_resource<w> : tensor<3xf32>
  %1 = cnn.constant dense<2.5> : tensor<2x2xf32>
  return %0, %1 : tensor<3xf32>, tensor<2x2xf32>
}
{-#
  dialect_resources: { builtin: { w: "0x040000000000803F00000040000080BF" } }
#-}
)";
  auto y = run(src, {});
  ASSERT_EQ(y.size(), 2u);
  expectTensor(y[0], {3}, {1, 2, -1});
  expectTensor(y[1], {2, 2}, {2.5f, 2.5f, 2.5f, 2.5f});
}

TEST_F(ReferenceTest, PicksMainAmongFuncs) {
  std::string src = R"(
func.func @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = cnn.relu %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = cnn.sigmoid %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
)";
  expectTensor(run1(src, {T({2}, {0, 0})}), {2}, {0.5f, 0.5f});
}

TEST_F(ReferenceTest, ErrorOnWrongInputShapeAndCount) {
  std::string src = unaryModule("cnn.relu", "", 4);
  std::string shapeErr = errorOf(src, {T({2, 2}, {1, 2, 3, 4})});
  EXPECT_NE(shapeErr.find("input 0 has shape [2, 2], expected [4]"), std::string::npos)
      << shapeErr;
  std::string countErr = errorOf(src, {});
  EXPECT_NE(countErr.find("expects 1 inputs, got 0"), std::string::npos) << countErr;
  std::string dataErr = errorOf(src, {T({4}, {1, 2})});
  EXPECT_NE(dataErr.find("has 2 values"), std::string::npos) << dataErr;
}

TEST_F(ReferenceTest, ErrorOnUnknownOpNamesOpAndLocation) {
  std::string src = R"(
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "foo.mystery"(%x) : (tensor<2xf32>) -> tensor<2xf32> loc("conv_7"("net.graph":3:1))
  return %0 : tensor<2xf32>
}
)";
  std::string err = errorOf(src, {T({2}, {1, 2})});
  EXPECT_NE(err.find("foo.mystery"), std::string::npos) << err;
  EXPECT_NE(err.find("conv_7"), std::string::npos) << err;
  EXPECT_NE(err.find("net.graph"), std::string::npos) << err;
}

TEST_F(ReferenceTest, ErrorOnResourceWithoutData) {
  std::string src = R"(
func.func @main() -> tensor<3xf32> {
  %0 = cnn.constant dense_resource<__elided__> : tensor<3xf32>
  return %0 : tensor<3xf32>
}
)";
  std::string err = errorOf(src, {});
  EXPECT_NE(err.find("cnn.constant"), std::string::npos) << err;
  EXPECT_NE(err.find("no data"), std::string::npos) << err;
}

} // namespace

namespace {
// Speed check, run with --gtest_also_run_disabled_tests: ResNet-18's stem and
// one 3x3 64->64 conv at 56x56, about 0.23 GMAC of the network's 1.8.
TEST_F(ReferenceTest, DISABLED_ResNetStemSpeed) {
  std::string src = R"(
func.func @main(%x: tensor<1x3x224x224xf32>, %w1: tensor<64x3x7x7xf32>, %w2: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %0 = cnn.conv2d %x, %w1 {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  %1 = cnn.relu %0 : tensor<1x64x112x112xf32>
  %2 = cnn.max_pool2d %1 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %3 = cnn.conv2d %2, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %3 : tensor<1x64x56x56xf32>
}
)";
  auto scaled = [](std::vector<int64_t> shape, float s) {
    Tensor t = ramp(std::move(shape));
    for (float &v : t.data)
      v = std::sin(v) * s;
    return t;
  };
  Tensor y = run1(src, {scaled({1, 3, 224, 224}, 1), scaled({64, 3, 7, 7}, 0.1f),
                        scaled({64, 64, 3, 3}, 0.05f)});
  EXPECT_EQ(y.data.size(), size_t(64 * 56 * 56));
}
} // namespace
