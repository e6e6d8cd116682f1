//===- GraphParams.h - weights of .graph layers -----------------*- C++ -*-===//
//
// Hands out the parameter tensors of layers as `dense_resource` attributes,
// either from a safetensors file (zero-copy when aligned) or, without one,
// from a seeded RNG so that a network compiles and runs without training.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_FRONTEND_GRAPHPARAMS_H
#define CNNC_FRONTEND_GRAPHPARAMS_H

#include "frontend/Weights.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSet.h"

namespace cnnc::graph {

/// Random initialisation of a parameter when no weights file is given.
struct Init {
  double lo, hi;
  /// He-uniform for weights with `fanIn` inputs per output: +-sqrt(6/fanIn).
  static Init heUniform(int64_t fanIn);
  /// Biases: +-1/sqrt(fanIn), as PyTorch does.
  static Init bias(int64_t fanIn);
  static Init uniform(double lo, double hi) { return {lo, hi}; }
};

class ParameterSource {
public:
  ParameterSource(mlir::MLIRContext *ctx, std::shared_ptr<WeightsFile> file,
                  uint64_t seed)
      : ctx(ctx), file(std::move(file)), seed(seed) {}

  bool hasFile() const { return file != nullptr; }
  /// Shape of `name` in the weights file, if there is such a tensor.
  std::optional<llvm::ArrayRef<int64_t>> fileShape(llvm::StringRef name) const;

  /// The f32 tensor `name`, which must have shape `shape` in the file; the
  /// attribute gets type `resultShape` (same element count) if given.
  /// Errors are reported at `loc` as `<kind> '<layer>': ...`.
  mlir::ElementsAttr get(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                         Init init, mlir::Location loc, llvm::StringRef kind,
                         llvm::ArrayRef<int64_t> resultShape = {});

  /// Tensors of the file that no layer asked for, in file order.
  std::vector<std::string> unusedTensors() const;

private:
  mlir::ElementsAttr fromFile(llvm::StringRef name,
                              llvm::ArrayRef<int64_t> shape,
                              mlir::RankedTensorType type, mlir::Location loc,
                              llvm::StringRef kind);
  mlir::ElementsAttr random(llvm::StringRef name, Init init,
                            mlir::RankedTensorType type);

  mlir::MLIRContext *ctx;
  std::shared_ptr<WeightsFile> file;
  uint64_t seed;
  llvm::StringSet<> used;
};

} // namespace cnnc::graph

#endif // CNNC_FRONTEND_GRAPHPARAMS_H
