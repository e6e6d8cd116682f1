//===- ShapeInference.h - helpers shared by the op shape rules --*- C++ -*-===//
#ifndef CNNC_IR_SHAPEINFERENCE_H
#define CNNC_IR_SHAPEINFERENCE_H

#include "ir/CnnDialect.h"

#include <algorithm>
#include <string>

namespace mlir::cnn {

/// Reports a problem of one layer in the user's terms. Inference may run
/// without a location (then nothing is printed), verifiers always have one.
struct LayerDiag {
  std::optional<Location> loc;
  llvm::StringRef op;
  LogicalResult operator()(const llvm::Twine &msg) const;
};

/// "[1, 3, 224, 224]"
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The static shape of a tensor value, or failure (reported) if it has none.
FailureOr<llvm::ArrayRef<int64_t>> staticShape(Value v, llvm::StringRef what,
                                               const LayerDiag &diag);

/// Checks that `values` has `count` entries, each at least `minValue`.
LogicalResult checkArray(llvm::ArrayRef<int64_t> values, size_t count,
                         int64_t minValue, llvm::StringRef name,
                         const LayerDiag &diag);

/// Length of a sliding-window output (conv and pooling); 0 when the window
/// does not fit even once. In ceil mode a last window that would start in the
/// end padding is dropped.
int64_t windowOutputSize(int64_t in, int64_t padBegin, int64_t padEnd,
                         int64_t kernel, int64_t stride, int64_t dilation,
                         bool ceilMode);

/// The sub-pixel decomposition of a conv_transpose2d (groups 1, dilation 1)
/// along one axis: its output splits into `subPixelStride` phases, each an
/// ordinary conv of `subPixelTaps` taps. Of an input extent of one element
/// only tap (o + pad) reaches output o, so that axis takes a stride of at
/// least the kernel: one tap per phase.
inline int64_t subPixelStride(int64_t stride, int64_t kernel, int64_t in) {
  return in == 1 ? std::max(stride, kernel) : stride;
}
inline int64_t subPixelTaps(int64_t stride, int64_t kernel, int64_t in) {
  int64_t s = subPixelStride(stride, kernel, in);
  return (kernel + s - 1) / s;
}

/// r, the taps per side of the Winograd F(m x m, r x r) that `op` can run
/// as (codegen's WinogradConv): a conv2d of groups 1, stride 1 and an r x r
/// kernel, or a conv_transpose2d of groups 1 and dilation 1 whose sub-pixel
/// phases have r x r taps, with constant (cnn.constant) weights and r > 1;
/// 0 for anything else.
int64_t winogradTaps(Operation *op);

/// Whether F(m x m, r x r) has transform tables (codegen/Winograd.cpp):
/// F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 2x2).
inline bool winogradTables(int64_t m, int64_t r) {
  return r == 3 ? m == 2 || m == 4 : r == 2 && m == 2;
}

/// Normalises a possibly negative axis for a rank; failure if out of range.
FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                 const LayerDiag &diag);

} // namespace mlir::cnn

#endif // CNNC_IR_SHAPEINFERENCE_H
