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

namespace cnnc {

/// Loads the ONNX model at `path` (external data is read relative to its
/// directory). Errors are emitted as MLIR diagnostics on `ctx`; an
/// unsupported model gets one error listing every unsupported node.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnx(llvm::StringRef path, mlir::MLIRContext &ctx);

} // namespace cnnc

#endif // CNNC_FRONTEND_ONNXIMPORTER_H
