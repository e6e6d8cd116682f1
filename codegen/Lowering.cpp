//===- Lowering.cpp - the cnn dialect to one Halide pipeline --------------===//
//
// Every op body below is written in MLIR index order (outermost first) through
// `Tensor::operator()` and `Lowerer::define`, which reverse to Halide's
// innermost-first order in one place.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"
#include "codegen/LowerSequence.h"
#include "codegen/Schedule.h"
#include "codegen/Winograd.h"
#include "ir/ConstantData.h"

#include "ir/CnnDialect.h"
#include "ir/ShapeInference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>
#include <functional>
#include <limits>
#include <optional>

using namespace mlir;
using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::Var;

namespace cnnc::codegen {

/// From exp: the odd Taylor series near 0, where (1 - e) / (1 + e) would
/// cancel, the exact formula beyond.
Expr tanhOf(Expr x) {
  Expr a = Halide::abs(x), a2 = x * x;
  Expr e = Halide::exp(-2.0f * a);
  Expr far = (1.0f - e) / (1.0f + e);
  // x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835: < 1e-7 relative below 0.3.
  Expr near = a * (1.0f + a2 * (-1.0f / 3 + a2 * (2.0f / 15 + a2 * (-17.0f / 315 + a2 * (62.0f / 2835)))));
  Expr t = Halide::select(a < 0.3f, near, far);
  return Halide::select(x < 0.0f, -t, t);
}

BlockRows transposeBlocks(BlockRows rows, Var x2, Var rr, Var a, Var b,
                          const std::vector<Var> &outer,
                          const std::function<Func()> &make, std::vector<Func> &zips) {
  constexpr int B = kTransposeBlock;
  std::vector<Halide::Expr> rest(outer.begin(), outer.end());
  for (int z = 0; z < 4; ++z) {
    Func zip = make();
    std::vector<Var> args{x2, rr, a, b};
    args.insert(args.end(), outer.begin(), outer.end());
    zip(args) = Halide::select(x2 % 2 == 0, rows(x2 / 2, rr, a, b), rows(x2 / 2, rr + B / 2, a, b));
    zips.push_back(zip);
    // Read back as 16 rows: row r of the next stage is half r % 2 of row r / 2.
    rows = [zip, rest](Expr x, Expr r, Expr a_, Expr b_) {
      std::vector<Expr> at{x + B * (r % 2), r / 2, a_, b_};
      at.insert(at.end(), rest.begin(), rest.end());
      return zip(at);
    };
  }
  return rows;
}

llvm::Error halideError(const Halide::Error &e) {
  return llvm::createStringError("halide: %s", e.what());
}

llvm::Expected<std::vector<float>> constantData(ElementsAttr value) {
  if (auto data = cnn::getFloatData(value))
    return std::move(*data);
  std::string type;
  llvm::raw_string_ostream(type) << value.getType();
  return llvm::createStringError(
      "constant of type %s is not readable f32 data (elided blob?)", type.c_str());
}

namespace {

using Coords = std::vector<Expr>; // MLIR order, outermost first
using Shape = std::vector<int64_t>;
using Body = std::function<Expr(const Coords &)>;

template <class T> std::vector<T> reversed(std::vector<T> v) {
  std::reverse(v.begin(), v.end());
  return v;
}

Shape shapeOf(Value v) {
  auto s = cast<RankedTensorType>(v.getType()).getShape();
  return Shape(s.begin(), s.end());
}

/// A Func together with its MLIR shape; indexed in MLIR order.
struct Tensor {
  Func f;
  Shape shape;
  Expr operator()(const Coords &idx) const { return f(reversed(idx)); }
  int dim(size_t i) const { return static_cast<int>(shape[i]); }
};

/// Index into a tensor of `inShape` that broadcasts (numpy rules: aligned from
/// the right, size 1 stretches) to the output coordinates `out`.
Coords broadcastCoords(const Coords &out, ArrayRef<int64_t> inShape) {
  size_t offset = out.size() - inShape.size();
  Coords in;
  for (size_t i = 0; i < inShape.size(); ++i)
    in.push_back(inShape[i] == 1 ? Expr(0) : out[offset + i]);
  return in;
}

/// t(idx) where idx lies inside t, else `fill`. Coordinates are clamped so
/// bounds inference never asks t for more than it holds.
Expr readOr(const Tensor &t, const Coords &idx, Expr fill) {
  Expr inside = Halide::Internal::const_true();
  Coords clamped;
  for (size_t i = 0; i < idx.size(); ++i) {
    inside = inside && idx[i] >= 0 && idx[i] < t.dim(i);
    clamped.push_back(Halide::clamp(idx[i], 0, t.dim(i) - 1));
  }
  return Halide::select(inside, t(clamped), fill);
}

/// Row-major index arithmetic, shared by reshape and flatten.
Coords reindex(const Coords &out, ArrayRef<int64_t> outShape,
               ArrayRef<int64_t> inShape) {
  Expr linear = 0;
  for (size_t i = 0; i < out.size(); ++i)
    linear = linear * static_cast<int>(outShape[i]) + out[i];
  Coords in(inShape.size());
  for (size_t i = inShape.size(); i-- > 0;) {
    int extent = static_cast<int>(inShape[i]);
    in[i] = i == 0 ? linear : linear % extent;
    linear = linear / extent;
  }
  return in;
}

/// `idx` with coordinate `axis` replaced by `value`.
Coords withAxis(Coords idx, size_t axis, Expr value) {
  idx[axis] = value;
  return idx;
}

/// `idx` without coordinate `axis`.
Coords dropAxis(Coords idx, size_t axis) {
  idx.erase(idx.begin() + axis);
  return idx;
}

float f32(const llvm::APFloat &v) { return v.convertToFloat(); }

Expr negInf() { return Expr(-std::numeric_limits<float>::infinity()); }

/// A source coordinate as the exact fraction num/den (den > 0): nearest
/// rounding then decides ties (c = k + 0.5) exactly, where a float scale
/// can land on either side (e.g. in = 2, out = 7, x = 3: c = 0.5).
struct Fraction {
  Expr num;
  int den;
};

/// An f64 constant (Halide's operators take int and float literals only).
Expr f64(double v) { return Halide::Internal::FloatImm::make(Halide::Float(64), v); }

/// floor(n / d) for d > 0 (Halide's integer division rounds down).
Expr floorDiv(Expr n, int d) { return n / d; }
Expr ceilDiv(Expr n, int d) { return -((-n) / d); }

/// The input coordinate c that output coordinate x maps to along one
/// resized dimension (the table in the ODS of cnn.resize). Exact when c is
/// a ratio of integers (no `scale`, not tf_crop_and_resize); otherwise an
/// f64 expression, computed as ONNX's reference computes it.
struct SourceCoord {
  std::optional<Fraction> exact;
  Expr real;    // f64, when not exact
  Expr outside; // tf_crop_and_resize: c outside [0, in - 1]

  SourceCoord(Expr x, int64_t in, int64_t out, int dim, cnn::ResizeOp op) {
    auto scale = op.getScale();
    int i = int(in), o = int(out);
    Expr xd = Halide::cast<double>(x), half = f64(0.5);
    Expr s = scale ? f64((*scale)[dim]) : Expr();
    switch (op.getCoordMode()) {
    case cnn::CoordMode::half_pixel: // (x + 1/2) * in / out - 1/2
      if (!scale)
        exact = Fraction{(2 * x + 1) * i - o, 2 * o};
      else
        real = (xd + half) / s - half;
      break;
    case cnn::CoordMode::pytorch_half_pixel:
      if (out == 1)
        exact = Fraction{Expr(0), 1};
      else if (!scale)
        exact = Fraction{(2 * x + 1) * i - o, 2 * o};
      else
        real = (xd + half) / s - half;
      break;
    case cnn::CoordMode::tf_half_pixel_for_nn: // (x + 1/2) * in / out
      if (!scale)
        exact = Fraction{(2 * x + 1) * i, 2 * o};
      else
        real = (xd + half) / s;
      break;
    case cnn::CoordMode::asymmetric:
      if (!scale)
        exact = Fraction{x * i, o};
      else
        real = xd / s;
      break;
    case cnn::CoordMode::align_corners:
      if (out == 1)
        exact = Fraction{Expr(0), 1};
      else if (!scale)
        exact = Fraction{x * (i - 1), o - 1};
      else // the resized length is in * scale, not out
        real = xd * f64(double(in - 1)) / f64(double(in) * double((*scale)[dim]) - 1.0);
      break;
    case cnn::CoordMode::tf_crop_and_resize: {
      double start = (*op.getRoi())[dim], end = (*op.getRoi())[dim + 2];
      double span = double(in - 1);
      real = out == 1 ? f64((start + end) * span / 2)
                      : f64(start * span) +
                            xd * f64(end - start) * f64(span) / f64(double(out - 1));
      outside = real < f64(0) || real > f64(span);
      break;
    }
    }
    if (real.defined()) // the f64 arithmetic as written, no fast math
      real = Halide::strict_float(real);
    if (outside.defined())
      outside = Halide::strict_float(outside);
  }

  /// floor(c), i32.
  Expr floor() const {
    return exact ? floorDiv(exact->num, exact->den)
                 : Halide::cast<int>(Halide::floor(real));
  }
  /// c - floor(c), f32 in [0, 1).
  Expr frac() const {
    if (exact)
      return Halide::cast<float>(exact->num - floor() * exact->den) / float(exact->den);
    return Halide::cast<float>(real - Halide::floor(real));
  }
  /// c rounded to an input index by `mode` (not clamped).
  Expr round(cnn::NearestMode mode) const {
    if (exact) {
      const Fraction &s = *exact;
      switch (mode) {
      case cnn::NearestMode::round_prefer_floor: // ceil(c - 1/2)
        return ceilDiv(2 * s.num - s.den, 2 * s.den);
      case cnn::NearestMode::round_prefer_ceil: // floor(c + 1/2)
        return floorDiv(2 * s.num + s.den, 2 * s.den);
      case cnn::NearestMode::floor:
        return floorDiv(s.num, s.den);
      case cnn::NearestMode::ceil:
        return ceilDiv(s.num, s.den);
      }
      llvm_unreachable("unknown nearest mode");
    }
    Expr f = Halide::floor(real), r = real - f;
    Expr down = Halide::cast<int>(f), up = down + 1;
    switch (mode) {
    case cnn::NearestMode::round_prefer_floor:
      return Halide::select(r > f64(0.5), up, down);
    case cnn::NearestMode::round_prefer_ceil:
      return Halide::select(r >= f64(0.5), up, down);
    case cnn::NearestMode::floor:
      return down;
    case cnn::NearestMode::ceil:
      return Halide::select(r > f64(0), up, down);
    }
    llvm_unreachable("unknown nearest mode");
  }
};

/// Window geometry of one spatial dimension of a conv or pool.
struct Window {
  int stride, pad, dilation;
  /// Input coordinate of kernel tap k for output coordinate o.
  Expr at(Expr o, Expr k) const { return o * stride + k * dilation - pad; }
};

/// Where a WinogradConv's tiles lie (Lowering.h): a conv2d's dilation phases
/// or a conv_transpose2d's sub-pixel phases, each an undilated correlation.
struct WinogradPlacement {
  int padTop = 0, padLeft = 0; // of `source`, the zero-padded input
  int padsY = 0, padsX = 0;    // rows and columns `source` adds in all
  int tilesX = 1, tilesY = 1;  // tile ids along x and y, all phases
  int dilationY = 1;
  /// Weight sets: tile row ty uses set ty / (tilesY / phases).
  int phases = 1;
  /// The source row of row k of tile row ty, and column k of tile (tx, ty).
  std::function<Expr(Expr ty, Expr k)> row;
  std::function<Expr(Expr tx, Expr ty, Expr k)> col;
  /// (i, tx, j, ty) of output pixel (x, y): `out`'s coordinates.
  std::function<std::array<Expr, 4>(Expr x, Expr y)> output;
  /// The row-major r x r filter g of output channel f, input channel c, set
  /// `phase`.
  std::function<void(int phase, int f, int c, float *g)> filter;
};

class Lowerer {
public:
  explicit Lowerer(LoweredModel &model) : model(model) {}
  llvm::Error lower(func::FuncOp main);

private:
  // --- building blocks ------------------------------------------------------
  /// A new Func of `shape` holding body(idx) at every MLIR index idx.
  Tensor define(Operation *op, const Shape &shape, const Body &body);
  /// A Func initialised by `init` and accumulating `term` over `r` (its
  /// sum, or its maximum when `isMax`).
  Tensor accumulate(Operation *op, const Shape &shape, RDom r,
                    const Body &init, const Body &term, bool isMax = false);
  /// Registers an op's result.
  void bind(Operation *op, Tensor t) { values[op->getResult(0)] = t; }
  void bindBlocked(Operation *op, Func out);
  void blockInput(Value arg, llvm::StringRef name);
  /// bindBlocked, and `out` scheduled as a Func of its own (stored).
  void storeBlocked(Operation *op, Func out);
  /// Records that `v` is stored by the Func that `setStored` installs (a
  /// blocked conv's `stored`).
  void storeBy(Value v, std::function<void(const Func &)> setStored) {
    storeAt[v] = std::move(setStored);
  }
  /// When `op` is a fused epilogue of the stored value `from`: `b` (op in
  /// the blocked layout) becomes the stored Func and op's result a view of
  /// it; returns whether it did.
  bool extendStore(Operation *op, Value from, Func b);
  Expr packedRead(Value v, Expr n, Expr cb, Expr ci, int icBlock, Expr y, Expr x,
                  int padTop, int padLeft, bool inPlace = false);
  Tensor get(Value v) { return values.lookup(v); }
  /// A fresh Func name for `op`: its layer name (or op kind) as a C
  /// identifier, made unique.
  std::string funcName(Operation *op);
  /// `want` as a C identifier not used before.
  std::string uniqueName(llvm::StringRef want);
  /// A Func named uniqueName(want), recorded as computing `op`.
  Func newFunc(Operation *op, llvm::StringRef want);
  /// Inline reductions in a Func named after `op`.
  Expr sumOver(Operation *op, Expr e) { return Halide::sum(e, reduction(op, "sum")); }
  Expr maxOver(Operation *op, Expr e) { return Halide::maximum(e, reduction(op, "max")); }
  Func reduction(Operation *op, llvm::StringRef kind) {
    return newFunc(op, (baseName(op) + "_" + kind).str());
  }
  static llvm::StringRef baseName(Operation *op);

  // --- op families ------------------------------------------------------
  llvm::Error lowerOp(Operation *op);
  llvm::Error lowerSequence(Operation *op); // LowerSequence.cpp, a Func per result
  llvm::Error lowerConstant(cnn::ConstantOp op);
  void lowerUnary(Operation *op, const std::function<Expr(Expr)> &fn);
  void lowerBinary(Operation *op, const std::function<Expr(Expr, Expr)> &fn);
  void lowerConv(cnn::Conv2DOp op);
  bool lowerConvBlocked(cnn::Conv2DOp op);
  bool lowerConvWinograd(cnn::Conv2DOp op);
  void lowerWinograd(Operation *op, Value input, Value bias, winograd::Tile tile,
                     const WinogradPlacement &at);
  bool lowerConvDepthwise(cnn::Conv2DOp op);
  bool lowerConvDepthwiseBlocked(cnn::Conv2DOp op);
  void lowerConvTranspose(cnn::ConvTranspose2DOp op);
  bool lowerConvTransposePhased(cnn::ConvTranspose2DOp op);
  bool lowerConvTransposeWinograd(cnn::ConvTranspose2DOp op);
  bool lowerConvTransposeColumns(cnn::ConvTranspose2DOp op);
  void lowerMaxPool(cnn::MaxPool2DOp op);
  void lowerAvgPool(cnn::AvgPool2DOp op);
  void lowerGlobalPool(Operation *op, bool isMax);
  void lowerBatchNorm(cnn::BatchNormOp op);
  void lowerConcat(cnn::ConcatOp op);
  void lowerTranspose(cnn::TransposeOp op);
  void lowerPad(cnn::PadOp op);
  void lowerResize(cnn::ResizeOp op);
  void lowerDense(cnn::DenseOp op);
  void lowerMatMul(cnn::MatMulOp op);
  void lowerSoftmax(Operation *op, int64_t axis, bool isLog);

  LoweredModel &model;
  llvm::DenseMap<Value, Tensor> values;
  /// Values also readable in the blocked layout: v[n][c][y][x] ==
  /// blocked[v](c % 16, x, y, c / 16, n) (a blocked conv's `out`, and
  /// unary elementwise ops and max pools over such values).
  llvm::DenseMap<Value, Func> blocked;
  /// Values stored in the blocked layout by a compute_root Func (a blocked
  /// conv's output or the end of its epilogue chain): readable in place.
  llvm::DenseMap<Value, std::function<void(const Func &)>> storeAt;
  llvm::StringSet<> usedNames;
  int counter = 0;
};

std::string Lowerer::uniqueName(llvm::StringRef want) {
  std::string base;
  for (char c : want) // "/layer1/conv/Conv" (ONNX) -> "layer1_conv_Conv"
    if (std::isalnum(static_cast<unsigned char>(c)) || !base.empty())
      base += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  // Func names become identifiers of Halide's C++ and symbols of its
  // modules: no leading digit, no C/C++ keyword, no libc/libm
  // function (a Func "tanh" clashes with tanh() in the JIT), no Halide
  // runtime prefix.
  static const llvm::StringSet<> reserved = {
      "auto", "bool", "break", "case", "char", "class", "const", "continue",
      "default", "delete", "do", "double", "else", "enum", "extern", "float",
      "for", "goto", "if", "inline", "int", "long", "new", "operator", "return",
      "short", "signed", "sizeof", "static", "struct", "switch", "template",
      "this", "typedef", "union", "unsigned", "void", "volatile", "while",
      "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt",
      "ceil", "cos", "cosh", "div", "erf", "erfc", "exp", "exp2", "expm1", "fabs",
      "floor", "fma", "fmax", "fmin", "fmod", "hypot", "log", "log10", "log1p",
      "log2", "max", "min", "pow", "round", "sin", "sinh", "sqrt", "tan", "tanh",
      "trunc", "abort", "calloc", "exit", "free", "main", "malloc", "memcpy",
      "memmove", "memset", "printf", "realloc", "strlen"};
  if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0])) ||
      llvm::StringRef(base).starts_with("halide_"))
    base = "f_" + base;
  else if (reserved.contains(base))
    base += "_";
  std::string name = base;
  for (int k = 1; !usedNames.insert(name).second; ++k)
    name = base + "_" + std::to_string(k);
  return name;
}

Func Lowerer::newFunc(Operation *op, llvm::StringRef want) {
  Func f(uniqueName(want));
  model.owners.push_back({f, op});
  return f;
}

llvm::StringRef Lowerer::baseName(Operation *op) {
  if (!op)
    return "copy";
  llvm::StringRef layer = cnn::layerName(op->getLoc());
  return layer.empty() ? op->getName().stripDialect() : layer;
}

std::string Lowerer::funcName(Operation *op) { return uniqueName(baseName(op)); }

Tensor Lowerer::define(Operation *op, const Shape &shape, const Body &body) {
  Func f(funcName(op));
  model.owners.push_back({f, op});
  std::vector<Var> vars;
  for (size_t i = 0; i < shape.size(); ++i)
    vars.emplace_back("d" + std::to_string(i));
  Coords idx(vars.begin(), vars.end());
  f(reversed(vars)) = body(idx);
  model.funcs.push_back({f, shape, op, vars, {}});
  return {f, shape};
}

Tensor Lowerer::accumulate(Operation *op, const Shape &shape, RDom r,
                           const Body &init, const Body &term, bool isMax) {
  Tensor t = define(op, shape, init);
  LoweredFunc &lf = model.funcs.back();
  Coords idx(lf.vars.begin(), lf.vars.end());
  Expr acc = t.f(reversed(idx));
  t.f(reversed(idx)) = isMax ? Halide::max(acc, term(idx)) : acc + term(idx);
  lf.updates.push_back(r);
  return t;
}

llvm::Error Lowerer::lowerConstant(cnn::ConstantOp op) {
  auto data = constantData(op.getValue());
  if (!data)
    return data.takeError();
  Shape shape = shapeOf(op.getResult());
  std::vector<int> sizes;
  for (int64_t d : reversed(shape))
    sizes.push_back(static_cast<int>(d));
  Halide::Buffer<float> buf(sizes, uniqueName("w" + std::to_string(counter++)));
  // Row-major data is exactly a dense Halide buffer with dim 0 innermost.
  std::memcpy(buf.data(), data->data(), data->size() * sizeof(float));
  Func f(uniqueName(buf.name() + "_f"));
  std::vector<Var> vars(shape.size());
  f(vars) = buf(std::vector<Expr>(vars.begin(), vars.end()));
  bind(op, {f, shape}); // inlined: not scheduled
  return llvm::Error::success();
}

bool Lowerer::extendStore(Operation *op, Value from, Func b) {
  auto it = storeAt.find(from);
  if (it == storeAt.end() || epilogueInput(op) != from)
    return false;
  auto setStored = std::move(it->second);
  storeAt.erase(it);
  setStored(b);
  bindBlocked(op, b);
  storeBy(op->getResult(0), std::move(setStored));
  return true;
}

void Lowerer::storeBlocked(Operation *op, Func out) {
  bindBlocked(op, out);
  Shape nchw = shapeOf(op->getResult(0));
  Shape shape{nchw[0], (nchw[1] + 15) / 16, nchw[2], nchw[3], 16};
  std::vector<Var> args = out.args();
  model.funcs.push_back({out, shape, op, {args.rbegin(), args.rend()}, {}});
}

/// The unfused baseline (cnn.fuse = "none"): stored on its own.
bool unfused(Operation *op) { return fuseMark(op) == "none"; }

void Lowerer::lowerUnary(Operation *op, const std::function<Expr(Expr)> &fn) {
  Value in = op->getOperand(0);
  Func b;
  if (auto src = blocked.find(in); src != blocked.end()) {
    Func from = src->second;
    b = newFunc(op, (baseName(op) + "_blocked").str());
    b(from.args()) = fn(from(from.args()));
    if (extendStore(op, in, b))
      return;
    if (unfused(op))
      return storeBlocked(op, b);
  }
  Tensor t = get(in);
  bind(op, define(op, t.shape, [&](const Coords &i) { return fn(t(i)); }));
  if (b.defined()) // inlined wherever it is read
    blocked[op->getResult(0)] = b;
}

void Lowerer::lowerBinary(Operation *op,
                          const std::function<Expr(Expr, Expr)> &fn) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  // Both operands blocked and of the result's shape (e.g. a residual add):
  // blocked too, and stored with the conv it is an epilogue of.
  Func blockedResult;
  auto bl = blocked.find(lhs), br = blocked.find(rhs);
  if (bl != blocked.end() && br != blocked.end() && lhs.getType() == op->getResult(0).getType() &&
      rhs.getType() == lhs.getType()) {
    // The stored operand's Vars: the schedule names them.
    std::vector<Var> args = (storeAt.count(rhs) ? br : bl)->second.args();
    std::vector<Expr> at(args.begin(), args.end());
    blockedResult = newFunc(op, (baseName(op) + "_blocked").str());
    blockedResult(args) = fn(bl->second(at), br->second(at));
    if (extendStore(op, lhs, blockedResult) || extendStore(op, rhs, blockedResult))
      return;
    if (unfused(op))
      return storeBlocked(op, blockedResult);
  }
  Tensor a = get(lhs), b = get(rhs);
  bind(op, define(op, shapeOf(op->getResult(0)), [&](const Coords &i) {
         return fn(a(broadcastCoords(i, a.shape)), b(broadcastCoords(i, b.shape)));
       }));
  if (blockedResult.defined()) // inlined wherever it is read
    blocked[op->getResult(0)] = blockedResult;
}

/// Largest divisor of n that is at most `limit` (at least 1).
int divisorAtMost(int n, int limit) {
  for (int d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// The f32 data of `v` when it is a cnn.constant, else nullopt.
std::optional<std::vector<float>> constantOperand(Value v) {
  auto c = v.getDefiningOp<cnn::ConstantOp>();
  if (!c)
    return std::nullopt;
  auto data = constantData(c.getValue());
  if (!data) {
    llvm::consumeError(data.takeError());
    return std::nullopt;
  }
  return std::move(*data);
}

/// A Winograd conv's tile and constant weights: when the op's cnn.tiling
/// asks for Winograd and the conv can run so (cnn::winogradTaps) with a
/// tile that has tables; else nullopt, for the direct lowerings.
std::optional<std::pair<winograd::Tile, std::vector<float>>>
winogradRequest(Operation *op, Value weight) {
  ScheduleHints hints = hintsFor(op);
  winograd::Tile tile{hints.winogradTile, int(cnn::winogradTaps(op))};
  if (hints.algorithm != "winograd" || !winograd::supported(tile))
    return std::nullopt;
  std::optional<std::vector<float>> data = constantOperand(weight);
  if (!data)
    return std::nullopt;
  return std::make_pair(tile, std::move(*data));
}

/// read(iy, ix) at padded (y, x) of an h x w image, clamped into it, and
/// `outside` in the padding. Read by its consumer's loops (`inPlace`), the
/// in-image branch is `likely` (the branch, not the test: Halide splits a
/// loop only at a select whose likely branch is tagged), so those loops are
/// split at the borders and the interior runs without the test.
Expr padded(int h, int w, Expr y, Expr x, int padTop, int padLeft,
            const std::function<Expr(Expr, Expr)> &read, bool inPlace,
            Expr outside = 0.0f) {
  Expr iy = y - padTop, ix = x - padLeft;
  Expr inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
  Expr value = read(Halide::clamp(iy, 0, h - 1), Halide::clamp(ix, 0, w - 1));
  return Halide::select(inside, inPlace ? Halide::likely(value) : value, outside);
}

/// in(n, c, y - padTop, x - padLeft), zero outside the input: the padded
/// input of a conv, read in padded coordinates (no select in the conv).
Expr paddedRead(const Tensor &in, Expr n, Expr c, Expr y, Expr x, int padTop,
                int padLeft, bool inPlace = false) {
  return padded(in.dim(2), in.dim(3), y, x, padTop, padLeft,
                [&](Expr iy, Expr ix) { return in({n, c, iy, ix}); }, inPlace);
}

/// Channel cb * icBlock + ci (icBlock divides 16) of the blocked Func `b`.
Expr blockedRead(Func b, Expr n, Expr cb, Expr ci, int icBlock, Expr y, Expr x) {
  if (icBlock == 16)
    return b(ci, x, y, cb, n);
  Expr c = cb * icBlock + ci;
  return b(c % 16, x, y, c / 16, n);
}

/// Input channels per block of a blocked conv's reduction: 16, else 8 (a
/// half of a producer's block of 16, read as 8 dense lanes), else the
/// largest divisor of C up to 16.
int inputBlock(int C) { return C % 16 == 0 ? 16 : C % 8 == 0 ? 8 : divisorAtMost(C, 16); }

/// Channel cb * icBlock + ci of `v` at padded (y, x), for a conv's packed
/// input: read straight from v's blocked layout when the blocks coincide
/// (dense vector loads), else from its NCHW form; `inPlace` as in padded().
Expr Lowerer::packedRead(Value v, Expr n, Expr cb, Expr ci, int icBlock, Expr y, Expr x,
                         int padTop, int padLeft, bool inPlace) {
  Tensor in = get(v);
  auto src = blocked.find(v);
  if (16 % icBlock != 0 || src == blocked.end())
    return paddedRead(in, n, cb * icBlock + ci, y, x, padTop, padLeft, inPlace);
  Func b = src->second;
  return padded(in.dim(2), in.dim(3), y, x, padTop, padLeft,
                [&](Expr iy, Expr ix) { return blockedRead(b, n, cb, ci, icBlock, iy, ix); },
                inPlace);
}

/// Inputs of fewer than 8 channels up to this size are read in place by a
/// blocked conv (a quarter of the smallest L2 tuned on, Zen 5's 1 MiB).
constexpr int64_t kInPlaceInputBytes = 256 << 10;

/// Binds op's NCHW result as a view of `out` (co, x, y, ob, n: channel
/// ob * 16 + co), which consumers may also read in the blocked layout.
void Lowerer::bindBlocked(Operation *op, Func out) {
  bind(op, define(op, shapeOf(op->getResult(0)), [&](const Coords &i) {
         return out(i[1] % 16, i[3], i[2], i[1] / 16, i[0]);
       }));
  model.funcs.back().view = true;
  model.funcs.back().readsBlocked = true;
  blocked[op->getResult(0)] = out;
}

/// An NCHW network input `arg` that two or more blocked convs read (the
/// branches of the dilated context module exported from PyTorch) becomes
/// one blocked copy that they all read in place: each would otherwise pack
/// its own padded copy (3 x 4.5 MiB there). It counts in its first
/// reader's layer. An input that one conv reads stays NCHW: that conv
/// packs it anyway, and a copy would live on next to the input.
void Lowerer::blockInput(Value arg, llvm::StringRef name) {
  auto type = cast<RankedTensorType>(arg.getType());
  if (type.getRank() != 4 || type.getDimSize(1) % 16 != 0)
    return;
  SmallVector<Operation *> readers;
  for (OpOperand &use : arg.getUses()) {
    auto conv = dyn_cast<cnn::Conv2DOp>(use.getOwner());
    if (conv && use.getOperandNumber() == 0 && conv.getGroups() == 1 &&
        hintsFor(conv).layout != "nchw") // as lowerConvBlocked
      readers.push_back(conv);
  }
  if (readers.size() < 2)
    return;
  Tensor in = get(arg);
  Var co("co"), x("x"), y("y"), cb("cb"), n("n");
  Func b = newFunc(readers.front(), (name + "_blocked").str());
  b(co, x, y, cb, n) = in({n, cb * 16 + co, y, x});
  blocked[arg] = b;
  model.blockedInputs.push_back(b);
}

/// Dense conv (groups = 1) in the blocked layout of BlockedConv; weights that
/// are constants are packed here, at compile time.
bool Lowerer::lowerConvBlocked(cnn::Conv2DOp op) {
  if (op.getGroups() != 1 || hintsFor(op).layout == "nchw")
    return false;
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  const int OB = 16;
  int C = in.dim(1), F = int(outShape[1]), KH = w.dim(2), KW = w.dim(3);
  BlockedConv bc;
  bc.op = op;
  bc.icBlock = inputBlock(C);
  bc.inBlocks = C / bc.icBlock;
  bc.outBlocks = (F + OB - 1) / OB;
  bc.outH = int(outShape[2]);
  bc.outW = int(outShape[3]);
  bc.kernelW = KW;
  bc.kernelH = KH;
  std::string base = funcName(op);
  Var co("co"), x("x"), y("y"), ob("ob"), n("n"), ci("ci"), cb("cb"), kx("kx"), ky("ky");
  bc.co = co, bc.x = x, bc.y = y, bc.ob = ob, bc.n = n, bc.ci = ci, bc.cb = cb;
  int icb = bc.icBlock;

  bc.pack = newFunc(op, base + "_pack");
  bc.packInline = llvm::all_of(p, [](int64_t v) { return v == 0; }) && 16 % icb == 0 &&
                  storeAt.count(op.getInput());
  // Fewer than 8 input channels (an RGB stem) are read in place, the padding
  // tests `likely`, from an image that stays in cache (the autoencoder's 48
  // KiB: 2-4% faster than packed on 2 threads). A larger one is packed
  // (vectorizePack): read in place, MobileNetV2's 588 KiB image missed the
  // cache at each jump between channel planes, and packed it ran 2-5%
  // faster, ResNet-18 1%.
  int64_t inputBytes = int64_t(sizeof(float)) * in.dim(0) * C * in.dim(2) * in.dim(3);
  if (C < 8 && inputBytes <= kInPlaceInputBytes) {
    bc.packInline = true;
    bc.pack(ci, x, y, cb, n) =
        packedRead(op.getInput(), n, cb, ci, icb, y, x, int(p[0]), int(p[1]), true);
  } else if (bc.packInline)
    bc.pack(ci, x, y, cb, n) = blockedRead(blocked[op.getInput()], n, cb, ci, icb, y, x);
  else
    bc.pack(ci, x, y, cb, n) =
        packedRead(op.getInput(), n, cb, ci, icb, y, x, int(p[0]), int(p[1]));

  bc.weights = newFunc(op, base + "_weights");
  if (auto data = constantOperand(op.getWeight())) {
    Halide::Buffer<float> buf(std::vector<int>{OB, icb, KW, KH, bc.inBlocks, bc.outBlocks},
                              uniqueName(base + "_w"));
    buf.fill(0.0f);
    float *dst = buf.data();
    for (int f = 0; f < F; ++f)
      for (int c = 0; c < C; ++c)
        for (int i = 0; i < KH; ++i)
          for (int j = 0; j < KW; ++j)
            dst[f % OB + OB * (c % icb + icb * (j + KW * (i + KH * (c / icb + bc.inBlocks * (f / OB)))))] =
                (*data)[((size_t(f) * C + c) * KH + i) * KW + j];
    bc.weights(co, ci, kx, ky, cb, ob) = buf(co, ci, kx, ky, cb, ob);
    bc.weightsConstant = true;
  } else {
    bc.weights(co, ci, kx, ky, cb, ob) = readOr(w, {ob * OB + co, cb * icb + ci, ky, kx}, 0.0f);
  }

  Expr init = 0.0f;
  if (Value bias = op.getBias())
    init = readOr(get(bias), {ob * OB + co}, 0.0f);
  bc.acc = newFunc(op, base + "_acc");
  bc.acc(co, x, y, ob, n) = init;
  bc.r = RDom(0, icb, 0, KW, 0, KH, 0, bc.inBlocks, "r"); // ci, kx, ky, cb
  const RDom &r = bc.r;
  bc.acc(co, x, y, ob, n) +=
      bc.pack(r.x, x * int(s[1]) + r.y * int(d[1]), y * int(s[0]) + r.z * int(d[0]), r.w, n) *
      bc.weights(co, r.x, r.y, r.z, r.w, ob);
  bc.out = newFunc(op, base + "_out");
  bc.out(co, x, y, ob, n) = bc.acc(co, x, y, ob, n);
  bc.stored = bc.out;
  bindBlocked(op, bc.out);
  model.convs.push_back(bc);
  storeBy(op.getResult(), [this, i = model.convs.size() - 1](const Func &f) {
    model.convs[i].stored = f;
  });
  return true;
}

/// WinogradConv (Lowering.h) for `op` reading `input`, its tiles placed by
/// `at`, the transformed filters of weight set `phase` given by `filter`.
void Lowerer::lowerWinograd(Operation *op, Value input, Value biasValue, winograd::Tile tile,
                            const WinogradPlacement &at) {
  namespace wg = winograd;
  Shape outShape = shapeOf(op->getResult(0));
  const int OB = 16;
  int C = int(shapeOf(input)[1]), F = int(outShape[1]);
  WinogradConv wc;
  wc.op = op;
  wc.tile = tile;
  wc.icBlock = inputBlock(C);
  wc.inBlocks = C / wc.icBlock;
  wc.outBlocks = (F + OB - 1) / OB;
  wc.dilationY = at.dilationY;
  wc.phases = at.phases;
  wc.tilesX = at.tilesX;
  wc.tilesY = at.tilesY;
  Shape inShape = shapeOf(input);
  wc.sourceWidth = int(inShape[3]) + at.padsX;
  wc.sourceBytes = 4 * inShape[0] * C * (inShape[2] + at.padsY) * wc.sourceWidth;
  int icb = wc.icBlock;
  std::string base = funcName(op);
  Var co("co"), x("x"), y("y"), ob("ob"), n("n"), ci("ci"), cb("cb"), tx("tx"), ty("ty"), e("e");
  wc.co = co, wc.x = x, wc.y = y, wc.ob = ob, wc.n = n, wc.ci = ci, wc.cb = cb;
  wc.tx = tx, wc.ty = ty, wc.e = e;
  // The padded input (`source`) and its rows of tile row ty (its tiles'
  // row k): the schedule packs either the source whole or, for a blocked
  // input (read in place as vectors), the rows per tile row. An NCHW input
  // is packed whole: gathering its channels once beats gathering them per
  // tile row (the dilated stack's first conv took 1.35x as long).
  Var k("k");
  wc.k = k;
  wc.source = newFunc(op, base + "_source");
  wc.source(ci, x, y, cb, n) = packedRead(input, n, cb, ci, icb, y, x, at.padTop, at.padLeft);
  wc.sourceBlocked = blocked.count(input) && 16 % icb == 0;
  wc.pack = newFunc(op, base + "_pack");
  wc.pack(ci, x, k, ty, cb, n) = wc.source(ci, x, at.row(ty, k), cb, n);

  std::vector<Expr> points;
  for (int point = 0; point < tile.points(); ++point)
    points.push_back(wg::inputTransform(tile, point, [&](int row, int col) {
      return wc.pack(ci, at.col(tx, ty, col), row, ty, cb, n);
    }));
  wc.V = newFunc(op, base + "_V");
  wc.V(ci, tx, ty, e, cb, n) = Halide::mux(e, points);

  // U(co, ci, cb, e, ob[, phase]) = (G g G^T)[e] of filter ob*16+co, channel
  // cb*icb+ci: a point's weights for one output block are one contiguous
  // stream, read in order by the GEMM's reduction (ci, cb). (With e inside
  // cb, each 1 KiB of ci x co was a new page: layer4's GEMMs ran at a third
  // of peak.) A weight set per phase when the phases' filters differ.
  std::vector<int> uShape{OB, icb, wc.inBlocks, tile.points(), wc.outBlocks};
  if (at.phases > 1)
    uShape.push_back(at.phases);
  Halide::Buffer<float> u(uShape, uniqueName(base + "_U"));
  u.fill(0.0f);
  std::vector<float> g(size_t(tile.r) * tile.r);
  for (int phase = 0; phase < at.phases; ++phase)
    for (int f = 0; f < F; ++f)
      for (int c = 0; c < C; ++c) {
        at.filter(phase, f, c, g.data());
        auto t = wg::filterTransform(tile, g.data());
        for (int k = 0; k < tile.points(); ++k) {
          const int pos[] = {f % OB, c % icb, c / icb, k, f / OB, phase}; // u reads its dims
          u(pos) = t[k];
        }
      }
  wc.r = RDom(0, icb, 0, wc.inBlocks, "r"); // ci, cb
  std::vector<Expr> uAt{co, wc.r.x, wc.r.y, e, ob};
  if (at.phases > 1) // tile row ty lies in phase ty / (tilesY / phases)
    uAt.push_back(ty / (at.tilesY / at.phases));
  wc.acc = newFunc(op, base + "_acc");
  wc.acc(co, tx, ty, e, ob, n) = 0.0f;
  wc.acc(co, tx, ty, e, ob, n) += wc.V(wc.r.x, tx, ty, e, wc.r.y, n) * u(uAt);
  wc.M = newFunc(op, base + "_M");
  wc.M(co, tx, ty, e, ob, n) = wc.acc(co, tx, ty, e, ob, n);

  Expr bias = 0.0f;
  if (biasValue)
    bias = readOr(get(biasValue), {ob * OB + co}, 0.0f);
  // The outputs in tile coordinates: (i, j) within tile ids (tx, ty), so the
  // schedule's loops (and bounds) are over tiles, with no division.
  Var i("i"), j("j");
  std::vector<Expr> rows; // output row j (y) of the tile, by column i (x)
  for (int row = 0; row < tile.m; ++row) {
    std::vector<Expr> cols;
    for (int col = 0; col < tile.m; ++col)
      cols.push_back(wg::outputTransform(tile, row, col, [&](int k) { return wc.M(co, tx, ty, k, ob, n); }));
    rows.push_back(Halide::mux(i, cols));
  }
  wc.i = i, wc.j = j;
  wc.out = newFunc(op, base + "_out");
  wc.out(co, i, tx, j, ty, ob, n) = bias + Halide::mux(j, rows);
  auto [oi, otx, oj, oty] = at.output(x, y);
  Func blockedOut = newFunc(op, base + "_blocked");
  blockedOut(co, x, y, ob, n) = wc.out(co, oi, otx, oj, oty, ob, n);
  bindBlocked(op, blockedOut);
  model.winogradConvs.push_back(wc);
}

/// A Winograd conv2d when the op's cnn.tiling asks for it and the conv can
/// run so (cnn::winogradTaps: r x r, stride 1, groups 1, constant weights)
/// with a tile that has tables.
bool Lowerer::lowerConvWinograd(cnn::Conv2DOp op) {
  auto request = winogradRequest(op, op.getWeight());
  if (!request)
    return false;
  winograd::Tile tile = request->first;
  const std::vector<float> &data = request->second;
  auto p = op.getPads(), d = op.getDilations();
  Tensor w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  int m = tile.m, taps = tile.r * tile.r, C = w.dim(1), dx = int(d[1]), dy = int(d[0]);
  // Per dilation phase, ceil(outputs in the phase / m) tiles; tile t of
  // dilation phase f has id t * dilation + f and covers outputs
  // dilation * (m t + i) + f, i < m, reading padded inputs
  // dilation * (m t + k) + f, k < m + r - 1.
  auto tiles = [&](int64_t extent, int dil) {
    int64_t perPhase = (extent + dil - 1) / dil;
    return dil * int((perPhase + m - 1) / m);
  };
  auto tileInput = [m](Expr id, int dil, Expr k) { return dil * (id / dil * m + k) + id % dil; };
  WinogradPlacement at;
  at.padTop = int(p[0]), at.padLeft = int(p[1]);
  at.padsY = int(p[0] + p[2]), at.padsX = int(p[1] + p[3]);
  at.tilesX = tiles(outShape[3], dx);
  at.tilesY = tiles(outShape[2], dy);
  at.dilationY = dy;
  at.row = [&](Expr ty, Expr k) { return tileInput(ty, dy, k); };
  at.col = [&](Expr tx, Expr, Expr k) { return tileInput(tx, dx, k); };
  // Output x lies in phase x % dx, tile id (x / dx) / m * dx + x % dx, at
  // i = (x / dx) % m: undilated, exactly the memory order of (co, x, y).
  at.output = [&](Expr x, Expr y) {
    Expr qx = x / dx, qy = y / dy;
    return std::array<Expr, 4>{qx % m, qx / m * dx + x % dx, qy % m, qy / m * dy + y % dy};
  };
  at.filter = [&](int, int f, int c, float *g) {
    std::copy_n(data.data() + (size_t(f) * C + c) * taps, taps, g);
  };
  lowerWinograd(op, op.getInput(), op.getBias(), tile, at);
  return true;
}

/// BlockedDepthwise (Lowering.h): a depthwise conv (one filter per channel)
/// with whole blocks of 16 channels, unless cnn.tiling asks for "nchw".
bool Lowerer::lowerConvDepthwiseBlocked(cnn::Conv2DOp op) {
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  int C = in.dim(1), KH = w.dim(2), KW = w.dim(3);
  if (op.getGroups() != C || outShape[1] != C || C % 16 != 0 || KH * KW > 49 ||
      hintsFor(op).layout == "nchw")
    return false;
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  BlockedDepthwise dw;
  dw.op = op;
  dw.blocks = C / 16;
  dw.outW = int(outShape[3]), dw.outH = int(outShape[2]);
  std::string base = funcName(op);
  Var c("c"), x("x"), y("y"), cb("cb"), n("n");
  dw.c = c, dw.x = x, dw.y = y, dw.cb = cb, dw.n = n;
  // The input is read in place, not copied padded (a padded copy per task
  // cost 10% of MobileNetV2 on 1 and 2 threads); its in-image reads are
  // `likely`, so the interior runs without padding tests.
  auto input = [&](Expr ix, Expr iy) {
    return packedRead(op.getInput(), n, cb, c, 16, iy, ix, int(p[0]), int(p[1]), true);
  };
  // Constant filters are packed as (c, kx, ky, cb): one vector load a tap.
  std::function<Expr(int, int)> tap = [&](int ky, int kx) { return w({cb * 16 + c, 0, ky, kx}); };
  Halide::Buffer<float> packed;
  if (auto data = constantOperand(op.getWeight())) {
    packed = Halide::Buffer<float>(16, KW, KH, dw.blocks);
    for (int f = 0; f < C; ++f)
      for (int ky = 0; ky < KH; ++ky)
        for (int kx = 0; kx < KW; ++kx)
          packed(f % 16, kx, ky, f / 16) = (*data)[(size_t(f) * KH + ky) * KW + kx];
    tap = [&](int ky, int kx) { return packed(c, kx, ky, cb); };
  }
  Expr sum = 0.0f;
  if (Value bias = op.getBias())
    sum = get(bias)({cb * 16 + c});
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx)
      sum = sum + input(x * int(s[1]) + kx * int(d[1]), y * int(s[0]) + ky * int(d[0])) *
                      tap(ky, kx);
  dw.out = newFunc(op, base + "_out");
  dw.out(c, x, y, cb, n) = sum;
  dw.stored = dw.out;
  bindBlocked(op, dw.out);
  model.depthwiseConvs.push_back(dw);
  storeBy(op.getResult(), [this, i = model.depthwiseConvs.size() - 1](const Func &f) {
    model.depthwiseConvs[i].stored = f;
  });
  return true;
}

/// Depthwise conv (one input channel per group): a padded input stage and
/// the taps summed in one expression, vectorised along x.
bool Lowerer::lowerConvDepthwise(cnn::Conv2DOp op) {
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  int groups = op.getGroups();
  if (groups == 1 || w.dim(1) != 1 || w.dim(2) * w.dim(3) > 49)
    return false;
  int fPerGroup = int(outShape[1]) / groups;
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  Shape padded{in.shape[0], in.shape[1], in.shape[2] + p[0] + p[2], in.shape[3] + p[1] + p[3]};
  Tensor pad = define(op, padded, [&](const Coords &i) {
    return paddedRead(in, i[0], i[1], i[2], i[3], int(p[0]), int(p[1]));
  });
  Tensor b;
  if (Value bias = op.getBias())
    b = get(bias);
  bind(op, define(op, outShape, [&](const Coords &i) {
         Expr c = i[1] / fPerGroup;
         Expr sum = b.f.defined() ? b({i[1]}) : Expr(0.0f);
         for (int ky = 0; ky < w.dim(2); ++ky)
           for (int kx = 0; kx < w.dim(3); ++kx)
             sum = sum + pad({i[0], c, i[2] * int(s[0]) + ky * int(d[0]),
                              i[3] * int(s[1]) + kx * int(d[1])}) *
                             w({i[1], 0, ky, kx});
         return sum;
       }));
  return true;
}

void Lowerer::lowerConv(cnn::Conv2DOp op) {
  if (lowerConvWinograd(op) || lowerConvBlocked(op) || lowerConvDepthwiseBlocked(op) ||
      lowerConvDepthwise(op))
    return;
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  int groups = op.getGroups();
  int cPerGroup = w.dim(1), fPerGroup = outShape[1] / groups;
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  Window wy{int(s[0]), int(p[0]), int(d[0])}, wx{int(s[1]), int(p[1]), int(d[1])};
  RDom r(0, w.dim(3), 0, w.dim(2), 0, cPerGroup, "r"); // kw, kh, c
  Body init = [&](const Coords &) { return Expr(0.0f); };
  if (Value bias = op.getBias()) {
    Tensor b = get(bias);
    init = [b](const Coords &i) { return b({i[1]}); };
  }
  bind(op, accumulate(op, outShape, r, init, [&](const Coords &i) {
         Expr c = (i[1] / fPerGroup) * cPerGroup + r.z;
         Expr x = readOr(in, {i[0], c, wy.at(i[2], r.y), wx.at(i[3], r.x)}, 0.0f);
         return x * w({i[1], r.z, r.y, r.x});
       }));
}

namespace {
/// The sub-pixel decomposition of a conv_transpose2d (PhasedConv in
/// Lowering.h): per axis the stride, the taps of a phase and its extent.
struct PhaseAxis {
  int stride, taps, extent, pad, kernel;
  PhaseAxis(int stride, int pad, int kernel, int64_t in, int64_t out)
      : stride(int(cnn::subPixelStride(stride, kernel, in))),
        taps(int(cnn::subPixelTaps(stride, kernel, in))),
        extent(int((out + this->stride - 1) / this->stride)), pad(pad), kernel(kernel) {}
  /// Kernel index of tap j of `phase`: (phase + pad) % s + s * (J - 1 - j);
  /// int at compile time, Expr for weights read at run time.
  template <class T> T tap(T phase, T j) const {
    return (phase + pad) % stride + stride * (taps - 1 - j);
  }
  /// Input offset of `phase` (before the tap).
  Expr offset(Expr phase) const { return (phase + pad) / stride; }
  /// The first real tap of `phase`: earlier ones fall beyond the kernel.
  Expr firstTap(Expr phase) const {
    return taps - 1 - (kernel - 1 - (phase + pad) % stride) / stride;
  }
  bool ragged() const { return kernel % stride != 0; }
};

/// Calls fn(phase = py * sx + px, tap j (y), tap i (x), ky, kx) for every
/// phase tap that lies within the kernel.
void forEachPhaseTap(const PhaseAxis &ay, const PhaseAxis &ax,
                     const std::function<void(int, int, int, int, int)> &fn) {
  for (int fy = 0; fy < ay.stride; ++fy)
    for (int fx = 0; fx < ax.stride; ++fx)
      for (int j = 0; j < ay.taps; ++j)
        for (int i = 0; i < ax.taps; ++i) {
          int ky = ay.tap(fy, j), kx = ax.tap(fx, i);
          if (ky < ay.kernel && kx < ax.kernel)
            fn(fy * ax.stride + fx, j, i, ky, kx);
        }
}

/// The row and column phase axes of a conv_transpose2d.
std::pair<PhaseAxis, PhaseAxis> phaseAxes(cnn::ConvTranspose2DOp op) {
  auto s = op.getStrides(), p = op.getPads();
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  auto out = cast<RankedTensorType>(op.getResult().getType());
  return {PhaseAxis(int(s[0]), int(p[0]), int(w.getDimSize(2)), int(in.getDimSize(2)),
                    out.getDimSize(2)),
          PhaseAxis(int(s[1]), int(p[1]), int(w.getDimSize(3)), int(in.getDimSize(3)),
                    out.getDimSize(3))};
}
} // namespace

/// conv_transpose2d by the sub-pixel decomposition (PhasedConv in
/// Lowering.h): groups = 1 and dilation 1 only.
bool Lowerer::lowerConvTransposePhased(cnn::ConvTranspose2DOp op) {
  auto d = op.getDilations();
  if (op.getGroups() != 1 || d[0] != 1 || d[1] != 1 || hintsFor(op).layout == "gather")
    return false;
  if (hintsFor(op).layout == "nchw")
    return lowerConvTransposeColumns(op);
  if (lowerConvTransposeWinograd(op))
    return true;
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  const int OB = 16;
  int C = in.dim(1), F = int(outShape[1]), KH = w.dim(2), KW = w.dim(3);
  auto [ay, ax] = phaseAxes(op);
  PhasedConv pc;
  pc.op = op;
  pc.icBlock = inputBlock(C);
  pc.inBlocks = C / pc.icBlock;
  pc.outBlocks = (F + OB - 1) / OB;
  pc.strideY = ay.stride, pc.strideX = ax.stride;
  pc.tapsY = ay.taps, pc.tapsX = ax.taps;
  pc.phaseH = ay.extent;
  pc.phaseW = ax.extent;
  int sy = ay.stride, sx = ax.stride, JY = ay.taps, JX = ax.taps, icb = pc.icBlock;
  int phases = sy * sx;
  std::string base = funcName(op);
  Var co("co"), qx("qx"), qy("qy"), px("px"), py("py"), ob("ob"), n("n"), ci("ci"), cb("cb"),
      jx("jx"), jy("jy"), ph("ph");
  pc.co = co, pc.qx = qx, pc.qy = qy, pc.px = px, pc.py = py, pc.ob = ob, pc.n = n;
  pc.ci = ci, pc.cb = cb;

  pc.pack = newFunc(op, base + "_pack");
  Var x("x"), y("y");
  pc.pack(ci, x, y, cb, n) = packedRead(op.getInput(), n, cb, ci, icb, y, x, JY - 1, JX - 1);

  pc.weights = newFunc(op, base + "_weights");
  if (auto data = constantOperand(op.getWeight())) {
    Halide::Buffer<float> buf(std::vector<int>{OB, icb, JX, JY, pc.inBlocks, pc.outBlocks, phases},
                              uniqueName(base + "_w"));
    buf.fill(0.0f);
    forEachPhaseTap(ay, ax, [&](int phase, int j, int i, int ky, int kx) {
      for (int f = 0; f < F; ++f)
        for (int c = 0; c < C; ++c)
          buf(f % OB, c % icb, i, j, c / icb, f / OB, phase) =
              (*data)[((size_t(c) * F + f) * KH + ky) * KW + kx];
    });
    pc.weights(co, ci, jx, jy, cb, ob, ph) = buf(co, ci, jx, jy, cb, ob, ph);
    pc.weightsConstant = true;
  } else {
    Expr ky = ay.tap<Expr>(ph / sx, jy), kx = ax.tap<Expr>(ph % sx, jx);
    pc.weights(co, ci, jx, jy, cb, ob, ph) =
        readOr(w, {cb * icb + ci, ob * OB + co, ky, kx}, 0.0f);
  }

  Expr init = 0.0f;
  if (Value bias = op.getBias())
    init = readOr(get(bias), {ob * OB + co}, 0.0f);
  pc.acc = newFunc(op, base + "_acc");
  pc.acc(co, qx, qy, px, py, ob, n) = init;
  pc.r = RDom(0, icb, 0, JX, 0, JY, 0, pc.inBlocks, "r"); // ci, jx, jy, cb
  RDom &r = pc.r;
  if (ax.ragged() || ay.ragged())
    r.where(r.y >= ax.firstTap(px) && r.z >= ay.firstTap(py));
  pc.acc(co, qx, qy, px, py, ob, n) +=
      pc.pack(r.x, qx + ax.offset(px) + r.y, qy + ay.offset(py) + r.z, r.w, n) *
      pc.weights(co, r.x, r.y, r.z, r.w, ob, py * sx + px);
  pc.out = newFunc(op, base + "_out");
  pc.out(co, px, qx, py, qy, ob, n) = pc.acc(co, qx, qy, px, py, ob, n);
  // Blocked at each full-resolution pixel (its 16 channels are contiguous,
  // so consumers may read them as vectors); the NCHW result a view of it.
  Func blockedOut = newFunc(op, base + "_blocked");
  blockedOut(co, x, y, ob, n) = pc.out(co, x % sx, x / sx, y % sy, y / sy, ob, n);
  bindBlocked(op, blockedOut);
  model.phasedConvs.push_back(pc);
  return true;
}

/// A sub-pixel conv_transpose2d by Winograd (WinogradConv in Lowering.h)
/// when the op's cnn.tiling asks for it: each of the sy x sx phases is an
/// undilated correlation of the input padded by J - 1 with a J x J
/// sub-kernel (PhasedConv's), so F(m x m, J x J) runs per phase with the
/// phase's transformed filters. Tile rows are phase-major (ty = phase * Ty +
/// tile row in the phase) so a register tile, which runs along tx, never
/// mixes phases.
bool Lowerer::lowerConvTransposeWinograd(cnn::ConvTranspose2DOp op) {
  auto request = winogradRequest(op, op.getWeight());
  if (!request)
    return false;
  winograd::Tile tile = request->first;
  const std::vector<float> &data = request->second;
  auto [ay, ax] = phaseAxes(op);
  Tensor w = get(op.getWeight());
  int C = w.dim(0), F = w.dim(1), KH = w.dim(2), KW = w.dim(3), J = tile.r, m = tile.m;
  int sy = ay.stride, sx = ax.stride;
  int ty0 = (ay.extent + m - 1) / m; // tile rows per phase
  WinogradPlacement at;
  at.padTop = at.padLeft = J - 1;
  at.padsY = at.padsX = 2 * (J - 1);
  at.tilesX = (ax.extent + m - 1) / m;
  at.tilesY = sy * sx * ty0;
  at.phases = sy * sx;
  at.row = [&](Expr ty, Expr k) { return m * (ty % ty0) + ay.offset(ty / ty0 / sx) + k; };
  at.col = [&](Expr tx, Expr ty, Expr k) { return m * tx + ax.offset(ty / ty0 % sx) + k; };
  at.output = [&](Expr x, Expr y) {
    Expr qx = x / sx, qy = y / sy;
    return std::array<Expr, 4>{qx % m, qx / m, qy % m, (y % sy * sx + x % sx) * ty0 + qy / m};
  };
  // Tap (j, i) of each phase, as PhasedConv packs them; taps beyond the
  // kernel stay zero.
  std::vector<std::vector<std::array<int, 4>>> taps(at.phases);
  forEachPhaseTap(ay, ax, [&](int phase, int j, int i, int ky, int kx) {
    taps[phase].push_back({j, i, ky, kx});
  });
  at.filter = [&](int phase, int f, int c, float *g) {
    std::fill_n(g, J * J, 0.0f);
    for (auto [j, i, ky, kx] : taps[phase])
      g[j * J + i] = data[((size_t(c) * F + f) * KH + ky) * KW + kx];
  };
  lowerWinograd(op, op.getInput(), op.getBias(), tile, at);
  return true;
}

/// ColumnPhasedConv (Lowering.h): the sub-pixel conv_transpose2d with
/// vectors along output columns, when cnn.tiling asks for "nchw" (fewer
/// output channels than a vector).
bool Lowerer::lowerConvTransposeColumns(cnn::ConvTranspose2DOp op) {
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  std::optional<std::vector<float>> data = constantOperand(op.getWeight());
  if (!data)
    return false;
  Shape outShape = shapeOf(op.getResult());
  int C = in.dim(1), F = int(outShape[1]), KH = w.dim(2), KW = w.dim(3);
  auto [ay, ax] = phaseAxes(op);
  int sx = ax.stride, JY = ay.taps, JX = ax.taps;
  ColumnPhasedConv cc;
  cc.op = op;
  cc.channels = F;
  cc.strideY = ay.stride, cc.strideX = sx, cc.tapsX = JX;
  cc.phaseH = ay.extent, cc.phaseW = ax.extent;
  std::string base = funcName(op);
  Var qx("qx"), qy("qy"), f("f"), px("px"), py("py"), n("n"), x("x"), y("y"), c("c");
  cc.qx = qx, cc.qy = qy, cc.f = f, cc.px = px, cc.py = py, cc.n = n, cc.x = x, cc.y = y, cc.c = c;
  cc.pack = newFunc(op, base + "_pack");
  if (blocked.count(op.getInput()) && C % kTransposeBlock == 0) {
    // From the producer's blocked layout by 16 x 16 blocks transposed in
    // registers: row r of block (xb, cb) is padded column xb * 16 + r, its
    // elements the 16 channels of block cb (a vector load).
    constexpr int B = kTransposeBlock;
    Var x2("x2"), rr("rr"), xb("xb"), cb("cb");
    BlockRows rows = [&](Expr lane, Expr r, Expr xb_, Expr cb_) {
      return packedRead(op.getInput(), n, cb_, lane, B, y, xb_ * B + r, JY - 1, JX - 1);
    };
    rows = transposeBlocks(rows, x2, rr, xb, cb, {y, n},
                           [&] { return newFunc(op, base + "_zip"); }, cc.zips);
    cc.x2 = x2, cc.rr = rr;
    cc.pack(x, y, c, n) = rows(x % B, c % B, x / B, c / B);
  } else {
    cc.pack(x, y, c, n) = packedRead(op.getInput(), n, c, 0, 1, y, x, JY - 1, JX - 1);
  }

  // weights(f, jx, jy, c, phase): a tap's channels side by side.
  Halide::Buffer<float> wb(std::vector<int>{F, JX, JY, C, ay.stride * sx}, uniqueName(base + "_w"));
  wb.fill(0.0f);
  forEachPhaseTap(ay, ax, [&](int phase, int j, int i, int ky, int kx) {
    for (int k = 0; k < F; ++k)
      for (int ch = 0; ch < C; ++ch)
        wb(k, i, j, ch, phase) = (*data)[((size_t(ch) * F + k) * KH + ky) * KW + kx];
  });
  Expr init = 0.0f;
  if (Value bias = op.getBias())
    init = get(bias)({f});
  cc.acc = newFunc(op, base + "_acc");
  cc.acc(qx, qy, f, px, py, n) = init;
  cc.r = RDom(0, JX, 0, JY, 0, C, "r"); // jx, jy, c
  RDom &r = cc.r;
  if (ax.ragged() || ay.ragged())
    r.where(r.x >= ax.firstTap(px) && r.y >= ay.firstTap(py));
  cc.acc(qx, qy, f, px, py, n) +=
      cc.pack(qx + ax.offset(px) + r.x, qy + ay.offset(py) + r.y, r.z, n) *
      wb(f, r.x, r.y, r.z, py * sx + px);
  cc.out = newFunc(op, base + "_out");
  cc.out(qx, qy, f, px, py, n) = cc.acc(qx, qy, f, px, py, n);
  Func out = cc.out;
  int sy = ay.stride;
  bind(op, define(op, outShape, [&](const Coords &i) {
         return out(i[3] / sx, i[2] / sy, i[1], i[3] % sx, i[2] % sy, i[0]);
       }));
  model.funcs.back().view = true;
  model.columnPhasedConvs.push_back(cc);
  return true;
}

void Lowerer::lowerConvTranspose(cnn::ConvTranspose2DOp op) {
  if (lowerConvTransposePhased(op))
    return;
  Tensor in = get(op.getInput()), w = get(op.getWeight());
  Shape outShape = shapeOf(op.getResult());
  int groups = op.getGroups();
  int fPerGroup = w.dim(1), cPerGroup = in.dim(1) / groups;
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  RDom r(0, w.dim(3), 0, w.dim(2), 0, cPerGroup, "r"); // kw, kh, c
  Body init = [&](const Coords &) { return Expr(0.0f); };
  if (Value bias = op.getBias()) {
    Tensor b = get(bias);
    init = [b](const Coords &i) { return b({i[1]}); };
  }
  // Gather form: output o receives input i when o + pad = i*stride + k*dil.
  auto source = [](Expr o, Expr k, int stride, int pad, int dil,
                   Expr &valid) {
    Expr num = o + pad - k * dil;
    valid = valid && num % stride == 0; // Halide's % is Euclidean
    return num / stride;
  };
  bind(op, accumulate(op, outShape, r, init, [&](const Coords &i) {
         Expr valid = Halide::Internal::const_true();
         Expr iy = source(i[2], r.y, s[0], p[0], d[0], valid);
         Expr ix = source(i[3], r.x, s[1], p[1], d[1], valid);
         Expr c = (i[1] / fPerGroup) * cPerGroup + r.z;
         Expr x = readOr(in, {i[0], c, iy, ix}, 0.0f);
         return Halide::select(valid, x, 0.0f) * w({c, i[1] % fPerGroup, r.y, r.x});
       }));
}

void Lowerer::lowerMaxPool(cnn::MaxPool2DOp op) {
  Tensor in = get(op.getInput());
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPads(),
       d = op.getDilations();
  Window wy{int(s[0]), int(p[0]), int(d[0])}, wx{int(s[1]), int(p[1]), int(d[1])};
  RDom r(0, int(k[1]), 0, int(k[0]), "r");
  Shape outShape = shapeOf(op.getResult());
  auto src = blocked.find(op.getInput());
  if (src != blocked.end() && in.dim(0) == outShape[0]) {
    // Pool in the blocked layout, vectorised over channels (dense loads of
    // the producer's blocks); the NCHW result is a view.
    Func b = src->second;
    int h = in.dim(2), w = in.dim(3), blocks = (in.dim(1) + 15) / 16;
    Tensor pool = define(op, {outShape[0], blocks, outShape[2], outShape[3], 16},
                         [&](const Coords &i) { // n, cb, y, x, co
      // Window coordinates are input coordinates (no padding offset); the
      // in-image read is `likely`: the interior runs without the test.
      return maxOver(op, padded(h, w, wy.at(i[2], r.y), wx.at(i[3], r.x), 0, 0,
                                [&](Expr iy, Expr ix) { return b(i[4], ix, iy, i[1], i[0]); },
                                true, negInf()));
    });
    Func pf = pool.f;
    bind(op, define(op, outShape, [&](const Coords &i) {
           return pf(i[1] % 16, i[3], i[2], i[1] / 16, i[0]);
         }));
    model.funcs.back().view = true;
    model.funcs.back().readsBlocked = true;
    blocked[op.getResult()] = pf;
    return;
  }
  // Padding (and the ceil-mode overhang) reads -inf, so it never wins.
  bind(op, define(op, shapeOf(op.getResult()), [&](const Coords &i) {
         return maxOver(op, readOr(
             in, {i[0], i[1], wy.at(i[2], r.y), wx.at(i[3], r.x)}, negInf()));
       }));
}

void Lowerer::lowerAvgPool(cnn::AvgPool2DOp op) {
  Tensor in = get(op.getInput());
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPads();
  bool includePad = op.getCountIncludePad();
  Window wy{int(s[0]), int(p[0]), 1}, wx{int(s[1]), int(p[1]), 1};
  RDom r(0, int(k[1]), 0, int(k[0]), "r");
  // Window positions counted by the divisor along one dimension: those in
  // the input, or in the padded input [-padBegin, size + padEnd).
  auto count = [&](Expr o, const Window &win, int kernel, int size,
                   int padEnd) {
    Expr start = o * win.stride - win.pad, end = start + kernel;
    if (includePad)
      return Halide::min(end, size + padEnd) - start;
    return Halide::min(end, size) - Halide::max(start, 0);
  };
  bind(op, define(op, shapeOf(op.getResult()), [&](const Coords &i) {
         Expr total = sumOver(op, readOr(
             in, {i[0], i[1], wy.at(i[2], r.y), wx.at(i[3], r.x)}, 0.0f));
         Expr n = count(i[2], wy, k[0], in.dim(2), p[2]) *
                  count(i[3], wx, k[1], in.dim(3), p[3]);
         return total / Halide::cast<float>(n);
       }));
}

void Lowerer::lowerGlobalPool(Operation *op, bool isMax) {
  Tensor in = get(op->getOperand(0));
  RDom r(0, in.dim(3), 0, in.dim(2), "r");
  float area = float(in.shape[2] * in.shape[3]);
  // A blocked input is reduced in its layout, 16 channels per vector (the
  // NCHW view read one channel at a time, 16 floats apart).
  if (auto src = blocked.find(op->getOperand(0)); src != blocked.end()) {
    Func b = src->second;
    Tensor pooled = accumulate(
        op, {in.shape[0], (in.shape[1] + 15) / 16, 16}, r,
        [&](const Coords &) { return isMax ? negInf() : Expr(0.0f); },
        [&](const Coords &i) { return b(i[2], r.x, r.y, i[1], i[0]); }, isMax);
    bind(op, define(op, shapeOf(op->getResult(0)), [&](const Coords &i) {
           Expr v = pooled({i[0], i[1] / 16, i[1] % 16});
           return isMax ? v : v / area;
         }));
    return;
  }
  bind(op, define(op, shapeOf(op->getResult(0)), [&](const Coords &i) {
         Expr x = in({i[0], i[1], r.y, r.x});
         return isMax ? maxOver(op, x) : sumOver(op, x) / area;
       }));
}

void Lowerer::lowerBatchNorm(cnn::BatchNormOp op) {
  Tensor in = get(op.getInput()), scale = get(op.getScale()),
         bias = get(op.getBias()), mean = get(op.getMean()),
         var = get(op.getVar());
  float eps = f32(op.getEpsilon());
  bind(op, define(op, in.shape, [&](const Coords &i) {
         Coords c{i[1]};
         return scale(c) * (in(i) - mean(c)) / Halide::sqrt(var(c) + eps) +
                bias(c);
       }));
}

void Lowerer::lowerConcat(cnn::ConcatOp op) {
  Shape outShape = shapeOf(op.getResult());
  int64_t a = op.getAxis();
  size_t axis = a < 0 ? a + outShape.size() : a;
  std::vector<Tensor> ins;
  for (Value v : op.getInputs())
    ins.push_back(get(v));
  bind(op, define(op, outShape, [&](const Coords &i) {
         // Walk the inputs back to front: the last one whose offset <= i wins.
         int offset = outShape[axis];
         Expr result;
         for (size_t k = ins.size(); k-- > 0;) {
           offset -= ins[k].shape[axis];
           Expr local = Halide::clamp(i[axis] - offset, 0, ins[k].dim(axis) - 1);
           Expr v = ins[k](withAxis(i, axis, local));
           result = result.defined() ? Halide::select(i[axis] >= offset + ins[k].dim(axis), result, v) : v;
         }
         return result;
       }));
  // Whole channel blocks of blocked producers (e.g. parallel conv
  // branches): read in place by each consumer (inlined), blocked too,
  // instead of copied into a new tensor.
  if (axis != 1 || !llvm::all_of(op.getInputs(), [&](Value v) {
        return blocked.count(v) && get(v).dim(1) % 16 == 0;
      }))
    return;
  model.funcs.back().view = true;
  model.funcs.back().readsBlocked = true;
  Var co, x, y, cb, n;
  int offset = int(outShape[1]) / 16;
  Expr result;
  for (size_t k = ins.size(); k-- > 0;) {
    int blocks = ins[k].dim(1) / 16;
    offset -= blocks;
    Expr v = blocked[op.getInputs()[k]](co, x, y, Halide::clamp(cb - offset, 0, blocks - 1), n);
    result = result.defined() ? Halide::select(cb >= offset + blocks, result, v) : v;
  }
  Func b = newFunc(op, baseName(op).str() + "_blocked");
  b(co, x, y, cb, n) = result;
  blocked[op.getResult()] = b;
}

void Lowerer::lowerTranspose(cnn::TransposeOp op) {
  Tensor in = get(op.getInput());
  auto perm = op.getPerm();
  bind(op, define(op, shapeOf(op.getResult()), [&](const Coords &i) {
         Coords src(i.size());
         for (size_t k = 0; k < perm.size(); ++k)
           src[perm[k]] = i[k];
         return in(src);
       }));
}

void Lowerer::lowerPad(cnn::PadOp op) {
  Tensor in = get(op.getInput());
  auto pads = op.getPads();
  cnn::PadMode mode = op.getMode();
  float value = f32(op.getValue());
  bind(op, define(op, shapeOf(op.getResult()), [&](const Coords &i) {
         Coords src;
         for (size_t k = 0; k < i.size(); ++k) {
           Expr x = i[k] - int(pads[k]);
           int n = in.dim(k);
           if (mode == cnn::PadMode::edge)
             x = Halide::clamp(x, 0, n - 1);
           else if (mode == cnn::PadMode::reflect) // mirror, edge not repeated
             x = Halide::clamp(Halide::select(x < 0, -x, x >= n, 2 * (n - 1) - x, x), 0, n - 1);
           src.push_back(x);
         }
         return readOr(in, src, value);
       }));
}

/// The input indices (clamped) and weights that one output coordinate
/// reads along one resized dimension of `n` input elements, for linear and
/// cubic interpolation.
struct ResizeTaps {
  std::vector<Expr> index, weight;
};

ResizeTaps linearTaps(const SourceCoord &c, int n) {
  // c clamped to [0, n - 1]: below 0 both taps are element 0, above n - 1
  // both are element n - 1.
  Expr lo = c.floor(), t = c.frac();
  Expr below = lo < 0, above = lo >= n - 1;
  lo = Halide::clamp(lo, 0, n - 1);
  t = Halide::select(below || above, 0.0f, t);
  return {{lo, Halide::min(lo + 1, n - 1)}, {1.0f - t, t}};
}

ResizeTaps cubicTaps(const SourceCoord &c, int n, float a, bool excludeOutside) {
  // Keys' kernel on |d| <= 1 and on 1 < |d| < 2; the four taps floor(c) - 1
  // .. floor(c) + 2 lie at distances 1 + t, t, 1 - t, 2 - t.
  auto near = [a](Expr d) { return ((a + 2.0f) * d - (a + 3.0f)) * d * d + 1.0f; };
  auto far = [a](Expr d) { return ((a * d - 5.0f * a) * d + 8.0f * a) * d - 4.0f * a; };
  Expr base = c.floor(), t = c.frac();
  ResizeTaps taps;
  Expr sum = 0.0f;
  for (int k = -1; k <= 2; ++k) {
    Expr i = base + k;
    Expr w = k == -1 ? far(1.0f + t) : k == 0 ? near(t) : k == 1 ? near(1.0f - t) : far(2.0f - t);
    if (excludeOutside)
      w = Halide::select(i >= 0 && i < n, w, 0.0f);
    taps.index.push_back(Halide::clamp(i, 0, n - 1));
    taps.weight.push_back(w);
    sum = sum + w;
  }
  if (excludeOutside)
    for (Expr &w : taps.weight)
      w = w / sum;
  return taps;
}

void Lowerer::lowerResize(cnn::ResizeOp op) {
  Tensor in = get(op.getInput());
  Shape outShape = shapeOf(op.getResult());
  cnn::ResizeMode mode = op.getMode();
  float a = f32(op.getCubicCoeffA());
  bool excludeOutside = op.getExcludeOutside();
  float extrapolation = f32(op.getExtrapolationValue());
  bind(op, define(op, outShape, [&](const Coords &i) {
         SourceCoord cy(i[2], in.shape[2], outShape[2], 0, op);
         SourceCoord cx(i[3], in.shape[3], outShape[3], 1, op);
         int h = in.dim(2), w = in.dim(3);
         Expr value;
         if (mode == cnn::ResizeMode::nearest) {
           auto pick = [&](const SourceCoord &c, int n) {
             return Halide::clamp(c.round(op.getNearestMode()), 0, n - 1);
           };
           value = in({i[0], i[1], pick(cy, h), pick(cx, w)});
         } else {
           ResizeTaps ty = mode == cnn::ResizeMode::linear
                               ? linearTaps(cy, h)
                               : cubicTaps(cy, h, a, excludeOutside);
           ResizeTaps tx = mode == cnn::ResizeMode::linear
                               ? linearTaps(cx, w)
                               : cubicTaps(cx, w, a, excludeOutside);
           for (size_t y = 0; y < ty.index.size(); ++y) {
             Expr row;
             for (size_t x = 0; x < tx.index.size(); ++x) {
               Expr term = in({i[0], i[1], ty.index[y], tx.index[x]}) * tx.weight[x];
               row = row.defined() ? row + term : term;
             }
             value = value.defined() ? value + row * ty.weight[y] : row * ty.weight[y];
           }
         }
         if (cy.outside.defined())
           value = Halide::select(cy.outside || cx.outside, extrapolation, value);
         return value;
       }));
}

void Lowerer::lowerDense(cnn::DenseOp op) {
  Tensor a = get(op.getA()), b = get(op.getB());
  Shape outShape = shapeOf(op.getResult());
  bool ta = op.getTransA(), tb = op.getTransB();
  float alpha = f32(op.getAlpha()), beta = f32(op.getBeta());
  RDom r(0, ta ? a.dim(0) : a.dim(1), "k");
  Body init = [](const Coords &) { return Expr(0.0f); };
  if (Value c = op.getC()) {
    Tensor ct = get(c);
    init = [ct, beta](const Coords &i) { return beta * ct(broadcastCoords(i, ct.shape)); };
  }
  // Constant [N, K] weights (PyTorch's Linear) are stored transposed in
  // blocks of 16 outputs, t(j % 16, kk, j / 16): the vector lanes over N
  // read contiguous weights (not a gather), and successive kk of a block
  // are adjacent, so a vector's reduction streams through memory instead
  // of striding N floats (a page apart for large layers) per step.
  if (auto data = tb ? constantOperand(op.getB()) : std::nullopt) {
    int n = b.dim(0), k = b.dim(1), blocks = (n + 15) / 16;
    Halide::Buffer<float> t(16, k, blocks);
    t.fill(0.0f);
    for (int j = 0; j < n; ++j)
      for (int kk = 0; kk < k; ++kk)
        t(j % 16, kk, j / 16) = (*data)[size_t(j) * k + kk];
    Func f = newFunc(op, baseName(op).str() + "_wT");
    Var j, kk;
    f(j, kk) = t(j % 16, kk, j / 16);
    b = {f, {k, n}};
    tb = false;
  }
  bind(op, accumulate(op, outShape, r, init, [&](const Coords &i) {
         Expr av = ta ? a({r, i[0]}) : a({i[0], r});
         Expr bv = tb ? b({i[1], r}) : b({r, i[1]});
         return alpha == 1.0f ? av * bv : alpha * (av * bv);
       }));
}

void Lowerer::lowerMatMul(cnn::MatMulOp op) {
  Tensor a = get(op.getLhs()), b = get(op.getRhs());
  Shape outShape = shapeOf(op.getResult());
  bool vecA = a.shape.size() == 1, vecB = b.shape.size() == 1;
  RDom r(0, a.dim(a.shape.size() - 1), "k");
  // Output index = batch..., [m unless lhs is 1-D], [n unless rhs is 1-D].
  size_t batchRank = outShape.size() - (vecA ? 0 : 1) - (vecB ? 0 : 1);
  auto operand = [&](const Tensor &t, bool isVec, const Coords &i, Expr row,
                     Expr col) -> Expr {
    if (isVec)
      return t({row.defined() ? row : col});
    Coords batch(i.begin(), i.begin() + batchRank);
    Shape tBatch(t.shape.begin(), t.shape.end() - 2);
    Coords idx = broadcastCoords(batch, tBatch);
    idx.push_back(row);
    idx.push_back(col);
    return t(idx);
  };
  bind(op, accumulate(op, outShape, r, [](const Coords &) { return Expr(0.0f); },
                      [&](const Coords &i) {
         Expr m = vecA ? Expr() : i[batchRank];
         Expr n = vecB ? Expr() : i.back();
         return operand(a, vecA, i, m, r) * operand(b, vecB, i, r, n);
       }));
}

void Lowerer::lowerSoftmax(Operation *op, int64_t axis, bool isLog) {
  Tensor in = get(op->getOperand(0));
  size_t ax = axis < 0 ? axis + in.shape.size() : axis;
  Shape reduced = in.shape;
  reduced.erase(reduced.begin() + ax);
  RDom r(0, in.dim(ax), "r");
  // Per-slice max and sum of exp(x - max): helper Funcs of rank - 1.
  auto at = [&](const Coords &j, Expr x) {
    Coords i = j;
    i.insert(i.begin() + ax, x);
    return i;
  };
  Tensor mx = define(op, reduced, [&](const Coords &j) {
    return maxOver(op, in(at(j, r)));
  });
  RDom r2(0, in.dim(ax), "r2");
  Tensor total = define(op, reduced, [&](const Coords &j) {
    return sumOver(op, Halide::exp(in(at(j, r2)) - mx(j)));
  });
  bind(op, define(op, in.shape, [&](const Coords &i) {
         Coords j = dropAxis(i, ax);
         Expr shifted = in(i) - mx(j);
         return isLog ? shifted - Halide::log(total(j))
                      : Halide::exp(shifted) / total(j);
       }));
}

llvm::Error Lowerer::lowerOp(Operation *op) {
  using namespace cnn;
  auto unary = [&](std::function<Expr(Expr)> fn) {
    lowerUnary(op, fn);
    return llvm::Error::success();
  };
  auto done = [](auto &&) { return llvm::Error::success(); };
  const Expr zero = 0.0f, one = 1.0f;
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case<ConstantOp>([&](auto c) { return lowerConstant(c); })
      .Case<Conv2DOp>([&](auto o) { lowerConv(o); return done(o); })
      .Case<ConvTranspose2DOp>([&](auto o) { lowerConvTranspose(o); return done(o); })
      .Case<MaxPool2DOp>([&](auto o) { lowerMaxPool(o); return done(o); })
      .Case<AvgPool2DOp>([&](auto o) { lowerAvgPool(o); return done(o); })
      .Case<GlobalAvgPoolOp>([&](auto o) { lowerGlobalPool(o, false); return done(o); })
      .Case<GlobalMaxPoolOp>([&](auto o) { lowerGlobalPool(o, true); return done(o); })
      .Case<ReluOp>([&](auto) { return unary([=](Expr x) { return Halide::max(x, zero); }); })
      .Case<SigmoidOp>([&](auto) { return unary([=](Expr x) { return one / (one + Halide::exp(-x)); }); })
      .Case<TanhOp>([&](auto) { return unary([](Expr x) { return tanhOf(x); }); })
      .Case<HardSwishOp>([&](auto) {
        return unary([=](Expr x) { return x * Halide::clamp(x / 6.0f + 0.5f, zero, one); });
      })
      .Case<SoftplusOp>([&](auto) { // log(1 + exp(x)) without overflow
        return unary([=](Expr x) { return Halide::max(x, zero) + Halide::log(one + Halide::exp(-Halide::abs(x))); });
      })
      .Case<SoftsignOp>([&](auto) { return unary([=](Expr x) { return x / (one + Halide::abs(x)); }); })
      .Case<GeluOp>([&](GeluOp o) {
        if (o.getApproximate())
          return unary([](Expr x) {
            const float k = 0.7978845608028654f; // sqrt(2 / pi)
            return 0.5f * x * (1.0f + tanhOf(k * (x + 0.044715f * x * x * x)));
          });
        return unary([](Expr x) { return 0.5f * x * (1.0f + Halide::erf(x * 0.7071067811865476f)); });
      })
      .Case<LeakyReluOp>([&](LeakyReluOp o) {
        float a = f32(o.getAlpha());
        return unary([=](Expr x) { return Halide::select(x >= zero, x, a * x); });
      })
      .Case<EluOp>([&](EluOp o) {
        float a = f32(o.getAlpha());
        return unary([=](Expr x) { return Halide::select(x >= zero, x, a * (Halide::exp(x) - one)); });
      })
      .Case<SeluOp>([&](SeluOp o) {
        float a = f32(o.getAlpha()), g = f32(o.getGamma());
        return unary([=](Expr x) { return g * Halide::select(x > zero, x, a * (Halide::exp(x) - one)); });
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp o) {
        float a = f32(o.getAlpha()), b = f32(o.getBeta());
        return unary([=](Expr x) { return Halide::clamp(a * x + b, zero, one); });
      })
      .Case<ClipOp>([&](ClipOp o) {
        float lo = f32(o.getMin()), hi = f32(o.getMax());
        return unary([=](Expr x) { return Halide::min(Halide::max(x, lo), hi); });
      })
      .Case<PReluOp>([&](PReluOp o) {
        Tensor in = get(o.getInput()), slope = get(o.getSlope());
        bind(o, define(o, in.shape, [&](const Coords &i) {
               Expr x = in(i);
               return Halide::select(x >= zero, x, slope(broadcastCoords(i, slope.shape)) * x);
             }));
        return done(o);
      })
      .Case<BatchNormOp>([&](auto o) { lowerBatchNorm(o); return done(o); })
      .Case<AddOp>([&](auto) { lowerBinary(op, [](Expr a, Expr b) { return a + b; }); return llvm::Error::success(); })
      .Case<SubOp>([&](auto) { lowerBinary(op, [](Expr a, Expr b) { return a - b; }); return llvm::Error::success(); })
      .Case<MulOp>([&](auto) { lowerBinary(op, [](Expr a, Expr b) { return a * b; }); return llvm::Error::success(); })
      .Case<DivOp>([&](auto) { lowerBinary(op, [](Expr a, Expr b) { return a / b; }); return llvm::Error::success(); })
      .Case<ConcatOp>([&](auto o) { lowerConcat(o); return done(o); })
      .Case<FlattenOp, ReshapeOp>([&](auto o) {
        Tensor in = get(o.getInput());
        Shape outShape = shapeOf(o.getResult());
        bind(o, define(o, outShape, [&](const Coords &i) { return in(reindex(i, outShape, in.shape)); }));
        return done(o);
      })
      .Case<TransposeOp>([&](auto o) { lowerTranspose(o); return done(o); })
      .Case<PadOp>([&](auto o) { lowerPad(o); return done(o); })
      .Case<ResizeOp>([&](auto o) { lowerResize(o); return done(o); })
      .Case<DenseOp>([&](auto o) { lowerDense(o); return done(o); })
      .Case<MatMulOp>([&](auto o) { lowerMatMul(o); return done(o); })
      .Case<SoftmaxOp>([&](auto o) { lowerSoftmax(o, o.getAxis(), false); return done(o); })
      .Case<LogSoftmaxOp>([&](auto o) { lowerSoftmax(o, o.getAxis(), true); return done(o); })
      .Case<RnnOp, GruOp, LstmOp, LayerNormOp, LayerNormStatsOp, AttentionOp>([&](Operation *o) { return lowerSequence(o); })
      .Default([](Operation *o) {
        return llvm::createStringError("codegen: cannot lower op '%s'",
                                       o->getName().getStringRef().str().c_str());
      });
}

llvm::Error Lowerer::lowerSequence(Operation *op) {
  auto toSeq = [](Tensor t) { return SeqTensor{t.f, t.shape}; };
  SequenceEnv env{
      &model,
      [](Value v) { return constantOperand(v); },
      [&](Value v) { return toSeq(get(v)); },
      [&](Operation *o, const Shape &shape, const Body &body) {
        return toSeq(define(o, shape, body));
      },
      [&](Operation *o, const Shape &shape, RDom r, const Body &init,
          const Body &term) { return toSeq(accumulate(o, shape, r, init, term)); },
      [&](Operation *o, llvm::StringRef kind) { return reduction(o, kind); }};
  auto results = lowerSequenceOp(op, env);
  if (!results)
    return results.takeError();
  for (auto [value, t] : llvm::zip(op->getResults(), *results))
    values[value] = Tensor{t.f, t.shape};
  return llvm::Error::success();
}

/// `cnn.name` of an argument or result, else `<fallback><index>`.
std::string ioName(DictionaryAttr attrs, const char *fallback, unsigned i) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("cnn.name"))
      return name.str();
  return fallback + std::to_string(i);
}

/// The module name as a C identifier.
std::string modelName(ModuleOp module) {
  std::string name = module.getName() ? module.getName()->str() : "model";
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "m" + name;
  return name;
}

/// Row-major, exact-size layout on an input or output buffer: lets Halide
/// emit dense vector loads and rejects a mismatched caller buffer. Callers'
/// buffers need only float alignment (Halide would otherwise emit aligned
/// vector moves on them, which fault on e.g. a std::vector's 16-byte data).
void constrainLayout(Halide::OutputImageParam p, const Shape &shape) {
  p.set_host_alignment(sizeof(float));
  int stride = 1;
  for (size_t k = 0; k < shape.size(); ++k) {
    int extent = static_cast<int>(shape[shape.size() - 1 - k]);
    p.dim(k).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
  }
}

llvm::Error Lowerer::lower(func::FuncOp main) {
  for (auto [i, arg] : llvm::enumerate(main.getArguments())) {
    Shape shape = shapeOf(arg);
    std::string name = ioName(main.getArgAttrDict(i), "input", i);
    Halide::ImageParam param(Halide::Float(32), shape.size(),
                             uniqueName("in_" + std::to_string(i)));
    constrainLayout(param, shape);
    model.inputs.push_back(param);
    model.inputInfo.push_back({name, shape});
    values[arg] = {Func(param), shape};
    blockInput(arg, name);
  }
  for (Operation &op : main.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (op.getNumResults() != 1 && !isSequenceOp(&op))
      return llvm::createStringError("codegen: op '%s' must have one result",
                                     op.getName().getStringRef().str().c_str());
    if (auto err = lowerOp(&op))
      return err;
  }
  auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
  llvm::DenseSet<Value> used;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    Tensor t = get(v);
    // A Func can be one output only and an ImageParam or constant none:
    // such outputs get a copy.
    Operation *def = v.getDefiningOp();
    bool direct = def && !isa<cnn::ConstantOp>(def) && used.insert(v).second;
    if (!direct)
      t = define(nullptr, t.shape, [t](const Coords &c) { return t(c); });
    constrainLayout(t.f.output_buffer(), t.shape);
    model.outputs.push_back(t.f);
    model.outputInfo.push_back({ioName(main.getResultAttrDict(i), "output", i), t.shape});
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<LoweredModel> buildPipeline(ModuleOp module, bool forCppBackend,
                                           bool schedule) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main || main.getBody().empty())
    return llvm::createStringError("codegen: module has no func.func @main");
  LoweredModel model;
  model.name = modelName(module);
  model.forCppBackend = forCppBackend;
  try {
    Lowerer lowerer(model);
    if (auto err = lowerer.lower(main))
      return std::move(err);
    if (schedule)
      applySchedule(model);
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  return model;
}

namespace {
/// A Halide buffer viewing caller memory of MLIR shape `shape`.
Halide::Buffer<float> wrap(const float *data, const Shape &shape) {
  std::vector<int> sizes;
  for (int64_t d : reversed(shape))
    sizes.push_back(static_cast<int>(d));
  return Halide::Buffer<float>(const_cast<float *>(data), sizes);
}

/// Halide emits aligned vector moves on dense input and output accesses
/// whatever alignment is declared (see ModelGlue.c.in), so caller memory not
/// aligned to the widest vector runs on a (Halide-allocated, aligned) copy.
bool needsStaging(const float *data) {
  return reinterpret_cast<uintptr_t>(data) % 64 != 0;
}

Halide::Buffer<float> staged(const Halide::Buffer<float> &view, const float *data) {
  return needsStaging(data) ? view.copy() : view;
}
} // namespace

llvm::Error runJit(LoweredModel &model, const std::vector<const float *> &inputs,
                   const std::vector<float *> &outputs) {
  if (inputs.size() != model.inputs.size() ||
      outputs.size() != model.outputs.size())
    return llvm::createStringError("runJit: wrong number of buffers");
  try {
    for (size_t i = 0; i < inputs.size(); ++i)
      model.inputs[i].set(staged(wrap(inputs[i], model.inputInfo[i].shape), inputs[i]));
    std::vector<Halide::Buffer<float>> views;
    std::vector<Halide::Buffer<>> outs;
    for (size_t i = 0; i < outputs.size(); ++i) {
      views.push_back(wrap(outputs[i], model.outputInfo[i].shape));
      outs.push_back(staged(views.back(), outputs[i]));
    }
    Halide::Pipeline(model.outputs).realize(Halide::Realization(outs));
    for (size_t i = 0; i < outputs.size(); ++i)
      if (needsStaging(outputs[i]))
        views[i].copy_from(Halide::Buffer<float>(outs[i]));
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  return llvm::Error::success();
}

} // namespace cnnc::codegen
