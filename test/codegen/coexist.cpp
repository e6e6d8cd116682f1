//===- coexist.cpp - MLIR (libLLVM) and Halide (its own LLVM) in one process ===//
//
// Parses a module and runs the canonicalizer (MLIR, LLVM 22), then lowers it
// and runs the Halide pipeline with Halide's JIT (the LLVM inside
// libHalide.so). coexist.sh runs this under LD_DEBUG=bindings to check that
// no llvm:: symbol crosses between the two.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"
#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

int main() {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"(
    module @coexist { func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
      %w = cnn.constant dense<1.0> : tensor<2x1x3x3xf32>
      %c = cnn.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x4x4xf32>
      %r = cnn.relu %c : tensor<1x2x4x4xf32>
      return %r : tensor<1x2x4x4xf32>
    } })", &ctx);
  if (!module)
    return 1;
  mlir::PassManager pm(&ctx);
  pm.addPass(mlir::createCanonicalizerPass());
  if (mlir::failed(pm.run(*module)))
    return 2;
  auto model = cnnc::codegen::buildPipeline(*module);
  if (!model) {
    llvm::errs() << llvm::toString(model.takeError()) << "\n";
    return 3;
  }
  std::vector<float> x(32, 1.0f), y(32);
  if (auto err = cnnc::codegen::runJit(*model, {x.data()}, {y.data()})) {
    llvm::errs() << llvm::toString(std::move(err)) << "\n";
    return 4;
  }
  // A box filter of ones: 4 at corners, 6 on edges, 9 inside.
  if (y[0] != 4.0f || y[1] != 6.0f || y[5] != 9.0f)
    return 5;
  llvm::outs() << "coexist ok\n";
  return 0;
}
