//===- AutoSchedule.h - Halide's Adams2019 autoscheduler as a peer -*- C++ -*-===//
//
// `cnnc --schedule=adams2019`: instead of cnnc's own schedules (Schedule.h),
// the lowered pipeline is scheduled by Halide's Adams2019 autoscheduler
// (beam search over a learned cost model, built-in weights), loaded from the
// plugin that ships with libHalide.so. The lowering is cnnc's unfused one:
// the module's schedule hints (cnn.tiling, cnn.fuse) are removed first, so
// every conv2d is the direct blocked loop nest of BlockedConv (no Winograd)
// and nothing is inlined or tiled by cnnc. It is the baseline that cnnc's
// schedules are measured against (bench/, docs/perf.md).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_AUTOSCHEDULE_H
#define CNNC_CODEGEN_AUTOSCHEDULE_H

#include "codegen/Lowering.h"

#include <map>
#include <string>

namespace cnnc::codegen {

/// Removes cnnc's schedule hints (cnn.tiling, cnn.fuse, cnn.fuse_operand)
/// from every op of `module`: the lowering then takes its defaults.
void stripScheduleHints(mlir::ModuleOp module);

/// Sets estimates on the inputs and outputs of `model` (all shapes are
/// static) and schedules every Func with Adams2019 for `target`. `params`
/// are Adams2019's own (parallelism, beam_size, random_dropout, ...); unset
/// ones take its defaults, except parallelism, 2 here (the cores of the
/// benchmark machine). `model` must not have been scheduled (buildPipeline
/// with schedule = false). Errors if the plugin cannot be found or loaded,
/// or rejects a parameter. With CNNC_AUTOSCHEDULE_DUMP=FILE in the
/// environment, the schedule found is written to FILE as Halide C++.
llvm::Error autoscheduleAdams2019(LoweredModel &model, const Halide::Target &target,
                                  const std::map<std::string, std::string> &params = {});

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_AUTOSCHEDULE_H
