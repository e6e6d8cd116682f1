/* embed.c - run a compiled model from a C program through libcnnrt.
 *
 *   cc embed.c -I<cnnc>/runtime/include -L<lib dir> -lcnnrt && ./a.out model.so
 *
 * or, with the model linked in (cnnc --emit=static-lib -o model.a writes
 * model.a and model.h declaring cnnc_<name>_describe):
 *
 *   cc embed.c -DCNNC_MODEL_HEADER='"model.h"' \
 *      -DCNNC_MODEL_DESCRIBE=cnnc_<name>_describe -I<cnnc>/runtime/include \
 *      model.a -L<lib dir> -lcnnrt -lpthread -ldl && ./a.out
 *
 * Feeds every input with 1.0f and prints the first values of each output. */
#include <cnnc/runtime.h>

#include <stdio.h>
#include <stdlib.h>

#ifdef CNNC_MODEL_DESCRIBE
#include CNNC_MODEL_HEADER
#endif

/* A buffer shaped like `d`, filled with `value`. */
static cnnc_tensor make_tensor(const cnnc_tensor_desc *d, float value) {
  int64_t n = cnnc_tensor_desc_num_elements(d);
  cnnc_tensor t = {d->dtype, d->rank, {0}, malloc((size_t)n * sizeof(float) + 1)};
  for (int i = 0; i < d->rank; ++i)
    t.shape[i] = d->shape[i];
  for (int64_t k = 0; k < n; ++k)
    ((float *)t.data)[k] = value;
  return t;
}

/* The model of the command line, or the one linked in. */
static cnnc_model *open_model(int argc, char **argv, char *err, size_t err_size) {
#ifdef CNNC_MODEL_DESCRIBE
  (void)argv;
  return argc == 1 ? cnnc_model_from_desc(CNNC_MODEL_DESCRIBE(), err, err_size) : NULL;
#else
  return argc == 2 ? cnnc_model_open(argv[1], err, err_size) : NULL;
#endif
}

int main(int argc, char **argv) {
  char err[512] = "usage: embed MODEL.so (or no argument with a linked-in model)";
  cnnc_model *m = open_model(argc, argv, err, sizeof err);
  if (!m) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  int nin = cnnc_model_num_inputs(m), nout = cnnc_model_num_outputs(m);
  cnnc_tensor *in = calloc((size_t)nin + 1, sizeof *in), *out = calloc((size_t)nout + 1, sizeof *out);
  for (int i = 0; i < nin; ++i)
    in[i] = make_tensor(cnnc_model_input(m, i), 1.0f);
  for (int i = 0; i < nout; ++i)
    out[i] = make_tensor(cnnc_model_output(m, i), 0.0f);

  int rc = cnnc_model_run(m, in, nin, out, nout);
  if (rc != 0)
    fprintf(stderr, "%s\n", cnnc_model_error(m));
  for (int i = 0; rc == 0 && i < nout; ++i) {
    const cnnc_tensor_desc *d = cnnc_model_output(m, i);
    printf("%s:", d->name);
    for (int64_t k = 0; k < cnnc_tensor_desc_num_elements(d) && k < 8; ++k)
      printf(" %g", ((const float *)out[i].data)[k]);
    printf("\n");
  }

  for (int i = 0; i < nin; ++i)
    free(in[i].data);
  for (int i = 0; i < nout; ++i)
    free(out[i].data);
  free(in);
  free(out);
  cnnc_model_close(m);
  return rc == 0 ? 0 : 1;
}
