//===- OnnxFolding.cpp - host-side ONNX tensors and shape folding ---------===//
#include "frontend/OnnxFolding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <functional>

using namespace cnnc::onnx_import;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

// Folding is for shape arithmetic; a bigger tensor means a misuse.
constexpr int64_t kMaxFoldElements = int64_t(1) << 26;

template <typename... Ts>
llvm::Error err(const char *fmt, Ts &&...vals) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv(fmt, std::forward<Ts>(vals)...).str());
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `fn(multiIndex)` for every element of `shape`, in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (product(shape) == 0)
    return;
  SmallVector<int64_t> idx(shape.size(), 0);
  while (true) {
    fn(idx);
    int64_t d = int64_t(shape.size()) - 1;
    for (; d >= 0 && ++idx[d] == shape[d]; --d)
      idx[d] = 0;
    if (d < 0)
      return;
  }
}

/// The tensor of shape `shape` whose i-th element is src's element srcIdx[i]:
/// every data-movement op is one of these index maps.
HostTensor take(const HostTensor &src, ArrayRef<int64_t> shape,
                ArrayRef<int64_t> srcIdx) {
  HostTensor out;
  out.shape.assign(shape.begin(), shape.end());
  out.isInt = src.isInt;
  for (int64_t i : srcIdx) {
    if (src.isInt)
      out.ints.push_back(src.ints[i]);
    else
      out.floats.push_back(src.floats[i]);
  }
  return out;
}

/// Same data, new shape.
HostTensor reshaped(HostTensor t, ArrayRef<int64_t> shape) {
  t.shape.assign(shape.begin(), shape.end());
  return t;
}

/// numpy broadcast of two shapes.
llvm::Expected<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                     ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return err("shapes do not broadcast (dimension {0}: {1} vs {2})", i, da,
                 db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// Flat indices into a tensor of shape `in` broadcast to `out`.
std::vector<int64_t> broadcastIndices(ArrayRef<int64_t> in,
                                      ArrayRef<int64_t> out) {
  SmallVector<int64_t> strides = stridesOf(in);
  size_t lead = out.size() - in.size();
  std::vector<int64_t> result;
  forEachIndex(out, [&](ArrayRef<int64_t> idx) {
    int64_t flat = 0;
    for (size_t d = 0; d < in.size(); ++d)
      flat += (in[d] == 1 ? 0 : idx[lead + d]) * strides[d];
    result.push_back(flat);
  });
  return result;
}

llvm::Expected<HostTensor> foldBinary(StringRef op, const HostTensor &a,
                                      const HostTensor &b) {
  auto shape = broadcastShapes(a.shape, b.shape);
  if (!shape)
    return shape.takeError();
  std::vector<int64_t> ia = broadcastIndices(a.shape, *shape);
  std::vector<int64_t> ib = broadcastIndices(b.shape, *shape);
  HostTensor out;
  out.shape = *shape;
  out.isInt = a.isInt && b.isInt;
  for (size_t i = 0; i < ia.size(); ++i) {
    if (out.isInt) {
      int64_t x = a.ints[ia[i]], y = b.ints[ib[i]];
      if (op == "Div" && y == 0)
        return err("integer division by zero");
      out.ints.push_back(op == "Add"   ? x + y
                         : op == "Sub" ? x - y
                         : op == "Mul" ? x * y
                                       : x / y);
    } else {
      double x = a.floatAt(ia[i]), y = b.floatAt(ib[i]);
      out.floats.push_back(op == "Add"   ? x + y
                           : op == "Sub" ? x - y
                           : op == "Mul" ? x * y
                                         : x / y);
    }
  }
  return out;
}

HostTensor foldUnary(StringRef op, HostTensor t) {
  if (op == "Sqrt") { // F.scaled_dot_product_attention's scale: sqrt(1/sqrt(d))
    if (t.isInt)
      t.floats.assign(t.ints.begin(), t.ints.end()), t.ints.clear(), t.isInt = false;
    for (double &v : t.floats)
      v = std::sqrt(v);
    return t;
  }
  if (t.isInt) {
    if (op == "Neg")
      for (int64_t &v : t.ints)
        v = -v;
    return t; // Floor/Ceil of integers are the identity.
  }
  double (*fn)(double) = op == "Floor"  ? static_cast<double (*)(double)>(std::floor)
                         : op == "Ceil" ? static_cast<double (*)(double)>(std::ceil)
                                        : [](double v) { return -v; };
  for (double &v : t.floats)
    v = fn(v);
  return t;
}

llvm::Expected<HostTensor> foldCast(const onnx::NodeProto &node,
                                    HostTensor t) {
  int64_t to = attrInt(node, "to", 0);
  bool toFloat = to == onnx::TensorProto::FLOAT ||
                 to == onnx::TensorProto::DOUBLE ||
                 to == onnx::TensorProto::FLOAT16;
  bool toBool = to == onnx::TensorProto::BOOL;
  if (!toFloat && (to == onnx::TensorProto::STRING ||
                   to == onnx::TensorProto::UNDEFINED))
    return err("Cast to data type {0} is not supported", to);
  HostTensor out;
  out.shape = t.shape;
  out.isInt = !toFloat;
  for (int64_t i = 0, e = t.numel(); i < e; ++i) {
    if (toFloat)
      out.floats.push_back(t.floatAt(i));
    else if (toBool)
      out.ints.push_back(t.isInt ? t.ints[i] != 0 : t.floats[i] != 0.0);
    else
      out.ints.push_back(t.intAt(i));
  }
  return out;
}

/// ONNX Reshape's target rule (0 copies, -1 infers) on host data.
llvm::Expected<HostTensor> foldReshape(const HostTensor &t,
                                       ArrayRef<int64_t> target,
                                       bool allowZero) {
  SmallVector<int64_t> shape(target);
  int64_t known = 1, inferAt = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero && i < t.shape.size())
      d = t.shape[i];
    if (d == -1 && inferAt < 0)
      inferAt = i;
    else if (d < 0)
      return err("invalid reshape target dimension {0}", d);
    else
      known *= d;
  }
  if (inferAt >= 0 && known != 0)
    shape[inferAt] = t.numel() / known;
  if (product(shape) != t.numel())
    return err("cannot reshape {0} elements to the requested shape",
               t.numel());
  return reshaped(t, shape);
}

/// Axes of Squeeze/Unsqueeze: an attribute before opset 13, an input after.
SmallVector<int64_t> axesOf(const onnx::NodeProto &node, int64_t opset,
                            ArrayRef<const HostTensor *> in) {
  if (opset < 13)
    return attrInts(node, "axes").value_or(SmallVector<int64_t>{});
  return in.size() > 1 && in[1] ? in[1]->toInts() : SmallVector<int64_t>{};
}

llvm::Expected<HostTensor> foldConcat(const onnx::NodeProto &node,
                                      int64_t opset,
                                      ArrayRef<const HostTensor *> in) {
  if (in.empty() || !in[0])
    return err("Concat needs inputs");
  int64_t rank = in[0]->shape.size();
  auto axis = normalizeAxis(attrInt(node, "axis", opset < 4 ? 1 : 0), rank);
  if (!axis)
    return err("invalid Concat axis");
  HostTensor out;
  out.shape = in[0]->shape;
  out.shape[*axis] = 0;
  out.isInt = in[0]->isInt;
  for (const HostTensor *t : in) {
    if (!t || int64_t(t->shape.size()) != rank || t->isInt != out.isInt)
      return err("Concat inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t->shape[d] != out.shape[d])
        return err("Concat inputs differ in dimension {0}", d);
    out.shape[*axis] += t->shape[*axis];
  }
  // Row-major: the output is the inputs' blocks of `inner` elements,
  // interleaved per outer index.
  int64_t outer = product(ArrayRef<int64_t>(out.shape).take_front(*axis));
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : in) {
      int64_t block = product(ArrayRef<int64_t>(t->shape).drop_front(*axis));
      for (int64_t i = o * block; i < (o + 1) * block; ++i) {
        if (out.isInt)
          out.ints.push_back(t->ints[i]);
        else
          out.floats.push_back(t->floats[i]);
      }
    }
  return out;
}

llvm::Expected<HostTensor> foldGather(const onnx::NodeProto &node,
                                      const HostTensor &data,
                                      const HostTensor &indices) {
  int64_t rank = data.shape.size();
  auto axis = normalizeAxis(attrInt(node, "axis", 0), rank);
  if (!axis || !indices.isInt)
    return err("invalid Gather axis or non-integer indices");
  int64_t dim = data.shape[*axis];
  SmallVector<int64_t> shape(ArrayRef<int64_t>(data.shape).take_front(*axis));
  llvm::append_range(shape, indices.shape);
  llvm::append_range(shape, ArrayRef<int64_t>(data.shape).drop_front(*axis + 1));
  SmallVector<int64_t> strides = stridesOf(data.shape);
  SmallVector<int64_t> indStrides = stridesOf(indices.shape);
  int64_t r = indices.shape.size();
  std::vector<int64_t> src;
  bool outOfRange = false;
  forEachIndex(shape, [&](ArrayRef<int64_t> o) {
    int64_t k = 0;
    for (int64_t d = 0; d < r; ++d)
      k += o[*axis + d] * indStrides[d];
    int64_t g = indices.ints[k] < 0 ? indices.ints[k] + dim : indices.ints[k];
    outOfRange |= g < 0 || g >= dim;
    int64_t flat = g * strides[*axis];
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis)
        flat += o[d < *axis ? d : d + r - 1] * strides[d];
    src.push_back(outOfRange ? 0 : flat);
  });
  if (outOfRange)
    return err("Gather index out of range");
  return take(data, shape, src);
}

llvm::Expected<HostTensor> foldSlice(const onnx::NodeProto &node,
                                     int64_t opset,
                                     ArrayRef<const HostTensor *> in) {
  const HostTensor &data = *in[0];
  int64_t rank = data.shape.size();
  auto input = [&](size_t i) -> std::optional<SmallVector<int64_t>> {
    if (i < in.size() && in[i])
      return in[i]->toInts();
    return std::nullopt;
  };
  auto starts = opset < 10 ? attrInts(node, "starts") : input(1);
  auto ends = opset < 10 ? attrInts(node, "ends") : input(2);
  auto axes = opset < 10 ? attrInts(node, "axes") : input(3);
  auto steps = opset < 10 ? std::nullopt : input(4);
  if (!starts || !ends || starts->size() != ends->size())
    return err("Slice needs starts and ends of equal length");
  SmallVector<int64_t> begin(rank, 0), step(rank, 1), shape(data.shape);
  for (size_t i = 0; i < starts->size(); ++i) {
    auto axis = normalizeAxis(axes ? (*axes)[i] : int64_t(i), rank);
    int64_t s = steps ? (*steps)[i] : 1;
    if (!axis || s == 0)
      return err("invalid Slice axis or step");
    int64_t dim = data.shape[*axis];
    int64_t b = (*starts)[i], e = (*ends)[i];
    b = b < 0 ? b + dim : b;
    e = e < 0 ? e + dim : e;
    b = s > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, 0, dim - 1);
    e = s > 0 ? std::clamp<int64_t>(e, 0, dim) : std::clamp<int64_t>(e, -1, dim - 1);
    int64_t n = s > 0 ? (e - b + s - 1) / s : (b - e - s - 1) / -s;
    begin[*axis] = b;
    step[*axis] = s;
    shape[*axis] = std::max<int64_t>(n, 0);
  }
  SmallVector<int64_t> strides = stridesOf(data.shape);
  std::vector<int64_t> src;
  forEachIndex(shape, [&](ArrayRef<int64_t> o) {
    int64_t flat = 0;
    for (int64_t d = 0; d < rank; ++d)
      flat += (begin[d] + o[d] * step[d]) * strides[d];
    src.push_back(flat);
  });
  return take(data, shape, src);
}

llvm::Expected<HostTensor> foldExpand(const HostTensor &t,
                                      const HostTensor &shapeT) {
  auto shape = broadcastShapes(t.shape, shapeT.toInts());
  if (!shape)
    return shape.takeError();
  if (product(*shape) > kMaxFoldElements)
    return err("Expand result too large to fold");
  return take(t, *shape, broadcastIndices(t.shape, *shape));
}

llvm::Expected<HostTensor> foldConstantOfShape(const onnx::NodeProto &node,
                                               const HostTensor &shapeT) {
  HostTensor out;
  out.shape = shapeT.toInts();
  int64_t n = product(out.shape);
  if (n > kMaxFoldElements)
    return err("ConstantOfShape result too large to fold");
  out.isInt = false;
  double fill = 0;
  if (const onnx::AttributeProto *value = findAttr(node, "value")) {
    auto v = hostFromProto(value->t(), value->t().has_raw_data()
                                           ? std::optional<StringRef>(
                                                 value->t().raw_data())
                                           : std::nullopt);
    if (!v)
      return v.takeError();
    out.isInt = v->isInt;
    fill = v->numel() ? v->floatAt(0) : 0;
  }
  if (out.isInt)
    out.ints.assign(n, int64_t(fill));
  else
    out.floats.assign(n, fill);
  return out;
}

llvm::Expected<HostTensor> foldRange(const HostTensor &start,
                                     const HostTensor &limit,
                                     const HostTensor &delta) {
  HostTensor out;
  out.isInt = start.isInt;
  double s = start.floatAt(0), l = limit.floatAt(0), d = delta.floatAt(0);
  if (d == 0)
    return err("Range delta is zero");
  int64_t n = std::max<int64_t>(int64_t(std::ceil((l - s) / d)), 0);
  if (n > kMaxFoldElements)
    return err("Range result too large to fold");
  out.shape = {n};
  for (int64_t i = 0; i < n; ++i) {
    if (out.isInt)
      out.ints.push_back(start.intAt(0) + i * delta.intAt(0));
    else
      out.floats.push_back(s + i * d);
  }
  return out;
}

/// Fetches required input `i`.
llvm::Expected<const HostTensor *> required(ArrayRef<const HostTensor *> in,
                                            size_t i, StringRef op) {
  if (i >= in.size() || !in[i])
    return err("{0} is missing input {1}", op, i);
  return in[i];
}

} // namespace

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

int64_t HostTensor::numel() const { return product(shape); }
int64_t HostTensor::intAt(int64_t i) const {
  return isInt ? ints[i] : int64_t(floats[i]);
}
double HostTensor::floatAt(int64_t i) const {
  return isInt ? double(ints[i]) : floats[i];
}
SmallVector<int64_t> HostTensor::toInts() const {
  SmallVector<int64_t> out;
  for (int64_t i = 0, e = numel(); i < e; ++i)
    out.push_back(intAt(i));
  return out;
}
std::vector<float> HostTensor::toFloats() const {
  std::vector<float> out;
  for (int64_t i = 0, e = numel(); i < e; ++i)
    out.push_back(float(floatAt(i)));
  return out;
}

namespace {
/// Appends `n` little-endian elements of type T from `raw` as int64/double.
template <typename T, typename Out>
void decodeRaw(StringRef raw, int64_t n, std::vector<Out> &out) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back(Out(v));
  }
}
} // namespace

llvm::Expected<HostTensor>
cnnc::onnx_import::hostFromProto(const onnx::TensorProto &tensor,
                                 std::optional<StringRef> raw) {
  HostTensor t;
  t.shape.assign(tensor.dims().begin(), tensor.dims().end());
  int64_t n = t.numel();
  if (n > kMaxFoldElements)
    return err("tensor '{0}' is too large to evaluate on the host",
               tensor.name());
  using TP = onnx::TensorProto;
  int type = tensor.data_type();
  size_t width = 0;
  switch (type) {
  case TP::FLOAT: case TP::INT32: width = 4; break;
  case TP::DOUBLE: case TP::INT64: width = 8; break;
  case TP::INT16: width = 2; break;
  case TP::INT8: case TP::UINT8: case TP::BOOL: width = 1; break;
  default:
    return err("tensor '{0}' has unsupported data type {1}", tensor.name(),
               type);
  }
  t.isInt = type != TP::FLOAT && type != TP::DOUBLE;
  if (raw) {
    if (raw->size() != size_t(n) * width)
      return err("tensor '{0}' holds {1} bytes, expected {2}", tensor.name(),
                 raw->size(), size_t(n) * width);
    switch (type) {
    case TP::FLOAT: decodeRaw<float>(*raw, n, t.floats); break;
    case TP::DOUBLE: decodeRaw<double>(*raw, n, t.floats); break;
    case TP::INT64: decodeRaw<int64_t>(*raw, n, t.ints); break;
    case TP::INT32: decodeRaw<int32_t>(*raw, n, t.ints); break;
    case TP::INT16: decodeRaw<int16_t>(*raw, n, t.ints); break;
    case TP::INT8: decodeRaw<int8_t>(*raw, n, t.ints); break;
    default: decodeRaw<uint8_t>(*raw, n, t.ints); break;
    }
    return t;
  }
  // Typed fields: int32_data also carries the narrow integer types and bool.
  if (type == TP::FLOAT)
    t.floats.assign(tensor.float_data().begin(), tensor.float_data().end());
  else if (type == TP::DOUBLE)
    t.floats.assign(tensor.double_data().begin(), tensor.double_data().end());
  else if (type == TP::INT64)
    t.ints.assign(tensor.int64_data().begin(), tensor.int64_data().end());
  else
    t.ints.assign(tensor.int32_data().begin(), tensor.int32_data().end());
  if (int64_t(t.isInt ? t.ints.size() : t.floats.size()) != n)
    return err("tensor '{0}' holds the wrong number of elements",
               tensor.name());
  return t;
}

HostTensor cnnc::onnx_import::shapeTensor(ArrayRef<int64_t> dims,
                                          const onnx::NodeProto &node) {
  int64_t rank = dims.size();
  auto clampAxis = [&](int64_t a) {
    return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank);
  };
  int64_t start = clampAxis(attrInt(node, "start", 0));
  int64_t end = clampAxis(attrInt(node, "end", rank));
  HostTensor t;
  t.ints.assign(dims.begin() + start, dims.begin() + std::max(start, end));
  t.shape = {int64_t(t.ints.size())};
  return t;
}

bool cnnc::onnx_import::isFoldable(StringRef opType) {
  return llvm::is_contained(
      {"Identity", "Cast", "Reshape", "Unsqueeze", "Squeeze", "Concat",
       "Gather", "Slice", "Expand", "Add", "Sub", "Mul", "Div", "Neg",
       "Floor", "Ceil", "Sqrt", "ConstantOfShape", "Range"},
      opType);
}

llvm::Expected<std::vector<HostTensor>>
cnnc::onnx_import::foldNode(const onnx::NodeProto &node, int64_t opset,
                            ArrayRef<const HostTensor *> in) {
  StringRef op = node.op_type();
  auto x = required(in, 0, op);
  if (!x)
    return x.takeError();
  const HostTensor &a = **x;
  auto second = [&]() { return required(in, 1, op); };
  auto result = [&]() -> llvm::Expected<HostTensor> {
    if (op == "Identity")
      return a;
    if (op == "Cast")
      return foldCast(node, a);
    if (op == "Neg" || op == "Floor" || op == "Ceil" || op == "Sqrt")
      return foldUnary(op, a);
    if (op == "Unsqueeze" || op == "Squeeze") {
      auto shape = (op == "Squeeze" ? squeezedShape : unsqueezedShape)(
          a.shape, axesOf(node, opset, in));
      if (!shape)
        return shape.takeError();
      return reshaped(a, *shape);
    }
    if (op == "Concat")
      return foldConcat(node, opset, in);
    if (op == "Slice")
      return foldSlice(node, opset, in);
    if (op == "ConstantOfShape")
      return foldConstantOfShape(node, a);
    if (op == "Reshape" && opset < 5)
      return foldReshape(a, attrInts(node, "shape").value_or(SmallVector<int64_t>{}), false);
    auto b = second();
    if (!b)
      return b.takeError();
    if (op == "Reshape")
      return foldReshape(a, (*b)->toInts(), attrInt(node, "allowzero", 0));
    if (op == "Gather")
      return foldGather(node, a, **b);
    if (op == "Expand")
      return foldExpand(a, **b);
    if (op == "Range") {
      auto c = required(in, 2, op);
      if (!c)
        return c.takeError();
      return foldRange(a, **b, **c);
    }
    return foldBinary(op, a, **b);
  }();
  if (!result)
    return result.takeError();
  return std::vector<HostTensor>{std::move(*result)};
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *
cnnc::onnx_import::findAttr(const onnx::NodeProto &node, StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t cnnc::onnx_import::attrInt(const onnx::NodeProto &node, StringRef name,
                                   int64_t dflt) {
  const onnx::AttributeProto *a = findAttr(node, name);
  return a ? a->i() : dflt;
}

float cnnc::onnx_import::attrFloat(const onnx::NodeProto &node, StringRef name,
                                   float dflt) {
  const onnx::AttributeProto *a = findAttr(node, name);
  return a ? a->f() : dflt;
}

std::string cnnc::onnx_import::attrString(const onnx::NodeProto &node,
                                          StringRef name, StringRef dflt) {
  const onnx::AttributeProto *a = findAttr(node, name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>>
cnnc::onnx_import::attrInts(const onnx::NodeProto &node, StringRef name) {
  const onnx::AttributeProto *a = findAttr(node, name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<SmallVector<float>>
cnnc::onnx_import::attrFloats(const onnx::NodeProto &node, StringRef name) {
  const onnx::AttributeProto *a = findAttr(node, name);
  if (!a)
    return std::nullopt;
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

llvm::Expected<SmallVector<int64_t>>
cnnc::onnx_import::unsqueezedShape(ArrayRef<int64_t> in,
                                   ArrayRef<int64_t> axes) {
  int64_t rank = in.size() + axes.size();
  SmallVector<bool> isNew(rank, false);
  for (int64_t a : axes) {
    auto axis = normalizeAxis(a, rank);
    if (!axis || isNew[*axis])
      return err("invalid Unsqueeze axis {0}", a);
    isNew[*axis] = true;
  }
  SmallVector<int64_t> shape;
  const int64_t *it = in.begin();
  for (bool n : isNew)
    shape.push_back(n ? 1 : *it++);
  return shape;
}

llvm::Expected<SmallVector<int64_t>>
cnnc::onnx_import::squeezedShape(ArrayRef<int64_t> in,
                                 ArrayRef<int64_t> axes) {
  int64_t rank = in.size();
  SmallVector<bool> drop(rank, axes.empty());
  for (int64_t a : axes) {
    auto axis = normalizeAxis(a, rank);
    if (!axis || in[*axis] != 1)
      return err("invalid Squeeze axis {0} (the dimension must be 1)", a);
    drop[*axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d] || in[d] != 1)
      shape.push_back(in[d]);
  return shape;
}

std::optional<int64_t> cnnc::onnx_import::normalizeAxis(int64_t axis,
                                                        int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}
