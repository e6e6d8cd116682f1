//===- Emit.h - ahead-of-time emission of a compiled model ------*- C++ -*-===//
//
// Lowers a cnn module to one Halide pipeline, compiles it for a target and
// wraps it in the C glue that implements cnnc/model_abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_EMIT_H
#define CNNC_CODEGEN_EMIT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace cnnc::codegen {

enum class EmitKind {
  SharedLib, // .so exporting cnnc_model_describe and cnnc_<name>_describe
             // (and the optional additions of cnnc/model_abi.h)
  Object,    // one relocatable .o: pipeline + Halide runtime + glue
  StaticLib, // .a of the same, plus <output stem>.h next to it
  Header,    // just <outputPath>, declaring cnnc_<name>_describe
  CppSource, // Halide's C++ backend plus the glue in <outputPath>, and the
             // Halide runtime for the target in <output stem>.runtime.o
};

enum class ScheduleKind {
  Cnnc,      // cnnc's schedules (Schedule.h), guided by the passes' hints
  Adams2019, // Halide's Adams2019 autoscheduler on the unfused lowering
             // (AutoSchedule.h); removes the module's schedule hints
};

struct EmitOptions {
  EmitKind kind = EmitKind::SharedLib;
  std::string outputPath;
  std::string target = "host"; // Halide target string
  /// Compile with Halide's sampling profiler and embed the layer table that
  /// `cnnc-run --profile` reads (also implied by a target with `profile`).
  bool profile = false;
  ScheduleKind schedule = ScheduleKind::Cnnc;
  // Adams2019's parameters (AutoSchedule.h), e.g. {"beam_size", "1"}.
  std::map<std::string, std::string> autoschedulerParams;
};

/// The f32 vector registers of a Halide target string ("host" or empty: this
/// machine), as cnn-choose-tiling's vector-width and accumulators count them.
struct VectorRegisters {
  int64_t lanes = 16;        // f32 lanes per register
  int64_t accumulators = 16; // registers a register tile may hold sums in
};
llvm::Expected<VectorRegisters> vectorRegisters(const std::string &target);

/// Emits `module` as `opts.kind`. Outputs appear only on success (written in
/// a temporary directory, then renamed into place).
llvm::Error emitModel(mlir::ModuleOp module, const EmitOptions &opts);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_EMIT_H
