//===- Profile.h - cnnc-run --profile and the memory report -----*- C++ -*-===//
//
// Runs a model compiled with `cnnc --profile`, reads Halide's sampling
// profiler through the model's cnnc_profile_info (model_abi.h), and prints
// per fused layer its time, share, GFLOP/s and fraction of the machine's FMA
// peak; and prints a model's memory figures (cnnc_memory_stats).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_RUN_PROFILE_H
#define CNNC_TOOLS_RUN_PROFILE_H

#include "cnnc/model_abi.h"

#include <functional>
#include <string>

namespace cnnc::run {

/// The f32 FMA peak measured on `threads` threads, and the instruction set
/// used ("AVX-512", "AVX2", "scalar ...").
struct Peak {
  double gflops;
  std::string isa;
};
Peak measurePeak(int threads);

struct ProfileOptions {
  int runs = 10;
  double peakGflops = 0; // 0: measure
  int threads = 1;       // threads of a run, for the measured peak
  bool funcs = false;    // also list each layer's Funcs (stages)
};

/// Resets the profiler, runs `run` opts.runs times and prints the table.
void printProfile(const cnnc_profile_info &info, const std::function<void()> &run,
                  const ProfileOptions &opts);

/// "memory: ..." lines for `s`.
void printMemory(const cnnc_memory_stats &s);

} // namespace cnnc::run

#endif // CNNC_TOOLS_RUN_PROFILE_H
