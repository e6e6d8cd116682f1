//===- Profile.cpp - cnnc-run --profile and the memory report -------------===//
#include "tools/run/Profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace cnnc::run {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Row {
  std::string layer, op;
  double flops = 0;
  uint64_t ns = 0;
  size_t order = 0;
};

/// `s` cut to `width` characters ("~" marks a cut).
std::string fit(const std::string &s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 1) + "~";
}

/// "3.06 MiB", or "18.4 KiB" below a MiB.
std::string bytes(uint64_t n) {
  char buf[32];
  if (double(n) >= kMiB)
    std::snprintf(buf, sizeof buf, "%.2f MiB", double(n) / kMiB);
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", double(n) / 1024);
  return buf;
}

/// Short names of the slots Halide's profiler keeps besides the Funcs.
std::string slotName(const std::string &name) {
  if (name == "waiting for parallel tasks to finish")
    return "waiting for threads";
  return name;
}

double medianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

void printProfile(const cnnc_profile_info &info, const std::function<void()> &run,
                  const ProfileOptions &opts) {
  Peak peak{opts.peakGflops, ""};
  if (peak.gflops <= 0)
    peak = measurePeak(opts.threads);

  auto timed = [&] {
    auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  // Aim at ~2000 samples over all runs, sampling every 50 us to 1 ms.
  double expected = timed() * opts.runs * 1000; // us
  int interval = int(std::clamp(expected / 2000, 50.0, 1000.0));
  int previous = info.sample_interval(interval);
  info.reset(); // drop the warm-up runs
  std::vector<double> wall;
  for (int i = 0; i < opts.runs; ++i)
    wall.push_back(timed());
  int32_t runs = 0, samples = 0;
  uint64_t pipelineNs = 0;
  int32_t n = info.read(nullptr, 0, nullptr, nullptr, nullptr);
  std::vector<cnnc_func_sample> funcs(size_t(std::max(n, 0)));
  if (n < 0 || info.read(funcs.data(), n, &runs, &samples, &pipelineNs) < 0 || runs <= 0)
    throw std::runtime_error("the model's profiler recorded no runs");
  info.sample_interval(previous);
  info.reset(); // nothing left for Halide's own report at exit

  // Func -> layer. Funcs of no layer (Halide's "overhead", "wait for
  // parallel tasks", "malloc" and "free" slots) get rows of their own.
  std::vector<Row> rows;
  std::unordered_map<std::string, size_t> layerOf;
  for (int32_t i = 0; i < info.num_layers; ++i) {
    const cnnc_layer_info &l = info.layers[i];
    rows.push_back({l.name, l.op, l.flops, 0, size_t(i)});
    for (int32_t k = 0; k < l.num_funcs; ++k)
      layerOf.emplace(l.funcs[k], size_t(i));
  }
  uint64_t total = 0;
  std::vector<std::pair<std::string, uint64_t>> stageNs; // --profile-funcs
  for (const cnnc_func_sample &f : funcs) {
    if (f.time_ns == 0)
      continue;
    std::string name = f.name ? f.name : "?";
    auto it = layerOf.find(name);
    if (it == layerOf.end()) {
      it = layerOf.emplace(name, rows.size()).first;
      rows.push_back({"(" + slotName(name) + ")", "", 0, 0, rows.size()});
    }
    rows[it->second].ns += f.time_ns;
    total += f.time_ns;
    stageNs.emplace_back(name, f.time_ns);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.ns > b.ns; });

  double mean = 0;
  for (double w : wall)
    mean += w / double(wall.size());
  double perRun = double(total) / runs / 1e6; // ms
  std::printf("profile: %d runs, wall median %.3f ms, mean %.3f ms per run; pipeline %.3f ms per "
              "run, %.3f ms of it sampled\n",
              runs, medianOf(wall), mean, double(pipelineNs) / runs / 1e6, perRun);
  std::printf("per-layer times are sampled: Halide's profiler noted the running Func every "
              "%d us (%d samples) and scales each run's samples to its duration\n",
              interval, samples);
  if (opts.peakGflops > 0)
    std::printf("peak: %.1f GFLOP/s (--peak-gflops)\n", peak.gflops);
  else
    std::printf("peak: %.1f GFLOP/s (measured: %s FMA loop, %d thread%s)\n", peak.gflops,
                peak.isa.c_str(), opts.threads, opts.threads == 1 ? "" : "s");

  size_t nameW = 5, opW = 2;
  for (const Row &r : rows) {
    nameW = std::max(nameW, std::min<size_t>(r.layer.size(), 36));
    opW = std::max(opW, std::min<size_t>(r.op.size(), 28));
  }
  int nw = int(nameW), ow = int(opW);
  std::printf("%-*s  %-*s  %9s  %6s  %8s  %6s\n", nw, "layer", ow, "op", "ms/run", "%time",
              "GFLOP/s", "%peak");
  double flops = 0;
  for (const Row &r : rows) {
    double ms = double(r.ns) / runs / 1e6;
    double share = total ? 100.0 * double(r.ns) / double(total) : 0;
    flops += r.flops;
    std::printf("%-*s  %-*s  %9.3f  %5.1f%%", nw, fit(r.layer, nameW).c_str(), ow,
                fit(r.op, opW).c_str(), ms, share);
    if (r.flops > 0 && ms > 0) {
      double gflops = r.flops / ms / 1e6;
      std::printf("  %8.1f  %5.1f%%\n", gflops, 100.0 * gflops / peak.gflops);
    } else {
      std::printf("  %8s  %6s\n", "-", "-");
    }
  }
  double gflops = perRun > 0 ? flops / perRun / 1e6 : 0;
  std::printf("%-*s  %-*s  %9.3f  %5.1f%%  %8.1f  %5.1f%%\n", nw, "total", ow, "", perRun, 100.0,
              gflops, 100.0 * gflops / peak.gflops);
  std::printf("(%.3f GFLOP per run; GFLOP/s = a layer's FLOPs / its sampled time)\n", flops / 1e9);
  if (!opts.funcs)
    return;
  // Which stage of a layer (its packing, transform or accumulation) the
  // time goes to; Halide Func names carry the layer's name.
  std::stable_sort(stageNs.begin(), stageNs.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  std::printf("\n%-60s  %9s  %6s\n", "func", "ms/run", "%time");
  for (const auto &[name, ns] : stageNs)
    std::printf("%-60s  %9.3f  %5.1f%%\n", fit(name, 60).c_str(), double(ns) / runs / 1e6,
                total ? 100.0 * double(ns) / double(total) : 0.0);
}

void printMemory(const cnnc_memory_stats &s) {
  uint64_t acts = s.activation_bytes[0] + s.activation_bytes[1];
  std::printf("memory: peak intermediate memory %s (at most %s in use at once), weights %s, "
              "two largest activations %s",
              bytes(s.pool_peak_bytes).c_str(), bytes(s.live_peak_bytes).c_str(),
              bytes(s.weight_bytes).c_str(), bytes(acts).c_str());
  for (int i = 0; i < 2; ++i)
    if (s.activation_bytes[i])
      std::printf("%s%s %s%s", i ? ", " : " (", s.activation_names[i] ? s.activation_names[i] : "?",
                  bytes(s.activation_bytes[i]).c_str(), i == 1 || !s.activation_bytes[1] ? ")" : "");
  std::printf("\n");
  if (acts == 0)
    return;
  double ratio = double(s.pool_peak_bytes) / double(acts);
  double inUse = double(s.live_peak_bytes) / double(acts);
  std::printf("memory: peak = weights + %.2f x the two largest activations (target <= 1.2: %s",
              ratio, ratio <= 1.2 ? "met" : "not met");
  if (ratio > 1.2 && inUse > 1.2)
    std::printf("; the pipeline itself has %.2f x in use at once: stage buffers such as padded "
                "or packed inputs live next to the activations",
                inUse);
  else if (ratio > 1.2)
    std::printf("; %.2f x in use at once, the rest is gaps in the buffer arena's layout", inUse);
  std::printf(")\n");
}

} // namespace cnnc::run
