//===- Npy.cpp - read and write NumPy .npy files of f32 -------------------===//
//
// Layout: "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE
// for 2.0), then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }
// padded with spaces to a multiple of 64 bytes and ended by '\n', then data.
// Every read is bounds-checked: the input may be any bytes at all.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "npy data is copied as-is; big-endian hosts need byte swaps");

namespace cnnc::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr uint32_t kMaxHeaderLen = 1u << 20; // numpy's own limit is far below
constexpr int64_t kMaxElements = INT64_MAX / 8;
constexpr size_t kMaxRank = 64;

[[noreturn]] void fail(const std::string &msg) { throw Error(msg); }

// Header text made safe to quote in an error message.
std::string quote(const char *b, const char *e) {
  std::string s;
  for (; b < e && s.size() < 80; ++b)
    s += std::isprint(static_cast<unsigned char>(*b)) ? *b : '?';
  return s;
}

// Cursor over the header's dict literal.
class Header {
public:
  Header(const char *b, const char *e) : p(b), end(e), begin(b) {
    while (end > begin && std::isspace(static_cast<unsigned char>(end[-1])))
      --end; // the padding, kept out of error messages
  }

  void skipSpace() {
    while (p < end && std::isspace(static_cast<unsigned char>(*p)))
      ++p;
  }
  bool eat(char c) {
    skipSpace();
    if (p < end && *p == c) {
      ++p;
      return true;
    }
    return false;
  }
  bool atString() {
    skipSpace();
    return p < end && (*p == '\'' || *p == '"');
  }
  std::string string() {
    if (!atString())
      bad();
    char q = *p++;
    const char *s = p;
    while (p < end && *p != q)
      ++p;
    if (p == end)
      bad();
    return std::string(s, p++);
  }
  std::string word() {
    skipSpace();
    const char *s = p;
    while (p < end && std::isalnum(static_cast<unsigned char>(*p)))
      ++p;
    return std::string(s, p);
  }
  // A tuple of non-negative integers: (), (3,), (1, 3).
  std::vector<int64_t> shape() {
    const char *start = (skipSpace(), p);
    auto badShape = [&] {
      const char *close = static_cast<const char *>(std::memchr(start, ')', end - start));
      fail("bad shape '" + quote(start, close ? close + 1 : end) + "'");
    };
    std::vector<int64_t> dims;
    if (!eat('('))
      badShape();
    int64_t count = 1;
    while (!eat(')')) {
      skipSpace();
      if (p == end || !std::isdigit(static_cast<unsigned char>(*p)) || dims.size() == kMaxRank)
        badShape();
      int64_t d = 0;
      for (; p < end && std::isdigit(static_cast<unsigned char>(*p)); ++p) {
        if (d > (kMaxElements - 9) / 10)
          fail("shape dimension too large");
        d = d * 10 + (*p - '0');
      }
      if (d > 0 && count > kMaxElements / d)
        fail("shape has too many elements");
      count *= d;
      dims.push_back(d);
      if (!eat(',') && !(p < end && *p == ')'))
        badShape();
    }
    return dims;
  }
  bool atEnd() {
    skipSpace();
    return p == end;
  }
  [[noreturn]] void bad() { fail("malformed header '" + quote(begin, end) + "'"); }

private:
  const char *p, *end, *begin;
};

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

uint32_t readLE(const unsigned char *b, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = v << 8 | b[i];
  return v;
}

} // namespace

Tensor parse(const void *bytes, size_t size) {
  const auto *b = static_cast<const unsigned char *>(bytes);
  if (size == 0 || std::memcmp(b, kMagic, std::min(size, kMagicLen)) != 0)
    fail("not a .npy file (bad magic)");
  if (size < kMagicLen + 2)
    fail("truncated header");
  int major = b[6], minor = b[7];
  if ((major != 1 && major != 2) || minor != 0)
    fail("unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor) +
         " (supported: 1.0, 2.0)");
  size_t lenBytes = major == 1 ? 2 : 4, prefix = 8 + lenBytes;
  if (size < prefix)
    fail("truncated header");
  uint32_t headerLen = readLE(b + 8, int(lenBytes));
  if (headerLen > kMaxHeaderLen)
    fail("absurd header length " + std::to_string(headerLen));
  if (size - prefix < headerLen)
    fail("truncated header: needs " + std::to_string(headerLen) + " bytes, file has " +
         std::to_string(size - prefix));

  const char *text = reinterpret_cast<const char *>(b + prefix);
  Header h(text, text + headerLen);
  std::string descr;
  bool haveDescr = false, haveOrder = false, haveShape = false, fortran = false;
  Tensor t;
  if (!h.eat('{'))
    h.bad();
  while (!h.eat('}')) {
    std::string key = h.string();
    if (!h.eat(':'))
      h.bad();
    if (key == "descr") {
      if (!h.atString())
        fail("unsupported dtype (structured); only little-endian float32 '<f4' is supported");
      descr = h.string();
      haveDescr = true;
    } else if (key == "fortran_order") {
      std::string w = h.word();
      if (w != "True" && w != "False")
        h.bad();
      fortran = w == "True";
      haveOrder = true;
    } else if (key == "shape") {
      t.shape = h.shape();
      haveShape = true;
    } else {
      fail("unexpected header key '" + quote(key.data(), key.data() + key.size()) + "'");
    }
    if (h.eat(','))
      continue;
    if (!h.eat('}'))
      h.bad();
    break;
  }
  if (!h.atEnd())
    h.bad();
  if (!haveDescr || !haveOrder || !haveShape)
    fail(std::string("header lacks '") +
         (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") + "'");
  if (descr != "<f4")
    fail("unsupported dtype '" + quote(descr.data(), descr.data() + descr.size()) +
         "'; only little-endian float32 '<f4' is supported");
  if (fortran)
    fail("fortran_order True is not supported (save a C-contiguous array)");

  size_t want = size_t(t.numElements()) * sizeof(float), have = size - prefix - headerLen;
  if (have != want)
    fail(std::string(have < want ? "truncated data" : "data size mismatch") + ": shape " +
         shapeString(t.shape) + " needs " + std::to_string(want) + " bytes, file has " +
         std::to_string(have));
  t.data.resize(size_t(t.numElements()));
  if (want)
    std::memcpy(t.data.data(), b + prefix + headerLen, want);
  return t;
}

std::string serialize(const Tensor &t) {
  if (int64_t(t.data.size()) != t.numElements())
    fail("tensor shape needs " + std::to_string(t.numElements()) + " values, has " +
         std::to_string(t.data.size()));
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeString(t.shape) + ", }";
  // Pad so data starts 64-byte aligned, as numpy does.
  size_t prefix = dict.size() + 1 < 65536 - 64 ? 10 : 12;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';

  std::string out(kMagic, kMagicLen);
  out += char(prefix == 10 ? 1 : 2);
  out += char(0);
  for (size_t i = 0; i < prefix - 8; ++i)
    out += char((dict.size() >> (8 * i)) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char *>(t.data.data()), t.data.size() * sizeof(float));
  return out;
}

Tensor read(const std::string &path) {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f)
    fail(path + ": cannot open: " + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0)
    bytes.append(buf, n);
  if (std::ferror(f.get()))
    fail(path + ": cannot read: " + std::strerror(errno));
  try {
    return parse(bytes.data(), bytes.size());
  } catch (const Error &e) {
    fail(path + ": " + e.what());
  }
}

void write(const std::string &path, const Tensor &t) {
  std::string bytes = serialize(t);
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f)
    fail(path + ": cannot write: " + std::strerror(errno));
  if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() ||
      std::fclose(f.release()) != 0)
    fail(path + ": write failed");
}

} // namespace cnnc::npy
