//===- cnnc/runtime.hpp - C++ wrapper over libcnnrt -------------*- C++ -*-===//
//
// Header-only RAII layer over runtime.h: errors become cnnc::Error carrying
// the runtime's message, tensors are plain shape + float vectors.
//
//   cnnc::Model m("model.so");
//   std::vector<cnnc::Tensor> y = m.run({cnnc::Tensor({1, 4}, {1, 2, 3, 4})});
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_HPP
#define CNNC_RUNTIME_HPP

#include "cnnc/runtime.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cnnc {

/// Any failure of the runtime; what() is the runtime's message.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

inline int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// A dense, row-major f32 tensor owning its data.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  /// Zero-filled tensor of `shape`.
  explicit Tensor(std::vector<int64_t> shape)
      : shape(std::move(shape)), data(size_t(cnnc::numElements(this->shape))) {}
  Tensor(std::vector<int64_t> shape, std::vector<float> data)
      : shape(std::move(shape)), data(std::move(data)) {}
  int64_t numElements() const { return cnnc::numElements(shape); }
};

/// What a model expects for one input or output.
struct TensorInfo {
  std::string name;
  cnnc_dtype dtype;
  std::vector<int64_t> shape;

  /// "f32[1,3,224,224]"
  std::string typeString() const {
    std::string s = std::string(cnnc_dtype_name(dtype)) + "[";
    for (size_t i = 0; i < shape.size(); ++i)
      s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
  }
};

/// An opened model; move-only, closed on destruction.
class Model {
public:
  /// Loads a model .so; throws Error with the runtime's message.
  explicit Model(const std::string &path) {
    char err[1024];
    m_ = cnnc_model_open(path.c_str(), err, sizeof err);
    if (!m_)
      throw Error(err);
  }
  /// Wraps a statically linked model (`cnnc_<model>_describe()`).
  static Model fromDesc(const cnnc_model_desc *desc) {
    char err[1024];
    cnnc_model *m = cnnc_model_from_desc(desc, err, sizeof err);
    if (!m)
      throw Error(err);
    return Model(m);
  }

  Model(Model &&o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Model &operator=(Model &&o) noexcept {
    std::swap(m_, o.m_);
    return *this;
  }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
  ~Model() { cnnc_model_close(m_); }

  std::string name() const { return cnnc_model_name(m_); }
  std::vector<TensorInfo> inputs() const {
    return infos(cnnc_model_num_inputs(m_), cnnc_model_input);
  }
  std::vector<TensorInfo> outputs() const {
    return infos(cnnc_model_num_outputs(m_), cnnc_model_output);
  }

  /// Runs on `inputs` (in the model's order) and returns fresh outputs.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs) const {
    std::vector<Tensor> outputs;
    run(inputs, outputs);
    return outputs;
  }
  /// Same, reusing `outputs`' storage (handy in a timing loop).
  void run(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs) const {
    int32_t numOut = cnnc_model_num_outputs(m_);
    outputs.resize(size_t(numOut));
    std::vector<cnnc_tensor> in, out;
    for (size_t i = 0; i < inputs.size(); ++i)
      in.push_back(view(inputs[i], cnnc_model_input(m_, int32_t(i)), "input"));
    for (int32_t i = 0; i < numOut; ++i) {
      const cnnc_tensor_desc *d = cnnc_model_output(m_, i);
      outputs[i].shape.assign(d->shape, d->shape + d->rank);
      outputs[i].data.resize(size_t(cnnc_tensor_desc_num_elements(d)));
      out.push_back(view(outputs[i], d, "output"));
    }
    if (cnnc_model_run(m_, in.data(), int32_t(in.size()), out.data(), numOut) != 0)
      throw Error(cnnc_model_error(m_));
  }

  /// Threads used by later runs (0 = one per core).
  void setNumThreads(int n) {
    if (cnnc_model_set_num_threads(m_, n) != 0)
      throw Error(cnnc_model_error(m_));
  }

  /// The model's memory figures, or nullopt when it exports none.
  std::optional<cnnc_memory_stats> memoryStats() const {
    cnnc_memory_stats s;
    if (cnnc_model_get_memory_stats(m_, &s) != 0)
      return std::nullopt;
    return s;
  }
  /// The layer table and profiler of a model compiled with --profile, or null.
  const cnnc_profile_info *profileInfo() const { return cnnc_model_get_profile_info(m_); }

  cnnc_model *get() const { return m_; }

private:
  explicit Model(cnnc_model *m) : m_(m) {}

  template <typename Get>
  std::vector<TensorInfo> infos(int32_t n, Get get) const {
    std::vector<TensorInfo> v;
    for (int32_t i = 0; i < n; ++i) {
      const cnnc_tensor_desc *d = get(m_, i);
      v.push_back({d->name, d->dtype, {d->shape, d->shape + d->rank}});
    }
    return v;
  }

  // The C view of `t`. Shape checks are the runtime's; only the one thing it
  // cannot see, data length vs shape, is checked here (`want` is null for a
  // surplus tensor, which the runtime reports as a count error).
  static cnnc_tensor view(const Tensor &t, const cnnc_tensor_desc *want,
                          const char *kind) {
    if (want && int64_t(t.data.size()) != t.numElements())
      throw Error(std::string(kind) + " '" + want->name + "': shape needs " +
                  std::to_string(t.numElements()) + " values, got " +
                  std::to_string(t.data.size()));
    cnnc_tensor c{CNNC_F32, int32_t(t.shape.size()), {}, const_cast<float *>(t.data.data())};
    std::copy_n(t.shape.begin(), std::min<size_t>(t.shape.size(), CNNC_MAX_RANK), c.shape);
    return c;
  }

  cnnc_model *m_ = nullptr;
};

} // namespace cnnc

#endif // CNNC_RUNTIME_HPP
