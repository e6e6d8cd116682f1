//===- Reference.h - naive reference evaluator of cnn modules ---*- C++ -*-===//
//
// The test oracle: evaluates a verified `cnn` module with plain nested loops
// that follow the op definitions in ir/CnnOps.td literally. It shares no code
// with the Halide lowering, is slow, and is meant to be obviously correct.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_REFERENCE_REFERENCE_H
#define CNNC_TOOLS_REFERENCE_REFERENCE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace cnnc::reference {

/// A dense row-major f32 tensor; data.size() is the product of shape
/// (1 for rank 0).
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Evaluates `main` (or the only func) of a verified cnn module on `inputs`,
/// given in argument order, and returns the values of its `func.return`.
/// Wrong input count or shape, an unknown op, or a weight blob without data
/// are reported as an llvm::Error naming the op and its location.
llvm::Expected<std::vector<Tensor>> evaluate(mlir::ModuleOp module,
                                             llvm::ArrayRef<Tensor> inputs);

} // namespace cnnc::reference

#endif // CNNC_TOOLS_REFERENCE_REFERENCE_H
