/*===- cnnc/model_abi.h - what every compiled model exports -------*- C -*-===*
 *
 * A model compiled by cnnc (a .so, an object or a static library) exports one
 * function that describes it. The runtime (libcnnrt) dlopens a .so, looks up
 * `cnnc_model_describe`, and refuses a model whose abi_version differs from
 * CNNC_ABI_VERSION. Static libraries and objects export the same function
 * under the name `cnnc_<model>_describe` so several models link into one app.
 *
 * Tensors are dense, row-major, caller-owned buffers of dtype elements.
 *===----------------------------------------------------------------------===*/
#ifndef CNNC_MODEL_ABI_H
#define CNNC_MODEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNNC_ABI_VERSION 1u
#define CNNC_MAX_RANK 8

typedef enum cnnc_dtype { CNNC_F32 = 1 } cnnc_dtype;

typedef struct cnnc_tensor_desc {
  const char *name;
  cnnc_dtype dtype;
  int32_t rank;
  int64_t shape[CNNC_MAX_RANK];
} cnnc_tensor_desc;

typedef struct cnnc_model_desc {
  uint32_t abi_version; /* CNNC_ABI_VERSION of the compiler that built it */
  const char *name;     /* the network's name */
  int32_t num_inputs;
  int32_t num_outputs;
  const cnnc_tensor_desc *inputs;
  const cnnc_tensor_desc *outputs;
  /* Runs the network on buffers of exactly the described shapes (the caller
   * checks them). Returns 0 on success; otherwise writes a message of at most
   * err_size bytes (NUL-terminated) into err. Thread-safe. */
  int (*run)(const void *const *inputs, void *const *outputs, char *err,
             size_t err_size);
  /* Threads used by later runs (0 = one per core). */
  void (*set_num_threads)(int num_threads);
} cnnc_model_desc;

/* The entry point of a model .so. */
const cnnc_model_desc *cnnc_model_describe(void);

/*===--- Optional additions -----------------------------------------------===*
 * Functions a model may export besides cnnc_model_describe (static libraries
 * and objects: cnnc_<model>_memory_stats, cnnc_<model>_profile_info). Models
 * built before them lack the symbols, so they are looked up with dlsym and
 * their absence is not an error; CNNC_ABI_VERSION stays 1. Each structure
 * carries its own version and only ever grows at the end.
 *===----------------------------------------------------------------------===*/

#define CNNC_MEMORY_STATS_VERSION 1u

/* Memory of a model: compile-time figures and what its allocator has held. */
typedef struct cnnc_memory_stats {
  uint32_t version; /* CNNC_MEMORY_STATS_VERSION of the model */
  /* Constant data embedded in the model: the weights as the kernels read
   * them (packed in channel blocks, Winograd-transformed, ...). */
  uint64_t weight_bytes;
  /* The two largest activation tensors (network inputs and results of fused
   * layers read outside their layer), and the layers producing them. */
  uint64_t activation_bytes[2];
  const char *activation_names[2];
  /* Intermediate buffers: bytes the model's buffer arena (and blocks taken
   * from the system while it grows) holds now / has held at most (kept for
   * later runs), and the most bytes handed out to running pipelines at once
   * (what a perfect allocator would hold). */
  uint64_t pool_bytes;
  uint64_t pool_peak_bytes;
  uint64_t live_peak_bytes;
} cnnc_memory_stats;

/* Fills the first `size` bytes of *out (pass sizeof *out). Returns 0. */
int cnnc_model_memory_stats(cnnc_memory_stats *out, size_t size);

#define CNNC_PROFILE_INFO_VERSION 1u

/* A fused layer of a model compiled with `cnnc --profile`. */
typedef struct cnnc_layer_info {
  const char *name;         /* layer name from the network source */
  const char *op;           /* op kinds it computes, e.g. "conv2d+add+relu" */
  double flops;             /* per run: 2 per multiply-add, ~1 per element */
  int32_t num_funcs;
  const char *const *funcs; /* the Halide Funcs computing it */
} cnnc_layer_info;

/* One Func's share of the Halide profiler's samples. */
typedef struct cnnc_func_sample {
  const char *name; /* Halide Func; "overhead": time in no Func */
  uint64_t time_ns; /* sampled wall time since the last reset, all runs */
} cnnc_func_sample;

typedef struct cnnc_profile_info {
  uint32_t version; /* CNNC_PROFILE_INFO_VERSION of the model */
  int32_t num_layers;
  const cnnc_layer_info *layers;
  /* Reads the profiler's per-Func times: writes up to `max` entries of out
   * and returns the pipeline's number of Funcs, or -1 before any run.
   * *runs, *samples and *total_ns (each may be NULL) receive the runs since
   * the last reset, the samples taken and the sampled total. */
  int32_t (*read)(cnnc_func_sample *out, int32_t max, int32_t *runs,
                  int32_t *samples, uint64_t *total_ns);
  /* Discards what the profiler has gathered (e.g. after a warm-up run). */
  void (*reset)(void);
  /* Sets the time between samples in microseconds (Halide's default: 1000)
   * when us > 0; returns the previous value. */
  int32_t (*sample_interval)(int32_t us);
} cnnc_profile_info;

/* Present only in models compiled with --profile. */
const cnnc_profile_info *cnnc_model_profile_info(void);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_MODEL_ABI_H */
