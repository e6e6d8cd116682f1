//===- Weights.h - safetensors reader and writer ----------------*- C++ -*-===//
//
// Reads and writes the safetensors format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON describing each tensor, then the raw data.
// Files are memory-mapped and validated up front so that every TensorView
// handed out is known to lie inside the file. Depends on LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_WEIGHTS_H
#define CNNC_FRONTEND_WEIGHTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cnnc {

/// One tensor of a mapped safetensors file. `data` points into the mapping
/// and may be unaligned for the element type (the header length is not
/// required to be a multiple of 8), so read elements with memcpy.
struct TensorView {
  std::string name;
  std::string dtype; // safetensors dtype string: "F32", "BF16", "I64", ...
  std::vector<int64_t> shape;
  llvm::ArrayRef<char> data; // size == numel() * dtypeSize(dtype)

  /// Element count; validated not to overflow when the file was opened.
  int64_t numel() const;
};

/// A validated, memory-mapped safetensors file. Views stay valid as long as
/// the WeightsFile lives.
class WeightsFile {
public:
  /// Maps and fully validates `path`. Errors are StringErrors that name the
  /// file and, where relevant, the tensor.
  static llvm::Expected<std::shared_ptr<WeightsFile>>
  open(llvm::StringRef path);

  /// Validates an in-memory image; the buffer identifier names it in errors.
  static llvm::Expected<std::shared_ptr<WeightsFile>>
  fromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer);

  /// Returns nullptr if there is no tensor called `name`.
  const TensorView *find(llvm::StringRef name) const;
  /// Tensors ordered by data offset.
  llvm::ArrayRef<TensorView> tensors() const { return tensorList; }
  llvm::StringRef path() const { return filePath; }
  /// The optional "__metadata__" string map.
  const std::map<std::string, std::string> &metadata() const { return meta; }

private:
  WeightsFile() = default;
  /// Validates `buffer` and fills in the tensors and metadata.
  llvm::Error parse();

  std::string filePath;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::vector<TensorView> tensorList;
  llvm::StringMap<size_t> index; // name -> position in tensorList
  std::map<std::string, std::string> meta;
};

struct TensorToWrite {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  llvm::ArrayRef<char> data;
};

/// Writes a safetensors file atomically (temp file + rename, so no partial
/// file is left on error). The header is padded with spaces so the data
/// section starts 8-aligned; tensors are laid out in the given order.
llvm::Error writeSafetensors(
    llvm::StringRef path, llvm::ArrayRef<TensorToWrite> tensors,
    llvm::ArrayRef<std::pair<std::string, std::string>> metadata = {});

/// Bytes per element of a safetensors dtype, or 0 if unknown (or sub-byte).
size_t dtypeSize(llvm::StringRef dtype);

} // namespace cnnc

#endif // CNNC_FRONTEND_WEIGHTS_H
