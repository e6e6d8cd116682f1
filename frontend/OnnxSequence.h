//===- OnnxSequence.h - ONNX LSTM, GRU, RNN, LayerNormalization -*- C++ -*-===//
//
// The importer's handlers for the ONNX sequence ops. They live apart from
// OnnxImporter.cpp and reach the importer only through SequenceNode, so the
// importer's state stays private to it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_ONNXSEQUENCE_H
#define CNNC_FRONTEND_ONNXSEQUENCE_H

#include "frontend/OnnxFolding.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace cnnc::onnx_import {

/// What a sequence-op handler needs from the importer.
struct SequenceNode {
  const onnx::NodeProto &node;
  mlir::Location loc;
  mlir::OpBuilder &builder;
  /// Input `i` as a tensor; a null Value when the optional input is absent.
  llvm::function_ref<mlir::FailureOr<mlir::Value>(int)> input;
  /// Input `i` as a host constant (an error if computed at run time).
  llvm::function_ref<mlir::FailureOr<HostTensor *>(int)> constInput;
  /// Whether output `i` is named and read by a later node or the graph.
  llvm::function_ref<bool(int)> outputUsed;
};

/// The ONNX op types importSequenceOp handles.
llvm::ArrayRef<llvm::StringLiteral> sequenceOpTypes();

/// Builds the cnn op for `n`. Returns one value per ONNX output the op
/// produces (index = ONNX output index; null for an output left out because
/// nothing reads it); the importer rejects a used output beyond them.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
importSequenceOp(const SequenceNode &n);

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTEND_ONNXSEQUENCE_H
