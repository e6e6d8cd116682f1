//===- Peak.cpp - the machine's f32 FMA peak, measured --------------------===//
//
// Twelve independent FMA chains per thread (as bench/peak.c), run on the
// widest vector unit the CPU has: each kernel is compiled for its ISA with a
// target attribute and only called when the CPU reports the ISA, so the
// rest of cnnc-run runs on any x86-64 (and the scalar loop anywhere).
//
//===----------------------------------------------------------------------===//
#include "tools/run/Profile.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CNNC_X86 1
#endif

namespace cnnc::run {
namespace {

volatile float sink;

#if CNNC_X86
// Returns the FLOPs done: 12 chains x 16 lanes x 2 per FMA x iters.
__attribute__((target("avx512f"))) double fmaAvx512(long iters) {
  __m512 a = _mm512_set1_ps(1.0000001f), b = _mm512_set1_ps(0.9999999f);
  __m512 c[12];
  for (int k = 0; k < 12; ++k)
    c[k] = _mm512_set1_ps(float(k));
  for (long i = 0; i < iters; ++i)
    for (int k = 0; k < 12; ++k) // unrolled by the compiler: 12 registers
      c[k] = _mm512_fmadd_ps(a, c[k], b);
  __m512 s = c[0];
  for (int k = 1; k < 12; ++k)
    s = _mm512_add_ps(s, c[k]);
  sink = _mm512_reduce_add_ps(s);
  return 12.0 * 16 * 2 * double(iters);
}

__attribute__((target("avx2,fma"))) double fmaAvx2(long iters) {
  __m256 a = _mm256_set1_ps(1.0000001f), b = _mm256_set1_ps(0.9999999f);
  __m256 c[12];
  for (int k = 0; k < 12; ++k)
    c[k] = _mm256_set1_ps(float(k));
  for (long i = 0; i < iters; ++i)
    for (int k = 0; k < 12; ++k)
      c[k] = _mm256_fmadd_ps(a, c[k], b);
  __m256 s = c[0];
  for (int k = 1; k < 12; ++k)
    s = _mm256_add_ps(s, c[k]);
  float t[8];
  _mm256_storeu_ps(t, s);
  sink = t[0] + t[7];
  return 12.0 * 8 * 2 * double(iters);
}
#endif

double fmaScalar(long iters) {
  float a = 1.0000001f, b = 0.9999999f, c[12];
  for (int k = 0; k < 12; ++k)
    c[k] = float(k);
  for (long i = 0; i < iters; ++i)
    for (int k = 0; k < 12; ++k)
      c[k] = a * c[k] + b;
  float s = 0;
  for (float v : c)
    s += v;
  sink = s;
  return 12.0 * 2 * double(iters);
}

using Kernel = double (*)(long);

/// GFLOP/s of `threads` threads each running `kernel` for `iters`.
double run(Kernel kernel, int threads, long iters) {
  std::vector<std::thread> pool;
  std::vector<double> flops(size_t(threads), 0.0);
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { flops[size_t(t)] = kernel(iters); });
  for (std::thread &th : pool)
    th.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double total = 0;
  for (double f : flops)
    total += f;
  return total / s / 1e9;
}

} // namespace

Peak measurePeak(int threads) {
  Kernel kernel = fmaScalar;
  Peak p{0, "scalar"};
#if CNNC_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    kernel = fmaAvx512;
    p.isa = "AVX-512";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = fmaAvx2;
    p.isa = "AVX2";
  } else {
    p.isa = "scalar (no AVX2/AVX-512)";
  }
#endif
  threads = std::max(1, threads);
  // Calibrate to ~60 ms per repetition, then keep the best of three.
  long iters = 1 << 16;
  double probe = run(kernel, 1, iters); // GFLOP/s of one thread
  double perIter = kernel == fmaScalar ? 24.0 : p.isa == "AVX2" ? 192.0 : 384.0;
  iters = std::max(1L << 16, long(probe * 1e9 * 0.06 / perIter));
  for (int rep = 0; rep < 3; ++rep)
    p.gflops = std::max(p.gflops, run(kernel, threads, iters));
  return p;
}

} // namespace cnnc::run
