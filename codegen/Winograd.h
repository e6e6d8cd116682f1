//===- Winograd.h - the transforms of Winograd F(m x m, 3x3) ----*- C++ -*-===//
//
// Minimal filtering F(m x m, 3 x 3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016) for m = 2 or 4: an (m + 2)^2 input
// tile d and a 3 x 3 filter g give the m x m correlation output
//   Y = A^T [ (G g G^T) .* (B^T d B) ] A
// with (m + 2)^2 multiplies instead of 9 m^2: 16 instead of 36 (m = 2, 2.25x
// fewer) or 36 instead of 144 (m = 4, 4x fewer). F(2, 3)'s tables are exact
// in binary (0, +-1, 1/2); F(4, 3)'s have entries up to 8 and fifteenths, so
// its error is larger: 3.6e-7 and 1.9e-6 of the largest output of ResNet's
// 64 -> 64 conv (Codegen.WinogradErrorF2AndF4 in test/unit/CodegenTest.cpp).
// Pure arithmetic on Halide Exprs and floats; used by lowerConvWinograd.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_WINOGRAD_H
#define CNNC_CODEGEN_WINOGRAD_H

#include "Halide.h"

#include <functional>
#include <vector>

namespace cnnc::codegen::winograd {

constexpr int kTaps = 3; // r: filter taps per side

/// F(m x m, 3 x 3): m outputs per tile side.
struct Tile {
  int m = 2;
  int in() const { return m + kTaps - 1; } // alpha: input tile side
  int points() const { return in() * in(); }
};

/// True for the tile sizes with tables (2 and 4).
bool supported(int m);

/// The (m + 2)^2 transformed points G g G^T of a row-major 3 x 3 filter g.
std::vector<float> filterTransform(Tile t, const float *g);

/// Transformed point e = a * (m + 2) + b of B^T d B, where d(row, col) reads
/// the input tile.
Halide::Expr inputTransform(Tile t, int e, const std::function<Halide::Expr(int, int)> &d);

/// Output (i, j) of A^T M A, where m(e) reads transformed point e.
Halide::Expr outputTransform(Tile t, int i, int j, const std::function<Halide::Expr(int)> &m);

} // namespace cnnc::codegen::winograd

#endif // CNNC_CODEGEN_WINOGRAD_H
