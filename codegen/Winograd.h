//===- Winograd.h - the transforms of Winograd F(m x m, r x r) --*- C++ -*-===//
//
// Minimal filtering F(m x m, r x r) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016): an (m + r - 1)^2 input tile d and an
// r x r filter g give the m x m correlation output
//   Y = A^T [ (G g G^T) .* (B^T d B) ] A
// with (m + r - 1)^2 multiplies instead of r^2 m^2. Tables exist for
// F(2, 3) (16 instead of 36, 2.25x fewer), F(4, 3) (36 instead of 144, 4x)
// and F(2, 2) (9 instead of 16, 1.78x; the 2 x 2-tap phases of a stride-2
// 4 x 4 transposed conv). F(2, 3)'s and F(2, 2)'s tables are exact in binary
// (0, +-1, 1/2); F(4, 3)'s have entries up to 8 and fifteenths, so its error
// is larger: 3.6e-7 and 1.9e-6 of the largest output of ResNet's 64 -> 64
// conv (Codegen.WinogradErrorF2AndF4 in test/unit/CodegenTest.cpp).
// Arithmetic on Halide Exprs and floats (which tiles have tables is
// ir/ShapeInference.h's winogradTables, shared with the passes); used by
// lowerWinograd.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_WINOGRAD_H
#define CNNC_CODEGEN_WINOGRAD_H

#include "Halide.h"

#include <functional>
#include <vector>

namespace cnnc::codegen::winograd {

/// F(m x m, r x r): m outputs per tile side, r filter taps per side.
struct Tile {
  int m = 2;
  int r = 3;
  int in() const { return m + r - 1; } // alpha: input tile side
  int points() const { return in() * in(); }
};

/// True for the tiles with tables: F(2, 3), F(4, 3) and F(2, 2).
bool supported(Tile t);

/// The (m + r - 1)^2 transformed points G g G^T of a row-major r x r filter g.
std::vector<float> filterTransform(Tile t, const float *g);

/// Transformed point e = a * (m + r - 1) + b of B^T d B, where d(row, col)
/// reads the input tile.
Halide::Expr inputTransform(Tile t, int e, const std::function<Halide::Expr(int, int)> &d);

/// Output (i, j) of A^T M A, where m(e) reads transformed point e.
Halide::Expr outputTransform(Tile t, int i, int j, const std::function<Halide::Expr(int)> &m);

} // namespace cnnc::codegen::winograd

#endif // CNNC_CODEGEN_WINOGRAD_H
