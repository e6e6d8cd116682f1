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

#ifdef __cplusplus
}
#endif

#endif /* CNNC_MODEL_ABI_H */
