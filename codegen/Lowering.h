//===- Lowering.h - the cnn dialect to one Halide pipeline ------*- C++ -*-===//
//
// Lowers the `main` function of a cnn module to Halide Funcs: one Func per op
// (the algorithm only; schedules live in Schedule.h). Halide dimensions are
// innermost-first, so an NCHW tensor t[n][c][h][w] becomes f(w, h, c, n).
// Functions here may throw Halide::CompileError; callers convert (see
// buildPipeline, which never throws).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LOWERING_H
#define CNNC_CODEGEN_LOWERING_H

#include "Halide.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc::codegen {

/// A named, statically shaped tensor of the model's interface (MLIR order).
struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
};

/// A Func produced for an op, kept for the scheduler. `op` is null for
/// outputs that merely copy another value (an input, a constant, or a value
/// returned twice).
struct LoweredFunc {
  Halide::Func func;
  std::vector<int64_t> shape; // MLIR order of the Func's dimensions
  mlir::Operation *op = nullptr;
  std::vector<Halide::Var> vars;     // pure vars, MLIR order
  std::vector<Halide::RDom> updates; // one per update definition
};

/// The whole network as Halide objects.
struct LoweredModel {
  std::string name; // C identifier derived from the module name
  std::vector<TensorInfo> inputInfo, outputInfo;
  std::vector<Halide::ImageParam> inputs;
  std::vector<Halide::Func> outputs;
  std::vector<LoweredFunc> funcs; // every Func to schedule, producers first
};

/// Lowers `module` (which must hold func.func @main) and applies the schedule
/// (default, or overridden per op by `cnn.tiling`; see Schedule.h).
llvm::Expected<LoweredModel> buildPipeline(mlir::ModuleOp module);

/// The raw float data of a constant's value (DenseResourceElementsAttr or
/// DenseElementsAttr of f32).
llvm::Expected<std::vector<float>> constantData(mlir::ElementsAttr value);

/// Realizes the pipeline with Halide's JIT: `inputs`/`outputs` are dense
/// row-major buffers of the shapes in inputInfo/outputInfo.
llvm::Error runJit(LoweredModel &model,
                   const std::vector<const float *> &inputs,
                   const std::vector<float *> &outputs);

/// Halide's messages as an llvm::Error; used by every Halide call site.
llvm::Error halideError(const Halide::Error &e);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_LOWERING_H
