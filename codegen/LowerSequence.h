//===- LowerSequence.h - rnn/gru/lstm, layer_norm, attention to Halide -*- C++ -*-===//
//
// The sequence ops are lowered apart from Lowering.cpp; the Lowerer hands
// them its building blocks through SequenceEnv. Coordinates are in MLIR order
// (outermost first), as everywhere in the lowering.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LOWERSEQUENCE_H
#define CNNC_CODEGEN_LOWERSEQUENCE_H

#include "codegen/Lowering.h"

#include "Halide.h"

#include "mlir/IR/Operation.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <vector>

namespace cnnc::codegen {

using SeqCoords = std::vector<Halide::Expr>;
using SeqBody = std::function<Halide::Expr(const SeqCoords &)>;

/// A Func with its MLIR shape, read in MLIR index order; `component`
/// selects a value of a Tuple-valued Func.
struct SeqTensor {
  Halide::Func f;
  std::vector<int64_t> shape;
  int component = -1;
  Halide::Expr operator()(SeqCoords idx) const {
    std::reverse(idx.begin(), idx.end());
    if (component >= 0)
      return f(idx)[component];
    return f(idx);
  }
};

/// The Lowerer's building blocks (see Lowering.cpp): every Func they create
/// is registered for scheduling. Recurrences and attention build their own
/// Funcs and register them in `model` (LoweredRecurrence, LoweredAttention)
/// for their schedules.
struct SequenceEnv {
  LoweredModel *model;
  /// The f32 data of a cnn.constant operand (weights packed at compile
  /// time), nullopt for other values.
  std::function<std::optional<std::vector<float>>(mlir::Value)> constant;
  std::function<SeqTensor(mlir::Value)> get;
  std::function<SeqTensor(mlir::Operation *, const std::vector<int64_t> &,
                          const SeqBody &)>
      define;
  std::function<SeqTensor(mlir::Operation *, const std::vector<int64_t> &,
                          Halide::RDom, const SeqBody &, const SeqBody &)>
      accumulate;
  /// A new, undefined Func of the op named after its layer (<layer>_<kind>,
  /// unique), so that profiles attribute it to the layer; also the target of
  /// an inline reduction (Halide::sum(e, f)).
  std::function<Halide::Func(mlir::Operation *, llvm::StringRef kind)> func;
};

/// Whether lowerSequenceOp handles `op`.
bool isSequenceOp(mlir::Operation *op);

/// One tensor per result of `op` (rnn, gru, lstm, layer_norm, attention).
llvm::Expected<std::vector<SeqTensor>> lowerSequenceOp(mlir::Operation *op,
                                                       const SequenceEnv &env);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_LOWERSEQUENCE_H
