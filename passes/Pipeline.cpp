//===- Pipeline.cpp - the pass pipelines of cnnc -O0..-O3 ------------------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::cnn::buildOptimizationPipeline(OpPassManager &pm, unsigned optLevel,
                                          const TilingOptions &options, bool fusion) {
  if (optLevel >= 1) {
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (optLevel >= 2) {
    // Folding first: it removes batch norms the fusion would otherwise see.
    pm.addPass(createCnnFoldBatchNorm());
    // Before fusion, which would otherwise claim the scale's mul/div.
    pm.addPass(createCnnFormAttention());
    CnnFuseOptions fuse;
    fuse.enable = fusion;
    fuse.l2KiB = options.l2KiB;
    pm.addPass(createCnnFuse(fuse));
    CnnChooseTilingOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    tiling.accumulators = options.accumulators;
    tiling.l2KiB = options.l2KiB;
    tiling.winograd = options.winograd;
    pm.addPass(createCnnChooseTiling(tiling));
  }
  // -O3: the -O2 passes.
  // Always last: whatever ran before, codegen gets a consistent network.
  pm.addPass(createCnnShapeCheck());
}

void mlir::cnn::registerOptimizationPipelines() {
  for (unsigned level = 0; level <= 3; ++level)
    PassPipelineRegistration<>(
        "cnn-pipeline-O" + std::to_string(level),
        "the pass pipeline of cnnc -O" + std::to_string(level),
        [level](OpPassManager &pm) { buildOptimizationPipeline(pm, level); });
}
