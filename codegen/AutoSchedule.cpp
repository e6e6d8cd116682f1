//===- AutoSchedule.cpp - Halide's Adams2019 autoscheduler as a peer ------===//
#include "codegen/AutoSchedule.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <link.h>

#include <cstdlib>
#include <mutex>

namespace cnnc::codegen {

void stripScheduleHints(mlir::ModuleOp module) {
  module->walk([](mlir::Operation *op) {
    for (const char *hint : {"cnn.tiling", "cnn.fuse", "cnn.fuse_operand"})
      op->removeAttr(hint);
  });
}

namespace {

constexpr const char *kPlugin = "libautoschedule_adams2019.so";

/// The directory of the libHalide.so this process has loaded, or "".
std::string loadedHalideDir() {
  std::string dir;
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        llvm::StringRef path(info->dlpi_name ? info->dlpi_name : "");
        if (!llvm::sys::path::filename(path).starts_with("libHalide.so"))
          return 0;
        *static_cast<std::string *>(data) = llvm::sys::path::parent_path(path).str();
        return 1;
      },
      &dir);
  return dir;
}

/// The plugin next to the loaded libHalide.so, else in the directory of the
/// libHalide.so cnnc was built against.
llvm::Expected<std::string> findPlugin() {
  std::vector<std::string> dirs;
  if (std::string dir = loadedHalideDir(); !dir.empty())
    dirs.push_back(dir);
  dirs.push_back(CNNC_HALIDE_LIB_DIR);
  std::string tried;
  for (const std::string &dir : dirs) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, kPlugin);
    if (llvm::sys::fs::exists(path))
      return std::string(path);
    tried += (tried.empty() ? "" : ", ") + std::string(path);
  }
  return llvm::createStringError(
      "codegen: Halide's Adams2019 autoscheduler plugin is missing (tried %s); "
      "it ships with the Halide wheel (scripts/setup.sh)",
      tried.c_str());
}

/// Loads the plugin once per process (it registers "Adams2019").
llvm::Error loadPlugin() {
  static std::mutex mutex;
  static bool loaded = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (loaded)
    return llvm::Error::success();
  auto path = findPlugin();
  if (!path)
    return path.takeError();
  try {
    Halide::load_plugin(*path);
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  loaded = true;
  return llvm::Error::success();
}

/// Adams2019's parameters (Halide 21). Its own parser's errors escape as
/// exceptions that cannot unwind out of the plugin (the process aborts), so
/// they are checked here first: integers, except a file path.
llvm::Error checkParams(const std::map<std::string, std::string> &params) {
  static const char *const kIntegers[] = {
      "parallelism",       "beam_size",          "random_dropout",
      "random_dropout_seed", "disable_subtiling", "disable_memoized_features",
      "disable_memoized_blocks", "memory_limit"};
  for (const auto &[key, value] : params) {
    if (key == "weights_path") {
      if (!llvm::sys::fs::exists(value))
        return llvm::createStringError("codegen: Adams2019 weights_path '%s' does not exist",
                                       value.c_str());
      continue;
    }
    if (llvm::none_of(kIntegers, [&](const char *k) { return key == k; })) {
      std::string known = "weights_path";
      for (const char *k : kIntegers)
        known += std::string(", ") + k;
      return llvm::createStringError("codegen: Adams2019 has no parameter '%s' (known: %s)",
                                     key.c_str(), known.c_str());
    }
    long long n;
    if (llvm::StringRef(value).getAsInteger(10, n))
      return llvm::createStringError("codegen: Adams2019 parameter %s: '%s' is not an integer",
                                     key.c_str(), value.c_str());
  }
  return llvm::Error::success();
}

/// [0, extent) per dimension, Halide's order (innermost first).
Halide::Region regionOf(const std::vector<int64_t> &shape) {
  Halide::Region region;
  for (auto it = shape.rbegin(); it != shape.rend(); ++it)
    region.emplace_back(0, static_cast<int>(*it));
  return region;
}

} // namespace

llvm::Error autoscheduleAdams2019(LoweredModel &model, const Halide::Target &target,
                                  const std::map<std::string, std::string> &params) {
  std::map<std::string, std::string> extra{{"parallelism", "2"}};
  for (const auto &[key, value] : params)
    extra[key] = value;
  if (auto err = checkParams(extra))
    return err;
  if (auto err = loadPlugin())
    return err;
  try {
    for (size_t i = 0; i < model.inputs.size(); ++i)
      model.inputs[i].set_estimates(regionOf(model.inputInfo[i].shape));
    for (size_t i = 0; i < model.outputs.size(); ++i)
      model.outputs[i].set_estimates(regionOf(model.outputInfo[i].shape));
    Halide::AutoSchedulerResults results =
        Halide::Pipeline(model.outputs).apply_autoscheduler(target, {"Adams2019", extra});
    if (const char *path = std::getenv("CNNC_AUTOSCHEDULE_DUMP")) {
      std::error_code ec;
      llvm::raw_fd_ostream os(path, ec);
      if (ec)
        return llvm::createStringError(ec, "cannot write %s", path);
      os << results.schedule_source;
    }
  } catch (const Halide::Error &e) {
    return halideError(e);
  }
  return llvm::Error::success();
}

} // namespace cnnc::codegen
