//===- Tiling.h - the tiling model of --cnn-choose-tiling -------*- C++ -*-===//
//
// A pure function from an op's geometry to its layout, register tile and
// cache tile, kept apart from the pass so it can be tested and reused.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_TILING_H
#define CNNC_PASSES_TILING_H

#include "mlir/IR/BuiltinAttributes.h"

#include <cstdint>
#include <string>

namespace mlir::cnn {

/// The L2 per core, in KiB, that fusion and tiling size their working sets
/// for unless told (`l2-kib`): the Xeon's the schedules were tuned on (a
/// 1 MiB-L2 Zen 4 also ran faster with it than with its own 1024).
constexpr int64_t kDefaultL2KiB = 2048;
/// The largest `l2-kib` the passes accept (1 TiB): sizes derived from it in
/// bytes stay far from overflow.
constexpr int64_t kMaxL2KiB = int64_t(1) << 30;
/// Whether `kib` is an `l2-kib` the passes accept: 1 .. kMaxL2KiB.
inline bool validL2KiB(int64_t kib) { return kib >= 1 && kib <= kMaxL2KiB; }

/// Channels per block of the blocked layout, codegen's NCHW16c: one
/// AVX-512 register, two AVX2 ones (a block is one 64-byte cache line).
constexpr int64_t kBlockLanes = 16;

struct TilingProblem {
  enum Kind { Conv, ConvTranspose, Gemm } kind = Conv;
  // Convs: input [n, c, h, w], output [n, f, oh, ow], kernel kh x kw.
  int64_t n = 1, c = 1, h = 1, w = 1, f = 1, oh = 1, ow = 1, kh = 1, kw = 1;
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0}; // top, left, bottom, right
  int64_t groups = 1;
  // Convs: r of the Winograd F(m x m, r x r) codegen can run the conv as
  // (cnn::winogradTaps; 0: none).
  int64_t winogradTaps = 0;
  // Gemm (dense, matmul): batch x [m, k] x [k, cols] -> batch x [m, cols].
  int64_t batch = 1, m = 1, k = 1, cols = 1;
};

struct TilingOptions {
  int64_t vectorWidth = 16;  // f32 lanes per register (16: AVX-512, 8: AVX2)
  int64_t accumulators = 16; // registers holding a register tile's sums
  int64_t l2KiB = kDefaultL2KiB; // L2 per core
  bool winograd = true;      // allow Winograd F(m x m, r x r)
};

struct Tiling {
  std::string layout;
  int64_t ocBlock = 1, tileOc = 1, tileX = 1, tileY = 1, icBlock = 1;
  bool unrollKx = false, parallel = false;
  // Direct convs: the kernel-column taps inside the input channels of a
  // block in the reduction (see Passes.td, kx_inner).
  bool kxInner = false;
  int64_t vector = 1;
  // Convs only.
  bool isConv = false;
  int64_t phases = 1, dilationPhases = 1;
  bool depthwise = false, gemm = false;
  std::string algorithm = "direct"; // or "winograd": F(m x m, r x r)
  // Winograd only: the GEMM operand that stays in cache, "weights" (the
  // transformed weights outweigh the transformed input) or "inputs"; and
  // m, the outputs per tile side (2 or 4).
  std::string stationary;
  int64_t winogradTile = 0;
};

/// The decision documented in Passes.td (--cnn-choose-tiling).
Tiling chooseTiling(const TilingProblem &p, const TilingOptions &options);

/// The `cnn.tiling` dictionary of `t`.
DictionaryAttr tilingAttr(MLIRContext *ctx, const Tiling &t);

} // namespace mlir::cnn

#endif // CNNC_PASSES_TILING_H
