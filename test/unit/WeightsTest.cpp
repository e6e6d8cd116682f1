//===- WeightsTest.cpp - safetensors reader/writer tests ------------------===//

#include "frontend/Weights.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstring>
#include <random>

using namespace cnnc;
using llvm::ArrayRef;

namespace {

/// An 8-byte length field followed by `header` and `data`.
std::string safetensorsBytes(llvm::StringRef header, llvm::StringRef data) {
  char length[8];
  llvm::support::endian::write64le(length, header.size());
  return std::string(length, 8) + header.str() + data.str();
}

ArrayRef<char> bytesOf(const std::vector<float> &values) {
  return {reinterpret_cast<const char *>(values.data()),
          values.size() * sizeof(float)};
}

/// Gives each test a fresh directory, removed afterwards.
class WeightsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("cnnc-weights", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string pathFor(llvm::StringRef name) const {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  }

  std::string writeBytes(llvm::StringRef bytes,
                         llvm::StringRef name = "weights.safetensors") {
    std::string path = pathFor(name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    EXPECT_FALSE(ec) << ec.message();
    os << bytes;
    return path;
  }

  /// Opens `bytes` from disk and returns the error text, or "" on success.
  std::string openError(llvm::StringRef bytes) {
    auto file = WeightsFile::open(writeBytes(bytes));
    return file ? "" : llvm::toString(file.takeError());
  }

  std::string readFile(llvm::StringRef path) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    return buffer ? (*buffer)->getBuffer().str() : "";
  }

  llvm::SmallString<128> dir;
};

//===----------------------------------------------------------------------===//
// Valid files
//===----------------------------------------------------------------------===//

TEST_F(WeightsTest, RoundTrip) {
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> ids = {7, -8, 9};
  std::vector<char> flags = {1, 0};
  std::vector<float> half = {0.5f};
  std::vector<TensorToWrite> tensors = {
      {"c1.weight", "F32", {2, 3}, bytesOf(w)},
      {"ids", "I64", {3}, {reinterpret_cast<char *>(ids.data()), 24}},
      {"empty", "F16", {0, 5}, {}},
      {"flags", "BOOL", {2}, flags},
      {"scalar", "F32", {}, bytesOf(half)}};
  std::string path = pathFor("model.safetensors");
  ASSERT_FALSE(
      llvm::errorToBool(writeSafetensors(path, tensors, {{"format", "pt"}})));

  auto file = WeightsFile::open(path);
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_EQ((*file)->path(), path);
  EXPECT_EQ((*file)->metadata().at("format"), "pt");
  ASSERT_EQ((*file)->tensors().size(), tensors.size());
  for (const TensorToWrite &expected : tensors) {
    const TensorView *view = (*file)->find(expected.name);
    ASSERT_NE(view, nullptr) << expected.name;
    EXPECT_EQ(view->dtype, expected.dtype);
    EXPECT_EQ(view->shape, expected.shape);
    EXPECT_EQ(view->data, expected.data) << expected.name;
  }
  EXPECT_EQ((*file)->find("c1.weight")->numel(), 6);
  EXPECT_EQ((*file)->find("scalar")->numel(), 1);
  EXPECT_EQ((*file)->find("missing"), nullptr);

  // Data section is 8-aligned and tensors keep the given order.
  std::string bytes = readFile(path);
  EXPECT_EQ(llvm::support::endian::read64le(bytes.data()) % 8, 0u);
  const char *previous = nullptr;
  for (const TensorView &view : (*file)->tensors()) {
    EXPECT_LE(previous, view.data.data());
    previous = view.data.data();
  }
  EXPECT_EQ((*file)->tensors().front().name, "c1.weight");
  EXPECT_EQ((*file)->tensors().back().name, "scalar");
}

TEST_F(WeightsTest, ReadsHandBuiltFile) {
  // Unpadded 79-byte header, so the data is not 8-aligned.
  std::string data(12, '\0');
  float values[] = {1.5f, -2.0f};
  std::memcpy(data.data(), values, sizeof(values));
  data[8] = 3, data[9] = 4, data[10] = 5, data[11] = 6;
  std::string bytes = safetensorsBytes(
      R"({"b":{"dtype":"U8","shape":[2,2],"data_offsets":[8,12]},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("__metadata__":{"k":"v"}})",
      data);
  auto file = WeightsFile::open(writeBytes(bytes));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  ASSERT_EQ((*file)->tensors().size(), 2u);
  // Ordered by data offset, not by header order.
  EXPECT_EQ((*file)->tensors()[0].name, "a");
  EXPECT_EQ((*file)->tensors()[1].name, "b");
  float read[2];
  std::memcpy(read, (*file)->find("a")->data.data(), sizeof(read));
  EXPECT_EQ(read[0], 1.5f);
  EXPECT_EQ(read[1], -2.0f);
  EXPECT_EQ((*file)->find("b")->data, ArrayRef<char>(data).drop_front(8));
  EXPECT_EQ((*file)->metadata().at("k"), "v");
}

TEST_F(WeightsTest, EmptyHeaderObjectIsValid) {
  auto file = WeightsFile::open(writeBytes(safetensorsBytes("{}  ", "")));
  ASSERT_TRUE(bool(file)) << llvm::toString(file.takeError());
  EXPECT_TRUE((*file)->tensors().empty());
}

TEST(DtypeSize, KnownAndUnknown) {
  EXPECT_EQ(dtypeSize("F32"), 4u);
  EXPECT_EQ(dtypeSize("BF16"), 2u);
  EXPECT_EQ(dtypeSize("I64"), 8u);
  EXPECT_EQ(dtypeSize("BOOL"), 1u);
  EXPECT_EQ(dtypeSize("f32"), 0u);
  EXPECT_EQ(dtypeSize(""), 0u);
}

//===----------------------------------------------------------------------===//
// Hostile headers
//===----------------------------------------------------------------------===//

struct HostileCase {
  const char *name;
  std::string bytes;
  const char *expected; // substring of the error message
};

std::string entry(llvm::StringRef body) {
  return safetensorsBytes((R"({"c1.weight":{)" + body + "}}").str(),
                          std::string(24, '\0'));
}

std::vector<HostileCase> hostileCases() {
  const char *okShape = R"("dtype":"F32","shape":[2,3])";
  auto withOffsets = [&](const char *offsets) {
    return entry(
        (llvm::Twine(okShape) + R"(,"data_offsets":)" + offsets).str());
  };
  auto withShape = [](const char *shape) {
    return entry((llvm::Twine(R"("dtype":"F32","shape":)") + shape +
                  R"(,"data_offsets":[0,24])")
                     .str());
  };
  std::string hugeLength(8, '\xff');
  std::string overLimit = safetensorsBytes("{}", "");
  llvm::support::endian::write64le(overLimit.data(), (100ull << 20) + 1);
  std::string beyondFile = safetensorsBytes("{}", "");
  llvm::support::endian::write64le(beyondFile.data(), 3);
  return {
      {"Empty", "", "too short"},
      {"SevenBytes", std::string(7, '\0'), "7 bytes, too short"},
      {"HeaderBeyondFile", beyondFile, "exceeds the 2 bytes"},
      {"HeaderOverLimit", overLimit, "100 MB limit"},
      {"HeaderLengthAllOnes", hugeLength, "100 MB limit"},
      {"NotJson", safetensorsBytes("{nope", ""), "not valid JSON"},
      {"InvalidUtf8", safetensorsBytes("{\"\xff\":1}", ""), "not valid JSON"},
      {"TrailingGarbage", safetensorsBytes("{} x", ""), "not valid JSON"},
      {"NotObject", safetensorsBytes("[1,2]", ""), "not a JSON object"},
      {"DeepNesting", safetensorsBytes(std::string(100000, '['), ""),
       "nests deeper"},
      {"EntryNotObject", safetensorsBytes(R"({"c1.weight":3})", ""),
       "'c1.weight': entry is not a JSON object"},
      {"MissingDtype", entry(R"("shape":[2,3],"data_offsets":[0,24])"),
       "'c1.weight': missing or non-string \"dtype\""},
      {"DtypeNotString",
       entry(R"("dtype":4,"shape":[2,3],"data_offsets":[0,24])"),
       "non-string \"dtype\""},
      {"UnknownDtype",
       entry(R"("dtype":"Q7","shape":[2,3],"data_offsets":[0,24])"),
       "'c1.weight': unknown dtype 'Q7'"},
      {"MissingShape", entry(R"("dtype":"F32","data_offsets":[0,24])"),
       "'c1.weight': \"shape\" is not"},
      {"ShapeNotArray", withShape("6"), "\"shape\" is not"},
      {"NegativeDim", withShape("[-2,-3]"), "\"shape\" is not"},
      {"FractionalDim", withShape("[2.5,3]"), "\"shape\" is not"},
      {"StringDim", withShape(R"(["2",3])"), "\"shape\" is not"},
      {"HugeDim", withShape("[1e300]"), "\"shape\" is not"},
      {"NumelOverflow", withShape("[4294967296,4294967296,4]"), "overflows"},
      {"BytesOverflow", withShape("[2305843009213693952]"), "overflows"},
      {"MissingOffsets", entry(okShape),
       "'c1.weight': \"data_offsets\" is not"},
      {"OneOffset", withOffsets("[0]"), "\"data_offsets\" is not"},
      {"NegativeOffset", withOffsets("[-1,23]"), "\"data_offsets\" is not"},
      {"OffsetsNotInts", withOffsets(R"(["0","24"])"),
       "\"data_offsets\" is not"},
      {"BeginAfterEnd", withOffsets("[24,0]"), "[24, 0] begin after end"},
      {"EndBeyondData", withOffsets("[0,96]"),
       "'c1.weight': data_offsets [0, 96] exceed the 24-byte data section"},
      {"HugeEnd", withOffsets("[0,18446744073709551615]"),
       "\"data_offsets\" is not"},
      {"LengthMismatch", withOffsets("[0,20]"),
       "span 20 bytes but F32 [2, 3] needs 24"},
      {"Overlap",
       safetensorsBytes(
           R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
           std::string(16, '\0')),
       "'b': data at offset 8 overlaps tensor 'a'"},
      {"EmptyInsideOther",
       safetensorsBytes(
           R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
           R"("z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
           std::string(16, '\0')),
       "'z': data at offset 4 overlaps tensor 'a'"},
      {"MetadataNotObject", safetensorsBytes(R"({"__metadata__":[]})", ""),
       "\"__metadata__\" is not a JSON object"},
      {"MetadataValueNotString",
       safetensorsBytes(R"({"__metadata__":{"k":1}})", ""),
       "value for 'k' is not a string"},
  };
}

class HostileTest : public WeightsTest,
                    public ::testing::WithParamInterface<HostileCase> {};

TEST_P(HostileTest, IsRejectedWithUsefulMessage) {
  std::string error = openError(GetParam().bytes);
  EXPECT_NE(error.find(pathFor("weights.safetensors") + ": "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(GetParam().expected), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Weights, HostileTest,
                         ::testing::ValuesIn(hostileCases()),
                         [](const ::testing::TestParamInfo<HostileCase> &info) {
                           return std::string(info.param.name);
                         });

TEST_F(WeightsTest, MissingFile) {
  auto file = WeightsFile::open(pathFor("absent.safetensors"));
  ASSERT_FALSE(bool(file));
  std::string error = llvm::toString(file.takeError());
  EXPECT_NE(error.find("absent.safetensors: cannot open"), std::string::npos)
      << error;
}

//===----------------------------------------------------------------------===//
// Damaged files
//===----------------------------------------------------------------------===//

/// A small valid file image written by writeSafetensors.
std::string smallValidImage(const std::string &path) {
  static const std::vector<float> w = {1, 2, 3, 4};
  static const std::vector<float> b = {5};
  EXPECT_FALSE(llvm::errorToBool(writeSafetensors(
      path, {{"w", "F32", {2, 2}, bytesOf(w)}, {"b", "F32", {1}, bytesOf(b)}},
      {{"m", "x"}})));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : "";
}

TEST_F(WeightsTest, EveryTruncationIsAnError) {
  std::string image = smallValidImage(pathFor("valid.safetensors"));
  ASSERT_FALSE(image.empty());
  for (size_t length = 0; length < image.size(); ++length)
    EXPECT_NE(openError(llvm::StringRef(image).take_front(length)), "")
        << "length " << length;
  EXPECT_EQ(openError(image), "");
}

/// Opened views must lie inside the image and match their dtype and shape.
void checkViews(const WeightsFile &file, llvm::StringRef image) {
  for (const TensorView &view : file.tensors()) {
    ASSERT_GE(view.data.data(), image.data());
    ASSERT_LE(view.data.data() + view.data.size(), image.end());
    ASSERT_EQ(view.data.size(), view.numel() * dtypeSize(view.dtype));
  }
}

TEST_F(WeightsTest, RandomMutationsNeverCrash) {
  std::string image = smallValidImage(pathFor("valid.safetensors"));
  ASSERT_FALSE(image.empty());
  std::mt19937 rng(20240611);
  const std::string interesting = "0123456789-+.eE[]{}\",: \\\xff";
  int accepted = 0;
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::string mutated = image;
    for (int edits = 1 + rng() % 4; edits > 0 && !mutated.empty(); --edits) {
      size_t at = rng() % mutated.size();
      switch (rng() % 5) {
      case 0:
        mutated[at] = char(rng());
        break;
      case 1:
        mutated[at] = interesting[rng() % interesting.size()];
        break;
      case 2:
        mutated.insert(at, 1, interesting[rng() % interesting.size()]);
        break;
      case 3:
        mutated.erase(at, 1);
        break;
      case 4: // The length field.
        mutated[rng() % std::min<size_t>(8, mutated.size())] = char(rng());
        break;
      }
    }
    // An exact-size heap copy, so out-of-bounds reads leave the allocation.
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        llvm::MemoryBuffer::getMemBufferCopy(mutated, "fuzz");
    llvm::StringRef range = buffer->getBuffer();
    auto file = WeightsFile::fromBuffer(std::move(buffer));
    if (!file) {
      EXPECT_EQ(llvm::toString(file.takeError()).rfind("fuzz: ", 0), 0u);
      continue;
    }
    ++accepted;
    checkViews(**file, range);
  }
  // Some mutations (e.g. of tensor data) keep the file valid.
  EXPECT_GT(accepted, 0);
}

//===----------------------------------------------------------------------===//
// Writer errors
//===----------------------------------------------------------------------===//

TEST_F(WeightsTest, WriterRejectsBadInputAndKeepsOldFile) {
  std::string path = pathFor("out.safetensors");
  std::string original = smallValidImage(path);
  std::vector<float> w = {1, 2, 3};
  struct Bad {
    TensorToWrite tensor;
    const char *expected;
  } cases[] = {
      {{"w", "Q7", {3}, bytesOf(w)}, "'w': unknown dtype 'Q7'"},
      {{"w", "F32", {4}, bytesOf(w)},
       "'w': has 12 bytes of data but F32 [4] needs 16"},
      {{"w", "F32", {-3}, bytesOf(w)}, "'w': negative dimension"},
      {{"__metadata__", "F32", {3}, bytesOf(w)},
       "'__metadata__': name is reserved or repeated"},
  };
  for (const Bad &bad : cases) {
    llvm::Error error = writeSafetensors(path, {bad.tensor});
    ASSERT_TRUE(bool(error)) << bad.expected;
    std::string message = llvm::toString(std::move(error));
    EXPECT_NE(message.find(path + ": tensor " + bad.expected),
              std::string::npos)
        << message;
  }
  llvm::Error duplicate = writeSafetensors(
      path, {{"w", "F32", {3}, bytesOf(w)}, {"w", "F32", {3}, bytesOf(w)}});
  EXPECT_NE(llvm::toString(std::move(duplicate)).find("repeated"),
            std::string::npos);
  // Nothing replaced the original, and no temporary files remain.
  EXPECT_EQ(readFile(path), original);
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(WeightsTest, WriterReportsUnwritableDirectory) {
  std::vector<float> w = {1};
  llvm::Error error = writeSafetensors(pathFor("no/such/dir/x.safetensors"),
                                       {{"w", "F32", {1}, bytesOf(w)}});
  ASSERT_TRUE(bool(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("x.safetensors: "),
            std::string::npos);
}

} // namespace
