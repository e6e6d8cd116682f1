//===- RuntimeTest.cpp - libcnnrt, its C++ wrapper and .npy ---------------===//
//
// The models are hand-written fakes (test/runtime/Inputs), so none of this
// needs the compiler.
//
//===----------------------------------------------------------------------===//

#include "cnnc/runtime.h"
#include "cnnc/runtime.hpp"
#include "runtime/Npy.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

using ::testing::HasSubstr;

namespace {

std::string fake(const char *name) {
  return std::string(CNNC_FAKE_MODEL_DIR) + "/" + name + ".so";
}

// A buffer of `shape` over `data`; dtype is raw, as a C caller could store
// any value (a C++ cast to an out-of-range enum would be undefined).
cnnc_tensor tensor(std::vector<int64_t> shape, float *data, unsigned dtype = CNNC_F32) {
  cnnc_tensor t{CNNC_F32, int32_t(shape.size()), {}, data};
  static_assert(sizeof dtype == sizeof t.dtype);
  std::memcpy(&t.dtype, &dtype, sizeof dtype);
  for (size_t i = 0; i < shape.size() && i < CNNC_MAX_RANK; ++i)
    t.shape[i] = shape[i];
  return t;
}

// Message of opening `path`, which must fail.
std::string openError(const std::string &path) {
  char err[512] = "";
  cnnc_model *m = cnnc_model_open(path.c_str(), err, sizeof err);
  EXPECT_EQ(m, nullptr);
  cnnc_model_close(m);
  return err;
}

// A temp dir removed at the end of each test.
class TempDir : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cnnc-runtime-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string writeFile(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string dir;
};

//===--- C API ------------------------------------------------------------===//

class CApi : public ::testing::Test {
protected:
  void SetUp() override {
    char err[512] = "";
    m = cnnc_model_open(fake("affine").c_str(), err, sizeof err);
    ASSERT_NE(m, nullptr) << err;
  }
  void TearDown() override { cnnc_model_close(m); }
  // Runs with one input and one output buffer; returns the error or "".
  std::string runWith(cnnc_tensor in, cnnc_tensor out, int32_t nin = 1, int32_t nout = 1) {
    return cnnc_model_run(m, &in, nin, &out, nout) == 0 ? "" : cnnc_model_error(m);
  }
  cnnc_model *m = nullptr;
  float x[8] = {1, 2, 3, 4}, y[8] = {};
};

TEST_F(CApi, Describes) {
  EXPECT_STREQ(cnnc_model_name(m), "affine");
  ASSERT_EQ(cnnc_model_num_inputs(m), 1);
  ASSERT_EQ(cnnc_model_num_outputs(m), 1);
  const cnnc_tensor_desc *in = cnnc_model_input(m, 0);
  EXPECT_STREQ(in->name, "x");
  EXPECT_EQ(in->dtype, CNNC_F32);
  EXPECT_EQ(in->rank, 2);
  EXPECT_EQ(cnnc_tensor_desc_num_elements(in), 4);
  EXPECT_STREQ(cnnc_model_output(m, 0)->name, "y");
  EXPECT_EQ(cnnc_model_input(m, 1), nullptr);
  EXPECT_EQ(cnnc_model_input(m, -1), nullptr);
  EXPECT_EQ(cnnc_model_output(m, 1), nullptr);
  EXPECT_STREQ(cnnc_model_error(m), "");
  EXPECT_STREQ(cnnc_dtype_name(CNNC_F32), "f32");
}

TEST_F(CApi, Runs) {
  ASSERT_EQ(runWith(tensor({1, 4}, x), tensor({1, 4}, y)), "");
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{3, 5, 7, 9}));
}

TEST_F(CApi, ValidatesEveryBufferBeforeRunning) {
  cnnc_tensor in = tensor({1, 4}, x), out = tensor({1, 4}, y);
  EXPECT_EQ(runWith(in, out, 0, 1), "expected 1 input, got 0");
  EXPECT_EQ(runWith(in, out, 2, 1), "expected 1 input, got 2");
  EXPECT_EQ(runWith(in, out, 1, 0), "expected 1 output, got 0");
  EXPECT_EQ(cnnc_model_run(m, nullptr, 1, &out, 1), -1);
  EXPECT_STREQ(cnnc_model_error(m), "null tensor array");
  EXPECT_EQ(runWith(tensor({1, 5}, x), out), "input 'x': expected f32[1,4], got f32[1,5]");
  EXPECT_EQ(runWith(tensor({4}, x), out), "input 'x': expected f32[1,4], got f32[4]");
  cnnc_tensor deep = in;
  deep.rank = 9;
  EXPECT_EQ(runWith(deep, out), "input 'x': expected f32[1,4], got rank 9");
  deep.rank = -1;
  EXPECT_EQ(runWith(deep, out), "input 'x': expected f32[1,4], got rank -1");
  EXPECT_EQ(runWith(tensor({1, 4}, nullptr), out), "input 'x': null data");
  EXPECT_EQ(runWith(tensor({1, 4}, x, 7), out), "input 'x': unknown dtype 7");
  EXPECT_EQ(runWith(in, tensor({1, 3}, y)), "output 'y': expected f32[1,4], got f32[1,3]");
  EXPECT_EQ(runWith(in, tensor({1, 4}, nullptr)), "output 'y': null data");
  for (float v : y)
    EXPECT_EQ(v, 0) << "the model ran on a rejected call";
}

TEST_F(CApi, ReportsTheModelsOwnError) {
  char err[512];
  cnnc_model *f = cnnc_model_open(fake("failing").c_str(), err, sizeof err);
  ASSERT_NE(f, nullptr) << err;
  cnnc_tensor in = tensor({1, 4}, x), out = tensor({1, 4}, y);
  EXPECT_EQ(cnnc_model_run(f, &in, 1, &out, 1), -1);
  EXPECT_STREQ(cnnc_model_error(f), "affine: out of cheese");
  EXPECT_STREQ(cnnc_model_error(m), "") << "errors are per handle";
  cnnc_model_close(f);
  f = cnnc_model_open(fake("failing_named").c_str(), err, sizeof err);
  ASSERT_NE(f, nullptr) << err;
  EXPECT_EQ(cnnc_model_run(f, &in, 1, &out, 1), -1);
  EXPECT_STREQ(cnnc_model_error(f), "affine: out of cheese") << "named once";
  cnnc_model_close(f);
}

TEST_F(CApi, ForwardsThreadCount) {
  EXPECT_EQ(cnnc_model_set_num_threads(m, 3), 0);
  // RTLD_NOLOAD finds the already loaded fake and its probe.
  void *dl = dlopen(fake("affine").c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(dl, nullptr);
  auto probe = reinterpret_cast<int (*)()>(dlsym(dl, "fake_num_threads"));
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe(), 3);
  EXPECT_EQ(cnnc_model_set_num_threads(m, -2), -1);
  EXPECT_STREQ(cnnc_model_error(m), "bad thread count -2");
  EXPECT_EQ(probe(), 3);
  dlclose(dl);
}

TEST_F(CApi, RunsConcurrently) {
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      float in[4] = {float(t), 0, 0, 0}, out[4];
      for (int i = 0; i < 500; ++i) {
        cnnc_tensor a = tensor({1, 4}, in), b = tensor({1, i % 2 ? 4 : 5}, out);
        if (cnnc_model_run(m, &a, 1, &b, 1) == 0 && out[0] == 2 * t + 1)
          ++good[t];
        else if (std::string(cnnc_model_error(m)).find("output 'y'") == std::string::npos)
          good[t] = -100000;
      }
    });
  for (auto &t : threads)
    t.join();
  for (int g : good)
    EXPECT_EQ(g, 250);
}

TEST(Open, RefusesOtherAbi) {
  std::string path = fake("abi2");
  EXPECT_EQ(openError(path), path + ": built for cnnc ABI 2, this runtime speaks ABI 1");
}

TEST(Open, RefusesLibraryWithoutDescribe) {
  std::string path = fake("no_describe");
  EXPECT_EQ(openError(path), path + ": not a cnnc model (no cnnc_model_describe symbol)");
}

TEST_F(TempDir, OpenRefusesNonLibraries) {
  std::string text = writeFile("model.so", "this is not an ELF file\n");
  EXPECT_THAT(openError(text), HasSubstr(text));
  EXPECT_THAT(openError(dir + "/missing.so"), HasSubstr("No such file"));
  EXPECT_THAT(openError(dir), HasSubstr("Is a directory"));
  EXPECT_EQ(cnnc_model_open(nullptr, nullptr, 0), nullptr) << "no crash without err";
}

TEST(Open, BareFileNameMeansCurrentDirectory) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(CNNC_FAKE_MODEL_DIR), 0);
  char err[512] = "";
  cnnc_model *m = cnnc_model_open("affine.so", err, sizeof err);
  EXPECT_NE(m, nullptr) << err;
  cnnc_model_close(m);
  ASSERT_EQ(chdir(cwd), 0);
}

TEST(Open, TwoModelsAtOnce) {
  char err[512];
  cnnc_model *a = cnnc_model_open(fake("affine").c_str(), err, sizeof err);
  cnnc_model *b = cnnc_model_open(fake("two_io").c_str(), err, sizeof err);
  cnnc_model *a2 = cnnc_model_open(fake("affine").c_str(), err, sizeof err);
  ASSERT_TRUE(a && b && a2);
  EXPECT_STREQ(cnnc_model_name(b), "two_io");
  float x[4] = {0, 1, 2, 3}, y[4];
  float pa[6] = {1, 2, 3, 4, 5, 6}, pb[3] = {10, 20, 30}, sum[6], total[1];
  cnnc_tensor ai[] = {tensor({1, 4}, x)}, ao[] = {tensor({1, 4}, y)};
  cnnc_tensor bi[] = {tensor({2, 3}, pa), tensor({3}, pb)};
  cnnc_tensor bo[] = {tensor({2, 3}, sum), tensor({1}, total)};
  ASSERT_EQ(cnnc_model_run(a, ai, 1, ao, 1), 0);
  ASSERT_EQ(cnnc_model_run(b, bi, 2, bo, 2), 0) << cnnc_model_error(b);
  cnnc_model_close(a);
  ASSERT_EQ(cnnc_model_run(a2, ai, 1, ao, 1), 0) << "still loaded through a2";
  EXPECT_EQ(y[3], 7);
  EXPECT_EQ(std::vector<float>(sum, sum + 6), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(total[0], 21);
  cnnc_tensor swapped[] = {bi[1], bi[0]};
  EXPECT_EQ(cnnc_model_run(b, swapped, 2, bo, 2), -1);
  EXPECT_STREQ(cnnc_model_error(b), "input 'a': expected f32[2,3], got f32[3]");
  cnnc_model_close(b);
  cnnc_model_close(a2);
}

//===--- statically linked models -----------------------------------------===//

int negate(const void *const *in, void *const *out, char *, size_t) {
  for (int i = 0; i < 3; ++i)
    static_cast<float *>(out[0])[i] = -static_cast<const float *>(in[0])[i];
  return 0;
}
const cnnc_tensor_desc kVec3[] = {{"v", CNNC_F32, 1, {3}}};
const cnnc_model_desc kNegate = {CNNC_ABI_VERSION, "negate", 1, 1, kVec3, kVec3, negate, nullptr};

std::string fromDescError(const cnnc_model_desc &d) {
  char err[512] = "";
  cnnc_model *m = cnnc_model_from_desc(&d, err, sizeof err);
  EXPECT_EQ(m, nullptr);
  cnnc_model_close(m);
  return err;
}

TEST(FromDesc, WrapsAStaticModel) {
  char err[512];
  cnnc_model *m = cnnc_model_from_desc(&kNegate, err, sizeof err);
  ASSERT_NE(m, nullptr) << err;
  float v[3] = {1, -2, 3}, w[3];
  cnnc_tensor in = tensor({3}, v), out = tensor({3}, w);
  ASSERT_EQ(cnnc_model_run(m, &in, 1, &out, 1), 0);
  EXPECT_EQ(w[1], 2);
  EXPECT_EQ(cnnc_model_set_num_threads(m, 2), 0) << "no thread control is fine";
  cnnc_model_close(m);
}

TEST(FromDesc, RefusesMalformedDescriptors) {
  char err[64];
  EXPECT_EQ(cnnc_model_from_desc(nullptr, err, sizeof err), nullptr);
  EXPECT_STREQ(err, "model: no model descriptor");

  cnnc_model_desc d = kNegate;
  d.abi_version = 7;
  EXPECT_EQ(fromDescError(d), "negate: built for cnnc ABI 7, this runtime speaks ABI 1");
  d = kNegate;
  d.run = nullptr;
  EXPECT_EQ(fromDescError(d), "negate: descriptor has no run function");
  d = kNegate;
  d.num_inputs = 2;
  d.inputs = nullptr;
  EXPECT_EQ(fromDescError(d), "negate: descriptor has bad input/output tables");
  cnnc_tensor_desc bad[] = {{"v", CNNC_F32, 9, {}}};
  d = kNegate;
  d.outputs = bad;
  EXPECT_EQ(fromDescError(d), "negate: output 0 'v' has bad rank 9");
  bad[0] = {"v", CNNC_F32, 2, {-1, 3}};
  EXPECT_EQ(fromDescError(d), "negate: output 0 'v' has bad shape f32[-1,3]");
  bad[0] = {"v", CNNC_F32, 3, {INT64_MAX / 2, 4, 4}};
  EXPECT_THAT(fromDescError(d), HasSubstr("has bad shape"));
  bad[0] = {nullptr, CNNC_F32, 1, {3}};
  EXPECT_EQ(fromDescError(d), "negate: output 0 has no name");
  bad[0] = {"v", CNNC_F32, 1, {3}};
  std::memset(&bad[0].dtype, 0, sizeof bad[0].dtype);
  EXPECT_EQ(fromDescError(d), "negate: output 0 'v' has unknown dtype 0");
}

//===--- Optional additions (memory statistics, profile) -------------------===//

TEST(Extras, AbsentInOlderModels) {
  char err[256];
  cnnc_model *m = cnnc_model_open(fake("affine").c_str(), err, sizeof err);
  ASSERT_NE(m, nullptr) << err;
  cnnc_memory_stats s;
  EXPECT_EQ(cnnc_model_get_memory_stats(m, &s), -1);
  EXPECT_THAT(cnnc_model_error(m), HasSubstr("affine: the model has no memory statistics"));
  EXPECT_EQ(cnnc_model_get_profile_info(m), nullptr);
  cnnc_model_close(m);
  cnnc::Model cpp(fake("affine"));
  EXPECT_FALSE(cpp.memoryStats());
  EXPECT_EQ(cpp.profileInfo(), nullptr);
}

TEST(Extras, FoundWithDlsym) {
  cnnc::Model m(fake("extras"));
  std::optional<cnnc_memory_stats> s = m.memoryStats();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->version, CNNC_MEMORY_STATS_VERSION);
  EXPECT_EQ(s->weight_bytes, 1u << 20);
  EXPECT_EQ(s->activation_bytes[0], 3u << 20);
  EXPECT_STREQ(s->activation_names[1], "x");
  EXPECT_EQ(s->pool_peak_bytes, 9u << 19);
  const cnnc_profile_info *p = m.profileInfo();
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->num_layers, 2);
  EXPECT_STREQ(p->layers[0].name, "conv");
  EXPECT_EQ(p->layers[0].num_funcs, 2);
  EXPECT_STREQ(p->layers[0].funcs[1], "conv_out");
  p->reset();
  m.run({cnnc::Tensor({1, 4})});
  int32_t runs = 0;
  EXPECT_EQ(p->read(nullptr, 0, &runs, nullptr, nullptr), 5);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(p->sample_interval(100), 1000);
  EXPECT_EQ(p->sample_interval(0), 100);
}

TEST(Extras, UnusableProfileIsIgnored) {
  cnnc::Model m(fake("extras_unusable"));
  EXPECT_EQ(m.profileInfo(), nullptr);
  EXPECT_TRUE(m.memoryStats());
}

//===--- C++ wrapper ------------------------------------------------------===//

TEST(Cpp, RunsAndDescribes) {
  cnnc::Model m(fake("affine"));
  EXPECT_EQ(m.name(), "affine");
  ASSERT_EQ(m.inputs().size(), 1u);
  EXPECT_EQ(m.inputs()[0].name, "x");
  EXPECT_EQ(m.inputs()[0].typeString(), "f32[1,4]");
  EXPECT_EQ(m.outputs()[0].shape, (std::vector<int64_t>{1, 4}));
  std::vector<cnnc::Tensor> y = m.run({cnnc::Tensor({1, 4}, {0, 1, 2, 3})});
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(y[0].shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(y[0].data, (std::vector<float>{1, 3, 5, 7}));
  m.setNumThreads(0);

  cnnc::Model moved = std::move(m);
  EXPECT_EQ(moved.run({cnnc::Tensor({1, 4})})[0].data[0], 1);
}

TEST(Cpp, ThrowsTheRuntimesMessage) {
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const cnnc::Error &e) {
      return e.what();
    }
    return "no exception";
  };
  std::string abi2 = fake("abi2");
  EXPECT_EQ(message([&] { cnnc::Model m(abi2); }),
            abi2 + ": built for cnnc ABI 2, this runtime speaks ABI 1");
  cnnc::Model m(fake("affine"));
  EXPECT_EQ(message([&] { m.run({cnnc::Tensor({1, 5})}); }),
            "input 'x': expected f32[1,4], got f32[1,5]");
  EXPECT_EQ(message([&] { m.run({}); }), "expected 1 input, got 0");
  EXPECT_EQ(message([&] { m.run({cnnc::Tensor({1, 4}), cnnc::Tensor({1})}); }),
            "expected 1 input, got 2");
  EXPECT_EQ(message([&] { m.run({cnnc::Tensor({1, 4}, {1, 2})}); }),
            "input 'x': shape needs 4 values, got 2");
  EXPECT_EQ(message([&] { m.run({cnnc::Tensor({1, 1, 1, 1, 1, 1, 1, 1, 1, 4})}); }),
            "input 'x': expected f32[1,4], got rank 10");
  EXPECT_EQ(message([&] { m.setNumThreads(-1); }), "bad thread count -1");
  EXPECT_EQ(message([&] { cnnc::Model::fromDesc(nullptr); }), "model: no model descriptor");
}

TEST(Cpp, TwoInputsTwoOutputsAndStaticModels) {
  cnnc::Model m(fake("two_io"));
  std::vector<cnnc::Tensor> out;
  m.run({cnnc::Tensor({2, 3}, {1, 1, 1, 1, 1, 1}), cnnc::Tensor({3}, {1, 2, 3})}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].data, (std::vector<float>{2, 3, 4, 2, 3, 4}));
  EXPECT_EQ(out[1].data, (std::vector<float>{6}));
  cnnc::Model s = cnnc::Model::fromDesc(&kNegate);
  EXPECT_EQ(s.run({cnnc::Tensor({3}, {1, 2, 3})})[0].data, (std::vector<float>{-1, -2, -3}));
}

//===--- .npy -------------------------------------------------------------===//

// A .npy file with a hand-made header (padded and '\n'-ended) and payload.
std::string npy(const std::string &dict, const std::string &payload = "", int major = 1) {
  std::string header = dict + "\n";
  std::string out = std::string("\x93NUMPY", 6) + char(major) + '\0';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i)
    out += char((header.size() >> (8 * i)) & 0xff);
  return out + header + payload;
}

std::string floats(std::vector<float> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(float));
}

const std::string kGoodDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";

class Npy : public TempDir {
protected:
  // The error of reading `bytes` from a file; "" when it parses.
  std::string readError(const std::string &bytes) {
    std::string path = writeFile("t.npy", bytes);
    try {
      cnnc::npy::read(path);
    } catch (const cnnc::Error &e) {
      std::string msg = e.what();
      EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
      return msg.substr(path.size() + 2);
    }
    return "";
  }
};

TEST_F(Npy, RoundTrips) {
  for (const auto &shape : std::vector<std::vector<int64_t>>{{}, {3}, {1, 3, 2, 2}, {0, 5}}) {
    cnnc::Tensor t(shape);
    for (size_t i = 0; i < t.data.size(); ++i)
      t.data[i] = float(i) * 0.5f - 1;
    std::string bytes = cnnc::npy::serialize(t);
    size_t headerEnd = bytes.size() - t.data.size() * sizeof(float);
    EXPECT_EQ(headerEnd % 64, 0u);
    EXPECT_EQ(bytes[headerEnd - 1], '\n');
    std::string path = dir + "/rt.npy";
    cnnc::npy::write(path, t);
    cnnc::Tensor back = cnnc::npy::read(path);
    EXPECT_EQ(back.shape, t.shape);
    EXPECT_EQ(back.data, t.data);
  }
  // What numpy writes for np.zeros(2, '<f4'), header key order shuffled, v2.
  EXPECT_EQ(readError(npy(kGoodDict, floats({1, 2}))), "");
  EXPECT_EQ(readError(npy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                          floats({1, 2}), 2)),
            "");
  std::string bytes = npy(kGoodDict, floats({1, 2}));
  EXPECT_EQ(cnnc::npy::parse(bytes.data(), bytes.size()).data[1], 2);
}

TEST_F(Npy, ReportsEveryKindOfBadFile) {
  const std::string two = floats({1, 2});
  auto dict = [](const std::string &descr, const std::string &order, const std::string &shape) {
    return "{'descr': " + descr + ", 'fortran_order': " + order + ", 'shape': " + shape + ", }";
  };
  EXPECT_EQ(readError(""), "not a .npy file (bad magic)");
  EXPECT_EQ(readError("PK\x03\x04 a zip file"), "not a .npy file (bad magic)");
  EXPECT_EQ(readError("\x93NUM"), "truncated header");
  EXPECT_EQ(readError(std::string("\x93NUMPY\x01\x00\x10", 9)), "truncated header");
  EXPECT_EQ(readError(npy(kGoodDict, two, 3)), "unsupported .npy version 3.0 (supported: 1.0, 2.0)");
  EXPECT_EQ(readError(std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12)),
            "absurd header length 4294967295");
  EXPECT_THAT(readError(npy(kGoodDict).substr(0, 40)), HasSubstr("truncated header: needs"));
  EXPECT_EQ(readError(npy(dict("'<f8'", "False", "(2,)"), two + two)),
            "unsupported dtype '<f8'; only little-endian float32 '<f4' is supported");
  EXPECT_THAT(readError(npy(dict("'>f4'", "False", "(2,)"), two)), HasSubstr("dtype '>f4'"));
  EXPECT_THAT(readError(npy(dict("[('a', '<f4')]", "False", "(2,)"), two)),
              HasSubstr("unsupported dtype (structured)"));
  EXPECT_EQ(readError(npy(dict("'<f4'", "True", "(2,)"), two)),
            "fortran_order True is not supported (save a C-contiguous array)");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(1, x)"), two)), "bad shape '(1, x)'");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(1,,)"), two)), "bad shape '(1,,)'");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "[2]"), two)), "bad shape '[2], }'");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(-2,)"), two)), "bad shape '(-2,)'");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(2"), two)), "bad shape '(2, }'") << "cut at the dict's end";
  EXPECT_THAT(readError(npy(dict("'<f4'", "False", "(99999999999, 99999999999)"), two)),
              HasSubstr("too many elements"));
  EXPECT_THAT(readError(npy(dict("'<f4'", "False", "(999999999999999999999999,)"), two)),
              HasSubstr("too large"));
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(2, 2)"), two)),
            "truncated data: shape (2, 2) needs 16 bytes, file has 8");
  EXPECT_EQ(readError(npy(dict("'<f4'", "False", "(1,)"), two)),
            "data size mismatch: shape (1,) needs 4 bytes, file has 8");
  EXPECT_EQ(readError(npy("{'descr': '<f4', 'shape': (2,)}", two)), "header lacks 'fortran_order'");
  EXPECT_EQ(readError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", two)),
            "unexpected header key 'x'");
  EXPECT_THAT(readError(npy("{'descr: '<f4'}", two)), HasSubstr("malformed header"));
  EXPECT_THAT(readError(npy("not a dict \x01\xff", two)),
              HasSubstr("malformed header 'not a dict ??"));
  EXPECT_THAT(readError(npy(dict("'<f4'", "Maybe", "(2,)"), two)), HasSubstr("malformed header"));
  EXPECT_THAT(readError(npy(kGoodDict + " trailing", two)), HasSubstr("malformed header"));
  EXPECT_THAT(readError(npy("{'descr': '<f4'", two)), HasSubstr("malformed header"));
  try {
    cnnc::npy::read(dir + "/missing.npy");
    ADD_FAILURE();
  } catch (const cnnc::Error &e) {
    EXPECT_THAT(e.what(), HasSubstr("/missing.npy: cannot open: No such file"));
  }
  EXPECT_THROW(cnnc::npy::write(dir + "/no/such/dir.npy", cnnc::Tensor({1})), cnnc::Error);
  EXPECT_THROW(cnnc::npy::serialize(cnnc::Tensor({2}, {1})), cnnc::Error);
}

// Truncations and random corruptions parse or throw cnnc::Error, never crash.
TEST(NpyFuzz, SurvivesHostileBytes) {
  std::string good = cnnc::npy::serialize(cnnc::Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_THROW(cnnc::npy::parse(good.data(), n), cnnc::Error) << n;
  std::mt19937 rng(1);
  for (int i = 0; i < 20000; ++i) {
    std::string bad = good;
    for (int k = rng() % 4; k >= 0; --k)
      bad[rng() % bad.size()] = char(rng() % 3 ? " (),:'0123456789{}<f4TrueFals"[rng() % 29] : rng());
    try {
      cnnc::npy::parse(bad.data(), bad.size());
    } catch (const cnnc::Error &) {
    }
  }
}

} // namespace
