//===- Passes.h - cnnc passes -----------------------------------*- C++ -*-===//
#ifndef CNNC_PASSES_PASSES_H
#define CNNC_PASSES_PASSES_H

#include "ir/CnnDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "passes/Tiling.h" // kDefaultL2KiB, the passes' l2-kib default

namespace mlir::cnn {
#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The pipeline of `cnnc -O<level>` (0..3): what runs between import and
/// code generation. Also registered as `cnnc-opt --cnn-pipeline-O<level>`.
/// `tiling`: cnn-choose-tiling's options (its l2KiB also sizes fusion's
/// tasks); `fusion` = false: the unfused baseline (--cnn-fuse enable=false).
void buildOptimizationPipeline(OpPassManager &pm, unsigned optLevel,
                               const TilingOptions &tiling = {}, bool fusion = true);
void registerOptimizationPipelines();
} // namespace mlir::cnn

#endif // CNNC_PASSES_PASSES_H
