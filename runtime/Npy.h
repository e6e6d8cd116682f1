//===- Npy.h - read and write NumPy .npy files of f32 -----------*- C++ -*-===//
//
// Just enough of the .npy format (versions 1.0 and 2.0) for model inputs and
// outputs: little-endian float32 ('<f4'), C order. Anything else, including
// truncated or hostile files, is a cnnc::Error saying what is wrong.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_RUNTIME_NPY_H
#define CNNC_RUNTIME_NPY_H

#include "cnnc/runtime.hpp"

#include <cstddef>
#include <string>

namespace cnnc::npy {

/// Decodes the bytes of a .npy file.
Tensor parse(const void *bytes, size_t size);
/// Encodes `t` as a .npy file (version 1.0 unless the header needs 2.0).
std::string serialize(const Tensor &t);

/// File versions; errors are prefixed with the path.
Tensor read(const std::string &path);
void write(const std::string &path, const Tensor &t);

} // namespace cnnc::npy

#endif // CNNC_RUNTIME_NPY_H
