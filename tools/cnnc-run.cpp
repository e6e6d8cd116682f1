//===- cnnc-run.cpp - run a compiled model from the command line ----------===//
//
//   cnnc-run MODEL.so [--input NAME=FILE.npy | --input FILE.npy ...]
//            [--output-dir DIR] [--bench N] [--threads T] [--seed S]
//            [--profile [--peak-gflops X]]
//   cnnc-run --reference NETWORK.{graph,onnx,mlir} [--weights W] [...]
//
// Links only the runtime (libcnnrt) and the .npy reader, never the compiler:
// --reference execs cnnc-reference, found next to this binary, which links
// the frontends and the reference evaluator. Every failure is one
// "cnnc-run: error: ..." line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "tools/run/Driver.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {

using cnnc::Error;
using cnnc::Tensor;
using cnnc::TensorInfo;

/// The model glue copies buffers not aligned to the widest vector (64 bytes)
/// into aligned scratch; ours are aligned so that benchmarks time no copies.
constexpr size_t kAlign = 64;

/// A 64-byte aligned f32 buffer viewed as a cnnc_tensor of `info`'s shape.
class AlignedTensor {
public:
  explicit AlignedTensor(const TensorInfo &info) : info_(info) {
    size_t bytes = size_t(cnnc::numElements(info.shape)) * sizeof(float);
    size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
    data_.reset(static_cast<float *>(std::aligned_alloc(kAlign, rounded ? rounded : kAlign)));
    if (!data_)
      throw Error("out of memory allocating '" + info.name + "'");
  }
  cnnc_tensor view() const {
    cnnc_tensor t{CNNC_F32, int32_t(info_.shape.size()), {}, data_.get()};
    std::copy(info_.shape.begin(), info_.shape.end(), t.shape);
    return t;
  }
  void load(const Tensor &t) { std::copy(t.data.begin(), t.data.end(), data_.get()); }
  Tensor tensor() const {
    size_t n = size_t(cnnc::numElements(info_.shape));
    return Tensor(info_.shape, std::vector<float>(data_.get(), data_.get() + n));
  }

private:
  struct Free {
    void operator()(float *p) const { std::free(p); }
  };
  TensorInfo info_;
  std::unique_ptr<float, Free> data_;
};

/// A compiled model .so, run on aligned buffers.
class SharedLibNetwork : public cnnc::run::Network {
public:
  explicit SharedLibNetwork(const cnnc::run::Options &o) : model_(o.model) {
    if (o.threads >= 0)
      model_.setNumThreads(o.threads);
    for (const TensorInfo &i : model_.inputs())
      in_.emplace_back(i);
    for (const TensorInfo &i : model_.outputs())
      out_.emplace_back(i);
  }
  std::string name() const override { return model_.name(); }
  std::vector<TensorInfo> inputs() const override { return model_.inputs(); }
  std::vector<TensorInfo> outputs() const override { return model_.outputs(); }
  void setInputs(const std::vector<Tensor> &inputs) override {
    for (size_t i = 0; i < inputs.size(); ++i)
      in_[i].load(inputs[i]);
  }
  void run() override {
    std::vector<cnnc_tensor> in, out;
    for (const AlignedTensor &t : in_)
      in.push_back(t.view());
    for (const AlignedTensor &t : out_)
      out.push_back(t.view());
    if (cnnc_model_run(model_.get(), in.data(), int32_t(in.size()), out.data(),
                       int32_t(out.size())) != 0)
      throw Error(cnnc_model_error(model_.get()));
  }
  std::vector<Tensor> results() const override {
    std::vector<Tensor> r;
    for (const AlignedTensor &t : out_)
      r.push_back(t.tensor());
    return r;
  }
  const cnnc_profile_info *profileInfo() const override { return model_.profileInfo(); }
  std::optional<cnnc_memory_stats> memoryStats() const override { return model_.memoryStats(); }

private:
  cnnc::Model model_;
  std::vector<AlignedTensor> in_, out_;
};

/// The directory of this executable (not of argv[0], which may be a PATH hit).
std::string selfDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    throw Error(std::string("cannot locate cnnc-run: /proc/self/exe: ") + std::strerror(errno));
  std::string path(buf, size_t(n));
  return path.substr(0, path.rfind('/'));
}

/// --reference: hands the whole command line to cnnc-reference, which keeps
/// argv[0] and so reports errors as cnnc-run.
[[noreturn]] void execReference(char **argv) {
  std::string tool = selfDir() + "/cnnc-reference";
  std::fflush(stdout);
  execv(tool.c_str(), argv);
  throw Error("--reference needs " + tool + ": " + std::strerror(errno));
}

} // namespace

int main(int argc, char **argv) {
  return cnnc::run::main(
      argc, argv, "cnnc-run",
      [](const cnnc::run::Options &o) { return std::make_unique<SharedLibNetwork>(o); },
      execReference);
}
