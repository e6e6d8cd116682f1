/* The README's "embed it in your app" program: load a model, run it once. */
#include <cnnc/runtime.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  char err[256];
  cnnc_model *m = cnnc_model_open(argc > 1 ? argv[1] : "model.so", err, sizeof err);
  if (!m) { fprintf(stderr, "%s\n", err); return 1; }
  const cnnc_tensor_desc *xd = cnnc_model_input(m, 0), *yd = cnnc_model_output(m, 0);
  cnnc_tensor x = {CNNC_F32, xd->rank, {0}, calloc(cnnc_tensor_desc_num_elements(xd), 4)};
  cnnc_tensor y = {CNNC_F32, yd->rank, {0}, calloc(cnnc_tensor_desc_num_elements(yd), 4)};
  for (int i = 0; i < xd->rank; ++i) x.shape[i] = xd->shape[i];
  for (int i = 0; i < yd->rank; ++i) y.shape[i] = yd->shape[i];
  if (cnnc_model_run(m, &x, 1, &y, 1) != 0) { fprintf(stderr, "%s\n", cnnc_model_error(m)); return 1; }
  printf("%s[0] = %g\n", yd->name, ((float *)y.data)[0]);
  cnnc_model_close(m);
  return 0;
}
