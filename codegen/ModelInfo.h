//===- ModelInfo.h - what a compiled model tells about itself ---*- C++ -*-===//
//
// Compile-time facts embedded in a model next to its kernels (see the
// optional additions in cnnc/model_abi.h): the fused layers with their FLOPs
// and Halide Funcs, for `cnnc-run --profile`, and the memory figures the
// runtime's peak is compared with.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_MODELINFO_H
#define CNNC_CODEGEN_MODELINFO_H

#include "codegen/Lowering.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc::codegen {

/// One fused layer: an op together with the ops computed in it, i.e. its
/// epilogues (cnn.fuse = "epilogue", through cnn.fuse_operand) and the ops
/// that have no loop nest of their own and one user in the layer (inlined
/// into it by the schedule).
struct LayerInfo {
  std::string name;  // layer name of the first op (or its op kind)
  std::string op;    // op kinds in program order, e.g. "conv2d+add+relu";
                     // "conv2d(winograd)" for a Winograd conv
  double flops = 0;  // per run; see opFlops
  std::vector<std::string> funcs; // Halide Funcs computing it
};

struct ModelInfo {
  std::vector<LayerInfo> layers; // program order
  /// Bytes of constant data embedded in the pipeline (the weights as the
  /// kernels read them: packed, padded to channel blocks, Winograd-transformed).
  uint64_t weightBytes = 0;
  /// The two largest activation tensors: among the network's inputs and the
  /// results of fused layers that leave the layer (read by another layer or
  /// returned), the two with most bytes; 0 / "" where there are fewer.
  uint64_t activationBytes[2] = {0, 0};
  std::string activationNames[2];
};

/// Floating-point operations of one run of `op`: 2 per multiply-add for
/// conv2d, conv_transpose2d, dense, matmul, attention and the recurrent ops
/// (Winograd convs count as direct ones); one per window element for pools
/// and per input element for global pools; one per output element for the
/// other computing ops; 0 for pure data movement (reshape, flatten,
/// transpose, pad, concat, nearest resize).
double opFlops(mlir::Operation *op);

/// Groups `model`'s Funcs (after scheduling) into the fused layers of
/// `module`'s main function and measures its weights and activations.
ModelInfo modelInfo(const LoweredModel &model, mlir::ModuleOp module);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_MODELINFO_H
