//===- Passes.td - cnnc passes -------------------------------*- tablegen -*-===//
#ifndef CNNC_PASSES
#define CNNC_PASSES

include "mlir/Pass/PassBase.td"

def CnnShapeCheck : Pass<"cnn-shape-check", "::mlir::ModuleOp"> {
  let summary = "Check that the module is a complete, statically shaped network";
  let description = [{
    Re-derives every `cnn` op's result type from its shape rule (catching a
    pass that rewrote operands without updating types), and checks that every
    function argument and result is a statically shaped float tensor.
    Layers whose result is never used are reported as warnings.
  }];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

#endif // CNNC_PASSES
