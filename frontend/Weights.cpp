//===- Weights.cpp - safetensors reader and writer ------------------------===//
//
// The reader treats the file as hostile: every size is checked before it is
// used to index or allocate, and every failure is a StringError naming the
// file and, where relevant, the tensor.
//
//===----------------------------------------------------------------------===//

#include "frontend/Weights.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <optional>
#include <tuple>

using namespace llvm;

namespace cnnc {
namespace {

constexpr uint64_t kLengthFieldBytes = 8;
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
// Valid headers nest three deep (top object, entry, shape). The limit guards
// the recursive JSON parser against stack exhaustion.
constexpr unsigned kMaxJsonDepth = 8;
constexpr StringLiteral kMetadataKey = "__metadata__";

/// Builds errors prefixed with the file name.
struct Diag {
  StringRef path;

  Error operator()(const Twine &msg) const {
    return make_error<StringError>(path + ": " + msg, inconvertibleErrorCode());
  }
  Error tensor(StringRef name, const Twine &msg) const {
    return (*this)("tensor '" + name + "': " + msg);
  }
};

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  raw_string_ostream os(text);
  os << '[';
  interleaveComma(shape, os);
  os << ']';
  return text;
}

/// Bytes a tensor of `dtype` and `shape` occupies, with overflow checked.
Expected<int64_t> tensorBytes(StringRef name, StringRef dtype,
                              ArrayRef<int64_t> shape, const Diag &diag) {
  size_t elementBytes = dtypeSize(dtype);
  if (!elementBytes)
    return diag.tensor(name, "unknown dtype '" + dtype + "'");
  std::optional<int64_t> bytes = static_cast<int64_t>(elementBytes);
  for (int64_t dim : shape) {
    if (dim < 0)
      return diag.tensor(name,
                         "negative dimension in shape " + formatShape(shape));
    bytes = checkedMul(*bytes, dim);
    if (!bytes)
      return diag.tensor(name, "byte size of " + dtype + " shape " +
                                   formatShape(shape) + " overflows");
  }
  return *bytes;
}

/// True if `json` never nests arrays/objects deeper than kMaxJsonDepth.
bool withinNestingLimit(StringRef json) {
  unsigned depth = 0;
  bool inString = false, escaped = false;
  for (char c : json) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::optional<int64_t> asNonNegativeInt(const json::Value &value) {
  std::optional<int64_t> i = value.getAsInteger();
  if (i && *i >= 0)
    return i;
  return std::nullopt;
}

/// Parses a JSON array of non-negative integers; nullopt if it is not one.
std::optional<std::vector<int64_t>> asIntArray(const json::Value *value) {
  const json::Array *array = value ? value->getAsArray() : nullptr;
  if (!array)
    return std::nullopt;
  std::vector<int64_t> ints;
  ints.reserve(array->size());
  for (const json::Value &element : *array) {
    std::optional<int64_t> i = asNonNegativeInt(element);
    if (!i)
      return std::nullopt;
    ints.push_back(*i);
  }
  return ints;
}

/// Validates one header entry against the data section and returns its view.
Expected<TensorView> parseTensor(StringRef name, const json::Value &entry,
                                 StringRef dataSection, const Diag &diag) {
  const json::Object *object = entry.getAsObject();
  if (!object)
    return diag.tensor(name, "entry is not a JSON object");
  std::optional<StringRef> dtype = object->getString("dtype");
  if (!dtype)
    return diag.tensor(name, "missing or non-string \"dtype\"");
  std::optional<std::vector<int64_t>> shape = asIntArray(object->get("shape"));
  if (!shape)
    return diag.tensor(name, "\"shape\" is not an array of non-negative "
                             "integers");
  std::optional<std::vector<int64_t>> offsets =
      asIntArray(object->get("data_offsets"));
  if (!offsets || offsets->size() != 2)
    return diag.tensor(name, "\"data_offsets\" is not a [begin, end] pair of "
                             "non-negative integers");
  Expected<int64_t> bytes = tensorBytes(name, *dtype, *shape, diag);
  if (!bytes)
    return bytes.takeError();

  uint64_t begin = (*offsets)[0], end = (*offsets)[1];
  std::string range = "data_offsets [" + std::to_string(begin) + ", " +
                      std::to_string(end) + "]";
  if (begin > end)
    return diag.tensor(name, range + " begin after end");
  if (end > dataSection.size())
    return diag.tensor(name, range + " exceed the " +
                                 Twine(dataSection.size()) +
                                 "-byte data section");
  if (end - begin != static_cast<uint64_t>(*bytes))
    return diag.tensor(
        name, range + " span " + Twine(end - begin) + " bytes but " + *dtype +
                  " " + formatShape(*shape) + " needs " + Twine(*bytes));
  return TensorView{name.str(), dtype->str(), std::move(*shape),
                    ArrayRef<char>(dataSection.data() + begin, end - begin)};
}

Expected<std::map<std::string, std::string>>
parseMetadata(const json::Value &value, const Diag &diag) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return diag("\"__metadata__\" is not a JSON object");
  std::map<std::string, std::string> metadata;
  for (const auto &[key, entry] : *object) {
    std::optional<StringRef> text = entry.getAsString();
    if (!text)
      return diag("\"__metadata__\" value for '" + key.str() +
                  "' is not a string");
    metadata.emplace(key.str(), text->str());
  }
  return metadata;
}

/// Orders tensors by data offset and rejects any that share bytes.
Error sortAndCheckOverlap(std::vector<TensorView> &tensors, const Diag &diag,
                          const char *dataStart) {
  auto key = [](const TensorView &t) {
    return std::make_tuple(t.data.begin(), t.data.end(), StringRef(t.name));
  };
  llvm::sort(tensors, [&](const TensorView &a, const TensorView &b) {
    return key(a) < key(b);
  });
  // Sorted by begin, any overlap shows up between neighbours.
  for (size_t i = 1; i < tensors.size(); ++i) {
    const TensorView &prev = tensors[i - 1], &cur = tensors[i];
    if (cur.data.begin() < prev.data.end())
      return diag.tensor(cur.name, "data at offset " +
                                       Twine(cur.data.begin() - dataStart) +
                                       " overlaps tensor '" + prev.name + "'");
  }
  return Error::success();
}

} // namespace

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t dim : shape)
    n *= dim;
  return n;
}

size_t dtypeSize(StringRef dtype) {
  return StringSwitch<size_t>(dtype)
      .Cases({"F64", "I64", "U64", "C64"}, 8)
      .Cases({"F32", "I32", "U32"}, 4)
      .Cases({"F16", "BF16", "I16", "U16"}, 2)
      .Cases({"I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0"}, 1)
      .Default(0);
}

Expected<std::shared_ptr<WeightsFile>> WeightsFile::open(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false,
                            /*IsVolatile=*/false);
  if (!buffer)
    return Diag{path}("cannot open: " + buffer.getError().message());
  return fromBuffer(std::move(*buffer));
}

Expected<std::shared_ptr<WeightsFile>>
WeightsFile::fromBuffer(std::unique_ptr<MemoryBuffer> buffer) {
  std::shared_ptr<WeightsFile> file(new WeightsFile());
  file->filePath = buffer->getBufferIdentifier().str();
  file->buffer = std::move(buffer);
  if (Error error = file->parse())
    return std::move(error);
  return file;
}

Error WeightsFile::parse() {
  Diag diag{filePath};
  StringRef bytes = buffer->getBuffer();
  if (bytes.size() < kLengthFieldBytes)
    return diag("file is " + Twine(bytes.size()) +
                " bytes, too short for the 8-byte header length");
  uint64_t headerBytes = support::endian::read64le(bytes.data());
  if (headerBytes > kMaxHeaderBytes)
    return diag("header length " + Twine(headerBytes) +
                " exceeds the 100 MB limit");
  if (headerBytes > bytes.size() - kLengthFieldBytes)
    return diag("header length " + Twine(headerBytes) + " exceeds the " +
                Twine(bytes.size() - kLengthFieldBytes) +
                " bytes after the length field");
  StringRef header = bytes.substr(kLengthFieldBytes, headerBytes);
  StringRef dataSection = bytes.drop_front(kLengthFieldBytes + headerBytes);

  if (!withinNestingLimit(header))
    return diag("header JSON nests deeper than " + Twine(kMaxJsonDepth) +
                " levels");
  Expected<json::Value> root = json::parse(header);
  if (!root)
    return diag("header is not valid JSON: " + toString(root.takeError()));
  const json::Object *object = root->getAsObject();
  if (!object)
    return diag("header is not a JSON object");

  for (const auto &[key, value] : *object) {
    if (StringRef(key) == kMetadataKey) {
      Expected<std::map<std::string, std::string>> metadata =
          parseMetadata(value, diag);
      if (!metadata)
        return metadata.takeError();
      meta = std::move(*metadata);
      continue;
    }
    Expected<TensorView> tensor = parseTensor(key, value, dataSection, diag);
    if (!tensor)
      return tensor.takeError();
    tensorList.push_back(std::move(*tensor));
  }
  if (Error error = sortAndCheckOverlap(tensorList, diag, dataSection.data()))
    return error;
  for (size_t i = 0; i < tensorList.size(); ++i)
    index[tensorList[i].name] = i;
  return Error::success();
}

const TensorView *WeightsFile::find(StringRef name) const {
  auto it = index.find(name);
  return it == index.end() ? nullptr : &tensorList[it->second];
}

namespace {

/// Builds the padded JSON header, validating every tensor first so nothing
/// is written for bad input.
Expected<std::string>
buildHeader(ArrayRef<TensorToWrite> tensors,
            ArrayRef<std::pair<std::string, std::string>> metadata,
            const Diag &diag) {
  json::Object header;
  if (!metadata.empty()) {
    json::Object entries;
    for (const auto &[key, text] : metadata)
      entries[key] = text;
    header[kMetadataKey] = std::move(entries);
  }
  StringSet<> seen;
  int64_t offset = 0;
  for (const TensorToWrite &t : tensors) {
    if (t.name == kMetadataKey || !seen.insert(t.name).second)
      return diag.tensor(t.name, "name is reserved or repeated");
    Expected<int64_t> bytes = tensorBytes(t.name, t.dtype, t.shape, diag);
    if (!bytes)
      return bytes.takeError();
    if (t.data.size() != static_cast<uint64_t>(*bytes))
      return diag.tensor(t.name, "has " + Twine(t.data.size()) +
                                     " bytes of data but " + t.dtype + " " +
                                     formatShape(t.shape) + " needs " +
                                     Twine(*bytes));
    header[t.name] =
        json::Object{{"dtype", t.dtype},
                     {"shape", t.shape},
                     {"data_offsets", json::Array{offset, offset + *bytes}}};
    offset += *bytes;
  }
  std::string text;
  raw_string_ostream(text) << json::Value(std::move(header));
  // The length field is 8 bytes, so padding the JSON aligns the data.
  text.append(alignTo(text.size(), 8) - text.size(), ' ');
  return text;
}

} // namespace

Error writeSafetensors(StringRef path, ArrayRef<TensorToWrite> tensors,
                       ArrayRef<std::pair<std::string, std::string>> metadata) {
  Diag diag{path};
  Expected<std::string> header = buildHeader(tensors, metadata, diag);
  if (!header)
    return header.takeError();

  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp)
    return diag("cannot create temporary file: " + toString(temp.takeError()));
  std::error_code writeError;
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    char length[kLengthFieldBytes];
    support::endian::write64le(length, header->size());
    os.write(length, sizeof(length));
    os << *header;
    for (const TensorToWrite &t : tensors)
      os.write(t.data.data(), t.data.size());
    os.flush();
    writeError = os.error();
    // Cleared so the stream does not abort on destruction.
    os.clear_error();
  }
  if (writeError) {
    consumeError(temp->discard());
    return diag("cannot write: " + writeError.message());
  }
  if (Error error = temp->keep(path))
    return diag("cannot rename temporary file: " + toString(std::move(error)));
  return Error::success();
}

} // namespace cnnc
