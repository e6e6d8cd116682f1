//===- ConstantData.h - read and make float constants ----------*- C++ -*-===//
//
// Passes that rewrite weights (batch-norm folding, Winograd transforms, ...)
// read a constant's floats whatever attribute holds them and write the
// result back as a `dense_resource` blob, the form every weight takes.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_IR_CONSTANTDATA_H
#define CNNC_IR_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace mlir::cnn {

/// The f32 values of `value` in row-major order: a DenseResourceElementsAttr
/// blob, a DenseElementsAttr (splats expanded) or any ElementsAttr that can
/// iterate floats. std::nullopt if the element type is not f32, the blob is
/// missing (elided) or has the wrong size, or the kind is unsupported.
std::optional<std::vector<float>> getFloatData(ElementsAttr value);

/// A `dense_resource` attribute of `type` (f32) holding a copy of `values`.
/// `name` is the blob's key; the resource manager makes it unique.
ElementsAttr makeFloatResource(RankedTensorType type, llvm::StringRef name,
                               llvm::ArrayRef<float> values);

} // namespace mlir::cnn

#endif // CNNC_IR_CONSTANTDATA_H
