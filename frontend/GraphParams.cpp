//===- GraphParams.cpp - weights of .graph layers -------------------------===//
#include "frontend/GraphParams.h"

#include "ir/CnnDialect.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/xxhash.h"

#include <cmath>

using namespace cnnc;
using namespace cnnc::graph;
using namespace mlir;
using llvm::ArrayRef;
using llvm::StringRef;

Init Init::heUniform(int64_t fanIn) {
  double bound = std::sqrt(6.0 / double(std::max<int64_t>(fanIn, 1)));
  return {-bound, bound};
}

Init Init::bias(int64_t fanIn) {
  double bound = 1.0 / std::sqrt(double(std::max<int64_t>(fanIn, 1)));
  return {-bound, bound};
}

std::optional<ArrayRef<int64_t>>
ParameterSource::fileShape(StringRef name) const {
  if (const TensorView *t = file ? file->find(name) : nullptr)
    return ArrayRef<int64_t>(t->shape);
  return std::nullopt;
}

ElementsAttr ParameterSource::get(StringRef name, ArrayRef<int64_t> shape,
                                  Init init, Location loc, StringRef kind,
                                  ArrayRef<int64_t> resultShape) {
  auto type = RankedTensorType::get(resultShape.empty() ? shape : resultShape,
                                    Float32Type::get(ctx));
  used.insert(name);
  return file ? fromFile(name, shape, type, loc, kind)
              : random(name, init, type);
}

ElementsAttr ParameterSource::fromFile(StringRef name, ArrayRef<int64_t> shape,
                                       RankedTensorType type, Location loc,
                                       StringRef kind) {
  const TensorView *t = file->find(name);
  if (!t) {
    cnn::layerError(loc, kind) << "weight '" << name << "' is not in "
                               << file->path();
    return {};
  }
  if (t->dtype != "F32") {
    cnn::layerError(loc, kind) << "weight '" << name << "' has dtype "
                               << t->dtype << " but only F32 is supported";
    return {};
  }
  if (ArrayRef<int64_t>(t->shape) != shape) {
    cnn::layerError(loc, kind)
        << "weight '" << name << "' has shape " << cnn::formatShape(t->shape)
        << " but the layer needs " << cnn::formatShape(shape);
    return {};
  }
  // Point into the mapping when it is aligned for f32; the deleter keeps the
  // file mapped for as long as the blob lives.
  AsmResourceBlob blob;
  if (reinterpret_cast<uintptr_t>(t->data.data()) % alignof(float) == 0)
    blob = AsmResourceBlob(t->data, alignof(float),
                           [keep = file](void *, size_t, size_t) {},
                           /*dataIsMutable=*/false);
  else
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(t->data,
                                                         alignof(float));
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

// splitmix64: tiny, well mixed and the same on every platform (the standard
// distributions are not), so seeded weights are reproducible everywhere.
static uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

ElementsAttr ParameterSource::random(StringRef name, Init init,
                                     RankedTensorType type) {
  // Seeding by name makes a tensor's values independent of layer order.
  uint64_t state = seed * 0x9e3779b97f4a7c15ULL ^ llvm::xxh3_64bits(name);
  std::vector<float> values(type.getNumElements());
  for (float &v : values) {
    double unit = double(splitmix64(state) >> 40) * 0x1.0p-24;
    v = float(init.lo + (init.hi - init.lo) * unit);
  }
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(values)));
}

std::vector<std::string> ParameterSource::unusedTensors() const {
  std::vector<std::string> names;
  if (file)
    for (const TensorView &t : file->tensors())
      if (!used.contains(t.name))
        names.push_back(t.name);
  return names;
}
