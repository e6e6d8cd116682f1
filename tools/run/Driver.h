//===- Driver.h - the command line shared by cnnc-run and cnnc-reference -*- C++ -*-===//
//
// Options, input binding (.npy or random), output summaries and .npy writing,
// and benchmarking, over an abstract Network: a compiled model .so (cnnc-run)
// or the reference evaluator (cnnc-reference). Links only the runtime headers
// and the .npy reader, so cnnc-run stays free of the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_RUN_DRIVER_H
#define CNNC_TOOLS_RUN_DRIVER_H

#include "cnnc/runtime.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::run {

struct Options {
  std::string model;
  std::vector<std::string> inputs; // --input values, in order
  std::string outputDir;
  int bench = 0;
  int threads = -1; // -1: leave the model's default
  uint64_t seed = 0;
  bool reference = false; // evaluate MODEL (.graph/.onnx/.mlir) with the reference
  std::string weights;    // --weights of a .graph, reference mode only
  bool profile = false;   // per-layer profile of a model compiled with --profile
  bool profileFuncs = false; // and per Func (--profile-funcs)
  double peakGflops = 0;  // --peak-gflops (0: measure)
};

/// Something that maps input tensors to output tensors.
class Network {
public:
  virtual ~Network() = default;
  virtual std::string name() const = 0;
  virtual std::vector<TensorInfo> inputs() const = 0;
  virtual std::vector<TensorInfo> outputs() const = 0;
  /// Binds `inputs` (shapes already checked) for the runs that follow.
  virtual void setInputs(const std::vector<Tensor> &inputs) = 0;
  virtual void run() = 0;
  /// The outputs of the last run.
  virtual std::vector<Tensor> results() const = 0;
  /// A compiled model's optional additions (model_abi.h); none by default.
  virtual const cnnc_profile_info *profileInfo() const { return nullptr; }
  virtual std::optional<cnnc_memory_stats> memoryStats() const { return std::nullopt; }
};

using OpenFn = std::function<std::unique_ptr<Network>(const Options &)>;

/// Parses argv and runs the network `open` returns. `reference` handles
/// --reference (it does not return when it execs another tool). Every failure
/// is one "<tool>: error: ..." line and exit status 1.
int main(int argc, char **argv, const char *tool, const OpenFn &open,
         const std::function<void(char **argv)> &reference);

} // namespace cnnc::run

#endif // CNNC_TOOLS_RUN_DRIVER_H
