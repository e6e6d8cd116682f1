//===- RewriteUtils.h - helpers shared by the pattern passes ----*- C++ -*-===//
#ifndef CNNC_PASSES_REWRITEUTILS_H
#define CNNC_PASSES_REWRITEUTILS_H

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::cnn {

/// Applies `patterns` greedily and nothing else: no folding and no region
/// simplification, which belong to -canonicalize. Ops the rewrites leave dead
/// are still erased.
inline LogicalResult applyOnly(Operation *op, RewritePatternSet &&patterns) {
  GreedyRewriteConfig config;
  config.enableFolding(false);
  config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
  return applyPatternsGreedily(op, std::move(patterns), config);
}

} // namespace mlir::cnn

#endif // CNNC_PASSES_REWRITEUTILS_H
