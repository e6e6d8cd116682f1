//===- ShapeInference.cpp - helpers shared by the op shape rules ----------===//
#include "ir/ShapeInference.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::cnn;

LogicalResult LayerDiag::operator()(const llvm::Twine &msg) const {
  if (loc)
    layerError(*loc, op) << msg.str();
  return failure();
}

std::string mlir::cnn::formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

FailureOr<ArrayRef<int64_t>> mlir::cnn::staticShape(Value v, StringRef what,
                                                    const LayerDiag &diag) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape()) {
    (void)diag(what + " must be a tensor of static shape");
    return failure();
  }
  return type.getShape();
}

LogicalResult mlir::cnn::checkArray(ArrayRef<int64_t> values, size_t count,
                                    int64_t minValue, StringRef name,
                                    const LayerDiag &diag) {
  if (values.size() != count)
    return diag(name + " must have " + Twine(count) + " entries, got " +
                Twine(values.size()));
  for (int64_t v : values)
    if (v < minValue)
      return diag(name + " must be >= " + Twine(minValue) + ", got " +
                  formatShape(values));
  return success();
}

int64_t mlir::cnn::windowOutputSize(int64_t in, int64_t padBegin,
                                    int64_t padEnd, int64_t kernel,
                                    int64_t stride, int64_t dilation,
                                    bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

FailureOr<int64_t> mlir::cnn::normalizeAxis(int64_t axis, int64_t rank,
                                            const LayerDiag &diag) {
  if (axis < -rank || axis >= rank) {
    (void)diag("axis " + Twine(axis) + " is out of range for rank " +
               Twine(rank));
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

LogicalResult mlir::cnn::inferBroadcast(StringRef opName,
                                        std::optional<Location> loc,
                                        ValueRange operands,
                                        SmallVectorImpl<Type> &results) {
  LayerDiag diag{loc, opName};
  auto lhs = staticShape(operands[0], "lhs", diag);
  auto rhs = staticShape(operands[1], "rhs", diag);
  if (failed(lhs) || failed(rhs))
    return failure();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(*lhs, *rhs, shape))
    return diag("shapes " + formatShape(*lhs) + " and " + formatShape(*rhs) +
                " do not broadcast");
  Type elem = getElementTypeOrSelf(operands[0].getType());
  if (elem != getElementTypeOrSelf(operands[1].getType()))
    return diag("operands have different element types");
  results.push_back(RankedTensorType::get(shape, elem));
  return success();
}

LogicalResult mlir::cnn::inferGlobalPool(StringRef opName,
                                         std::optional<Location> loc,
                                         ValueRange operands,
                                         SmallVectorImpl<Type> &results) {
  // The 4-D constraint admits dynamic dimensions; the shape rule does not.
  auto in = staticShape(operands[0], "input", LayerDiag{loc, opName});
  if (failed(in) || in->size() != 4)
    return failure();
  SmallVector<int64_t> shape(*in);
  shape[2] = shape[3] = 1;
  results.push_back(
      RankedTensorType::get(shape, getElementTypeOrSelf(operands[0].getType())));
  return success();
}

int64_t mlir::cnn::winogradTaps(Operation *op) {
  auto dims = [](Value v) { return cast<RankedTensorType>(v.getType()).getShape(); };
  auto constant = [](Value w) { return isa_and_nonnull<ConstantOp>(w.getDefiningOp()); };
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto k = dims(conv.getWeight());
    bool ok = conv.getGroups() == 1 && k[2] == k[3] && k[2] > 1 &&
              llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
              constant(conv.getWeight());
    return ok ? k[2] : 0;
  }
  if (auto deconv = dyn_cast<ConvTranspose2DOp>(op)) {
    auto k = dims(deconv.getWeight()), in = dims(deconv.getInput());
    auto s = deconv.getStrides();
    int64_t th = subPixelTaps(s[0], k[2], in[2]), tw = subPixelTaps(s[1], k[3], in[3]);
    bool ok = deconv.getGroups() == 1 &&
              llvm::all_of(deconv.getDilations(), [](int64_t d) { return d == 1; }) &&
              th == tw && th > 1 && constant(deconv.getWeight());
    return ok ? th : 0;
  }
  return 0;
}
