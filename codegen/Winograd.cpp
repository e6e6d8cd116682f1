//===- Winograd.cpp - the transforms of Winograd F(2x2, 3x3) --------------===//
#include "codegen/Winograd.h"

namespace cnnc::codegen::winograd {
namespace {

// The matrices of F(2, 3) (Lavin & Gray, section 4.1).
constexpr float kBT[kIn][kIn] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
constexpr float kG[kIn][kTaps] = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
constexpr float kAT[kOut][kIn] = {{1, 1, 1, 0}, {0, 1, -1, -1}};

/// sum over k of coef(k) * term(k), skipping zero coefficients, so that the
/// Expr holds only the additions the tables call for.
Halide::Expr weightedSum(int n, const std::function<float(int)> &coef,
                         const std::function<Halide::Expr(int)> &term) {
  Halide::Expr sum;
  for (int k = 0; k < n; ++k) {
    float c = coef(k);
    if (c == 0)
      continue;
    Halide::Expr t = term(k);
    if (c != 1 && c != -1)
      t = c * t;
    if (!sum.defined())
      sum = c == -1 ? -t : t;
    else
      sum = c == -1 ? sum - t : sum + t;
  }
  return sum.defined() ? sum : Halide::Expr(0.0f);
}

} // namespace

std::array<float, kPoints> filterTransform(const float *g) {
  double gGt[kIn][kTaps] = {}; // G g
  for (int a = 0; a < kIn; ++a)
    for (int l = 0; l < kTaps; ++l)
      for (int k = 0; k < kTaps; ++k)
        gGt[a][l] += double(kG[a][k]) * g[k * kTaps + l];
  std::array<float, kPoints> u{};
  for (int a = 0; a < kIn; ++a)
    for (int b = 0; b < kIn; ++b) {
      double s = 0;
      for (int l = 0; l < kTaps; ++l)
        s += gGt[a][l] * kG[b][l];
      u[a * kIn + b] = float(s);
    }
  return u;
}

Halide::Expr inputTransform(int e, const std::function<Halide::Expr(int, int)> &d) {
  int a = e / kIn, b = e % kIn;
  return weightedSum(kIn, [&](int r) { return kBT[a][r]; }, [&](int r) {
    return weightedSum(kIn, [&](int c) { return kBT[b][c]; }, [&](int c) { return d(r, c); });
  });
}

Halide::Expr outputTransform(int i, int j, const std::function<Halide::Expr(int)> &m) {
  return weightedSum(kIn, [&](int a) { return kAT[i][a]; }, [&](int a) {
    return weightedSum(kIn, [&](int b) { return kAT[j][b]; }, [&](int b) { return m(a * kIn + b); });
  });
}

} // namespace cnnc::codegen::winograd
