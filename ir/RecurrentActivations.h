//===- RecurrentActivations.h - activations of rnn, gru, lstm ---*- C++ -*-===//
//
// The activation functions the recurrent ops may name and their alpha/beta,
// shared by the verifier, the ONNX importer, the lowering and the reference
// evaluator so that all four agree on names, parameters and defaults.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_IR_RECURRENTACTIVATIONS_H
#define CNNC_IR_RECURRENTACTIVATIONS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir::cnn {

/// One activation function (ONNX spelling): whether it reads alpha and beta,
/// and their defaults (those of the ONNX operator of that name).
struct RecurrentActivationKind {
  llvm::StringLiteral name;
  bool usesAlpha, usesBeta;
  float alpha, beta;
};

/// The kind named `name`, or null.
const RecurrentActivationKind *findRecurrentActivation(llvm::StringRef name);
/// "Relu, Tanh, ..., Softplus" for error messages.
std::string recurrentActivationNames();

/// An activation of a recurrent op with its parameters.
struct RecurrentActivation {
  std::string name;
  float alpha, beta;
};

/// The `activations` of an rnn, gru or lstm (per direction, forward first),
/// each with its entry of `activation_alpha`/`activation_beta` or, where the
/// attribute is absent, the default. The op must have verified.
std::vector<RecurrentActivation> recurrentActivations(Operation *op);

} // namespace mlir::cnn

#endif // CNNC_IR_RECURRENTACTIVATIONS_H
