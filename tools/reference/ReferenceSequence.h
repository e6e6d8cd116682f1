//===- ReferenceSequence.h - reference loops of the sequence ops -*- C++ -*-===//
//
// rnn, gru, lstm, layer_norm and attention, transcribed from their ONNX
// definitions (ir/CnnSequenceOps.td). Used by Reference.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_REFERENCE_REFERENCESEQUENCE_H
#define CNNC_TOOLS_REFERENCE_REFERENCESEQUENCE_H

#include "tools/reference/Reference.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace cnnc::reference {

/// Whether `op` is one of the ops evalSequenceOp evaluates.
bool isSequenceOp(mlir::Operation *op);

/// The results of sequence op `op`; `operand` gives the value of each of its
/// (present) operands.
llvm::Expected<std::vector<Tensor>>
evalSequenceOp(mlir::Operation *op,
               llvm::function_ref<const Tensor &(mlir::Value)> operand);

} // namespace cnnc::reference

#endif // CNNC_TOOLS_REFERENCE_REFERENCESEQUENCE_H
