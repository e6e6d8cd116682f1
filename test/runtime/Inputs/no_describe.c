/* A shared library that is not a cnnc model: no cnnc_model_describe. */
int not_a_model(void) { return 0; }
