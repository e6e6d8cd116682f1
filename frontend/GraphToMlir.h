//===- GraphToMlir.h - .graph files to the cnn dialect ----------*- C++ -*-===//
#ifndef CNNC_FRONTEND_GRAPHTOMLIR_H
#define CNNC_FRONTEND_GRAPHTOMLIR_H

#include "frontend/Weights.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

namespace cnnc {

struct GraphOptions {
  /// Parameters come from here; without a file they are seeded random.
  std::shared_ptr<WeightsFile> weights;
  uint64_t seed = 0;
};

/// Translates the main buffer of `sourceMgr` (a .graph network) into a
/// `module @<network>` holding `func.func @main`. Every error of the file is
/// reported to the context's diagnostic engine; returns null if there was
/// any. The context must have the cnn and func dialects loaded.
mlir::OwningOpRef<mlir::ModuleOp> importGraph(llvm::SourceMgr &sourceMgr,
                                              mlir::MLIRContext *context,
                                              const GraphOptions &options);

} // namespace cnnc

#endif // CNNC_FRONTEND_GRAPHTOMLIR_H
