/*===- cnnc/runtime.h - load and run compiled cnnc models ---------*- C -*-===*
 *
 * libcnnrt: the checked front door to a compiled model. It opens a model .so
 * (or wraps a statically linked model's descriptor), verifies that it speaks
 * this runtime's ABI, and validates every buffer the caller passes before the
 * model sees it, so a wrong shape is an error message rather than a crash.
 *
 *   char err[256];
 *   cnnc_model *m = cnnc_model_open("model.so", err, sizeof err);
 *   if (!m) { fprintf(stderr, "%s\n", err); return 1; }
 *   cnnc_tensor x = {CNNC_F32, 2, {1, 4}, xdata}, y = {CNNC_F32, 2, {1, 4}, ydata};
 *   if (cnnc_model_run(m, &x, 1, &y, 1) != 0)
 *     fprintf(stderr, "%s\n", cnnc_model_error(m));
 *   cnnc_model_close(m);
 *
 * Unless a function says otherwise, `m` must be an open handle (not NULL).
 *
 * Thread safety: a handle may be run from several threads at once (the
 * model's run is thread-safe and the runtime keeps no per-run state besides
 * the error message, which is guarded). Opening and closing are not
 * synchronised with running: close a handle only when no call on it is in
 * flight.
 *===----------------------------------------------------------------------===*/
#ifndef CNNC_RUNTIME_H
#define CNNC_RUNTIME_H

#include "cnnc/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CNNC_RT_API
#else
#define CNNC_RT_API __attribute__((visibility("default")))
#endif

/* An opened model. Opaque; one per cnnc_model_open / cnnc_model_from_desc. */
typedef struct cnnc_model cnnc_model;

/* A caller-owned buffer handed to cnnc_model_run: dense, row-major, `rank`
 * dimensions in shape[0..rank). Inputs are only read through `data`. */
typedef struct cnnc_tensor {
  cnnc_dtype dtype;
  int32_t rank;
  int64_t shape[CNNC_MAX_RANK];
  void *data;
} cnnc_tensor;

/* Loads the model .so at `path` (dlopen RTLD_NOW | RTLD_LOCAL, so models with
 * their own Halide runtimes coexist), looks up `cnnc_model_describe`, checks
 * its ABI version and that its descriptor is well formed. Returns NULL on
 * failure and, when err is non-NULL, writes a NUL-terminated message of at
 * most err_size bytes, e.g. "model.so: built for cnnc ABI 2, this runtime
 * speaks ABI 1". */
CNNC_RT_API cnnc_model *cnnc_model_open(const char *path, char *err,
                                        size_t err_size);

/* Wraps the descriptor of a statically linked model (what its
 * `cnnc_<model>_describe()` returns) with the same checks as cnnc_model_open.
 * The descriptor must outlive the handle. NULL + message on failure. */
CNNC_RT_API cnnc_model *cnnc_model_from_desc(const cnnc_model_desc *desc,
                                             char *err, size_t err_size);

/* Releases the handle (and unloads the .so once no other handle uses it).
 * NULL is ignored. Pointers obtained from the handle become invalid. */
CNNC_RT_API void cnnc_model_close(cnnc_model *m);

/* The network's name; valid while the handle is open. */
CNNC_RT_API const char *cnnc_model_name(const cnnc_model *m);

/* Number of inputs / outputs the model takes / produces. */
CNNC_RT_API int32_t cnnc_model_num_inputs(const cnnc_model *m);
CNNC_RT_API int32_t cnnc_model_num_outputs(const cnnc_model *m);

/* Description of input / output i (name, dtype, shape), or NULL when i is out
 * of range. Valid while the handle is open. */
CNNC_RT_API const cnnc_tensor_desc *cnnc_model_input(const cnnc_model *m,
                                                     int32_t i);
CNNC_RT_API const cnnc_tensor_desc *cnnc_model_output(const cnnc_model *m,
                                                      int32_t i);

/* Runs the model. `inputs` / `outputs` hold exactly num_inputs /
 * num_outputs caller-owned buffers in the model's order; each one's dtype,
 * rank, shape and data pointer is checked before anything runs. Returns 0 on
 * success; otherwise -1, and cnnc_model_error tells why (e.g. "input 'x':
 * expected f32[1,3,224,224], got f32[1,3,224,225]"). */
CNNC_RT_API int cnnc_model_run(cnnc_model *m, const cnnc_tensor *inputs,
                               int32_t num_inputs, cnnc_tensor *outputs,
                               int32_t num_outputs);

/* The message of the most recent failed call on this handle ("" if none). The
 * text is copied into storage owned by the calling thread, valid until that
 * thread's next cnnc_model_error call, so reading it is safe while other
 * threads run the handle; with several threads failing on one handle it is
 * whichever failure came last. */
CNNC_RT_API const char *cnnc_model_error(const cnnc_model *m);

/* Number of threads later runs of this model use (0 = one per core). The
 * setting belongs to the model's own runtime, so it is shared by all handles
 * of the same .so. Returns 0, or -1 (see cnnc_model_error) when
 * num_threads < 0. A model without thread control ignores it. */
CNNC_RT_API int cnnc_model_set_num_threads(cnnc_model *m, int num_threads);

/* The model's memory figures (cnnc_memory_stats in model_abi.h: embedded
 * weights, the two largest activations, what its buffer pool holds). Returns
 * 0, or -1 (see cnnc_model_error) when the model does not export them: built
 * before they existed, or opened with cnnc_model_from_desc. */
CNNC_RT_API int cnnc_model_get_memory_stats(cnnc_model *m,
                                            cnnc_memory_stats *out);

/* The layer table and profiler access of a model compiled with
 * `cnnc --profile` (cnnc_profile_info in model_abi.h), or NULL for any other
 * model. Valid while the handle is open. */
CNNC_RT_API const cnnc_profile_info *
cnnc_model_get_profile_info(const cnnc_model *m);

/* Elements described by a tensor descriptor (product of its shape). */
CNNC_RT_API int64_t cnnc_tensor_desc_num_elements(const cnnc_tensor_desc *d);

/* Short name of a dtype ("f32"), or "?" for an unknown one. */
CNNC_RT_API const char *cnnc_dtype_name(cnnc_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RUNTIME_H */
