//===- OpBuilding.cpp - build cnn ops whose result type is inferred -------===//
#include "ir/OpBuilding.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

FailureOr<Operation *> mlir::cnn::createInferred(OpBuilder &builder,
                                                 Location loc, StringRef opName,
                                                 ValueRange operands,
                                                 ArrayRef<NamedAttribute> attrs) {
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  // A placeholder result type; replaced once the shape rule has run.
  state.addTypes(NoneType::get(builder.getContext()));
  Operation *op = builder.create(state);
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  SmallVector<Type> types;
  if (!infer ||
      failed(infer.inferReturnTypes(builder.getContext(), loc,
                                    op->getOperands(),
                                    op->getRawDictionaryAttrs(),
                                    op->getPropertiesStorage(),
                                    op->getRegions(), types))) {
    if (!infer)
      emitError(loc) << opName << " does not infer its result type";
    op->erase();
    return failure();
  }
  if (types.size() != op->getNumResults()) {
    // An op of several results (cnn.lstm): rebuilt with the inferred types.
    OperationState multi(loc, opName);
    multi.addOperands(operands);
    multi.addAttributes(attrs);
    multi.addTypes(types);
    op->erase();
    return builder.create(multi);
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  return op;
}
