//===- GraphWriter.h - the cnn dialect -> .graph files ----------*- C++ -*-===//
//
// Prints an imported network (e.g. from ONNX) in the .graph language so that
// a user can read and edit it: one layer per op, the parameters written to a
// safetensors file under the names the .graph importer looks up
// (`<layer>.weight`, ...). `cnnc OUT.graph --weights=OUT.safetensors`
// compiles it back to the same ops.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHWRITER_H
#define CNNC_FRONTEND_GRAPHWRITER_H

#include "mlir/IR/BuiltinOps.h"

namespace cnnc {

/// Writes func @main of `module` to `graphPath` and its parameters to
/// `weightsPath`. Ops the language cannot express (e.g. an add of a constant,
/// a dense whose weight is computed) are each reported as an error at the op,
/// naming it; then nothing is written.
mlir::LogicalResult writeGraph(mlir::ModuleOp module, llvm::StringRef graphPath,
                               llvm::StringRef weightsPath);

} // namespace cnnc

#endif // CNNC_FRONTEND_GRAPHWRITER_H
