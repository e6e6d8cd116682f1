//===- Winograd.cpp - the transforms of Winograd F(m x m, r x r) ----------===//
#include "codegen/Winograd.h"
#include "ir/ShapeInference.h"

#include <cmath>

namespace cnnc::codegen::winograd {
namespace {

/// The matrices of one F(m, r), row-major: B^T (in x in), G (in x r),
/// A^T (m x in).
struct Tables {
  std::vector<double> bt, g, at;
};

/// The modified Toom-Cook construction of F(m, r) from in - 1 finite
/// interpolation points p and the point at infinity (Lavin & Gray, section
/// 4; at 0, +-1 it gives their F(2, 3) tables, at 0, +-1, +-2 their F(4, 3)):
/// A^T[i][j] = p_j^i; G[j] = (1, p_j, .., p_j^(r-1)) / prod_{l != j} (p_j - p_l);
/// B^T[j] the coefficients of prod_{l != j} (x - p_l); the infinity point
/// takes the last row or column of each.
Tables toomCook(int m, int r, const std::vector<double> &p) {
  int n = m + r - 1, finite = n - 1;
  Tables t{std::vector<double>(size_t(n) * n, 0.0), std::vector<double>(size_t(n) * r, 0.0),
           std::vector<double>(size_t(m) * n, 0.0)};
  auto product = [&](int skip) { // coefficients of prod_{l != skip} (x - p_l)
    std::vector<double> c{1.0};
    for (int l = 0; l < finite; ++l) {
      if (l == skip)
        continue;
      std::vector<double> next(c.size() + 1, 0.0);
      for (size_t k = 0; k < c.size(); ++k) {
        next[k + 1] += c[k];
        next[k] -= p[l] * c[k];
      }
      c = next;
    }
    return c;
  };
  for (int j = 0; j < n; ++j) {
    std::vector<double> row = product(j < finite ? j : -1);
    for (size_t k = 0; k < row.size(); ++k)
      t.bt[j * n + k] = row[k];
    double norm = 1.0;
    for (int l = 0; j < finite && l < finite; ++l)
      if (l != j)
        norm *= p[j] - p[l];
    for (int k = 0; k < r; ++k)
      t.g[j * r + k] = j < finite ? std::pow(p[j], k) / norm : (k == r - 1 ? 1.0 : 0.0);
    for (int i = 0; i < m; ++i)
      t.at[i * n + j] = j < finite ? std::pow(p[j], i) : (i == m - 1 ? 1.0 : 0.0);
  }
  return t;
}

// F(4, 3) at 0, +-1, 1/2, -2 instead of Lavin & Gray's 0, +-1, +-2 (the
// choice of Barabasz et al., "Error analysis and improving the accuracy of
// Winograd convolution", 2020): 1.9e-6 instead of 5.6e-6 of the largest
// output on ResNet's 64 -> 64 conv (WinogradErrorF2AndF4) for about 4% more
// time in the conv (its input transform has 26 nonzeros, not 22).
// F(2, 2) at 0, 1: every entry 0 or +-1.
const Tables &tables(Tile t) {
  static const Tables f2 = toomCook(2, 3, {0, 1, -1});
  static const Tables f4 = toomCook(4, 3, {0, 1, -1, 0.5, -2});
  static const Tables f2r2 = toomCook(2, 2, {0, 1});
  return t.r == 2 ? f2r2 : t.m == 4 ? f4 : f2;
}

/// sum over k < n of coef(k) * term(k), skipping zero coefficients and
/// multiplying only by coefficients other than +-1.
Halide::Expr weightedSum(int n, const std::function<double(int)> &coef,
                         const std::function<Halide::Expr(int)> &term) {
  Halide::Expr sum;
  for (int k = 0; k < n; ++k) {
    double c = coef(k);
    if (c == 0)
      continue;
    Halide::Expr t = term(k);
    if (c != 1 && c != -1)
      t = float(c) * t;
    if (!sum.defined())
      sum = c == -1 ? -t : t;
    else
      sum = c == -1 ? sum - t : sum + t;
  }
  return sum.defined() ? sum : Halide::Expr(0.0f);
}

} // namespace

bool supported(Tile t) { return mlir::cnn::winogradTables(t.m, t.r); }

std::vector<float> filterTransform(Tile t, const float *g) {
  const Tables &tb = tables(t);
  int n = t.in(), r = t.r;
  std::vector<double> gg(size_t(n) * r, 0.0); // G g
  for (int a = 0; a < n; ++a)
    for (int l = 0; l < r; ++l)
      for (int k = 0; k < r; ++k)
        gg[a * r + l] += tb.g[a * r + k] * g[k * r + l];
  std::vector<float> u(t.points());
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      double s = 0;
      for (int l = 0; l < r; ++l)
        s += gg[a * r + l] * tb.g[b * r + l];
      u[a * n + b] = float(s);
    }
  return u;
}

// Both transforms nest a row sum inside a column sum built the same way for
// every point, so after unrolling the compiler shares the inner sums
// between points (the separable form's cost).
Halide::Expr inputTransform(Tile t, int e, const std::function<Halide::Expr(int, int)> &d) {
  const Tables &tb = tables(t);
  int n = t.in(), a = e / n, b = e % n;
  return weightedSum(n, [&](int r) { return tb.bt[a * n + r]; }, [&](int r) {
    return weightedSum(n, [&](int c) { return tb.bt[b * n + c]; }, [&](int c) { return d(r, c); });
  });
}

Halide::Expr outputTransform(Tile t, int i, int j, const std::function<Halide::Expr(int)> &m) {
  const Tables &tb = tables(t);
  int n = t.in();
  return weightedSum(n, [&](int a) { return tb.at[i * n + a]; }, [&](int a) {
    return weightedSum(n, [&](int b) { return tb.at[j * n + b]; }, [&](int b) { return m(a * n + b); });
  });
}

} // namespace cnnc::codegen::winograd
