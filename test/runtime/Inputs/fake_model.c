/* A hand-written stand-in for a compiled model: y = 2*x + 1 on f32[1,4].
 * Variants are built from this one file:
 *   -DFAKE_ABI=2   reports another ABI version;
 *   -DFAKE_FAIL=1  run always fails with a message;
 *   -DFAKE_FAIL=2  the same message, prefixed with the model name as cnnc's
 *                  generated glue does. */
#include "cnnc/model_abi.h"

#include <stdio.h>

#ifndef FAKE_ABI
#define FAKE_ABI CNNC_ABI_VERSION
#endif

static int num_threads = -1;

static int run(const void *const *inputs, void *const *outputs, char *err,
               size_t err_size) {
#ifdef FAKE_FAIL
  (void)inputs;
  (void)outputs;
  snprintf(err, err_size, "%sout of cheese", FAKE_FAIL == 2 ? "affine: " : "");
  return 1;
#else
  (void)err;
  (void)err_size;
  const float *x = inputs[0];
  float *y = outputs[0];
  for (int i = 0; i < 4; ++i)
    y[i] = 2.0f * x[i] + 1.0f;
  return 0;
#endif
}

static void set_num_threads(int n) { num_threads = n; }

/* Lets tests see what the runtime forwarded. */
int fake_num_threads(void) { return num_threads; }

static const cnnc_tensor_desc inputs[] = {{"x", CNNC_F32, 2, {1, 4}}};
static const cnnc_tensor_desc outputs[] = {{"y", CNNC_F32, 2, {1, 4}}};
static const cnnc_model_desc desc = {FAKE_ABI, "affine", 1, 1, inputs, outputs,
                                     run, set_num_threads};

const cnnc_model_desc *cnnc_model_describe(void) { return &desc; }
