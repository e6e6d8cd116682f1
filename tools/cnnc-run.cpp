//===- cnnc-run.cpp - run a compiled model from the command line ----------===//
//
//   cnnc-run MODEL.so [--input NAME=FILE.npy | --input FILE.npy ...]
//            [--output-dir DIR] [--bench N] [--threads T] [--seed S]
//
// Links only the runtime (libcnnrt) and the .npy reader, never the compiler.
// Every failure is one "cnnc-run: error: ..." line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "cnnc/runtime.hpp"
#include "runtime/Npy.h"

#include <getopt.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using cnnc::Error;
using cnnc::Tensor;
using cnnc::TensorInfo;

const char kUsage[] =
    "usage: cnnc-run MODEL.so [options]\n"
    "\n"
    "Runs a model compiled by cnnc and summarises its outputs.\n"
    "\n"
    "  --input NAME=FILE.npy  bind input NAME to a .npy file (f32, C order)\n"
    "  --input FILE.npy       bind the next unbound input, in model order\n"
    "                         (no --input at all: random inputs, uniform [-1,1])\n"
    "  --output-dir DIR       write each output as DIR/<output name>.npy\n"
    "  --bench N              after a warm-up, time N runs; print min/median ms\n"
    "  --threads T            threads per run (0 = one per core)\n"
    "  --seed S               seed of the random inputs (default 0)\n"
    "  --help                 show this text\n";

struct Options {
  std::string model;
  std::vector<std::string> inputs; // --input values, in order
  std::string outputDir;
  int bench = 0;
  int threads = -1; // -1: leave the model's default
  uint64_t seed = 0;
  // Extension point: a `--reference MODEL.graph` mode will add the graph path
  // here; main() marks where its comparison runs.
};

long long parseInt(const char *opt, const char *text, long long min, long long max) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max)
    throw Error(std::string("--") + opt + " needs an integer in [" + std::to_string(min) + ", " +
                std::to_string(max) + "], got '" + text + "'");
  return v;
}

// Returns nullopt when the run should stop successfully (--help).
std::optional<Options> parseArgs(int argc, char **argv) {
  enum { kInput = 'i', kOutputDir = 'o', kBench = 'b', kThreads = 't', kSeed = 's', kHelp = 'h' };
  static const option longOpts[] = {{"input", required_argument, nullptr, kInput},
                                    {"output-dir", required_argument, nullptr, kOutputDir},
                                    {"bench", required_argument, nullptr, kBench},
                                    {"threads", required_argument, nullptr, kThreads},
                                    {"seed", required_argument, nullptr, kSeed},
                                    {"help", no_argument, nullptr, kHelp},
                                    {nullptr, 0, nullptr, 0}};
  Options o;
  opterr = 0; // we report errors ourselves
  int c;
  while ((c = getopt_long(argc, argv, ":h", longOpts, nullptr)) != -1) {
    switch (c) {
    case kInput: o.inputs.push_back(optarg); break;
    case kOutputDir: o.outputDir = optarg; break;
    case kBench: o.bench = int(parseInt("bench", optarg, 1, INT_MAX)); break;
    case kThreads: o.threads = int(parseInt("threads", optarg, 0, 4096)); break;
    case kSeed: o.seed = uint64_t(parseInt("seed", optarg, 0, LLONG_MAX)); break;
    case kHelp: std::fputs(kUsage, stdout); return std::nullopt;
    case ':': throw Error(std::string("option '") + argv[optind - 1] + "' needs a value");
    default: throw Error(std::string("unknown option '") + argv[optind - 1] + "' (see --help)");
    }
  }
  if (optind >= argc)
    throw Error("no model given (see --help)");
  if (argc - optind > 1)
    throw Error(std::string("unexpected argument '") + argv[optind + 1] +
                "' (inputs are given with --input)");
  o.model = argv[optind];
  return o;
}

std::string typeString(const std::vector<int64_t> &shape) {
  return TensorInfo{"", CNNC_F32, shape}.typeString();
}

// Uniform [-1, 1) from our own bit mapping, so a seed means the same inputs
// whatever the standard library.
Tensor randomTensor(const TensorInfo &info, std::mt19937_64 &rng) {
  Tensor t(info.shape);
  for (float &v : t.data)
    v = float(double(rng() >> 11) * 0x1p-53 * 2.0 - 1.0);
  return t;
}

// Binds --input values to the model's inputs: NAME=FILE by name (when NAME is
// an input's name), the rest in order to the inputs still unbound.
std::vector<Tensor> bindInputs(const std::vector<TensorInfo> &infos, const Options &o) {
  std::vector<Tensor> tensors(infos.size());
  if (o.inputs.empty()) {
    std::printf("no --input given: using random inputs (uniform [-1,1], seed %" PRIu64 ")\n",
                o.seed);
    std::mt19937_64 rng(o.seed);
    for (size_t i = 0; i < infos.size(); ++i)
      tensors[i] = randomTensor(infos[i], rng);
    return tensors;
  }
  std::vector<std::string> files(infos.size());
  std::vector<std::string> positional;
  for (const std::string &arg : o.inputs) {
    size_t eq = arg.find('=');
    auto named = std::find_if(infos.begin(), infos.end(), [&](const TensorInfo &i) {
      return eq != std::string::npos && i.name == arg.substr(0, eq);
    });
    if (named == infos.end()) {
      positional.push_back(arg);
      continue;
    }
    std::string &slot = files[size_t(named - infos.begin())];
    if (!slot.empty())
      throw Error("input '" + named->name + "' given twice");
    slot = arg.substr(eq + 1);
  }
  auto next = positional.begin();
  for (std::string &slot : files)
    if (slot.empty() && next != positional.end())
      slot = *next++;
  if (next != positional.end())
    throw Error("too many inputs: the model takes " + std::to_string(infos.size()) +
                " (extra: '" + *next + "')");
  for (size_t i = 0; i < infos.size(); ++i) {
    if (files[i].empty())
      throw Error("input '" + infos[i].name + "' not given (use --input " + infos[i].name +
                  "=FILE.npy)");
    tensors[i] = cnnc::npy::read(files[i]);
    if (tensors[i].shape != infos[i].shape)
      throw Error("input '" + infos[i].name + "' from " + files[i] + ": expected " +
                  infos[i].typeString() + ", got " + typeString(tensors[i].shape));
    std::printf("input %s: %s from %s\n", infos[i].name.c_str(), infos[i].typeString().c_str(),
                files[i].c_str());
  }
  return tensors;
}

void summarize(const TensorInfo &info, const Tensor &t) {
  std::printf("output %s: %s", info.name.c_str(), info.typeString().c_str());
  if (t.data.empty()) {
    std::printf(" (empty)\n");
    return;
  }
  auto [lo, hi] = std::minmax_element(t.data.begin(), t.data.end());
  double sum = 0;
  for (float v : t.data)
    sum += v;
  std::printf(" min %g max %g mean %g first [", *lo, *hi, sum / double(t.data.size()));
  for (size_t i = 0; i < std::min<size_t>(t.data.size(), 5); ++i)
    std::printf("%s%g", i ? " " : "", t.data[i]);
  std::printf("%s]", t.data.size() > 5 ? " ..." : "");
  if (t.shape.size() == 2 && t.shape[0] == 1) // a [1, K] row of scores
    std::printf(" argmax %td", std::max_element(t.data.begin(), t.data.end()) - t.data.begin());
  std::printf("\n");
}

// Output names come from the model; keep them from escaping DIR.
std::string fileName(const std::string &name, size_t index) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      c = '_';
  if (s.empty() || s == "." || s == "..")
    s = "output" + std::to_string(index);
  return s + ".npy";
}

void writeOutputs(const std::string &dir, const std::vector<TensorInfo> &infos,
                  const std::vector<Tensor> &outputs) {
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    throw Error(dir + ": cannot create directory: " + std::strerror(errno));
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string path = dir + "/" + fileName(infos[i].name, i);
    cnnc::npy::write(path, outputs[i]);
    std::printf("wrote %s\n", path.c_str());
  }
}

void bench(const cnnc::Model &m, const std::vector<Tensor> &inputs, int runs) {
  std::vector<Tensor> outputs;
  m.run(inputs, outputs); // warm-up: first-touch, thread pool start
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    m.run(inputs, outputs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
  std::printf("bench: %d runs, min %.3f ms, median %.3f ms\n", runs, ms.front(), median);
}

int run(int argc, char **argv) {
  std::optional<Options> o = parseArgs(argc, argv);
  if (!o)
    return 0;
  cnnc::Model m(o->model);
  if (o->threads >= 0)
    m.setNumThreads(o->threads);
  std::vector<TensorInfo> inInfo = m.inputs(), outInfo = m.outputs();
  std::printf("model %s: %zu input(s), %zu output(s)\n", m.name().c_str(), inInfo.size(),
              outInfo.size());
  std::vector<Tensor> inputs = bindInputs(inInfo, *o);
  std::vector<Tensor> outputs = m.run(inputs);
  for (size_t i = 0; i < outputs.size(); ++i)
    summarize(outInfo[i], outputs[i]);
  // Extension point: `--reference MODEL.graph` evaluates the graph on `inputs`
  // with the reference interpreter and compares against `outputs` here.
  if (!o->outputDir.empty())
    writeOutputs(o->outputDir, outInfo, outputs);
  if (o->bench > 0)
    bench(m, inputs, o->bench);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "cnnc-run: error: %s\n", e.what());
    return 1;
  }
}
