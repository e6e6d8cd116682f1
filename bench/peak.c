/* FP32 FMA peak of this machine: independent AVX-512 (or AVX2) FMA chains,
 * one per thread. Prints GFLOP/s for 1..N threads as "threads:gflops".
 * Build: cc -O2 -march=native -pthread peak.c -o peak */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERS 100000000L
#ifdef __AVX512F__
typedef __m512 vec;
#define LANES 16
#define FMA _mm512_fmadd_ps
#define SET1 _mm512_set1_ps
#define ADD _mm512_add_ps
#define SUM(v) _mm512_reduce_add_ps(v)
#else
typedef __m256 vec;
#define LANES 8
#define FMA _mm256_fmadd_ps
#define SET1 _mm256_set1_ps
#define ADD _mm256_add_ps
static float SUM(__m256 v) { float t[8]; _mm256_storeu_ps(t, v); return t[0] + t[7]; }
#endif

static volatile float sink;
static long iters = ITERS;

static void *work(void *arg) {
  (void)arg;
  vec a = SET1(1.0000001f), b = SET1(0.9999999f);
  vec c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4), c5 = SET1(5),
      c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9), c10 = SET1(10), c11 = SET1(11);
  for (long i = 0; i < iters; ++i) {
    c0 = FMA(a, c0, b); c1 = FMA(a, c1, b); c2 = FMA(a, c2, b); c3 = FMA(a, c3, b);
    c4 = FMA(a, c4, b); c5 = FMA(a, c5, b); c6 = FMA(a, c6, b); c7 = FMA(a, c7, b);
    c8 = FMA(a, c8, b); c9 = FMA(a, c9, b); c10 = FMA(a, c10, b); c11 = FMA(a, c11, b);
  }
  vec s = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7)));
  s = ADD(s, ADD(ADD(c8, c9), ADD(c10, c11)));
  sink = SUM(s);
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int maxThreads = argc > 1 ? atoi(argv[1]) : 2;
  if (argc > 2)
    iters = atol(argv[2]);
  for (int n = 1; n <= maxThreads; ++n) {
    pthread_t th[64];
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
      double t = now();
      for (int k = 0; k < n; ++k)
        pthread_create(&th[k], 0, work, 0);
      for (int k = 0; k < n; ++k)
        pthread_join(th[k], 0);
      double g = 12.0 * 2 * LANES * iters * n / (now() - t) / 1e9;
      if (g > best)
        best = g;
    }
    printf("%d:%.1f\n", n, best);
  }
  return 0;
}
