//===- ShapeCheck.cpp - --cnn-shape-check ---------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::cnn {
#define GEN_PASS_DEF_CNNSHAPECHECK
#include "passes/Passes.h.inc"
} // namespace mlir::cnn

using namespace mlir;
using namespace mlir::cnn;

namespace {
bool isStaticFloatTensor(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && tensor.hasStaticShape() &&
         isa<FloatType>(tensor.getElementType());
}

struct CnnShapeCheckPass : mlir::cnn::impl::CnnShapeCheckBase<CnnShapeCheckPass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation().walk([&](func::FuncOp func) {
      for (Type t : func.getFunctionType().getInputs())
        if (!isStaticFloatTensor(t)) {
          func.emitError() << "input of type " << t
                           << " is not a statically shaped float tensor";
          ok = false;
        }
      for (Type t : func.getFunctionType().getResults())
        if (!isStaticFloatTensor(t)) {
          func.emitError() << "output of type " << t
                           << " is not a statically shaped float tensor";
          ok = false;
        }
    });
    getOperation().walk([&](Operation *op) {
      if (!isa<CnnDialect>(op->getDialect()))
        return;
      if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
        SmallVector<Type> inferred;
        if (failed(infer.inferReturnTypes(
                op->getContext(), op->getLoc(), op->getOperands(),
                op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
                op->getRegions(), inferred))) {
          ok = false;
        } else if (TypeRange(inferred) != op->getResultTypes()) {
          layerError(op->getLoc(), op->getName().getStringRef())
              << "result type " << op->getResultTypes()[0]
              << " differs from the inferred " << inferred[0];
          ok = false;
        }
      }
      if (op->use_empty() && !isa<ConstantOp>(op))
        layerError(op->getLoc(), op->getName().getStringRef(),
                   DiagnosticSeverity::Warning)
            << "result is never used";
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
