/* A fake model with two inputs and two outputs:
 *   sum[i][j] = a[i][j] + b[j]   (a: f32[2,3], b: f32[3])
 *   total[0]  = sum of all of a */
#include "cnnc/model_abi.h"

static int run(const void *const *inputs, void *const *outputs, char *err,
               size_t err_size) {
  (void)err;
  (void)err_size;
  const float *a = inputs[0], *b = inputs[1];
  float *sum = outputs[0], *total = outputs[1];
  total[0] = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      sum[i * 3 + j] = a[i * 3 + j] + b[j];
      total[0] += a[i * 3 + j];
    }
  return 0;
}

static const cnnc_tensor_desc inputs[] = {{"a", CNNC_F32, 2, {2, 3}},
                                          {"b", CNNC_F32, 1, {3}}};
static const cnnc_tensor_desc outputs[] = {{"sum", CNNC_F32, 2, {2, 3}},
                                           {"total", CNNC_F32, 1, {1}}};
static const cnnc_model_desc desc = {CNNC_ABI_VERSION, "two_io", 2, 2, inputs,
                                     outputs, run, 0};

const cnnc_model_desc *cnnc_model_describe(void) { return &desc; }
