//===- cnnc-opt.cpp - MlirOptMain with the cnn dialect and passes ---------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::cnn::registerCnnPasses();
  mlir::cnn::registerOptimizationPipelines();
  mlir::DialectRegistry registry;
  registry.insert<mlir::cnn::CnnDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cnnc optimizer driver\n", registry));
}
