//===- Driver.cpp - the command line shared by cnnc-run and cnnc-reference ===//
#include "tools/run/Driver.h"

#include "runtime/Npy.h"
#include "tools/run/Profile.h"

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
#include <thread>

namespace cnnc::run {
namespace {

const char kUsage[] =
    "usage: cnnc-run MODEL.so [options]\n"
    "       cnnc-run --reference NETWORK.{graph,onnx,mlir} [--weights W] [options]\n"
    "\n"
    "Runs a model compiled by cnnc and summarises its outputs. With --reference,\n"
    "evaluates the network with the reference evaluator instead (the test\n"
    "oracle: plain loops, slow; no optimisation passes run).\n"
    "\n"
    "  --input NAME=FILE.npy  bind input NAME to a .npy file (f32, C order)\n"
    "  --input FILE.npy       bind the next unbound input, in model order\n"
    "                         (no --input at all: random inputs, uniform [-1,1])\n"
    "  --output-dir DIR       write each output as DIR/<output name>.npy\n"
    "  --bench N              after a warm-up, time N runs; print min/median ms\n"
    "                         and the model's memory figures\n"
    "  --profile              time each fused layer (a model compiled with\n"
    "                         cnnc --profile; --bench N runs, default 10)\n"
    "  --profile-funcs        --profile, and each Halide Func's (stage's) time\n"
    "  --peak-gflops X        the FMA peak --profile compares with (default:\n"
    "                         measured with a short FMA loop)\n"
    "  --threads T            threads per run (0 = one per core; compiled models)\n"
    "  --seed S               seed of the random inputs (default 0)\n"
    "  --reference            run NETWORK with the reference evaluator\n"
    "  --weights W            safetensors weights of a .graph (with --reference;\n"
    "                         default: cnnc's seeded random weights, seed 0)\n"
    "  --help                 show this text\n";

long long parseInt(const char *opt, const char *text, long long min, long long max) {
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max)
    throw Error(std::string("--") + opt + " needs an integer in [" + std::to_string(min) + ", " +
                std::to_string(max) + "], got '" + text + "'");
  return v;
}

double parseDouble(const char *opt, const char *text) {
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text, &end);
  if (errno || end == text || *end || !(v > 0) || v > 1e9)
    throw Error(std::string("--") + opt + " needs a positive number, got '" + text + "'");
  return v;
}

// Returns nullopt when the run should stop successfully (--help).
std::optional<Options> parseArgs(int argc, char **argv) {
  enum {
    kInput = 'i', kOutputDir = 'o', kBench = 'b', kThreads = 't', kSeed = 's', kHelp = 'h',
    kReference = 'r', kWeights = 'w', kProfile = 'p', kPeak = 'P', kProfileFuncs = 'F'
  };
  static const option longOpts[] = {{"input", required_argument, nullptr, kInput},
                                    {"output-dir", required_argument, nullptr, kOutputDir},
                                    {"bench", required_argument, nullptr, kBench},
                                    {"threads", required_argument, nullptr, kThreads},
                                    {"seed", required_argument, nullptr, kSeed},
                                    {"reference", no_argument, nullptr, kReference},
                                    {"weights", required_argument, nullptr, kWeights},
                                    {"profile", no_argument, nullptr, kProfile},
                                    {"profile-funcs", no_argument, nullptr, kProfileFuncs},
                                    {"peak-gflops", required_argument, nullptr, kPeak},
                                    {"help", no_argument, nullptr, kHelp},
                                    {nullptr, 0, nullptr, 0}};
  Options o;
  opterr = 0; // we report errors ourselves
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longOpts, nullptr)) != -1) {
    switch (c) {
    case kInput: o.inputs.push_back(optarg); break;
    case kOutputDir: o.outputDir = optarg; break;
    case kBench: o.bench = int(parseInt("bench", optarg, 1, INT_MAX)); break;
    case kThreads: o.threads = int(parseInt("threads", optarg, 0, 4096)); break;
    case kSeed: o.seed = uint64_t(parseInt("seed", optarg, 0, LLONG_MAX)); break;
    case kReference: o.reference = true; break;
    case kWeights: o.weights = optarg; break;
    case kProfile: o.profile = true; break;
    case kProfileFuncs: o.profile = o.profileFuncs = true; break;
    case kPeak: o.peakGflops = parseDouble("peak-gflops", optarg); break;
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
  if (o.profile && o.reference)
    throw Error("--profile needs a model compiled with cnnc --profile, not --reference");
  if (o.peakGflops > 0 && !o.profile)
    throw Error("--peak-gflops needs --profile");
  if (!o.weights.empty() && !o.reference)
    throw Error("--weights needs --reference (a compiled model holds its weights)");
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

// Binds --input values to the network's inputs: NAME=FILE by name (when NAME
// is an input's name), the rest in order to the inputs still unbound.
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

void bench(Network &net, int runs) {
  net.run(); // warm-up: first-touch, thread pool start
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    net.run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
  // Microsecond resolution: the sequence benchmarks run in tens of us.
  std::printf("bench: %d runs, min %.4f ms, median %.4f ms\n", runs, ms.front(), median);
}

/// Threads a run of a compiled model uses: --threads, else Halide's default
/// (HL_NUM_THREADS, else one per core).
int runThreads(const Options &o) {
  if (o.threads > 0)
    return o.threads;
  if (const char *env = std::getenv("HL_NUM_THREADS"); env && o.threads < 0 && std::atoi(env) > 0)
    return std::atoi(env);
  return std::max(1, int(std::thread::hardware_concurrency()));
}

int runNetwork(const Options &o, Network &net) {
  const cnnc_profile_info *profile = net.profileInfo();
  if (o.profile && !profile)
    throw Error(o.model + " was not compiled with --profile (compile it with cnnc --profile "
                "NETWORK -o " + o.model + ")");
  std::vector<TensorInfo> inInfo = net.inputs(), outInfo = net.outputs();
  std::printf("model %s: %zu input(s), %zu output(s)\n", net.name().c_str(), inInfo.size(),
              outInfo.size());
  net.setInputs(bindInputs(inInfo, o));
  net.run();
  std::vector<Tensor> outputs = net.results();
  for (size_t i = 0; i < outputs.size(); ++i)
    summarize(outInfo[i], outputs[i]);
  if (!o.outputDir.empty())
    writeOutputs(o.outputDir, outInfo, outputs);
  if (o.profile) {
    ProfileOptions p;
    p.runs = o.bench > 0 ? o.bench : 10;
    p.peakGflops = o.peakGflops;
    p.threads = runThreads(o);
    p.funcs = o.profileFuncs;
    printProfile(*profile, [&] { net.run(); }, p);
  } else if (o.bench > 0) {
    bench(net, o.bench);
  }
  if (o.profile || o.bench > 0) {
    if (std::optional<cnnc_memory_stats> m = net.memoryStats())
      printMemory(*m);
    else if (!o.reference)
      std::printf("memory: not reported by this model (compiled by an older cnnc)\n");
  }
  return 0;
}

} // namespace

int main(int argc, char **argv, const char *tool, const OpenFn &open,
         const std::function<void(char **argv)> &reference) {
  try {
    std::optional<Options> o = parseArgs(argc, argv);
    if (!o)
      return 0;
    if (o->reference && reference)
      reference(argv);
    return runNetwork(*o, *open(*o));
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: error: %s\n", tool, e.what());
    return 1;
  }
}

} // namespace cnnc::run
