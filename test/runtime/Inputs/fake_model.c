/* A hand-written stand-in for a compiled model: y = 2*x + 1 on f32[1,4].
 * Variants are built from this one file:
 *   -DFAKE_ABI=2   reports another ABI version;
 *   -DFAKE_FAIL=1  run always fails with a message;
 *   -DFAKE_FAIL=2  the same message, prefixed with the model name as cnnc's
 *                  generated glue does;
 *   -DFAKE_EXTRAS=1 also exports the optional additions of model_abi.h with
 *                  fixed figures (memory statistics; a profile of 2 layers
 *                  whose profiler reports fixed times);
 *   -DFAKE_EXTRAS=2 exports a profile info this runtime cannot use (no read
 *                  function). */
#include "cnnc/model_abi.h"

#include <stdio.h>
#include <string.h>

#ifndef FAKE_ABI
#define FAKE_ABI CNNC_ABI_VERSION
#endif

static int num_threads = -1;
static int runs_since_reset;

static int run(const void *const *inputs, void *const *outputs, char *err,
               size_t err_size) {
  ++runs_since_reset;
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

#ifdef FAKE_EXTRAS
int cnnc_model_memory_stats(cnnc_memory_stats *out, size_t size) {
  cnnc_memory_stats s = {CNNC_MEMORY_STATS_VERSION, 1 << 20, {3 << 20, 1 << 20}, {"conv", "x"},
                         4 << 20, 9 << 19, 4 << 20};
  memcpy(out, &s, size < sizeof s ? size : sizeof s);
  return 0;
}

/* Per run: conv 2 GFLOP in 40/3 ms, relu 1 MFLOP never sampled. */
static const char *const conv_funcs[] = {"conv_acc", "conv_out"};
static const char *const relu_funcs[] = {"relu"};
static const cnnc_layer_info layers[] = {{"conv", "conv2d", 2e9, 2, conv_funcs},
                                         {"relu", "relu", 1e6, 1, relu_funcs}};
static int interval = 1000;

static int32_t read_profile(cnnc_func_sample *out, int32_t max, int32_t *runs, int32_t *samples,
                            uint64_t *total_ns) {
  static const cnnc_func_sample funcs[] = {{"overhead", 1000000},
                                           {"conv_acc", 30000000},
                                           {"halide_malloc", 2000000},
                                           {"conv_out", 10000000},
                                           {"relu", 0}};
  int32_t n = (int32_t)(sizeof funcs / sizeof funcs[0]);
  for (int32_t i = 0; i < n && i < max; ++i)
    out[i] = funcs[i];
  if (runs)
    *runs = runs_since_reset;
  if (samples)
    *samples = 43;
  if (total_ns)
    *total_ns = 43000000;
  return n;
}

static void reset_profile(void) { runs_since_reset = 0; }

static int32_t sample_interval(int32_t us) {
  int32_t old = interval;
  if (us > 0)
    interval = us;
  return old;
}

static const cnnc_profile_info profile = {CNNC_PROFILE_INFO_VERSION, 2, layers,
#if FAKE_EXTRAS == 2
                                          0,
#else
                                          read_profile,
#endif
                                          reset_profile, sample_interval};

const cnnc_profile_info *cnnc_model_profile_info(void) { return &profile; }
#endif
