//===- CnnOps.cpp - shape rules and verifiers of the `cnn` ops ------------===//
//
// One section per op: its attribute checks (shared by the verifier and by
// shape inference, which runs first and must not trust the attributes), its
// shape rule (inferReturnTypes) and its verifier.
//
//===----------------------------------------------------------------------===//
#include "ir/CnnDialect.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::cnn;

namespace {
template <typename T> std::string mlirToString(T value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << value;
  return s;
}

RankedTensorType tensorLike(ArrayRef<int64_t> shape, Value like) {
  return RankedTensorType::get(shape, getElementTypeOrSelf(like.getType()));
}

template <typename OpT> LayerDiag diagFor(OpT op) {
  return LayerDiag{op.getLoc(), OpT::getOperationName()};
}

template <typename OpT>
LayerDiag diagFor(std::optional<Location> loc) {
  return LayerDiag{loc, OpT::getOperationName()};
}

/// The optional bias of a conv must be [filters].
LogicalResult checkBias(Value bias, int64_t filters, const LayerDiag &diag) {
  if (!bias)
    return success();
  auto shape = cast<ShapedType>(bias.getType()).getShape();
  if (shape.size() != 1 || shape[0] != filters)
    return diag("bias has shape " + formatShape(shape) + " but the layer has " +
                Twine(filters) + " filters");
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// constant
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor op,
                                           SmallVectorImpl<Type> &results) {
  results.push_back(cast<TypedAttr>(op.getValue()).getType());
  return success();
}

//===----------------------------------------------------------------------===//
// conv2d
//===----------------------------------------------------------------------===//

namespace {
template <typename Adaptor>
LogicalResult checkConvAttrs(Adaptor op, const LayerDiag &diag) {
  if (failed(checkArray(op.getStrides(), 2, 1, "strides", diag)) ||
      failed(checkArray(op.getPads(), 4, 0, "pads", diag)) ||
      failed(checkArray(op.getDilations(), 2, 1, "dilations", diag)))
    return failure();
  if (op.getGroups() < 1)
    return diag("groups must be >= 1, got " + Twine(op.getGroups()));
  return success();
}

std::string kernelDesc(int64_t kh, int64_t kw, ArrayRef<int64_t> dilations) {
  std::string s = std::to_string(kh) + "x" + std::to_string(kw) + " kernel";
  if (dilations[0] != 1 || dilations[1] != 1)
    s += " (dilations " + formatShape(dilations) + ")";
  return s;
}
} // namespace

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor op,
                                         SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<Conv2DOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  auto w = staticShape(op.getWeight(), "weight", diag);
  if (failed(in) || failed(w) || failed(checkConvAttrs(op, diag)))
    return failure();
  int64_t groups = op.getGroups();
  int64_t channels = (*in)[1], filters = (*w)[0];
  if (channels != (*w)[1] * groups)
    return diag("input has " + Twine(channels) +
                " channels but the filters expect " +
                Twine((*w)[1] * groups) + " (groups = " + Twine(groups) + ")");
  if (filters % groups != 0)
    return diag("filter count " + Twine(filters) +
                " is not divisible by groups = " + Twine(groups));
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations();
  int64_t oh = windowOutputSize((*in)[2], p[0], p[2], (*w)[2], s[0], d[0], false);
  int64_t ow = windowOutputSize((*in)[3], p[1], p[3], (*w)[3], s[1], d[1], false);
  if (oh <= 0 || ow <= 0)
    return diag("the " + kernelDesc((*w)[2], (*w)[3], d) +
                " does not fit the " + Twine((*in)[2]) + "x" + Twine((*in)[3]) +
                " input with pads " + formatShape(p));
  results.push_back(tensorLike({(*in)[0], filters, oh, ow}, op.getInput()));
  return success();
}

LogicalResult Conv2DOp::verify() {
  LayerDiag diag = diagFor(*this);
  if (failed(checkConvAttrs(Adaptor(*this), diag)))
    return failure();
  return checkBias(getBias(), getWeight().getType().getShape()[0], diag);
}

//===----------------------------------------------------------------------===//
// conv_transpose2d
//===----------------------------------------------------------------------===//

namespace {
template <typename Adaptor>
LogicalResult checkConvTransposeAttrs(Adaptor op, const LayerDiag &diag) {
  if (failed(checkConvAttrs(op, diag)) ||
      failed(checkArray(op.getOutputPadding(), 2, 0, "output_padding", diag)))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (op.getOutputPadding()[i] >= std::max(op.getStrides()[i],
                                             op.getDilations()[i]))
      return diag("output_padding " + formatShape(op.getOutputPadding()) +
                  " must be smaller than the stride or the dilation");
  return success();
}
} // namespace

LogicalResult ConvTranspose2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor op,
    SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<ConvTranspose2DOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  auto w = staticShape(op.getWeight(), "weight", diag);
  if (failed(in) || failed(w) || failed(checkConvTransposeAttrs(op, diag)))
    return failure();
  int64_t groups = op.getGroups();
  if ((*in)[1] != (*w)[0])
    return diag("input has " + Twine((*in)[1]) +
                " channels but the filters expect " + Twine((*w)[0]));
  if ((*in)[1] % groups != 0)
    return diag("input channel count " + Twine((*in)[1]) +
                " is not divisible by groups = " + Twine(groups));
  auto s = op.getStrides(), p = op.getPads(), d = op.getDilations(),
       op_ = op.getOutputPadding();
  int64_t out[2];
  for (int i = 0; i < 2; ++i)
    out[i] = s[i] * ((*in)[2 + i] - 1) + op_[i] + d[i] * ((*w)[2 + i] - 1) + 1 -
             p[i] - p[i + 2];
  if (out[0] <= 0 || out[1] <= 0)
    return diag("pads " + formatShape(p) + " remove the whole " +
                Twine(out[0] + p[0] + p[2]) + "x" + Twine(out[1] + p[1] + p[3]) +
                " output");
  results.push_back(
      tensorLike({(*in)[0], (*w)[1] * groups, out[0], out[1]}, op.getInput()));
  return success();
}

LogicalResult ConvTranspose2DOp::verify() {
  LayerDiag diag = diagFor(*this);
  if (failed(checkConvTransposeAttrs(Adaptor(*this), diag)))
    return failure();
  return checkBias(getBias(), getType().getShape()[1], diag);
}

//===----------------------------------------------------------------------===//
// max_pool2d, avg_pool2d
//===----------------------------------------------------------------------===//

namespace {
template <typename Adaptor>
LogicalResult checkPoolAttrs(Adaptor op, ArrayRef<int64_t> dilations,
                             const LayerDiag &diag) {
  if (failed(checkArray(op.getKernel(), 2, 1, "kernel", diag)) ||
      failed(checkArray(op.getStrides(), 2, 1, "strides", diag)) ||
      failed(checkArray(op.getPads(), 4, 0, "pads", diag)) ||
      failed(checkArray(dilations, 2, 1, "dilations", diag)))
    return failure();
  // A window lying wholly in the padding has no input element to pool.
  for (int i = 0; i < 4; ++i)
    if (op.getPads()[i] >= dilations[i % 2] * (op.getKernel()[i % 2] - 1) + 1)
      return diag("pads " + formatShape(op.getPads()) +
                  " must be smaller than the window " +
                  formatShape(op.getKernel()));
  return success();
}

template <typename Adaptor>
LogicalResult inferPool(Adaptor op, ArrayRef<int64_t> dilations,
                        const LayerDiag &diag, SmallVectorImpl<Type> &results) {
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in) || failed(checkPoolAttrs(op, dilations, diag)))
    return failure();
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPads();
  bool ceil = op.getCeilMode();
  int64_t oh = windowOutputSize((*in)[2], p[0], p[2], k[0], s[0], dilations[0], ceil);
  int64_t ow = windowOutputSize((*in)[3], p[1], p[3], k[1], s[1], dilations[1], ceil);
  if (oh <= 0 || ow <= 0)
    return diag("the " + kernelDesc(k[0], k[1], dilations) +
                " does not fit the " + Twine((*in)[2]) + "x" + Twine((*in)[3]) +
                " input with pads " + formatShape(p));
  results.push_back(tensorLike({(*in)[0], (*in)[1], oh, ow}, op.getInput()));
  return success();
}

constexpr int64_t kNoDilation[2] = {1, 1};
} // namespace

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor op,
                                            SmallVectorImpl<Type> &results) {
  return inferPool(op, op.getDilations(), diagFor<MaxPool2DOp>(loc), results);
}

LogicalResult MaxPool2DOp::verify() {
  return checkPoolAttrs(Adaptor(*this), getDilations(), diagFor(*this));
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor op,
                                            SmallVectorImpl<Type> &results) {
  return inferPool(op, kNoDilation, diagFor<AvgPool2DOp>(loc), results);
}

LogicalResult AvgPool2DOp::verify() {
  return checkPoolAttrs(Adaptor(*this), kNoDilation, diagFor(*this));
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return diagFor(*this)("min " + std::to_string(getMin().convertToDouble()) +
                          " is greater than max " +
                          std::to_string(getMax().convertToDouble()));
  return success();
}

namespace {
bool clampsToNonNegative(ClipOp clip) {
  return clip && clip.getMin().convertToDouble() >= 0;
}
} // namespace

OpFoldResult ReluOp::fold(FoldAdaptor) {
  Value in = getInput();
  if (in.getDefiningOp<ReluOp>() ||
      clampsToNonNegative(in.getDefiningOp<ClipOp>()))
    return in;
  return {};
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  // A relu below a clip with min >= 0 only changes values that the clip
  // raises to min anyway.
  auto relu = getInput().getDefiningOp<ReluOp>();
  if (!relu || !clampsToNonNegative(*this))
    return {};
  getInputMutable().assign(relu.getInput());
  return getResult();
}

LogicalResult PReluOp::verify() {
  auto in = getInput().getType().getShape();
  auto slope = getSlope().getType().getShape();
  SmallVector<int64_t> shape;
  if (slope.size() > in.size() ||
      !OpTrait::util::getBroadcastedShape(in, slope, shape) ||
      ArrayRef<int64_t>(shape) != in)
    return diagFor(*this)("slope of shape " + formatShape(slope) +
                          " does not broadcast to the input " + formatShape(in));
  return success();
}

//===----------------------------------------------------------------------===//
// batch_norm
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  LayerDiag diag = diagFor(*this);
  auto in = getInput().getType().getShape();
  if (in.size() < 2)
    return diag("input must have a channel axis (rank >= 2), got " +
                formatShape(in));
  if (getEpsilon().convertToDouble() < 0)
    return diag("epsilon must be >= 0");
  std::pair<Value, StringRef> params[] = {{getScale(), "scale"},
                                          {getBias(), "bias"},
                                          {getMean(), "mean"},
                                          {getVar(), "var"}};
  for (auto [value, name] : params) {
    auto shape = cast<ShapedType>(value.getType()).getShape();
    if (shape.size() != 1 || shape[0] != in[1])
      return diag(name + " has shape " + formatShape(shape) +
                  " but the input has " + Twine(in[1]) + " channels");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// concat, flatten, reshape, transpose, pad, resize
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor op,
                                         SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<ConcatOp>(loc);
  if (op.getInputs().empty())
    return diag("needs at least one input");
  auto first = staticShape(op.getInputs()[0], "input 0", diag);
  if (failed(first))
    return failure();
  auto axis = normalizeAxis(op.getAxis(), first->size(), diag);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(*first);
  for (auto [i, v] : llvm::enumerate(op.getInputs().drop_front())) {
    auto s = staticShape(v, "input " + std::to_string(i + 1), diag);
    if (failed(s))
      return failure();
    bool match = s->size() == shape.size();
    for (size_t d = 0; match && d < s->size(); ++d)
      match = d == size_t(*axis) || (*s)[d] == shape[d];
    if (!match)
      return diag("input " + Twine(i + 1) + " has shape " + formatShape(*s) +
                  ", which does not match " + formatShape(*first) +
                  " outside axis " + Twine(*axis));
    shape[*axis] += (*s)[*axis];
  }
  results.push_back(tensorLike(shape, op.getInputs()[0]));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  return {};
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor op,
                                          SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<FlattenOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in))
    return failure();
  int64_t rank = in->size(), axis = op.getAxis();
  if (axis < -rank || axis > rank)
    return diag("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) *= (*in)[d];
  results.push_back(tensorLike({outer, inner}, op.getInput()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor op,
                                          SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<ReshapeOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in))
    return failure();
  int64_t count = ShapedType::getNumElements(*in), known = 1;
  SmallVector<int64_t> shape;
  int inferred = -1;
  for (auto [i, entry] : llvm::enumerate(op.getShape())) {
    int64_t d = entry;
    if (d == 0 && i < in->size())
      d = (*in)[i];
    if (d == -1) {
      if (inferred >= 0)
        return diag("shape " + formatShape(op.getShape()) + " has more than one -1");
      inferred = i;
    } else if (d <= 0) {
      return diag("shape " + formatShape(op.getShape()) + " has an invalid entry " +
                  Twine(d));
    } else {
      known *= d;
    }
    shape.push_back(d);
  }
  // Fill in the -1 first: the element count of `shape` is only meaningful
  // once every entry is positive.
  bool fits = inferred >= 0 ? count % known == 0 : known == count;
  if (fits && inferred >= 0)
    shape[inferred] = count / known;
  if (!fits)
    return diag("cannot reshape " + formatShape(*in) + " (" + Twine(count) +
                " elements) to " + formatShape(op.getShape()));
  results.push_back(tensorLike(shape, op.getInput()));
  return success();
}

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  // Reshape and flatten both reinterpret the row-major data, so a chain of
  // them only needs the last shape. It is written out explicitly: 0 entries
  // referred to the dimensions of the intermediate tensor.
  Operation *producer = getInput().getDefiningOp();
  bool bypassed = isa_and_nonnull<ReshapeOp, FlattenOp>(producer);
  if (bypassed) {
    getInputMutable().assign(producer->getOperand(0));
    setShape(getType().getShape());
  }
  if (getInput().getType() == getType())
    return getInput();
  return bypassed ? getResult() : OpFoldResult();
}

namespace {
template <typename Adaptor>
LogicalResult checkPerm(Adaptor op, int64_t rank, const LayerDiag &diag) {
  auto perm = op.getPerm();
  SmallVector<bool> seen(rank, false);
  bool ok = int64_t(perm.size()) == rank;
  for (int64_t p : perm) {
    ok = ok && p >= 0 && p < rank && !seen[p];
    if (ok)
      seen[p] = true;
  }
  if (!ok)
    return diag("perm " + formatShape(perm) + " is not a permutation of rank " +
                Twine(rank));
  return success();
}
} // namespace

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor op,
                                            SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<TransposeOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in) || failed(checkPerm(op, in->size(), diag)))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t p : op.getPerm())
    shape.push_back((*in)[p]);
  results.push_back(tensorLike(shape, op.getInput()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  // Output dimension i of transpose(transpose(x, inner), outer) is input
  // dimension inner[outer[i]].
  auto inner = getInput().getDefiningOp<TransposeOp>();
  if (inner) {
    auto composed = llvm::map_to_vector(
        getPerm(), [&](int64_t p) { return inner.getPerm()[p]; });
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
  }
  // Only the identity permutation is a no-op: a transpose of a square matrix
  // keeps the type but moves data.
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (p != int64_t(i))
      return inner ? getResult() : OpFoldResult();
  return getInput();
}

LogicalResult TransposeOp::verify() {
  return checkPerm(Adaptor(*this), getInput().getType().getRank(), diagFor(*this));
}

namespace {
template <typename Adaptor>
LogicalResult checkPads(Adaptor op, ArrayRef<int64_t> in, const LayerDiag &diag) {
  int64_t rank = in.size();
  if (failed(checkArray(op.getPads(), 2 * rank, 0, "pads", diag)))
    return failure();
  if (op.getMode() == PadMode::reflect)
    for (int64_t d = 0; d < rank; ++d)
      if (op.getPads()[d] >= in[d] || op.getPads()[d + rank] >= in[d])
        return diag("reflect padding " + formatShape(op.getPads()) +
                    " must be smaller than the input " + formatShape(in));
  return success();
}
} // namespace

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor op,
                                      SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<PadOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in) || failed(checkPads(op, *in, diag)))
    return failure();
  SmallVector<int64_t> shape(*in);
  for (size_t d = 0; d < shape.size(); ++d)
    shape[d] += op.getPads()[d] + op.getPads()[d + shape.size()];
  results.push_back(tensorLike(shape, op.getInput()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}

LogicalResult PadOp::verify() {
  return checkPads(Adaptor(*this), getInput().getType().getShape(), diagFor(*this));
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor op,
                                         SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<ResizeOp>(loc);
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in) || failed(checkArray(op.getSize(), 2, 1, "size", diag)))
    return failure();
  results.push_back(tensorLike({(*in)[0], (*in)[1], op.getSize()[0], op.getSize()[1]},
                               op.getInput()));
  return success();
}

/// The optional f32 arrays of resize: `count` finite entries, and positive
/// ones for `scale`.
static LogicalResult checkResizeFloats(std::optional<ArrayRef<float>> values,
                                       size_t count, bool positive,
                                       StringRef name, const LayerDiag &diag) {
  if (!values)
    return success();
  if (values->size() != count)
    return diag(name + " must have " + Twine(count) + " entries, got " +
                Twine(values->size()));
  for (float v : *values)
    if (!std::isfinite(v) || (positive && v <= 0)) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", double(v));
      return diag(name + " must be " + (positive ? "positive and " : "") +
                  "finite, got " + text);
    }
  return success();
}

LogicalResult ResizeOp::verify() {
  LayerDiag diag = diagFor(*this);
  if (failed(checkArray(getSize(), 2, 1, "size", diag)) ||
      failed(checkResizeFloats(getScale(), 2, true, "scale", diag)) ||
      failed(checkResizeFloats(getRoi(), 4, false, "roi", diag)))
    return failure();
  bool crop = getCoordMode() == CoordMode::tf_crop_and_resize;
  if (crop && !getRoi())
    return diag("coord_mode tf_crop_and_resize needs a roi");
  if (!crop && getRoi())
    return diag("roi is only used by coord_mode tf_crop_and_resize");
  if (crop && getScale())
    return diag("coord_mode tf_crop_and_resize maps by roi and size, not by "
                "scale");
  return success();
}

//===----------------------------------------------------------------------===//
// dense, matmul
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor op,
                                        SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<DenseOp>(loc);
  auto a = staticShape(op.getA(), "a", diag);
  auto b = staticShape(op.getB(), "b", diag);
  if (failed(a) || failed(b))
    return failure();
  int64_t m = (*a)[op.getTransA() ? 1 : 0], k = (*a)[op.getTransA() ? 0 : 1];
  int64_t kb = (*b)[op.getTransB() ? 1 : 0], n = (*b)[op.getTransB() ? 0 : 1];
  if (k != kb)
    return diag("input has " + Twine(k) + " features but the weights expect " +
                Twine(kb));
  if (Value c = op.getC()) {
    auto cs = staticShape(c, "c", diag);
    SmallVector<int64_t> out;
    int64_t mn[2] = {m, n};
    if (failed(cs) || cs->size() > 2 ||
        !OpTrait::util::getBroadcastedShape(mn, *cs, out) ||
        ArrayRef<int64_t>(out) != ArrayRef<int64_t>(mn))
      return diag("bias of shape " + (succeeded(cs) ? formatShape(*cs) : "?") +
                  " does not broadcast to the output " + formatShape(mn));
  }
  results.push_back(tensorLike({m, n}, op.getA()));
  return success();
}

LogicalResult DenseOp::verify() {
  if (!getAlpha().isFinite() || !getBeta().isFinite())
    return diagFor(*this)("alpha and beta must be finite");
  return success();
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor op,
                                         SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<MatMulOp>(loc);
  auto lhsShape = staticShape(op.getLhs(), "lhs", diag);
  auto rhsShape = staticShape(op.getRhs(), "rhs", diag);
  if (failed(lhsShape) || failed(rhsShape))
    return failure();
  if (lhsShape->empty() || rhsShape->empty())
    return diag("operands must have rank >= 1");
  // Promote 1-D operands to matrices, remember to drop the added dimension.
  SmallVector<int64_t> lhs(*lhsShape), rhs(*rhsShape);
  bool lhsVec = lhs.size() == 1, rhsVec = rhs.size() == 1;
  if (lhsVec)
    lhs.insert(lhs.begin(), 1);
  if (rhsVec)
    rhs.push_back(1);
  int64_t k = lhs.back(), kr = rhs[rhs.size() - 2];
  if (k != kr)
    return diag("lhs " + formatShape(*lhsShape) + " and rhs " +
                formatShape(*rhsShape) + " disagree on the inner dimension (" +
                Twine(k) + " vs " + Twine(kr) + ")");
  SmallVector<int64_t> batch;
  ArrayRef<int64_t> lb = ArrayRef(lhs).drop_back(2), rb = ArrayRef(rhs).drop_back(2);
  if (!OpTrait::util::getBroadcastedShape(lb, rb, batch))
    return diag("batch dimensions " + formatShape(lb) + " and " +
                formatShape(rb) + " do not broadcast");
  if (!lhsVec)
    batch.push_back(lhs[lhs.size() - 2]);
  if (!rhsVec)
    batch.push_back(rhs.back());
  results.push_back(tensorLike(batch, op.getLhs()));
  return success();
}

//===----------------------------------------------------------------------===//
// softmax, log_softmax
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(getAxis(), getInput().getType().getRank(), diagFor(*this));
}

LogicalResult LogSoftmaxOp::verify() {
  return normalizeAxis(getAxis(), getInput().getType().getRank(), diagFor(*this));
}

#define GET_OP_CLASSES
#include "ir/CnnOps.cpp.inc"
