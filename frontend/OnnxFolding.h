//===- OnnxFolding.h - host-side ONNX tensors and shape folding -*- C++ -*-===//
//
// PyTorch exports compute Reshape/Resize targets with a chain of shape ops
// (Shape -> Gather -> Unsqueeze -> Concat -> ...). The importer evaluates such
// chains on the host, over HostTensors, so the cnn ops only ever see the
// resulting constant. Also holds the NodeProto attribute accessors.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_ONNXFOLDING_H
#define CNNC_FRONTEND_ONNXFOLDING_H

#include "onnx/onnx_pb.h" // defines ONNX_API, then includes onnx-ml.pb.h

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

/// A small constant tensor on the host: integers (int64, int32, bool, ...)
/// are kept exactly as int64, floats as double.
struct HostTensor {
  llvm::SmallVector<int64_t> shape;
  bool isInt = true;
  std::vector<int64_t> ints;  // when isInt
  std::vector<double> floats; // otherwise

  int64_t numel() const;
  int64_t intAt(int64_t i) const;
  double floatAt(int64_t i) const;
  /// The values as int64 (floats truncated), e.g. for shape operands.
  llvm::SmallVector<int64_t> toInts() const;
  std::vector<float> toFloats() const;
};

/// Decodes a tensor's data: `raw` holds the bytes when the tensor stores
/// raw_data or external data, otherwise the typed repeated fields are read.
llvm::Expected<HostTensor> hostFromProto(const onnx::TensorProto &tensor,
                                         std::optional<llvm::StringRef> raw);

/// The int64 tensor ONNX Shape returns for `dims` (opset 15 start/end).
HostTensor shapeTensor(llvm::ArrayRef<int64_t> dims,
                       const onnx::NodeProto &node);

/// Whether `opType` can be evaluated by foldNode.
bool isFoldable(llvm::StringRef opType);

/// Evaluates `node` (opset `opset`) over constant `inputs` (nullptr for an
/// omitted optional input). Returns its outputs; errors say what is wrong.
llvm::Expected<std::vector<HostTensor>>
foldNode(const onnx::NodeProto &node, int64_t opset,
         llvm::ArrayRef<const HostTensor *> inputs);

//===----------------------------------------------------------------------===//
// Attribute accessors
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     llvm::StringRef name);
int64_t attrInt(const onnx::NodeProto &node, llvm::StringRef name,
                int64_t dflt);
float attrFloat(const onnx::NodeProto &node, llvm::StringRef name, float dflt);
std::string attrString(const onnx::NodeProto &node, llvm::StringRef name,
                       llvm::StringRef dflt);
std::optional<llvm::SmallVector<int64_t>>
attrInts(const onnx::NodeProto &node, llvm::StringRef name);
std::optional<llvm::SmallVector<float>>
attrFloats(const onnx::NodeProto &node, llvm::StringRef name);

/// Result shapes of Squeeze (no axes: drop every 1) and Unsqueeze.
llvm::Expected<llvm::SmallVector<int64_t>>
squeezedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes);
llvm::Expected<llvm::SmallVector<int64_t>>
unsqueezedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes);

/// Normalises a possibly negative axis against `rank`; nullopt if invalid.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace cnnc::onnx_import

#endif // CNNC_FRONTEND_ONNXFOLDING_H
