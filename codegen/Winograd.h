//===- Winograd.h - the transforms of Winograd F(2x2, 3x3) ------*- C++ -*-===//
//
// Minimal filtering F(m x m, 3 x 3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016) with m = 2: a 4 x 4 input tile d and
// a 3 x 3 filter g give the 2 x 2 correlation output
//   Y = A^T [ (G g G^T) .* (B^T d B) ] A
// 16 multiplies instead of 36. The tables are exact in binary (0, +-1, 1/2),
// so the error is that of the additions (about 1e-6 of the output scale).
// Pure arithmetic on Halide Exprs and floats; used by lowerConvWinograd.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_WINOGRAD_H
#define CNNC_CODEGEN_WINOGRAD_H

#include "Halide.h"

#include <array>
#include <functional>

namespace cnnc::codegen::winograd {

constexpr int kOut = 2;           // m: outputs per tile side
constexpr int kTaps = 3;          // r: filter taps per side
constexpr int kIn = kOut + kTaps - 1; // alpha: input tile side
constexpr int kPoints = kIn * kIn;    // transformed points per tile

/// (G g G^T) flattened row-major (point e = row * kIn + col), from a 3 x 3
/// filter `g` (row-major, ky then kx).
std::array<float, kPoints> filterTransform(const float *g);

/// (B^T d B)[e / kIn][e % kIn], where d(row, col) reads the input tile.
Halide::Expr inputTransform(int e, const std::function<Halide::Expr(int, int)> &d);

/// (A^T M A)[i][j], where m(e) reads transformed point e.
Halide::Expr outputTransform(int i, int j, const std::function<Halide::Expr(int)> &m);

} // namespace cnnc::codegen::winograd

#endif // CNNC_CODEGEN_WINOGRAD_H
