//===- LowerSequence.h - rnn/gru/lstm, layer_norm, attention to Halide -*- C++ -*-===//
//
// The sequence ops are lowered apart from Lowering.cpp; the Lowerer hands
// them its building blocks through SequenceEnv. Coordinates are in MLIR order
// (outermost first), as everywhere in the lowering.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LOWERSEQUENCE_H
#define CNNC_CODEGEN_LOWERSEQUENCE_H

#include "Halide.h"

#include "mlir/IR/Operation.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <vector>

namespace cnnc::codegen {

using SeqCoords = std::vector<Halide::Expr>;
using SeqBody = std::function<Halide::Expr(const SeqCoords &)>;

/// A Func with its MLIR shape, read in MLIR index order.
struct SeqTensor {
  Halide::Func f;
  std::vector<int64_t> shape;
  Halide::Expr operator()(SeqCoords idx) const {
    std::reverse(idx.begin(), idx.end());
    return f(idx);
  }
};

/// The Lowerer's building blocks (see Lowering.cpp): every Func they create
/// is registered for scheduling.
struct SequenceEnv {
  std::function<SeqTensor(mlir::Value)> get;
  std::function<SeqTensor(mlir::Operation *, const std::vector<int64_t> &,
                          const SeqBody &)>
      define;
  std::function<SeqTensor(mlir::Operation *, const std::vector<int64_t> &,
                          Halide::RDom, const SeqBody &, const SeqBody &)>
      accumulate;
  /// An undefined Func for an inline reduction (Halide::sum(e, f)) of the op,
  /// named after it.
  std::function<Halide::Func(mlir::Operation *, llvm::StringRef kind)> reduction;
};

/// Whether lowerSequenceOp handles `op`.
bool isSequenceOp(mlir::Operation *op);

/// One tensor per result of `op` (rnn, gru, lstm, layer_norm, attention).
llvm::Expected<std::vector<SeqTensor>> lowerSequenceOp(mlir::Operation *op,
                                                       const SequenceEnv &env);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_LOWERSEQUENCE_H
