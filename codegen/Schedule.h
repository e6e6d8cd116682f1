//===- Schedule.h - schedules of the lowered pipeline -----------*- C++ -*-===//
//
// Kept apart from the algorithm (Lowering.cpp). The default is simple and
// correct for every extent; a performance pass overrides it per op by
// attaching a `cnn.tiling` dictionary to the op, read into ScheduleHints:
//
//   %y = cnn.conv2d ... {cnn.tiling = {vector = 8 : i64, parallel = false,
//                                      inline = false}}
//
//   vector   lanes of the innermost output dimension (0/1: scalar; default
//            16, the f32 width of AVX-512); used when the dimension is at
//            least this long, tail guarded so any extent is valid.
//   parallel parallelise the outermost output dimension longer than 1
//            (default true).
//   inline   compute the op inside its consumers instead of into its own
//            buffer (default false; ignored for ops with reductions and for
//            outputs).
//
// Unknown keys are ignored so hints can grow without breaking old IR.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_SCHEDULE_H
#define CNNC_CODEGEN_SCHEDULE_H

#include "codegen/Lowering.h"

namespace cnnc::codegen {

struct ScheduleHints {
  int vector = 16; // AVX-512 holds 16 f32 lanes
  bool parallel = true;
  bool computeInline = false;
};

/// Defaults overridden by the op's `cnn.tiling` attribute (op may be null).
ScheduleHints hintsFor(mlir::Operation *op);

/// Schedules every Func of `model` (may throw Halide::CompileError).
void applySchedule(LoweredModel &model);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_SCHEDULE_H
