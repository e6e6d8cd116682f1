//===- Schedule.h - schedules of the lowered pipeline -----------*- C++ -*-===//
//
// Kept apart from the algorithm (Lowering.cpp). The defaults are fast and
// valid for every extent; a performance pass overrides them per op by
// attaching a `cnn.tiling` dictionary to the op, read into ScheduleHints:
//
//   %y = cnn.conv2d ... {cnn.tiling = {vector = 8 : i64, parallel = false,
//                                      tile_x = 4 : i64, tile_y = 2 : i64}}
//
//   vector   lanes of the innermost output dimension (0/1: scalar; default
//            16, the f32 width of AVX-512); used when the dimension is at
//            least this long, tail guarded so any extent is valid.
//   parallel parallelise the outermost output dimension longer than 1
//            (default true). rnn/gru/lstm and attention: their per-step and
//            per-query-tile loops run serially below 0.05 and 2 MFLOP of
//            work per loop unless this says true (kSequenceParallelFlops,
//            kAttentionParallelFlops).
//   inline   compute the op inside its consumers instead of into its own
//            buffer (ignored for ops with reductions and for outputs).
//            Default: true for an elementwise op with one user that reads
//            its input about once per element (another elementwise op, a
//            conv's padded/packed input stage, a pool, concat, flatten,
//            reshape, pad, transpose), false otherwise. `cnn.fuse =
//            "epilogue"` on the op forces it on.
//   layout   conv2d: "nchw16c" (default for groups = 1: blocked layout, see
//            BlockedConv in Lowering.h) or "nchw" (plain direct loop nest).
//            conv_transpose2d: groups = 1 and dilation 1 always use the
//            sub-pixel decomposition in the blocked layout (PhasedConv in
//            Lowering.h) unless layout = "gather" (the plain gather form,
//            also used for groups > 1 or dilation > 1); tile_oc, tile_x and
//            tile_y then describe the tile of one output phase.
//   tile_oc  conv2d: channel blocks of 16 in the register tile (1 or 2;
//            default 2 when the block count is even).
//   tile_x, tile_y
//            conv2d: output columns and rows in the register tile (default:
//            about 16 accumulators: 16 / tile_oc columns, rows when the
//            row is shorter).
//   algorithm conv2d, conv_transpose2d: "winograd" runs by Winograd
//            F(m x m, r x r) (WinogradConv in Lowering.h) a 3x3 (or 2x2)
//            stride-1 (any dilation) dense conv2d, or a sub-pixel
//            conv_transpose2d whose phases have 2 x 2 or 3 x 3 taps, with
//            constant weights (cnn::winogradTaps); anything else (default
//            "direct") keeps the direct loop nest. --cnn-choose-tiling
//            rejects a given "winograd" that codegen could not honour.
//   winograd_tile winograd: m, the outputs per tile side (2 or 4).
//   stationary winograd: "weights" orders the GEMM so that each chunk of a
//            point's transformed weights serves every tile before the next
//            (threads over channel blocks, M accumulated in memory); else
//            threads over rows of tiles, each register tile's whole
//            reduction in registers.
//   kx_inner conv2d, conv_transpose2d (direct): reduce over the unrolled
//            kx taps inside the input channels of a block, not outside
//            (default false).
//   unroll_kx conv2d: unroll the kernel-column loop (default true for
//            kernels up to 7 wide).
//
// rnn, gru, lstm (LoweredRecurrence) and attention (LoweredAttention) have
// fixed schedules in Schedule.cpp: the projections of all steps as register
// tiles of 2 vectors x 8 steps, each step's GEMV per block of 64 units with
// every gate of the block in registers; attention per tile of 16 query rows
// (scores in 4 x 4-vector register tiles, then softmax, then the value
// product in 4 x 4-vector tiles).
//
// Unknown keys are ignored so hints can grow without breaking old IR.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_SCHEDULE_H
#define CNNC_CODEGEN_SCHEDULE_H

#include "codegen/Lowering.h"

#include <optional>
#include <string>

namespace cnnc::codegen {

struct ScheduleHints {
  int vector = 16; // AVX-512 holds 16 f32 lanes
  bool parallel = true;
  bool parallelGiven = false; // `parallel` came from cnn.tiling
  std::optional<bool> computeInline; // unset: the default rule above
  std::string layout;                // empty: default
  int tileOc = 0, tileX = 0, tileY = 0; // 0: default
  std::optional<bool> unrollKx;
  bool kxInner = false; // direct convs: kx taps inside the channels of a block
  std::string algorithm; // conv2d, conv_transpose2d: "winograd" or empty (direct)
  std::string stationary; // winograd: "weights" or empty (inputs)
  int winogradTile = 2;   // winograd: outputs per tile side, F(m x m, r x r)
};

/// Defaults overridden by the op's `cnn.tiling` attribute (op may be null).
ScheduleHints hintsFor(mlir::Operation *op);

/// The op's `cnn.fuse` mark ("epilogue", "consumer", "pair" or "none", see
/// passes/Passes.td), or "" (op may be null).
llvm::StringRef fuseMark(mlir::Operation *op);

/// For an op marked "epilogue": the operand through which it fuses into its
/// producer (`cnn.fuse_operand`); else a null Value.
mlir::Value epilogueInput(mlir::Operation *op);

/// Schedules every Func of `model` (may throw Halide::CompileError).
void applySchedule(LoweredModel &model);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_SCHEDULE_H
