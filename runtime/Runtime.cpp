//===- Runtime.cpp - libcnnrt: load, check and run compiled models --------===//
//
// Everything a model could get wrong (ABI, descriptor) is checked once at
// open; everything a caller could get wrong (count, dtype, shape, null data)
// is checked on every run, before the model touches a buffer.
//
//===----------------------------------------------------------------------===//

#include "cnnc/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

struct cnnc_model {
  void *dl = nullptr; // null for a statically linked model
  const cnnc_model_desc *desc = nullptr;
  // Optional additions of model_abi.h (null when the model lacks them).
  int (*memoryStats)(cnnc_memory_stats *, size_t) = nullptr;
  const cnnc_profile_info *profile = nullptr;
  mutable std::mutex mu; // guards err
  std::string err;
};

namespace {

constexpr int64_t kMaxElements = INT64_MAX / 16; // leaves room for byte sizes

void copyMessage(char *buf, size_t size, const std::string &msg) {
  if (buf && size > 0)
    std::snprintf(buf, size, "%s", msg.c_str());
}

// A dtype as the integer the caller stored: C callers may store any value,
// and loading an out-of-range enum is undefined in C++.
int dtypeValue(const cnnc_dtype &t) {
  std::underlying_type_t<cnnc_dtype> v;
  std::memcpy(&v, &t, sizeof v);
  return int(v);
}

bool knownDtype(const cnnc_dtype &t) { return dtypeValue(t) == CNNC_F32; }

std::string shapeString(cnnc_dtype dtype, int32_t rank, const int64_t *shape) {
  std::string s = cnnc_dtype_name(dtype);
  s += '[';
  for (int32_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + ']';
}

std::string plural(int32_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Why a tensor descriptor is unusable, or "" when it is fine.
std::string checkTensorDesc(const cnnc_tensor_desc &t, const char *kind,
                            int32_t index) {
  std::string where = std::string(kind) + " " + std::to_string(index);
  if (!t.name)
    return where + " has no name";
  if (!knownDtype(t.dtype))
    return where + " '" + t.name + "' has unknown dtype " +
           std::to_string(dtypeValue(t.dtype));
  if (t.rank < 0 || t.rank > CNNC_MAX_RANK)
    return where + " '" + t.name + "' has bad rank " + std::to_string(t.rank);
  int64_t n = 1;
  for (int32_t i = 0; i < t.rank; ++i) {
    if (t.shape[i] < 0 || (t.shape[i] > 0 && n > kMaxElements / t.shape[i]))
      return where + " '" + t.name + "' has bad shape " +
             shapeString(t.dtype, t.rank, t.shape);
    n *= t.shape[i];
  }
  return "";
}

// Why a model descriptor is unusable, or "" when this runtime can run it.
std::string checkDesc(const cnnc_model_desc *d) {
  if (d->abi_version != CNNC_ABI_VERSION)
    return "built for cnnc ABI " + std::to_string(d->abi_version) +
           ", this runtime speaks ABI " + std::to_string(CNNC_ABI_VERSION);
  if (!d->name)
    return "descriptor has no name";
  if (!d->run)
    return "descriptor has no run function";
  if (d->num_inputs < 0 || d->num_outputs < 0 ||
      (d->num_inputs > 0 && !d->inputs) || (d->num_outputs > 0 && !d->outputs))
    return "descriptor has bad input/output tables";
  for (int32_t i = 0; i < d->num_inputs; ++i)
    if (std::string why = checkTensorDesc(d->inputs[i], "input", i); !why.empty())
      return why;
  for (int32_t i = 0; i < d->num_outputs; ++i)
    if (std::string why = checkTensorDesc(d->outputs[i], "output", i); !why.empty())
      return why;
  return "";
}

// Why buffer `t` cannot stand for `want`, or "" when it matches. Runs on
// every cnnc_model_run, so the message is only built for a mismatch.
std::string checkTensor(const cnnc_tensor &t, const cnnc_tensor_desc &want,
                        const char *kind) {
  bool known = knownDtype(t.dtype), rankOk = t.rank >= 0 && t.rank <= CNNC_MAX_RANK;
  bool same = known && rankOk && dtypeValue(t.dtype) == dtypeValue(want.dtype) &&
              t.rank == want.rank && std::equal(want.shape, want.shape + want.rank, t.shape);
  bool data = t.data || cnnc_tensor_desc_num_elements(&want) == 0;
  if (same && data)
    return "";
  std::string where = std::string(kind) + " '" + want.name + "': ";
  if (!known)
    return where + "unknown dtype " + std::to_string(dtypeValue(t.dtype));
  std::string expected = shapeString(want.dtype, want.rank, want.shape);
  if (!rankOk)
    return where + "expected " + expected + ", got rank " + std::to_string(t.rank);
  if (!same)
    return where + "expected " + expected + ", got " +
           shapeString(t.dtype, t.rank, t.shape);
  return where + "null data";
}

void setError(const cnnc_model *m, std::string msg) {
  std::lock_guard<std::mutex> lock(m->mu);
  const_cast<cnnc_model *>(m)->err = std::move(msg);
}

// Shared tail of open/from_desc: validates and wraps, or reports and frees.
cnnc_model *wrap(void *dl, const cnnc_model_desc *desc, const std::string &origin,
                 char *err, size_t err_size) {
  std::string why = desc ? checkDesc(desc) : "no model descriptor";
  if (!why.empty()) {
    copyMessage(err, err_size, origin + ": " + why);
    if (dl)
      dlclose(dl);
    return nullptr;
  }
  auto *m = new cnnc_model;
  m->dl = dl;
  m->desc = desc;
  return m;
}

// `p` when this runtime can read it (versions only grow at the end).
const cnnc_profile_info *usableProfile(const cnnc_profile_info *p) {
  if (!p || p->version < 1 || p->num_layers < 0 || (p->num_layers > 0 && !p->layers) ||
      !p->read || !p->reset || !p->sample_interval)
    return nullptr;
  return p;
}

} // namespace

extern "C" {

cnnc_model *cnnc_model_open(const char *path, char *err, size_t err_size) try {
  if (!path) {
    copyMessage(err, err_size, "null model path");
    return nullptr;
  }
  // Without a slash dlopen searches the library path, not the directory the
  // user is looking at.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  void *dl = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    const char *why = dlerror();
    copyMessage(err, err_size, why ? why : std::string(path) + ": cannot load");
    return nullptr;
  }
  using DescribeFn = const cnnc_model_desc *(*)();
  auto describe = reinterpret_cast<DescribeFn>(dlsym(dl, "cnnc_model_describe"));
  if (!describe) {
    copyMessage(err, err_size,
                std::string(path) + ": not a cnnc model (no cnnc_model_describe symbol)");
    dlclose(dl);
    return nullptr;
  }
  cnnc_model *m = wrap(dl, describe(), path, err, err_size);
  if (m) {
    m->memoryStats = reinterpret_cast<int (*)(cnnc_memory_stats *, size_t)>(
        dlsym(dl, "cnnc_model_memory_stats"));
    using ProfileFn = const cnnc_profile_info *(*)();
    if (auto info = reinterpret_cast<ProfileFn>(dlsym(dl, "cnnc_model_profile_info")))
      m->profile = usableProfile(info());
  }
  return m;
} catch (...) {
  copyMessage(err, err_size, "out of memory");
  return nullptr;
}

cnnc_model *cnnc_model_from_desc(const cnnc_model_desc *desc, char *err,
                                 size_t err_size) try {
  return wrap(nullptr, desc, desc && desc->name ? desc->name : "model", err,
              err_size);
} catch (...) {
  copyMessage(err, err_size, "out of memory");
  return nullptr;
}

void cnnc_model_close(cnnc_model *m) {
  if (!m)
    return;
  if (m->dl)
    dlclose(m->dl);
  delete m;
}

const char *cnnc_model_name(const cnnc_model *m) { return m->desc->name; }
int32_t cnnc_model_num_inputs(const cnnc_model *m) { return m->desc->num_inputs; }
int32_t cnnc_model_num_outputs(const cnnc_model *m) { return m->desc->num_outputs; }

const cnnc_tensor_desc *cnnc_model_input(const cnnc_model *m, int32_t i) {
  return i >= 0 && i < m->desc->num_inputs ? &m->desc->inputs[i] : nullptr;
}

const cnnc_tensor_desc *cnnc_model_output(const cnnc_model *m, int32_t i) {
  return i >= 0 && i < m->desc->num_outputs ? &m->desc->outputs[i] : nullptr;
}

int cnnc_model_run(cnnc_model *m, const cnnc_tensor *inputs, int32_t num_inputs,
                   cnnc_tensor *outputs, int32_t num_outputs) try {
  const cnnc_model_desc &d = *m->desc;
  auto fail = [&](std::string msg) {
    setError(m, std::move(msg));
    return -1;
  };
  if (num_inputs != d.num_inputs)
    return fail("expected " + plural(d.num_inputs, "input") + ", got " +
                std::to_string(num_inputs));
  if (num_outputs != d.num_outputs)
    return fail("expected " + plural(d.num_outputs, "output") + ", got " +
                std::to_string(num_outputs));
  if ((num_inputs > 0 && !inputs) || (num_outputs > 0 && !outputs))
    return fail("null tensor array");
  std::vector<const void *> in(num_inputs);
  std::vector<void *> out(num_outputs);
  for (int32_t i = 0; i < num_inputs; ++i) {
    if (std::string why = checkTensor(inputs[i], d.inputs[i], "input"); !why.empty())
      return fail(why);
    in[i] = inputs[i].data;
  }
  for (int32_t i = 0; i < num_outputs; ++i) {
    if (std::string why = checkTensor(outputs[i], d.outputs[i], "output"); !why.empty())
      return fail(why);
    out[i] = outputs[i].data;
  }
  char msg[1024] = "";
  if (d.run(in.data(), out.data(), msg, sizeof msg) != 0) {
    // Name the model, unless its message already does (cnnc's glue code).
    std::string prefix = std::string(d.name) + ": ";
    std::string text = msg[0] ? msg : "run failed";
    return fail(text.rfind(prefix, 0) == 0 ? text : prefix + text);
  }
  return 0;
} catch (...) {
  return -1; // only allocation can throw; nothing sensible to record
}

const char *cnnc_model_error(const cnnc_model *m) {
  static thread_local std::string copy;
  if (!m)
    return "null model handle";
  std::lock_guard<std::mutex> lock(m->mu);
  copy = m->err;
  return copy.c_str();
}

int cnnc_model_set_num_threads(cnnc_model *m, int num_threads) {
  if (num_threads < 0) {
    setError(m, "bad thread count " + std::to_string(num_threads));
    return -1;
  }
  if (m->desc->set_num_threads)
    m->desc->set_num_threads(num_threads);
  return 0;
}

int cnnc_model_get_memory_stats(cnnc_model *m, cnnc_memory_stats *out) {
  if (!m->memoryStats) {
    setError(m, std::string(m->desc->name) + ": the model has no memory statistics "
                "(compiled by an older cnnc, or statically linked)");
    return -1;
  }
  std::memset(out, 0, sizeof *out);
  return m->memoryStats(out, sizeof *out) == 0 ? 0 : -1;
}

const cnnc_profile_info *cnnc_model_get_profile_info(const cnnc_model *m) {
  return m->profile;
}

int64_t cnnc_tensor_desc_num_elements(const cnnc_tensor_desc *d) {
  int64_t n = 1;
  for (int32_t i = 0; i < d->rank; ++i)
    n *= d->shape[i];
  return n;
}

const char *cnnc_dtype_name(cnnc_dtype dtype) {
  return knownDtype(dtype) ? "f32" : "?";
}

} // extern "C"
