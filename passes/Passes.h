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
/// `fusion` = false: the unfused baseline (--cnn-fuse enable=false).
/// `l2KiB`: the L2 per core that fusion and tiling size for (their
/// `l2-kib`).
void buildOptimizationPipeline(OpPassManager &pm, unsigned optLevel,
                               bool winograd = true, bool fusion = true,
                               int64_t l2KiB = kDefaultL2KiB);
void registerOptimizationPipelines();
} // namespace mlir::cnn

#endif // CNNC_PASSES_PASSES_H
