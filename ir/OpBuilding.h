//===- OpBuilding.h - build cnn ops whose result type is inferred -*- C++ -*-===//
#ifndef CNNC_IR_OPBUILDING_H
#define CNNC_IR_OPBUILDING_H

#include "mlir/IR/Builders.h"

namespace mlir::cnn {

/// Creates op `opName` with `operands` and `attrs`, its result types derived
/// by the op's InferTypeOpInterface rule. On failure the rule's diagnostic has
/// been emitted at `loc`, nothing is left in the IR, and failure is returned.
/// (The ODS builders that infer types abort on failure; frontends use this.)
FailureOr<Operation *> createInferred(OpBuilder &builder, Location loc,
                                      llvm::StringRef opName,
                                      ValueRange operands,
                                      llvm::ArrayRef<NamedAttribute> attrs);

} // namespace mlir::cnn

#endif // CNNC_IR_OPBUILDING_H
