//===- Reference.cpp - naive reference evaluator of cnn modules -----------===//
//
// Every op is a direct transcription of its definition in ir/CnnOps.td:
// nested loops over the output, sums accumulated in double, no tiling and no
// clever index arithmetic. Output sizes are computed here from the formulas
// and then compared with the op's result type, so a disagreement between the
// shape rules and this evaluator is reported rather than silently hidden.
//
//===----------------------------------------------------------------------===//
#include "tools/reference/Reference.h"
#include "tools/reference/ReferenceSequence.h"

#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

using namespace mlir;
using namespace mlir::cnn;
using cnnc::reference::Tensor;

namespace {

using Shape = std::vector<int64_t>;
using Env = llvm::DenseMap<Value, Tensor>;

//===----------------------------------------------------------------------===//
// Shapes, indices and errors
//===----------------------------------------------------------------------===//

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor makeTensor(Shape shape, float fill = 0.0f) {
  Tensor t;
  t.data.assign(numElements(shape), fill);
  t.shape = std::move(shape);
  return t;
}

Shape shapeOf(Type type) {
  auto shape = cast<ShapedType>(type).getShape();
  return Shape(shape.begin(), shape.end());
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// An error naming the op, its layer and its location.
llvm::Error opError(Operation *op, const llvm::Twine &msg) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName();
  if (llvm::StringRef layer = layerName(op->getLoc()); !layer.empty())
    os << " '" << layer << "'";
  os << " at " << op->getLoc() << ": " << msg;
  return llvm::createStringError(llvm::inconvertibleErrorCode(), os.str());
}

/// Row-major strides of `shape`.
Shape stridesOf(llvm::ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Strides that read a tensor of `shape` at an index of rank `outRank`, numpy
/// style: dimensions align from the right, and a missing or size-1 dimension
/// gets stride 0 so that it stretches.
Shape broadcastStrides(llvm::ArrayRef<int64_t> shape, size_t outRank) {
  Shape own = stridesOf(shape), strides(outRank, 0);
  size_t lead = outRank - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[lead + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

/// The numpy broadcast of two shapes (assumed compatible: ops are verified).
Shape broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t dot(const Shape &index, const Shape &strides) {
  int64_t offset = 0;
  for (size_t i = 0; i < index.size(); ++i)
    offset += index[i] * strides[i];
  return offset;
}

/// Calls fn(index) for every multi-index of `shape` in row-major order (once
/// for rank 0, never for an empty shape).
template <typename Fn>
void forEachIndex(llvm::ArrayRef<int64_t> shape, Fn fn) {
  int64_t total = numElements(shape);
  Shape index(shape.size(), 0);
  for (int64_t n = 0; n < total; ++n) {
    fn(index);
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// Reads an NCHW tensor.
struct View4 {
  const Tensor &t;
  float operator()(int64_t n, int64_t c, int64_t h, int64_t w) const {
    const Shape &s = t.shape;
    return t.data[((n * s[1] + c) * s[2] + h) * s[3] + w];
  }
};

float &at4(Tensor &t, int64_t n, int64_t c, int64_t h, int64_t w) {
  const Shape &s = t.shape;
  return t.data[((n * s[1] + c) * s[2] + h) * s[3] + w];
}

int64_t normalizeAxis(int64_t axis, size_t rank) {
  return axis < 0 ? axis + int64_t(rank) : axis;
}

double toDouble(const llvm::APFloat &v) { return v.convertToDouble(); }

//===----------------------------------------------------------------------===//
// constant
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor> evalConstant(ConstantOp op) {
  Tensor t = makeTensor(shapeOf(op.getType()));
  Attribute value = op.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    // Also covers splats: the iterator repeats the single value.
    int64_t i = 0;
    for (const llvm::APFloat &v : dense.getValues<llvm::APFloat>())
      t.data[i++] = float(toDouble(v));
    return t;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return opError(op, "weight blob '" + resource.getRawHandle().getKey() +
                             "' has no data (elided?)");
    if (!resource.getElementType().isF32())
      return opError(op, "only f32 weight blobs are supported");
    llvm::ArrayRef<char> bytes = blob->getData();
    size_t want = t.data.size() * sizeof(float);
    if (bytes.size() != want)
      return opError(op, "weight blob has " + llvm::Twine(bytes.size()) +
                             " bytes, expected " + llvm::Twine(want));
    if (want)
      std::memcpy(t.data.data(), bytes.data(), want);
    return t;
  }
  return opError(op, "unsupported constant attribute kind");
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

Tensor evalConv2D(Conv2DOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput()), &w = env.at(op.getWeight());
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t groups = op.getGroups();
  int64_t N = in.shape[0], H = in.shape[2], W = in.shape[3];
  int64_t F = w.shape[0], CG = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  int64_t FG = F / groups;
  int64_t OH = (H + p[0] + p[2] - d[0] * (KH - 1) - 1) / s[0] + 1;
  int64_t OW = (W + p[1] + p[3] - d[1] * (KW - 1) - 1) / s[1] + 1;
  const Tensor *bias = op.getBias() ? &env.at(op.getBias()) : nullptr;
  Tensor out = makeTensor({N, F, OH, OW});
  View4 x{in}, k{w};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f) {
      int64_t g = f / FG; // filter f reads input channels [g*CG, (g+1)*CG)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double acc = bias ? bias->data[f] : 0.0;
          for (int64_t c = 0; c < CG; ++c)
            for (int64_t ky = 0; ky < KH; ++ky) {
              int64_t iy = oy * s[0] - p[0] + ky * d[0];
              if (iy < 0 || iy >= H)
                continue; // zero padding
              for (int64_t kx = 0; kx < KW; ++kx) {
                int64_t ix = ox * s[1] - p[1] + kx * d[1];
                if (ix < 0 || ix >= W)
                  continue;
                acc += double(x(n, g * CG + c, iy, ix)) * k(f, c, ky, kx);
              }
            }
          at4(out, n, f, oy, ox) = float(acc);
        }
    }
  return out;
}

/// The transpose of conv2d, written as its scatter: input pixel (iy, ix)
/// contributes weight tap (ky, kx) to the output pixel at
/// iy*stride - pad + ky*dilation of the un-padded full output.
Tensor evalConvTranspose2D(ConvTranspose2DOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput()), &w = env.at(op.getWeight());
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations(),
       op_ = op.getOutputPadding();
  int64_t groups = op.getGroups();
  int64_t N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3];
  int64_t FG = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  int64_t F = FG * groups, CG = C / groups;
  int64_t OH = s[0] * (H - 1) + op_[0] + d[0] * (KH - 1) + 1 - p[0] - p[2];
  int64_t OW = s[1] * (W - 1) + op_[1] + d[1] * (KW - 1) + 1 - p[1] - p[3];
  std::vector<double> acc(numElements({N, F, OH, OW}), 0.0);
  auto accAt = [&](int64_t n, int64_t f, int64_t y, int64_t x) -> double & {
    return acc[((n * F + f) * OH + y) * OW + x];
  };
  View4 x{in}, k{w};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      int64_t g = c / CG; // channel c feeds filters [g*FG, (g+1)*FG)
      for (int64_t iy = 0; iy < H; ++iy)
        for (int64_t ix = 0; ix < W; ++ix)
          for (int64_t fo = 0; fo < FG; ++fo)
            for (int64_t ky = 0; ky < KH; ++ky) {
              int64_t oy = iy * s[0] - p[0] + ky * d[0];
              if (oy < 0 || oy >= OH)
                continue;
              for (int64_t kx = 0; kx < KW; ++kx) {
                int64_t ox = ix * s[1] - p[1] + kx * d[1];
                if (ox < 0 || ox >= OW)
                  continue;
                accAt(n, g * FG + fo, oy, ox) +=
                    double(x(n, c, iy, ix)) * k(c, fo, ky, kx);
              }
            }
    }
  const Tensor *bias = op.getBias() ? &env.at(op.getBias()) : nullptr;
  Tensor out = makeTensor({N, F, OH, OW});
  for (int64_t i = 0; i < int64_t(acc.size()); ++i) {
    int64_t f = (i / (OH * OW)) % F;
    out.data[i] = float(acc[i] + (bias ? bias->data[f] : 0.0));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Output size of a pooling window along one axis (CnnOps.td, max_pool2d):
/// floor or ceil of room/stride, plus one; in ceil mode a last window that
/// would start in the end padding is dropped.
int64_t poolOutputSize(int64_t in, int64_t padBegin, int64_t padEnd,
                       int64_t kernel, int64_t stride, int64_t dilation,
                       bool ceilMode) {
  int64_t room = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

Tensor evalMaxPool(MaxPool2DOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPads(),
       d = op.getDilations();
  bool ceil = op.getCeilMode();
  int64_t N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3];
  int64_t OH = poolOutputSize(H, p[0], p[2], k[0], s[0], d[0], ceil);
  int64_t OW = poolOutputSize(W, p[1], p[3], k[1], s[1], d[1], ceil);
  Tensor out = makeTensor({N, C, OH, OW});
  View4 x{in};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          // Padded positions never win: only input positions are visited.
          float best = -std::numeric_limits<float>::infinity();
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t iy = oy * s[0] - p[0] + ky * d[0];
              int64_t ix = ox * s[1] - p[1] + kx * d[1];
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                best = std::max(best, x(n, c, iy, ix));
            }
          at4(out, n, c, oy, ox) = best;
        }
  return out;
}

Tensor evalAvgPool(AvgPool2DOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPads();
  bool ceil = op.getCeilMode(), includePad = op.getCountIncludePad();
  int64_t N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3];
  int64_t OH = poolOutputSize(H, p[0], p[2], k[0], s[0], 1, ceil);
  int64_t OW = poolOutputSize(W, p[1], p[3], k[1], s[1], 1, ceil);
  Tensor out = makeTensor({N, C, OH, OW});
  View4 x{in};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          double sum = 0.0;
          int64_t inside = 0, insidePadded = 0;
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t iy = oy * s[0] - p[0] + ky;
              int64_t ix = ox * s[1] - p[1] + kx;
              // The padded input spans [-top, H + bottom) x [-left, W + right).
              if (iy >= -p[0] && iy < H + p[2] && ix >= -p[1] && ix < W + p[3])
                ++insidePadded;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                ++inside;
                sum += x(n, c, iy, ix);
              }
            }
          at4(out, n, c, oy, ox) = float(sum / (includePad ? insidePadded : inside));
        }
  return out;
}

template <typename OpT>
Tensor evalGlobalPool(OpT op, const Env &env, bool isMax) {
  const Tensor &in = env.at(op.getInput());
  int64_t N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3];
  Tensor out = makeTensor({N, C, 1, 1});
  View4 x{in};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      double sum = 0.0;
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t y = 0; y < H; ++y)
        for (int64_t xx = 0; xx < W; ++xx) {
          sum += x(n, c, y, xx);
          best = std::max(best, x(n, c, y, xx));
        }
      at4(out, n, c, 0, 0) = isMax ? best : float(sum / double(H * W));
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename Fn>
Tensor mapUnary(const Tensor &in, Fn fn) {
  Tensor out = makeTensor(in.shape);
  for (size_t i = 0; i < in.data.size(); ++i)
    out.data[i] = float(fn(double(in.data[i])));
  return out;
}

/// log(1 + exp(x)) without overflow of exp for large x.
double softplus(double x) {
  return x > 30 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

double gelu(double x, bool approximate) {
  if (approximate) {
    const double c = std::sqrt(2.0 / llvm::numbers::pi);
    return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
  }
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

/// Binary op with numpy broadcasting. Computing in double and rounding once
/// gives the correctly rounded f32 result of + - * /.
template <typename Fn>
Tensor mapBinary(const Tensor &lhs, const Tensor &rhs, Fn fn) {
  Tensor out = makeTensor(broadcastShapes(lhs.shape, rhs.shape));
  Shape ls = broadcastStrides(lhs.shape, out.shape.size());
  Shape rs = broadcastStrides(rhs.shape, out.shape.size());
  int64_t i = 0;
  forEachIndex(out.shape, [&](const Shape &idx) {
    out.data[i++] = float(fn(double(lhs.data[dot(idx, ls)]),
                             double(rhs.data[dot(idx, rs)])));
  });
  return out;
}

Tensor evalPRelu(PReluOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput()), &slope = env.at(op.getSlope());
  Tensor out = makeTensor(in.shape);
  Shape ss = broadcastStrides(slope.shape, in.shape.size());
  int64_t i = 0;
  forEachIndex(in.shape, [&](const Shape &idx) {
    float x = in.data[i];
    out.data[i++] = x >= 0 ? x : float(double(slope.data[dot(idx, ss)]) * x);
  });
  return out;
}

Tensor evalBatchNorm(BatchNormOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  const Tensor &scale = env.at(op.getScale()), &bias = env.at(op.getBias()),
               &mean = env.at(op.getMean()), &var = env.at(op.getVar());
  double eps = toDouble(op.getEpsilon());
  int64_t C = in.shape[1];
  int64_t inner = numElements(llvm::ArrayRef<int64_t>(in.shape).drop_front(2));
  Tensor out = makeTensor(in.shape);
  for (int64_t i = 0; i < int64_t(in.data.size()); ++i) {
    int64_t c = (i / inner) % C;
    double x = in.data[i];
    out.data[i] = float(double(scale.data[c]) * (x - mean.data[c]) /
                            std::sqrt(double(var.data[c]) + eps) +
                        bias.data[c]);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

Tensor evalConcat(ConcatOp op, const Env &env) {
  const Tensor &first = env.at(op.getInputs()[0]);
  int64_t axis = normalizeAxis(op.getAxis(), first.shape.size());
  Shape shape = first.shape;
  shape[axis] = 0;
  for (Value v : op.getInputs())
    shape[axis] += env.at(v).shape[axis];
  Tensor out = makeTensor(shape);
  int64_t outer = numElements(llvm::ArrayRef<int64_t>(shape).take_front(axis));
  int64_t i = 0;
  // Row-major: for each outer index, the inputs' axis slabs follow each other.
  for (int64_t o = 0; o < outer; ++o)
    for (Value v : op.getInputs()) {
      const Tensor &t = env.at(v);
      int64_t slab = numElements(llvm::ArrayRef<int64_t>(t.shape).drop_front(axis));
      for (int64_t j = 0; j < slab; ++j)
        out.data[i++] = t.data[o * slab + j];
    }
  return out;
}

/// flatten and reshape keep the row-major data; the shape is the op's
/// (verified) result type.
Tensor evalReshapeLike(Operation *op, const Env &env) {
  Tensor out = env.at(op->getOperand(0));
  out.shape = shapeOf(op->getResult(0).getType());
  return out;
}

Tensor evalTranspose(TransposeOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  auto perm = op.getPerm();
  Shape shape, inStrides = stridesOf(in.shape), strides;
  // Output dimension i is input dimension perm[i].
  for (int64_t p : perm) {
    shape.push_back(in.shape[p]);
    strides.push_back(inStrides[p]);
  }
  Tensor out = makeTensor(shape);
  int64_t i = 0;
  forEachIndex(shape, [&](const Shape &idx) {
    out.data[i++] = in.data[dot(idx, strides)];
  });
  return out;
}

Tensor evalPad(PadOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  auto pads = op.getPads();
  size_t rank = in.shape.size();
  Shape shape = in.shape;
  for (size_t d = 0; d < rank; ++d)
    shape[d] += pads[d] + pads[d + rank];
  PadMode mode = op.getMode();
  float value = float(toDouble(op.getValue()));
  Shape strides = stridesOf(in.shape);
  Tensor out = makeTensor(shape);
  int64_t i = 0;
  forEachIndex(shape, [&](const Shape &idx) {
    int64_t offset = 0;
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      int64_t n = in.shape[d], src = idx[d] - pads[d];
      if (src < 0 || src >= n) {
        outside = true;
        if (mode == PadMode::reflect) // mirror about the edge element
          src = src < 0 ? -src : 2 * (n - 1) - src;
        else
          src = std::clamp<int64_t>(src, 0, n - 1); // edge (constant: unused)
      }
      offset += src * strides[d];
    }
    out.data[i++] = outside && mode == PadMode::constant ? value : in.data[offset];
  });
  return out;
}

/// The input coordinate that output coordinate x of dimension d (0: H,
/// 1: W) maps to, resized from `in` to `out` elements (the table of
/// cnn.resize). Without a scale, multiplies before dividing, so that a
/// coordinate exactly halfway between two inputs is computed exactly
/// (nearest mode's ties depend on it).
double sourceCoord(ResizeOp op, int d, int64_t x, int64_t in, int64_t out) {
  std::optional<double> s;
  if (std::optional<llvm::ArrayRef<float>> scale = op.getScale())
    s = double((*scale)[d]);
  double xi = double(x), n = double(in), m = double(out);
  auto halfPixel = [&] { return s ? (xi + 0.5) / *s : (xi + 0.5) * n / m; };
  switch (op.getCoordMode()) {
  case CoordMode::half_pixel:
    return halfPixel() - 0.5;
  case CoordMode::pytorch_half_pixel:
    return out > 1 ? halfPixel() - 0.5 : 0.0;
  case CoordMode::tf_half_pixel_for_nn:
    return halfPixel();
  case CoordMode::asymmetric:
    return s ? xi / *s : xi * n / m;
  case CoordMode::align_corners:
    return out > 1 ? xi * (n - 1) / ((s ? n * *s : m) - 1) : 0.0;
  case CoordMode::tf_crop_and_resize: {
    double start = (*op.getRoi())[d], end = (*op.getRoi())[d + 2];
    return out > 1 ? start * (n - 1) + xi * (end - start) * (n - 1) / (m - 1)
                   : (start + end) * (n - 1) / 2;
  }
  }
  return 0.0;
}

/// The input index nearest to coordinate c, clamped to the input.
int64_t nearestIndex(NearestMode mode, double c, int64_t in) {
  double r = 0;
  bool tie = c - std::floor(c) == 0.5;
  switch (mode) {
  case NearestMode::round_prefer_floor:
    r = tie ? std::floor(c) : std::round(c);
    break;
  case NearestMode::round_prefer_ceil:
    r = tie ? std::ceil(c) : std::round(c);
    break;
  case NearestMode::floor:
    r = std::floor(c);
    break;
  case NearestMode::ceil:
    r = std::ceil(c);
    break;
  }
  return std::clamp<int64_t>(int64_t(r), 0, in - 1);
}

/// Keys' cubic convolution kernel with coefficient a at distance d.
double keysKernel(double a, double d) {
  d = std::abs(d);
  if (d <= 1)
    return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2)
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0.0;
}

/// The input elements (index, weight) that one output coordinate reads
/// along one dimension; `outside` when tf_crop_and_resize maps it outside
/// the input (the output is then the extrapolation value).
struct Taps {
  std::vector<std::pair<int64_t, double>> taps;
  bool outside = false;
};

Taps resizeTaps(ResizeOp op, int d, int64_t x, int64_t in, int64_t out) {
  double c = sourceCoord(op, d, x, in, out);
  Taps t;
  if (op.getCoordMode() == CoordMode::tf_crop_and_resize &&
      (c < 0 || c > double(in - 1))) {
    t.outside = true;
    return t;
  }
  switch (op.getMode()) {
  case ResizeMode::nearest:
    t.taps.push_back({nearestIndex(op.getNearestMode(), c, in), 1.0});
    break;
  case ResizeMode::linear: {
    c = std::clamp(c, 0.0, double(in - 1));
    int64_t lo = int64_t(std::floor(c));
    double frac = c - double(lo);
    t.taps.push_back({lo, 1 - frac});
    t.taps.push_back({std::min(lo + 1, in - 1), frac});
    break;
  }
  case ResizeMode::cubic: {
    double a = toDouble(op.getCubicCoeffA()), sum = 0;
    int64_t base = int64_t(std::floor(c));
    for (int64_t i = base - 1; i <= base + 2; ++i) {
      bool inside = i >= 0 && i < in;
      double w = op.getExcludeOutside() && !inside ? 0.0 : keysKernel(a, c - double(i));
      t.taps.push_back({std::clamp<int64_t>(i, 0, in - 1), w});
      sum += w;
    }
    if (op.getExcludeOutside())
      for (auto &tap : t.taps)
        tap.second /= sum;
    break;
  }
  }
  return t;
}

Tensor evalResize(ResizeOp op, const Env &env) {
  const Tensor &in = env.at(op.getInput());
  int64_t N = in.shape[0], C = in.shape[1], H = in.shape[2], W = in.shape[3];
  int64_t OH = op.getSize()[0], OW = op.getSize()[1];
  float extrapolation = float(toDouble(op.getExtrapolationValue()));
  Tensor out = makeTensor({N, C, OH, OW});
  View4 x{in};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          Taps ty = resizeTaps(op, 0, oy, H, OH), tx = resizeTaps(op, 1, ox, W, OW);
          if (ty.outside || tx.outside) {
            at4(out, n, c, oy, ox) = extrapolation;
            continue;
          }
          double sum = 0;
          for (auto [iy, wy] : ty.taps)
            for (auto [ix, wx] : tx.taps)
              sum += wy * wx * x(n, c, iy, ix);
          at4(out, n, c, oy, ox) = float(sum);
        }
  return out;
}

//===----------------------------------------------------------------------===//
// Dense layers and matrix products
//===----------------------------------------------------------------------===//

Tensor evalDense(DenseOp op, const Env &env) {
  const Tensor &a = env.at(op.getA()), &b = env.at(op.getB());
  bool ta = op.getTransA(), tb = op.getTransB();
  int64_t M = a.shape[ta ? 1 : 0], K = a.shape[ta ? 0 : 1];
  int64_t Nn = b.shape[tb ? 0 : 1];
  double alpha = toDouble(op.getAlpha()), beta = toDouble(op.getBeta());
  auto A = [&](int64_t m, int64_t k) {
    return ta ? a.data[k * M + m] : a.data[m * K + k];
  };
  auto B = [&](int64_t k, int64_t n) {
    return tb ? b.data[n * K + k] : b.data[k * Nn + n];
  };
  const Tensor *c = op.getC() ? &env.at(op.getC()) : nullptr;
  Shape cs = c ? broadcastStrides(c->shape, 2) : Shape{};
  Tensor out = makeTensor({M, Nn});
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < Nn; ++n) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += double(A(m, k)) * B(k, n);
      double y = alpha * acc;
      if (c)
        y += beta * c->data[m * cs[0] + n * cs[1]];
      out.data[m * Nn + n] = float(y);
    }
  return out;
}

Tensor evalMatMul(MatMulOp op, const Env &env) {
  const Tensor &lhs = env.at(op.getLhs()), &rhs = env.at(op.getRhs());
  // A 1-D lhs is a row vector [1, K], a 1-D rhs a column vector [K, 1].
  Shape ls = lhs.shape, rs = rhs.shape;
  if (ls.size() == 1)
    ls.insert(ls.begin(), 1);
  if (rs.size() == 1)
    rs.push_back(1);
  int64_t M = ls[ls.size() - 2], K = ls.back(), Nn = rs.back();
  Shape lb(ls.begin(), ls.end() - 2), rb(rs.begin(), rs.end() - 2);
  Shape batch = broadcastShapes(lb, rb);
  // Batch strides in units of whole matrices.
  Shape lstr = broadcastStrides(lb, batch.size());
  Shape rstr = broadcastStrides(rb, batch.size());
  std::vector<float> data;
  forEachIndex(batch, [&](const Shape &idx) {
    const float *l = lhs.data.data() + dot(idx, lstr) * M * K;
    const float *r = rhs.data.data() + dot(idx, rstr) * K * Nn;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < Nn; ++n) {
        double acc = 0.0;
        for (int64_t k = 0; k < K; ++k)
          acc += double(l[m * K + k]) * r[k * Nn + n];
        data.push_back(float(acc));
      }
  });
  // The added unit dimensions are dropped again.
  Shape shape = batch;
  if (lhs.shape.size() > 1)
    shape.push_back(M);
  if (rhs.shape.size() > 1)
    shape.push_back(Nn);
  return Tensor{shape, std::move(data)};
}

/// softmax or log_softmax along `axis`, with max subtraction.
Tensor evalSoftmax(const Tensor &in, int64_t axis, bool log) {
  axis = normalizeAxis(axis, in.shape.size());
  llvm::ArrayRef<int64_t> shape(in.shape);
  int64_t outer = numElements(shape.take_front(axis));
  int64_t len = shape[axis];
  int64_t inner = numElements(shape.drop_front(axis + 1));
  Tensor out = makeTensor(in.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto idx = [&](int64_t a) { return (o * len + a) * inner + j; };
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t a = 0; a < len; ++a)
        mx = std::max(mx, double(in.data[idx(a)]));
      double sum = 0.0;
      for (int64_t a = 0; a < len; ++a)
        sum += std::exp(in.data[idx(a)] - mx);
      for (int64_t a = 0; a < len; ++a) {
        double shifted = in.data[idx(a)] - mx;
        out.data[idx(a)] =
            float(log ? shifted - std::log(sum) : std::exp(shifted) / sum);
      }
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor> evalOp(Operation *operation, const Env &env) {
  auto in = [&](Value v) -> const Tensor & { return env.at(v); };
  using R = llvm::Expected<Tensor>;
  return llvm::TypeSwitch<Operation *, R>(operation)
      .Case<ConstantOp>([&](auto op) { return evalConstant(op); })
      .Case<Conv2DOp>([&](auto op) -> R { return evalConv2D(op, env); })
      .Case<ConvTranspose2DOp>(
          [&](auto op) -> R { return evalConvTranspose2D(op, env); })
      .Case<MaxPool2DOp>([&](auto op) -> R { return evalMaxPool(op, env); })
      .Case<AvgPool2DOp>([&](auto op) -> R { return evalAvgPool(op, env); })
      .Case<GlobalAvgPoolOp>(
          [&](auto op) -> R { return evalGlobalPool(op, env, false); })
      .Case<GlobalMaxPoolOp>(
          [&](auto op) -> R { return evalGlobalPool(op, env, true); })
      .Case<ReluOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()), [](double x) { return std::max(x, 0.0); });
      })
      .Case<SigmoidOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()),
                        [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
      })
      .Case<TanhOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()), [](double x) { return std::tanh(x); });
      })
      .Case<HardSwishOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()), [](double x) {
          return x * std::max(0.0, std::min(1.0, x / 6 + 0.5));
        });
      })
      .Case<SoftplusOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()), softplus);
      })
      .Case<SoftsignOp>([&](auto op) -> R {
        return mapUnary(in(op.getInput()),
                        [](double x) { return x / (1.0 + std::fabs(x)); });
      })
      .Case<GeluOp>([&](auto op) -> R {
        bool approximate = op.getApproximate();
        return mapUnary(in(op.getInput()),
                        [&](double x) { return gelu(x, approximate); });
      })
      .Case<LeakyReluOp>([&](auto op) -> R {
        double alpha = toDouble(op.getAlpha());
        return mapUnary(in(op.getInput()),
                        [&](double x) { return x >= 0 ? x : alpha * x; });
      })
      .Case<EluOp>([&](auto op) -> R {
        double alpha = toDouble(op.getAlpha());
        return mapUnary(in(op.getInput()), [&](double x) {
          return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
        });
      })
      .Case<SeluOp>([&](auto op) -> R {
        double alpha = toDouble(op.getAlpha()), gamma = toDouble(op.getGamma());
        return mapUnary(in(op.getInput()), [&](double x) {
          return gamma * (x > 0 ? x : alpha * (std::exp(x) - 1.0));
        });
      })
      .Case<HardSigmoidOp>([&](auto op) -> R {
        double alpha = toDouble(op.getAlpha()), beta = toDouble(op.getBeta());
        return mapUnary(in(op.getInput()), [&](double x) {
          return std::max(0.0, std::min(1.0, alpha * x + beta));
        });
      })
      .Case<ClipOp>([&](auto op) -> R {
        double lo = toDouble(op.getMin()), hi = toDouble(op.getMax());
        return mapUnary(in(op.getInput()),
                        [&](double x) { return std::min(std::max(x, lo), hi); });
      })
      .Case<PReluOp>([&](auto op) -> R { return evalPRelu(op, env); })
      .Case<BatchNormOp>([&](auto op) -> R { return evalBatchNorm(op, env); })
      .Case<AddOp>([&](auto op) -> R {
        return mapBinary(in(op.getLhs()), in(op.getRhs()),
                         [](double a, double b) { return a + b; });
      })
      .Case<SubOp>([&](auto op) -> R {
        return mapBinary(in(op.getLhs()), in(op.getRhs()),
                         [](double a, double b) { return a - b; });
      })
      .Case<MulOp>([&](auto op) -> R {
        return mapBinary(in(op.getLhs()), in(op.getRhs()),
                         [](double a, double b) { return a * b; });
      })
      .Case<DivOp>([&](auto op) -> R {
        return mapBinary(in(op.getLhs()), in(op.getRhs()),
                         [](double a, double b) { return a / b; });
      })
      .Case<ConcatOp>([&](auto op) -> R { return evalConcat(op, env); })
      .Case<FlattenOp, ReshapeOp>(
          [&](auto op) -> R { return evalReshapeLike(op, env); })
      .Case<TransposeOp>([&](auto op) -> R { return evalTranspose(op, env); })
      .Case<PadOp>([&](auto op) -> R { return evalPad(op, env); })
      .Case<ResizeOp>([&](auto op) -> R { return evalResize(op, env); })
      .Case<DenseOp>([&](auto op) -> R { return evalDense(op, env); })
      .Case<MatMulOp>([&](auto op) -> R { return evalMatMul(op, env); })
      .Case<SoftmaxOp>([&](auto op) -> R {
        return evalSoftmax(in(op.getInput()), op.getAxis(), false);
      })
      .Case<LogSoftmaxOp>([&](auto op) -> R {
        return evalSoftmax(in(op.getInput()), op.getAxis(), true);
      })
      .Default([&](Operation *op) -> R {
        return opError(op, "the reference evaluator does not know this op");
      });
}

/// Every result of `op`: the sequence ops (ReferenceSequence.cpp) may have
/// several, all others have one.
llvm::Expected<std::vector<Tensor>> evalResults(Operation *op, const Env &env) {
  if (cnnc::reference::isSequenceOp(op))
    return cnnc::reference::evalSequenceOp(
        op, [&](Value v) -> const Tensor & { return env.at(v); });
  if (op->getNumResults() != 1)
    return opError(op, "the reference evaluator expects ops of one result");
  llvm::Expected<Tensor> result = evalOp(op, env);
  if (!result)
    return result.takeError();
  return std::vector<Tensor>{std::move(*result)};
}

/// `main`, or the only func of the module.
func::FuncOp findEntry(ModuleOp module) {
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  for (func::FuncOp f : funcs)
    if (f.getSymName() == "main")
      return f;
  return funcs.size() == 1 ? funcs.front() : func::FuncOp();
}

llvm::Error checkInputs(func::FuncOp func, llvm::ArrayRef<Tensor> inputs) {
  auto args = func.getArguments();
  if (args.size() != inputs.size())
    return opError(func, "expects " + llvm::Twine(args.size()) +
                             " inputs, got " + llvm::Twine(inputs.size()));
  for (auto [i, arg] : llvm::enumerate(args)) {
    Shape want = shapeOf(arg.getType());
    if (inputs[i].shape != want)
      return opError(func, "input " + llvm::Twine(i) + " has shape " +
                               formatShape(inputs[i].shape) + ", expected " +
                               formatShape(want));
    if (int64_t(inputs[i].data.size()) != numElements(want))
      return opError(func, "input " + llvm::Twine(i) + " has " +
                               llvm::Twine(inputs[i].data.size()) +
                               " values, its shape needs " +
                               llvm::Twine(numElements(want)));
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<Tensor>>
cnnc::reference::evaluate(ModuleOp module, llvm::ArrayRef<Tensor> inputs) {
  func::FuncOp func = findEntry(module);
  if (!func)
    return opError(module, "has no `main` and not exactly one func");
  if (func.isExternal())
    return opError(func, "has no body");
  if (llvm::Error err = checkInputs(func, inputs))
    return std::move(err);

  Env env;
  // Values are dropped after their last use so that large models stay small.
  llvm::DenseMap<Value, int64_t> usesLeft;
  auto define = [&](Value v, Tensor t) {
    usesLeft[v] = std::distance(v.use_begin(), v.use_end());
    env[v] = std::move(t);
  };
  for (auto [arg, input] : llvm::zip(func.getArguments(), inputs))
    define(arg, input);

  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(env.at(v));
      return results;
    }
    llvm::Expected<std::vector<Tensor>> results = evalResults(&op, env);
    if (!results)
      return results.takeError();
    for (auto [value, result] : llvm::zip(op.getResults(), *results)) {
      Shape want = shapeOf(value.getType());
      if (result.shape != want)
        return opError(&op, "evaluated to shape " + formatShape(result.shape) +
                                " but the result type has " + formatShape(want));
    }
    for (Value operand : op.getOperands())
      if (--usesLeft[operand] == 0)
        env.erase(operand);
    for (auto [value, result] : llvm::zip(op.getResults(), *results))
      define(value, std::move(result));
  }
  return opError(func, "has no func.return");
}
