//===- ConstantData.cpp - read and make float constants -------------------===//
#include "ir/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

std::optional<std::vector<float>> mlir::cnn::getFloatData(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  size_t n = type.getNumElements();
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != n * sizeof(float))
      return std::nullopt;
    std::vector<float> out(n);
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto vals = dense.getValues<float>(); // also expands splats
    return std::vector<float>(vals.begin(), vals.end());
  }
  auto vals = value.tryGetValues<float>();
  if (!vals)
    return std::nullopt;
  return std::vector<float>(vals->begin(), vals->end());
}

ElementsAttr mlir::cnn::makeFloatResource(RankedTensorType type,
                                          llvm::StringRef name,
                                          llvm::ArrayRef<float> values) {
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
}
