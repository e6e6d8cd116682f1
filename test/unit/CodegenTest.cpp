//===- CodegenTest.cpp - lowering, JIT and AOT emission ---------------------===//
//
// Small modules parsed from strings are lowered to Halide, realized with the
// JIT and compared against plain loops; the emitters are checked by loading
// what they produce.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "codegen/Lowering.h"
#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <dlfcn.h>
#include <functional>
#include <thread>

#include "runtime/include/cnnc/model_abi.h"

using namespace cnnc::codegen;
using Shape = std::vector<int64_t>;
using Buf = std::vector<float>;

namespace {

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// Deterministic values in [-1, 1).
Buf random(const Shape &s, unsigned seed) {
  Buf b(numel(s));
  for (float &v : b) {
    seed = seed * 1664525u + 1013904223u;
    v = float(seed >> 8) / float(1u << 23) - 1.0f;
  }
  return b;
}

std::string ty(const Shape &s) {
  std::string t = "tensor<";
  for (int64_t d : s)
    t += std::to_string(d) + "x";
  return t + "f32>";
}

/// `func.func @main(%a0: T0, ...) -> R { %r = <body> ; return %r }` where body
/// refers to the arguments as %a0, %a1, ...
std::string moduleText(const std::vector<Shape> &args, const Shape &result,
                       const std::string &body) {
  std::string s = "module @m { func.func @main(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? ", %a" : "%a") + std::to_string(i) + ": " + ty(args[i]);
  s += ") -> " + ty(result) + " {\n" + body + "\n return %r : " + ty(result) +
       "\n} }";
  return s;
}

class Codegen : public ::testing::Test {
protected:
  Codegen() { ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>(); }

  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string &text) {
    auto m = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx);
    EXPECT_TRUE(m) << text;
    return m;
  }

  /// Lowers a one-result module and runs it with the JIT, its schedules
  /// chosen for `threads` (LoweredModel::threads).
  Buf jit(const std::string &text, const std::vector<Buf> &inputs, int threads = 1) {
    auto m = parse(text);
    if (!m)
      return {};
    auto model = buildPipeline(*m);
    EXPECT_TRUE(bool(model)) << llvm::toString(model.takeError());
    if (!model)
      return {};
    model->threads.set(threads);
    Buf out(numel(model->outputInfo[0].shape));
    std::vector<const float *> ins;
    for (const Buf &b : inputs)
      ins.push_back(b.data());
    llvm::Error err = runJit(*model, ins, {out.data()});
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
    return out;
  }

  mlir::MLIRContext ctx;
};

void expectNear(const Buf &got, const Buf &want, float tol = 1e-4f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << "at " << i;
}

/// Row-major offset of idx in shape.
int64_t at(const Shape &s, std::initializer_list<int64_t> idx) {
  int64_t o = 0, k = 0;
  for (int64_t i : idx)
    o = o * s[k++] + i;
  return o;
}

/// Conv2d geometry of one test, with its reference loop.
struct ConvCase {
  Shape xs, ws, ys;
  int sh, sw, pt, pl, pb, pr, dh, dw, groups;

  /// `result = cnn.conv2d operands {attrs, geometry}` (operands: input,
  /// weight, bias; `attrs` a prefix such as `cnn.fuse = "consumer", `).
  std::string op(const std::string &result, const std::string &operands,
                 const std::string &attrs = "") const {
    Shape bs{ws[0]};
    auto arr = [](int a, int b) { return "array<i64: " + std::to_string(a) + ", " + std::to_string(b); };
    return result + " = cnn.conv2d " + operands + " {" + attrs + "strides = " + arr(sh, sw) +
           ">, pads = " + arr(pt, pl) + ", " + std::to_string(pb) + ", " + std::to_string(pr) +
           ">, dilations = " + arr(dh, dw) + ">, groups = " + std::to_string(groups) + "} : (" +
           ty(xs) + ", " + ty(ws) + ", " + ty(bs) + ") -> " + ty(ys) + "\n";
  }

  std::string module() const {
    return moduleText({xs, ws, Shape{ws[0]}}, ys, op("%r", "%a0, %a1, %a2"));
  }

  Buf reference(const Buf &x, const Buf &w, const Buf &b) const {
    Buf want(numel(ys));
    int cg = ws[1], fg = ws[0] / groups;
    for (int f = 0; f < ys[1]; ++f)
      for (int oh = 0; oh < ys[2]; ++oh)
        for (int ow = 0; ow < ys[3]; ++ow) {
          float acc = b[f];
          for (int c = 0; c < cg; ++c)
            for (int kh = 0; kh < ws[2]; ++kh)
              for (int kw = 0; kw < ws[3]; ++kw) {
                int ih = oh * sh + kh * dh - pt, iw = ow * sw + kw * dw - pl;
                if (ih >= 0 && ih < xs[2] && iw >= 0 && iw < xs[3])
                  acc += x[at(xs, {0, (f / fg) * cg + c, ih, iw})] * w[at(ws, {f, c, kh, kw})];
              }
          want[at(ys, {0, f, oh, ow})] = acc;
        }
    return want;
  }
};

TEST_F(Codegen, ConvGroupsDilationAsymmetricPads) {
  ConvCase c{{1, 4, 7, 8}, {6, 2, 3, 2}, {1, 6, 4, 7}, 2, 1, 1, 0, 2, 1, 1, 2, 2};
  Buf x = random(c.xs, 1), w = random(c.ws, 2), b = random({c.ws[0]}, 3);
  expectNear(jit(c.module(), {x, w, b}), c.reference(x, w, b));
}

TEST_F(Codegen, ConvWideRowsUseVectorTails) {
  // 21 columns: one full vector of 16 and a guarded tail of 5.
  ConvCase c{{1, 3, 5, 21}, {17, 3, 3, 3}, {1, 17, 5, 21}, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  Buf x = random(c.xs, 30), w = random(c.ws, 31), b = random({c.ws[0]}, 32);
  expectNear(jit(c.module(), {x, w, b}), c.reference(x, w, b));
}

TEST_F(Codegen, ConvTransposeGroupsOutputPadding) {
  Shape xs{1, 4, 3, 3}, ws{4, 3, 3, 2}, ys{1, 6, 7, 6};
  int sh = 2, sw = 2, pt = 1, pl = 0, dh = 1, dw = 2;
  Buf x = random(xs, 4), w = random(ws, 5);
  std::string body =
      "%r = cnn.conv_transpose2d %a0, %a1 {strides = array<i64: 2, 2>, pads = "
      "array<i64: 1, 0, 0, 1>, output_padding = array<i64: 1, 0>, dilations = "
      "array<i64: 1, 2>, groups = 2} : (" + ty(xs) + ", " + ty(ws) + ") -> " + ty(ys);
  Buf y = jit(moduleText({xs, ws}, ys, body), {x, w});
  Buf want(numel(ys), 0.0f);
  for (int c = 0; c < 4; ++c) // scatter form, the opposite of the lowering
    for (int ih = 0; ih < 3; ++ih)
      for (int iw = 0; iw < 3; ++iw)
        for (int fo = 0; fo < 3; ++fo)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 2; ++kw) {
              int oh = ih * sh + kh * dh - pt, ow = iw * sw + kw * dw - pl;
              if (oh >= 0 && oh < 7 && ow >= 0 && ow < 6)
                want[at(ys, {0, (c / 2) * 3 + fo, oh, ow})] +=
                    x[at(xs, {0, c, ih, iw})] * w[at(ws, {c, fo, kh, kw})];
            }
  expectNear(y, want);
}

/// Pools of a 1x2x7x7 input, kernel 2x3, stride 2, pads [1, 0, 0, 1], ceil
/// mode: the last row and column of windows overhang the input.
struct PoolCase {
  Shape xs{1, 2, 7, 7}, ys{1, 2, 4, 4};
  int kh = 2, kw = 3, s = 2, pt = 1, pl = 0, pb = 0, pr = 1;
  std::string attrs = "kernel = array<i64: 2, 3>, strides = array<i64: 2, 2>, "
                      "pads = array<i64: 1, 0, 0, 1>, ceil_mode = true";
  /// Calls fn(out index, in index or -1 if outside, inside padded input).
  void windows(const std::function<void(int64_t, int64_t, bool)> &fn) const {
    for (int c = 0; c < 2; ++c)
      for (int oh = 0; oh < 4; ++oh)
        for (int ow = 0; ow < 4; ++ow)
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j) {
              int ih = oh * s + i - pt, iw = ow * s + j - pl;
              bool in = ih >= 0 && ih < 7 && iw >= 0 && iw < 7;
              bool padded = ih >= -pt && ih < 7 + pb && iw >= -pl && iw < 7 + pr;
              fn(at(ys, {0, c, oh, ow}), in ? at(xs, {0, c, ih, iw}) : -1, padded);
            }
  }
};

TEST_F(Codegen, MaxPoolCeilMode) {
  PoolCase p;
  Buf x = random(p.xs, 6);
  for (float &v : x)
    v -= 2.0f; // all negative: a padded zero must not win
  Buf y = jit(moduleText({p.xs}, p.ys, "%r = cnn.max_pool2d %a0 {" + p.attrs +
                                           ", dilations = array<i64: 1, 1>} : (" +
                                           ty(p.xs) + ") -> " + ty(p.ys)),
              {x});
  Buf want(numel(p.ys), -INFINITY);
  p.windows([&](int64_t o, int64_t i, bool) {
    if (i >= 0)
      want[o] = std::max(want[o], x[i]);
  });
  expectNear(y, want);
}

TEST_F(Codegen, AvgPoolCeilModeDivisors) {
  PoolCase p;
  Buf x = random(p.xs, 7);
  for (bool include : {false, true}) {
    Buf y = jit(moduleText({p.xs}, p.ys,
                           "%r = cnn.avg_pool2d %a0 {" + p.attrs +
                               ", count_include_pad = " + (include ? "true" : "false") +
                               "} : (" + ty(p.xs) + ") -> " + ty(p.ys)),
                {x});
    Buf sum(numel(p.ys), 0.0f), count(numel(p.ys), 0.0f);
    p.windows([&](int64_t o, int64_t i, bool padded) {
      if (i >= 0)
        sum[o] += x[i];
      count[o] += include ? padded : i >= 0;
    });
    for (size_t k = 0; k < sum.size(); ++k)
      sum[k] /= count[k];
    expectNear(y, sum);
  }
}

TEST_F(Codegen, SoftmaxAndLogSoftmax) {
  Shape xs{2, 5, 3};
  Buf x = random(xs, 8);
  for (float &v : x)
    v *= 30.0f; // large values: needs the max subtraction
  Buf y = jit(moduleText({xs}, xs, "%r = cnn.softmax %a0 {axis = 1} : " + ty(xs)), {x});
  Buf ly = jit(moduleText({xs}, xs, "%r = cnn.log_softmax %a0 {axis = -2} : " + ty(xs)), {x});
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 3; ++k) {
      float mx = -INFINITY, total = 0;
      for (int c = 0; c < 5; ++c)
        mx = std::max(mx, x[at(xs, {n, c, k})]);
      for (int c = 0; c < 5; ++c)
        total += std::exp(x[at(xs, {n, c, k})] - mx);
      for (int c = 0; c < 5; ++c) {
        int64_t i = at(xs, {n, c, k});
        EXPECT_NEAR(y[i], std::exp(x[i] - mx) / total, 1e-5);
        EXPECT_NEAR(ly[i], x[i] - mx - std::log(total), 1e-4);
      }
    }
}

/// Source coordinate as in the ODS of cnn.resize.
float source(int x, int in, int out, const std::string &mode) {
  float scale = float(in) / float(out);
  if (mode == "asymmetric")
    return x * scale;
  if (mode == "align_corners")
    return out > 1 ? x * float(in - 1) / float(out - 1) : 0.0f;
  return (x + 0.5f) * scale - 0.5f; // half_pixel
}

TEST_F(Codegen, ResizeModes) {
  Shape xs{1, 2, 3, 4}, ys{1, 2, 5, 7};
  Buf x = random(xs, 9);
  struct Case {
    const char *mode, *coord, *nearest;
  };
  for (Case c : {Case{"nearest", "asymmetric", "floor"},
                 Case{"nearest", "half_pixel", "round_prefer_ceil"},
                 Case{"nearest", "align_corners", "round_prefer_floor"},
                 Case{"linear", "half_pixel", "floor"},
                 Case{"linear", "align_corners", "floor"}}) {
    std::string body = std::string("%r = cnn.resize %a0 {size = array<i64: 5, 7>, mode = #cnn<resize_mode ") +
                       c.mode + ">, coord_mode = #cnn<coord_mode " + c.coord +
                       ">, nearest_mode = #cnn<nearest_mode " + c.nearest + ">} : (" +
                       ty(xs) + ") -> " + ty(ys);
    Buf y = jit(moduleText({xs}, ys, body), {x});
    Buf want(numel(ys));
    auto nearest = [&](float s, int n) {
      std::string m = c.nearest;
      float r = m == "floor" ? std::floor(s)
                : m == "round_prefer_ceil" ? std::floor(s + 0.5f)
                                           : std::ceil(s - 0.5f);
      return std::clamp(int(r), 0, n - 1);
    };
    for (int ch = 0; ch < 2; ++ch)
      for (int oy = 0; oy < 5; ++oy)
        for (int ox = 0; ox < 7; ++ox) {
          float sy = source(oy, 3, 5, c.coord), sx = source(ox, 4, 7, c.coord);
          float v;
          if (std::string(c.mode) == "nearest") {
            v = x[at(xs, {0, ch, nearest(sy, 3), nearest(sx, 4)})];
          } else {
            sy = std::clamp(sy, 0.0f, 2.0f);
            sx = std::clamp(sx, 0.0f, 3.0f);
            int y0 = int(sy), x0 = int(sx), y1 = std::min(y0 + 1, 2), x1 = std::min(x0 + 1, 3);
            float fy = sy - y0, fx = sx - x0;
            auto px = [&](int yy, int xx) { return x[at(xs, {0, ch, yy, xx})]; };
            v = (px(y0, x0) * (1 - fx) + px(y0, x1) * fx) * (1 - fy) +
                (px(y1, x0) * (1 - fx) + px(y1, x1) * fx) * fy;
          }
          want[at(ys, {0, ch, oy, ox})] = v;
        }
    SCOPED_TRACE(std::string(c.mode) + " " + c.coord + " " + c.nearest);
    expectNear(y, want);
  }
}

TEST_F(Codegen, ConcatNegativeAxis) {
  Shape as{1, 2, 2, 3}, bs{1, 2, 2, 1}, ys{1, 2, 2, 4};
  Buf a = random(as, 10), b = random(bs, 11);
  Buf y = jit(moduleText({as, bs}, ys, "%r = cnn.concat %a0, %a1 {axis = -1} : (" +
                                           ty(as) + ", " + ty(bs) + ") -> " + ty(ys)),
              {a, b});
  Buf want;
  for (int c = 0; c < 2; ++c)
    for (int h = 0; h < 2; ++h) {
      for (int w = 0; w < 3; ++w)
        want.push_back(a[at(as, {0, c, h, w})]);
      want.push_back(b[at(bs, {0, c, h, 0})]);
    }
  expectNear(y, want);
}

TEST_F(Codegen, DenseTransBAlphaBetaBroadcastC) {
  Shape as{3, 4}, bs{5, 4}, cs{5}, ys{3, 5};
  Buf a = random(as, 12), b = random(bs, 13), c = random(cs, 14);
  Buf y = jit(moduleText({as, bs, cs}, ys,
                         "%r = cnn.dense %a0, %a1, %a2 {trans_a = false, trans_b = true, "
                         "alpha = 0.5 : f32, beta = 2.0 : f32} : (" + ty(as) + ", " +
                             ty(bs) + ", " + ty(cs) + ") -> " + ty(ys)),
              {a, b, c});
  Buf want;
  for (int m = 0; m < 3; ++m)
    for (int n = 0; n < 5; ++n) {
      float acc = 0;
      for (int k = 0; k < 4; ++k)
        acc += a[m * 4 + k] * b[n * 4 + k];
      want.push_back(0.5f * acc + 2.0f * c[n]);
    }
  expectNear(y, want);
}

TEST_F(Codegen, MatMulBatchBroadcastAndVector) {
  Shape as{2, 1, 3, 4}, bs{3, 4, 2}, ys{2, 3, 3, 2};
  Buf a = random(as, 15), b = random(bs, 16);
  Buf y = jit(moduleText({as, bs}, ys, "%r = cnn.matmul %a0, %a1 : (" + ty(as) + ", " +
                                           ty(bs) + ") -> " + ty(ys)),
              {a, b});
  Buf want;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int m = 0; m < 3; ++m)
        for (int n = 0; n < 2; ++n) {
          float acc = 0;
          for (int k = 0; k < 4; ++k)
            acc += a[at(as, {i, 0, m, k})] * b[at(bs, {j, k, n})];
          want.push_back(acc);
        }
  expectNear(y, want);

  Shape vs{4}, vys{3, 2};
  Buf v = random(vs, 17);
  Buf yv = jit(moduleText({vs, bs}, vys, "%r = cnn.matmul %a0, %a1 : (" + ty(vs) + ", " +
                                             ty(bs) + ") -> " + ty(vys)),
               {v, b});
  Buf wantv;
  for (int j = 0; j < 3; ++j)
    for (int n = 0; n < 2; ++n) {
      float acc = 0;
      for (int k = 0; k < 4; ++k)
        acc += v[k] * b[at(bs, {j, k, n})];
      wantv.push_back(acc);
    }
  expectNear(yv, wantv);
}

TEST_F(Codegen, PadReflectAndConstant) {
  Shape xs{1, 1, 3, 4}, ys{1, 1, 6, 7};
  Buf x = random(xs, 18);
  auto run = [&](const char *mode) {
    return jit(moduleText({xs}, ys, std::string("%r = cnn.pad %a0 {pads = array<i64: 0, 0, 1, 2, 0, 0, 2, 1>, "
                                                "mode = #cnn<pad_mode ") + mode +
                                        ">, value = 7.0 : f32} : (" + ty(xs) + ") -> " + ty(ys)),
               {x});
  };
  Buf reflect = run("reflect"), constant = run("constant");
  auto mirror = [](int i, int n) { return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i; };
  for (int h = 0; h < 6; ++h)
    for (int w = 0; w < 7; ++w) {
      int ih = h - 1, iw = w - 2;
      EXPECT_FLOAT_EQ(reflect[h * 7 + w], x[mirror(ih, 3) * 4 + mirror(iw, 4)]);
      bool in = ih >= 0 && ih < 3 && iw >= 0 && iw < 4;
      EXPECT_FLOAT_EQ(constant[h * 7 + w], in ? x[ih * 4 + iw] : 7.0f);
    }
}

TEST_F(Codegen, ActivationsAndDenseConstants) {
  Shape xs{2, 3};
  Buf x = {-3.5f, -1.0f, -0.25f, 0.0f, 0.75f, 4.0f};
  // gelu(x) + hard_swish(x) * w, with w a dense constant and a splat bias.
  std::string body =
      "%w = cnn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : " + ty(xs) + "\n"
      "%b = cnn.constant dense<0.5> : tensor<3xf32>\n"
      "%g = cnn.gelu %a0 {approximate = false} : " + ty(xs) + "\n"
      "%h = cnn.hard_swish %a0 : " + ty(xs) + "\n"
      "%m = cnn.mul %h, %w : (" + ty(xs) + ", " + ty(xs) + ") -> " + ty(xs) + "\n"
      "%s = cnn.add %g, %m : (" + ty(xs) + ", " + ty(xs) + ") -> " + ty(xs) + "\n"
      "%r = cnn.sub %s, %b : (" + ty(xs) + ", tensor<3xf32>) -> " + ty(xs);
  Buf y = jit(moduleText({xs}, xs, body), {x});
  for (int i = 0; i < 6; ++i) {
    float v = x[i];
    float gelu = 0.5f * v * (1 + std::erf(v / std::sqrt(2.0f)));
    float hs = v * std::clamp(v / 6 + 0.5f, 0.0f, 1.0f);
    EXPECT_NEAR(y[i], gelu + hs * float(i + 1) - 0.5f, 1e-5) << i;
  }
}

TEST_F(Codegen, BatchNormPreluTransposeReshapeSigmoid) {
  Shape xs{1, 3, 2, 17}, cs{3}, ss{3, 1, 1}, ts{1, 17, 3, 2}, ys{17, 6};
  Buf x = random(xs, 40), sc = random(cs, 41), bi = random(cs, 42), mean = random(cs, 43),
      var = random(cs, 44), slope = random(ss, 45);
  for (float &v : var)
    v = std::fabs(v);
  std::string c3 = ty(cs);
  std::string body =
      "%n = cnn.batch_norm %a0, %a1, %a2, %a3, %a4 {epsilon = 1.0e-3 : f32} : (" + ty(xs) + ", " +
      c3 + ", " + c3 + ", " + c3 + ", " + c3 + ") -> " + ty(xs) + "\n"
      "%p = cnn.prelu %n, %a5 : (" + ty(xs) + ", " + ty(ss) + ") -> " + ty(xs) + "\n"
      "%t = cnn.transpose %p {perm = array<i64: 0, 3, 1, 2>} : (" + ty(xs) + ") -> " + ty(ts) + "\n"
      "%f = cnn.reshape %t {shape = array<i64: 17, -1>} : (" + ty(ts) + ") -> " + ty(ys) + "\n"
      "%r = cnn.sigmoid %f : " + ty(ys);
  Buf y = jit(moduleText({xs, cs, cs, cs, cs, ss}, ys, body), {x, sc, bi, mean, var, slope});
  Buf want(numel(ys));
  for (int c = 0; c < 3; ++c)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 17; ++w) {
        float v = sc[c] * (x[at(xs, {0, c, h, w})] - mean[c]) / std::sqrt(var[c] + 1e-3f) + bi[c];
        v = v >= 0 ? v : slope[c] * v;
        want[w * 6 + c * 2 + h] = 1 / (1 + std::exp(-v));
      }
  expectNear(y, want, 1e-5f);
}

/// Fusion marks as --cnn-fuse writes them (Passes.td).
const std::string kEpilogue = "{cnn.fuse = \"epilogue\", cnn.fuse_operand = 0 : i64}";
const std::string kConsumer = "cnn.fuse = \"consumer\", ";

/// `result = cnn.relu input` fused as the epilogue of input's producer.
std::string reluEpilogue(const std::string &result, const std::string &input, const Shape &s) {
  return result + " = cnn.relu " + input + " " + kEpilogue + " : " + ty(s) + "\n";
}

// A conv's fused epilogues (relu; a residual add of two blocked values) run
// on its register tile and are what it stores; a 1x1 unpadded conv reads the
// stored blocked value in place (no packed copy of its input).
TEST_F(Codegen, EpiloguesStoredAndOneByOneReadsInPlace) {
  ConvCase c1{{1, 16, 8, 8}, {32, 16, 3, 3}, {1, 32, 8, 8}, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  ConvCase c2{{1, 32, 8, 8}, {32, 32, 1, 1}, {1, 32, 8, 8}, 1, 1, 0, 0, 0, 0, 1, 1, 1};
  Shape b1{32}, b2{32}, ys = c2.ys;
  Buf x = random(c1.xs, 50), w1 = random(c1.ws, 51), bias1 = random(b1, 52),
      w2 = random(c2.ws, 53), bias2 = random(b2, 54);
  std::string body = c1.op("%c", "%a0, %a1, %a2") + reluEpilogue("%h", "%c", c1.ys) +
                     c2.op("%p", "%h, %a3, %a4") + "%r = cnn.add %p, %h " + kEpilogue + " : (" +
                     ty(ys) + ", " + ty(ys) + ") -> " + ty(ys);
  std::string text = moduleText({c1.xs, c1.ws, b1, c2.ws, b2}, ys, body);
  {
    auto m = parse(text);
    ASSERT_TRUE(m);
    auto model = buildPipeline(*m);
    ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
    ASSERT_EQ(model->convs.size(), 2u);
    EXPECT_NE(model->convs[0].stored.name(), model->convs[0].out.name()); // relu stored
    EXPECT_TRUE(model->convs[1].packInline);
    EXPECT_NE(model->convs[1].stored.name(), model->convs[1].out.name()); // add stored
  }
  Buf y = jit(text, {x, w1, bias1, w2, bias2});
  Buf h = c1.reference(x, w1, bias1);
  for (float &v : h)
    v = std::max(v, 0.0f);
  Buf want = c2.reference(h, w2, bias2);
  for (size_t i = 0; i < want.size(); ++i)
    want[i] += h[i];
  expectNear(y, want, 1e-4f);
}

/// `dense<"0x...">`: the raw (host, little-endian) f32 data of `v` (a
/// constant operand; Winograd needs constant weights).
std::string denseHex(const Buf &v) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(float));
  return "dense<\"0x" + llvm::toHex(bytes) + "\">";
}

// Winograd F(2x2, 3x3) and F(4x4, 3x3) against the conv in double precision:
// ResNet's 64 -> 64 3x3 conv (pads 1) at 20x20, inputs and weights uniform
// in [-1, 1). The error, relative to the largest output, is printed (the
// figure docs/perf.md quotes) and bounded: F(4x4)'s tables (entries up to 8,
// fifteenths) lose more than F(2x2)'s exact ones; its interpolation points
// (codegen/Winograd.cpp) keep it under 4e-6 (Lavin & Gray's: 5.6e-6).
TEST_F(Codegen, WinogradErrorF2AndF4) {
  ConvCase c{{1, 64, 20, 20}, {64, 64, 3, 3}, {1, 64, 20, 20}, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  Buf x = random(c.xs, 70), w = random(c.ws, 71), b = random({c.ws[0]}, 72);
  Buf want(numel(c.ys));
  double scale = 0;
  for (int f = 0; f < 64; ++f)
    for (int oh = 0; oh < 20; ++oh)
      for (int ow = 0; ow < 20; ++ow) {
        double acc = b[f];
        for (int ch = 0; ch < 64; ++ch)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              int ih = oh + kh - 1, iw = ow + kw - 1;
              if (ih >= 0 && ih < 20 && iw >= 0 && iw < 20)
                acc += double(x[at(c.xs, {0, ch, ih, iw})]) * w[at(c.ws, {f, ch, kh, kw})];
            }
        want[at(c.ys, {0, f, oh, ow})] = float(acc);
        scale = std::max(scale, std::fabs(acc));
      }
  for (int m : {2, 4}) {
    std::string tiling = "cnn.tiling = {algorithm = \"winograd\", winograd_tile = " +
                         std::to_string(m) + " : i64}, ";
    std::string body = "%w = cnn.constant " + denseHex(w) + " : " + ty(c.ws) + "\n" +
                       c.op("%r", "%a0, %w, %a1", tiling);
    std::string text = moduleText({c.xs, Shape{64}}, c.ys, body);
    { // lowered as F(m x m), not by the direct loop
      auto mod = parse(text);
      ASSERT_TRUE(mod);
      auto model = buildPipeline(*mod);
      ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
      ASSERT_EQ(model->winogradConvs.size(), 1u);
      EXPECT_EQ(model->winogradConvs[0].tile.m, m);
    }
    Buf y = jit(text, {x, b});
    ASSERT_EQ(y.size(), want.size());
    double err = 0;
    for (size_t i = 0; i < y.size(); ++i)
      err = std::max(err, std::fabs(double(y[i]) - want[i]));
    std::printf("Winograd F(%dx%d, 3x3): max error %.2e of the largest output (%.1f)\n", m, m,
                err / scale, scale);
    EXPECT_LT(err / scale, m == 2 ? 1e-6 : 4e-6);
  }
}

// Winograd F(2x2, 2x2) per sub-pixel phase of DCGAN's transposed conv shape
// (4x4 kernel, stride 2, pads 1; 64 -> 32 channels, 8x8 -> 16x16) against
// the conv in double precision: each phase's own transformed filters, the
// tiles of every phase. F(2, 2)'s tables (0, +-1) are exact, so the error
// is the float sums' (printed; about that of the direct loop).
TEST_F(Codegen, WinogradTransposedPhases) {
  Shape xs{1, 64, 8, 8}, ws{64, 32, 4, 4}, ys{1, 32, 16, 16};
  Buf x = random(xs, 80), w = random(ws, 81), b = random({32}, 82);
  Buf want(numel(ys));
  double scale = 0;
  for (int f = 0; f < 32; ++f)
    for (int oy = 0; oy < 16; ++oy)
      for (int ox = 0; ox < 16; ++ox) {
        double acc = b[f];
        for (int c = 0; c < 64; ++c)
          for (int ky = 0; ky < 4; ++ky)
            for (int kx = 0; kx < 4; ++kx) {
              int iy = oy + 1 - ky, ix = ox + 1 - kx; // oy = 2 iy - 1 + ky
              if (iy % 2 == 0 && ix % 2 == 0 && iy >= 0 && iy < 16 && ix >= 0 && ix < 16)
                acc += double(x[at(xs, {0, c, iy / 2, ix / 2})]) * w[at(ws, {c, f, ky, kx})];
            }
        want[at(ys, {0, f, oy, ox})] = float(acc);
        scale = std::max(scale, std::fabs(acc));
      }
  std::string body = "%w = cnn.constant " + denseHex(w) + " : " + ty(ws) + "\n" +
                     "%r = cnn.conv_transpose2d %a0, %w, %a1 {cnn.tiling = {algorithm = "
                     "\"winograd\", winograd_tile = 2 : i64}, strides = array<i64: 2, 2>, "
                     "pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, "
                     "dilations = array<i64: 1, 1>, groups = 1} : (" +
                     ty(xs) + ", " + ty(ws) + ", " + ty({32}) + ") -> " + ty(ys) + "\n";
  std::string text = moduleText({xs, Shape{32}}, ys, body);
  { // lowered as F(2x2, 2x2) over 4 phases of 4 x 4 tiles
    auto mod = parse(text);
    ASSERT_TRUE(mod);
    auto model = buildPipeline(*mod);
    ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
    ASSERT_EQ(model->winogradConvs.size(), 1u);
    EXPECT_EQ(model->winogradConvs[0].tile.r, 2);
    EXPECT_EQ(model->winogradConvs[0].tilesY, 16);
  }
  Buf y = jit(text, {x, b});
  ASSERT_EQ(y.size(), want.size());
  double err = 0;
  for (size_t i = 0; i < y.size(); ++i)
    err = std::max(err, std::fabs(double(y[i]) - want[i]));
  std::printf("Winograd F(2x2, 2x2) per phase: max error %.2e of the largest output (%.1f)\n",
              err / scale, scale);
  EXPECT_LT(err / scale, 1e-6);
}

// An inverted residual's expansion (1x1 conv + relu, marked "consumer") is
// computed per task of the depthwise conv that reads it: on 2 threads per 8
// rows of the strided depthwise output and one channel block, with the input
// rows the task's 3x3 window overlaps recomputed (on 1 thread the 10-row map
// is one task); the result must not change.
TEST_F(Codegen, ExpansionComputedPerDepthwiseTask) {
  ConvCase e{{1, 16, 19, 21}, {32, 16, 1, 1}, {1, 32, 19, 21}, 1, 1, 0, 0, 0, 0, 1, 1, 1};
  ConvCase d{{1, 32, 19, 21}, {32, 1, 3, 3}, {1, 32, 10, 11}, 2, 2, 1, 1, 1, 1, 1, 1, 32};
  Shape b{32};
  Buf x = random(e.xs, 60), we = random(e.ws, 61), be = random(b, 62), wd = random(d.ws, 63),
      bd = random(b, 64);
  std::string body = e.op("%c", "%a0, %a1, %a2", kConsumer) + reluEpilogue("%h", "%c", e.ys) +
                     d.op("%r", "%h, %a3, %a4");
  Buf h = e.reference(x, we, be);
  for (float &v : h)
    v = std::max(v, 0.0f);
  Buf want = d.reference(h, wd, bd);
  for (int threads : {1, 2})
    expectNear(jit(moduleText({e.xs, e.ws, b, d.ws, b}, d.ys, body), {x, we, be, wd, bd}, threads),
               want, 1e-4f);
}

// A conv marked "consumer" before a max pool (ResNet's stem) is computed per
// pool task (8 pool rows x one channel block, overlapping windows
// recomputed), with its relu epilogue; padded pool windows read -inf.
TEST_F(Codegen, ConvComputedPerPoolTask) {
  ConvCase c{{1, 3, 35, 33}, {32, 3, 3, 3}, {1, 32, 18, 17}, 2, 2, 1, 1, 1, 1, 1, 1, 1};
  Shape b{32}, ys{1, 32, 9, 9};
  Buf x = random(c.xs, 70), w = random(c.ws, 71), bias = random(b, 72);
  std::string yc = ty(c.ys);
  std::string body =
      c.op("%c", "%a0, %a1, %a2", kConsumer) + reluEpilogue("%h", "%c", c.ys) +
      "%r = cnn.max_pool2d %h {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
      "pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false} : (" + yc +
      ") -> " + ty(ys);
  Buf y = jit(moduleText({c.xs, c.ws, b}, ys, body), {x, w, bias});
  Buf h = c.reference(x, w, bias);
  Buf want(numel(ys), -INFINITY);
  for (int f = 0; f < 32; ++f)
    for (int oy = 0; oy < 9; ++oy)
      for (int ox = 0; ox < 9; ++ox)
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            int iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1;
            if (iy >= 0 && iy < 18 && ix >= 0 && ix < 17) {
              float &m = want[at(ys, {0, f, oy, ox})];
              m = std::max(m, std::max(h[at(c.ys, {0, f, iy, ix})], 0.0f));
            }
          }
  expectNear(y, want, 1e-4f);
}

/// A small network used by the emission tests: conv + relu + global pool +
/// flatten + dense + softmax, with dense<> weights.
std::string smallNet() {
  return R"(module @tiny { func.func @main(%x: tensor<1x2x5x5xf32> {cnn.name = "image"}) -> (tensor<1x3xf32> {cnn.name = "prob"}) {
    %w = cnn.constant dense<0.25> : tensor<4x2x3x3xf32>
    %b = cnn.constant dense<[0.1, -0.2, 0.3, -0.4]> : tensor<4xf32>
    %c = cnn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
    %r = cnn.relu %c : tensor<1x4x5x5xf32>
    %p = cnn.global_avg_pool %r : (tensor<1x4x5x5xf32>) -> tensor<1x4x1x1xf32>
    %f = cnn.flatten %p {axis = 1} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
    %d = cnn.constant dense<[[1.0, 0.0, 0.5, 0.0], [0.0, 1.0, 0.0, -1.0], [0.3, 0.3, 0.3, 0.3]]> : tensor<3x4xf32>
    %y = cnn.dense %f, %d {trans_a = false, trans_b = true, alpha = 1.0 : f32, beta = 1.0 : f32} : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
    %s = cnn.softmax %y {axis = 1} : tensor<1x3xf32>
    return %s : tensor<1x3xf32>
  } })";
}

/// A fresh temporary directory removed at the end of the test.
struct TempDir {
  llvm::SmallString<128> path;
  TempDir() { llvm::sys::fs::createUniqueDirectory("cnnc-codegen-test", path); }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(const char *name) const { return std::string(path) + "/" + name; }
};

std::string shell(const std::string &cmd) {
  std::string out;
  if (FILE *p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p))
      out += buf;
    pclose(p);
  }
  return out;
}

class Emission : public Codegen {
protected:
  /// The JIT's answer for smallNet on `x`, the reference for AOT outputs.
  Buf jitReference(const Buf &x) { return jit(smallNet(), {x}); }

  /// Loads a model library and runs it on x, checking its descriptor.
  Buf runLibrary(const std::string &path, const char *symbol, const Buf &x) {
    void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_TRUE(lib) << dlerror();
    if (!lib)
      return {};
    auto describe = (const cnnc_model_desc *(*)())dlsym(lib, symbol);
    EXPECT_TRUE(describe);
    if (!describe)
      return {};
    const cnnc_model_desc *d = describe();
    EXPECT_EQ(d->abi_version, CNNC_ABI_VERSION);
    EXPECT_STREQ(d->name, "tiny");
    EXPECT_EQ(d->num_inputs, 1);
    EXPECT_EQ(d->num_outputs, 1);
    EXPECT_STREQ(d->inputs[0].name, "image");
    EXPECT_EQ(d->inputs[0].rank, 4);
    EXPECT_EQ(d->inputs[0].shape[3], 5);
    EXPECT_STREQ(d->outputs[0].name, "prob");
    EXPECT_EQ(d->outputs[0].shape[1], 3);
    d->set_num_threads(2);
    Buf y(3);
    const void *ins[] = {x.data()};
    void *outs[] = {y.data()};
    char err[256] = "";
    EXPECT_EQ(d->run(ins, outs, err, sizeof err), 0) << err;
    return y;
  }
};

TEST_F(Emission, SharedLibRunsAndIsSelfContained) {
  TempDir tmp;
  std::string so = tmp.file("tiny.so");
  auto m = parse(smallNet());
  ASSERT_FALSE(bool(emitModel(*m, {EmitKind::SharedLib, so, "host"})));
  Buf x = random({1, 2, 5, 5}, 20);
  expectNear(runLibrary(so, "cnnc_model_describe", x), jitReference(x), 1e-5f);
  // Only libc & co. are needed; only the entry points are exported (the
  // descriptor and the optional memory statistics, under both names).
  std::string deps = shell("ldd " + so + " | awk '{print $1}'");
  for (llvm::StringRef dep : llvm::split(llvm::StringRef(deps).trim(), '\n')) {
    dep = dep.trim();
    bool ok = dep.starts_with("linux-vdso") || dep.contains("ld-linux") ||
              llvm::any_of(std::vector<std::string>{"libc.so", "libm.so", "libpthread.so",
                                                    "libdl.so", "libstdc++.so", "libgcc_s.so"},
                           [&](const std::string &p) { return dep.starts_with(p); });
    EXPECT_TRUE(ok) << "unexpected dependency " << dep.str();
  }
  std::string exports = shell("nm -D --defined-only " + so + " | awk '{print $3}' | sort");
  EXPECT_EQ(exports, "cnnc_model_describe\ncnnc_model_memory_stats\ncnnc_tiny_describe\n"
                     "cnnc_tiny_memory_stats\n");
}

/// The model's own thread pool (ModelGlue.c.in): parallel loops of several
/// callers at once (one owns the pool, the others go to Halide's), thread
/// counts changed between runs, and unloading while its workers wait. A
/// parallel loop only splits the work, so every run matches the 1-thread
/// run exactly.
TEST_F(Emission, ThreadPoolServesConcurrentCallers) {
  TempDir tmp;
  std::string so = tmp.file("pool.so");
  auto m = parse(R"(module @pool { func.func @main(%x: tensor<1x8x20x20xf32>) -> tensor<1x32x20x20xf32> {
    %w = cnn.constant dense<0.05> : tensor<32x8x3x3xf32>
    %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1} : (tensor<1x8x20x20xf32>, tensor<32x8x3x3xf32>) -> tensor<1x32x20x20xf32>
    %r = cnn.relu %c : tensor<1x32x20x20xf32>
    return %r : tensor<1x32x20x20xf32>
  } })");
  ASSERT_FALSE(bool(emitModel(*m, {EmitKind::SharedLib, so, "host"})));
  void *lib = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_TRUE(lib) << dlerror();
  auto describe = (const cnnc_model_desc *(*)())dlsym(lib, "cnnc_model_describe");
  ASSERT_TRUE(describe);
  const cnnc_model_desc *d = describe();
  Buf x = random({1, 8, 20, 20}, 7);
  auto run = [&](Buf &y) {
    const void *ins[] = {x.data()};
    void *outs[] = {y.data()};
    char err[256] = "";
    return d->run(ins, outs, err, sizeof err);
  };
  Buf want(32 * 20 * 20);
  d->set_num_threads(1);
  ASSERT_EQ(run(want), 0);
  for (int threads : {2, 3}) {
    d->set_num_threads(threads);
    std::vector<int> bad(3, 0);
    std::vector<std::thread> callers;
    for (int c = 0; c < 3; ++c)
      callers.emplace_back([&, c] {
        Buf y(want.size());
        for (int i = 0; i < 40; ++i)
          bad[c] += run(y) != 0 || y != want;
      });
    for (std::thread &t : callers)
      t.join();
    EXPECT_EQ(bad, std::vector<int>(3, 0)) << threads << " threads";
  }
  dlclose(lib); // stops the spinning or sleeping workers first
}

TEST_F(Emission, ObjectStaticLibHeaderForHostAndCross) {
  TempDir tmp;
  auto m = parse(smallNet());
  for (const char *target : {"host", "arm-64-linux"}) {
    SCOPED_TRACE(target);
    std::string t = target;
    ASSERT_FALSE(bool(emitModel(*m, {EmitKind::Object, tmp.file("a.o"), t})));
    ASSERT_FALSE(bool(emitModel(*m, {EmitKind::StaticLib, tmp.file("libtiny.a"), t})));
    ASSERT_FALSE(bool(emitModel(*m, {EmitKind::Header, tmp.file("only.h"), t})));
    EXPECT_TRUE(llvm::sys::fs::exists(tmp.file("libtiny.h")));
    std::string syms = shell("nm --defined-only " + tmp.file("a.o") + " | grep -c ' T cnnc_tiny_describe'");
    EXPECT_EQ(syms, "1\n");
    EXPECT_EQ(shell("nm --defined-only " + tmp.file("a.o") + " | grep -c cnnc_model_describe"), "0\n");
  }
  // The arm object is really aarch64.
  EXPECT_NE(shell("readelf -h " + tmp.file("a.o")).find("AArch64"), std::string::npos);
  // A host program links the static library through its header.
  std::string main = tmp.file("main.c");
  std::FILE *f = std::fopen(main.c_str(), "w");
  std::fputs("#include \"libtiny.h\"\n#include <stdio.h>\n"
             "int main(void) { const cnnc_model_desc *d = cnnc_tiny_describe();\n"
             "  float x[50] = {0}, y[3]; const void *in[] = {x}; void *out[] = {y}; char e[128];\n"
             "  if (d->run(in, out, e, sizeof e)) return 1; printf(\"%.4f\\n\", y[0] + y[1] + y[2]); return 0; }\n",
             f);
  std::fclose(f);
  ASSERT_FALSE(bool(emitModel(*m, {EmitKind::StaticLib, tmp.file("libtiny.a"), "host"})));
  std::string out = shell("cc -I" CNNC_SOURCE_DIR "/runtime/include -I" + std::string(tmp.path) + " " +
                          main + " " + tmp.file("libtiny.a") + " -lpthread -ldl -lm -o " +
                          tmp.file("app") + " 2>&1 && " + tmp.file("app"));
  EXPECT_EQ(out, "1.0000\n"); // softmax sums to one
}

TEST_F(Emission, SharedLibForOtherArchitectureFailsCleanly) {
  TempDir tmp;
  auto m = parse(smallNet());
  llvm::Error err = emitModel(*m, {EmitKind::SharedLib, tmp.file("x.so"), "arm-64-linux"});
  ASSERT_TRUE(bool(err));
  EXPECT_NE(llvm::toString(std::move(err)).find("host architecture"), std::string::npos);
  EXPECT_FALSE(llvm::sys::fs::exists(tmp.file("x.so")));
  llvm::Error bad = emitModel(*m, {EmitKind::Object, tmp.file("y.o"), "no-such-target"});
  EXPECT_TRUE(bool(bad));
  llvm::consumeError(std::move(bad));
  EXPECT_FALSE(llvm::sys::fs::exists(tmp.file("y.o")));
}

TEST_F(Emission, CppSourceBuildsWithGxx) {
  TempDir tmp;
  auto m = parse(smallNet());
  std::string cpp = tmp.file("tiny.cpp");
  ASSERT_FALSE(bool(emitModel(*m, {EmitKind::CppSource, cpp, "host"})));
  std::string so = tmp.file("tiny_cpp.so");
  std::string log = shell("g++ -O2 -shared -fPIC -DCNNC_MODEL_SHARED " + cpp + " " +
                          tmp.file("tiny.runtime.o") + " -lpthread -ldl -o " + so + " 2>&1");
  ASSERT_TRUE(llvm::sys::fs::exists(so)) << log;
  Buf x = random({1, 2, 5, 5}, 21);
  expectNear(runLibrary(so, "cnnc_tiny_describe", x), jitReference(x), 1e-5f);
}

} // namespace
