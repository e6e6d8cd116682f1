//===- OnnxImporter.h - ONNX model -> `cnn` dialect -------------*- C++ -*-===//
//
// Imports an ONNX ModelProto into
//   module @<graph name> {
//     func.func @main(%x: tensor<...xf32> {cnn.name = "<input>"}, ...)
//         -> (tensor<...xf32> {cnn.name = "<output>"}, ...)
//   }
// Initializers become cnn.constant ops over dense_resource blobs that alias
// the model's memory; shape arithmetic (Shape, Gather, Concat, ...) is folded
// on the host. Every op is located at NameLoc(<node name>, <model path>:0:0).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_ONNXIMPORTER_H
#define CNNC_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <memory>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace cnnc {

struct OnnxImportOptions {
  /// Graph inputs to import as initializers holding these values. Some
  /// models feed operands that we need as constants (Resize scales, Pad
  /// pads, Clip bounds, Reshape shapes) through graph inputs; binding them
  /// makes such a model importable for one fixed value.
  llvm::StringMap<std::shared_ptr<const onnx::TensorProto>> bindings;
};

/// Loads the ONNX model at `path` (external data is read relative to its
/// directory). Errors are emitted as MLIR diagnostics on `ctx`; an
/// unsupported model gets one error listing every unsupported node. Binding
/// a name that is not a graph input is an error.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnx(llvm::StringRef path, mlir::MLIRContext &ctx,
           const OnnxImportOptions &options = {});

} // namespace cnnc

#endif // CNNC_FRONTEND_ONNXIMPORTER_H
