//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// cnnc NETWORK.{graph,onnx,mlir} [--weights=W.safetensors] [-O2]
//      [--emit=so|obj|static-lib|header|c++|mlir|graph] [--target=T]
//      [--profile] [-o FILE]
//      [--schedule=cnnc|adams2019 [--autoschedule-params=key=value,...]]
//
// Errors are printed like a compiler's (file:line:col, the line, a caret);
// outputs appear only once compilation has succeeded.
//
//===----------------------------------------------------------------------===//
#include "codegen/Emit.h"
#include "frontend/GraphToMlir.h"
#include "frontend/GraphWriter.h"
#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using cnnc::codegen::EmitKind;

namespace {
enum class Emit { Mlir, SharedLib, Object, StaticLib, Header, Cpp, Graph };

cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<network.graph | model.onnx | module.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputPath(
    "o", cl::desc("Output file (default: <input stem>.<kind>, stdout for mlir)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce:"), cl::init(Emit::SharedLib),
    cl::values(
        clEnumValN(Emit::SharedLib, "so", "a self-contained shared library (default)"),
        clEnumValN(Emit::Object, "obj", "one relocatable object"),
        clEnumValN(Emit::StaticLib, "static-lib", "a static library plus <stem>.h"),
        clEnumValN(Emit::Header, "header", "the C header of the static library"),
        clEnumValN(Emit::Cpp, "c++", "C++ source of the kernels (Halide's C++ backend)"),
        clEnumValN(Emit::Mlir, "mlir", "the network in the cnn dialect, after the passes"),
        clEnumValN(Emit::Graph, "graph",
                   "the imported network as .graph, its weights in "
                   "<output stem>.safetensors (before the passes)")),
    cl::cat(category));
enum OptLevel : unsigned { O0, O1, O2, O3 };
cl::opt<OptLevel> optLevel(cl::desc("Optimization level:"), cl::init(O2),
                           cl::values(clEnumVal(O0, "no optimization"),
                                      clEnumVal(O1, "simplifications"),
                                      clEnumVal(O2, "default"),
                                      clEnumVal(O3, "everything")),
                           cl::cat(category));
cl::opt<bool> winograd(
    "winograd",
    cl::desc("At -O2 and up, run 3x3 stride-1 convs by Winograd F(2x2, 3x3) or F(4x4, 3x3), "
             "and transposed convs with 2x2-tap stride phases by F(2x2, 2x2) per phase "
             "(default on; --winograd=false keeps the direct loop)"),
    cl::init(true), cl::cat(category));
cl::opt<bool> fusion(
    "fusion",
    cl::desc("At -O2 and up, fuse activations and residual adds into convs' "
             "output stages and convs into their pools and depthwise "
             "consumers (default on; --fusion=false stores every op on its "
             "own: the unfused baseline)"),
    cl::init(true), cl::cat(category));
cl::opt<cnnc::codegen::ScheduleKind> schedule(
    "schedule", cl::desc("Who schedules the kernels:"),
    cl::init(cnnc::codegen::ScheduleKind::Cnnc),
    cl::values(clEnumValN(cnnc::codegen::ScheduleKind::Cnnc, "cnnc",
                          "cnnc's schedules, guided by the passes (default)"),
               clEnumValN(cnnc::codegen::ScheduleKind::Adams2019, "adams2019",
                          "Halide's Adams2019 autoscheduler (2 cores) on the "
                          "unfused lowering: the passes' fusion and tiling "
                          "marks are dropped (a baseline for benchmarks)")),
    cl::cat(category));
cl::list<std::string> autoscheduleParams(
    "autoschedule-params",
    cl::desc("With --schedule=adams2019: the autoscheduler's parameters as "
             "key=value (default parallelism=2 and Adams2019's own defaults, "
             "e.g. beam_size=32)"),
    cl::value_desc("key=value,..."), cl::CommaSeparated, cl::cat(category));
cl::opt<std::string> target(
    "target", cl::desc("Halide target string (default host), e.g. "
                       "x86-64-linux-avx2 or arm-64-linux"),
    cl::init("host"), cl::cat(category));
cl::opt<int64_t> l2KiB(
    "l2-kib",
    cl::desc("At -O2 and up, the L2 cache per core in KiB that fusion and "
             "tiling size their working sets for (default 2048, the passes' "
             "l2-kib)"),
    cl::init(mlir::cnn::kDefaultL2KiB), cl::cat(category));
cl::opt<bool> profile(
    "profile",
    cl::desc("Build the model with Halide's sampling profiler and a table of "
             "its layers, for `cnnc-run --profile`"),
    cl::cat(category));
cl::opt<std::string> weightsPath(
    "weights", cl::desc("safetensors file holding the layers' parameters (.graph)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the random weights used without "
                                "--weights (default 0)"),
                       cl::init(0), cl::cat(category));
cl::opt<bool> elideResources(
    "mlir-elide-resources",
    cl::desc("Print weight blobs as __elided__ (default on)"), cl::init(true),
    cl::cat(category));
cl::opt<bool> printIrAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every pass"),
                              cl::cat(category));

int fail(const Twine &message) {
  WithColor::error(errs(), "cnnc") << message << "\n";
  return 1;
}

mlir::OwningOpRef<mlir::ModuleOp> importGraph(mlir::MLIRContext &ctx,
                                              SourceMgr &sourceMgr) {
  cnnc::GraphOptions options;
  options.seed = seed;
  if (!weightsPath.empty()) {
    auto weights = cnnc::WeightsFile::open(weightsPath);
    if (!weights) {
      // The reader's messages already start with the path.
      std::string message = toString(weights.takeError());
      StringRef rest = message;
      rest.consume_front(weightsPath + ": ");
      WithColor::error(errs(), weightsPath) << rest << "\n";
      return nullptr;
    }
    options.weights = std::move(*weights);
  } else {
    WithColor::note() << "no --weights given; using seeded random weights (seed "
                      << seed << ")\n";
  }
  return cnnc::importGraph(sourceMgr, &ctx, options);
}

/// Reads the input in the format its extension names.
mlir::OwningOpRef<mlir::ModuleOp> importInput(mlir::MLIRContext &ctx,
                                              SourceMgr &sourceMgr) {
  StringRef ext = sys::path::extension(inputPath);
  if (ext == ".onnx") {
    if (!weightsPath.empty())
      WithColor::warning(errs(), "cnnc")
          << "--weights is ignored: an ONNX model holds its own weights\n";
    auto module = cnnc::importOnnx(inputPath, ctx);
    return succeeded(module) ? std::move(*module) : nullptr;
  }
  std::string error;
  auto input = mlir::openInputFile(inputPath, &error);
  if (!input) {
    fail(error);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  if (ext == ".mlir")
    return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &ctx);
  return importGraph(ctx, sourceMgr);
}

mlir::LogicalResult optimize(mlir::ModuleOp module) {
  mlir::PassManager pm(module->getContext());
  if (printIrAfterAll) {
    module->getContext()->disableMultithreading();
    pm.enableIRPrinting(/*shouldPrintBeforePass=*/nullptr,
                        /*shouldPrintAfterPass=*/
                        [](mlir::Pass *, mlir::Operation *) { return true; },
                        /*printModuleScope=*/true);
  }
  if (TimePassesIsEnabled) // LLVM's own -time-passes, shown in our --help
    pm.enableTiming();
  // The register tile fits the target's vector registers (AVX2: 16 of 8
  // lanes, AVX-512: 32 of 16).
  auto regs = cnnc::codegen::vectorRegisters(target);
  if (!regs) {
    fail(toString(regs.takeError()));
    return mlir::failure();
  }
  mlir::cnn::TilingOptions tiling;
  tiling.vectorWidth = regs->lanes;
  tiling.accumulators = regs->accumulators;
  tiling.l2KiB = l2KiB;
  tiling.winograd = winograd;
  mlir::cnn::buildOptimizationPipeline(pm, optLevel, tiling, fusion);
  return pm.run(module);
}

std::string defaultOutputPath() {
  SmallString<128> path(sys::path::filename(inputPath));
  const char *ext = "";
  switch (emit) {
  case Emit::Mlir: return "-";
  case Emit::SharedLib: ext = ".so"; break;
  case Emit::Object: ext = ".o"; break;
  case Emit::StaticLib: ext = ".a"; break;
  case Emit::Header: ext = ".h"; break;
  case Emit::Cpp: ext = ".cpp"; break;
  case Emit::Graph: ext = ".graph"; break;
  }
  sys::path::replace_extension(path, ext);
  return std::string(path);
}

int printMlir(mlir::ModuleOp module, StringRef path) {
  std::string error;
  auto output = mlir::openOutputFile(path, &error);
  if (!output)
    return fail(error);
  mlir::OpPrintingFlags flags;
  if (elideResources)
    flags.elideLargeResourceString();
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}

EmitKind emitKind() {
  switch (emit) {
  case Emit::Object: return EmitKind::Object;
  case Emit::StaticLib: return EmitKind::StaticLib;
  case Emit::Header: return EmitKind::Header;
  case Emit::Cpp: return EmitKind::CppSource;
  default: return EmitKind::SharedLib;
  }
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::getRegisteredOptions()["time-passes"]->addCategory(category);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "cnnc: compiles a network (.graph, .onnx or cnn-dialect .mlir) to "
      "native code\n");
  std::map<std::string, std::string> autoschedulerParams;
  for (StringRef kv : autoscheduleParams) {
    auto [key, value] = kv.split('=');
    if (key.empty() || value.empty())
      return fail("--autoschedule-params: expected key=value, got '" + kv + "'");
    autoschedulerParams[key.str()] = value.str();
  }
  if (!mlir::cnn::validL2KiB(l2KiB))
    return fail("--l2-kib: expected a size in KiB from 1 to " + Twine(mlir::cnn::kMaxL2KiB) + ", got " +
                Twine(l2KiB.getValue()));
  if (l2KiB.getNumOccurrences() && schedule == cnnc::codegen::ScheduleKind::Adams2019)
    WithColor::warning(errs(), "cnnc")
        << "--l2-kib is ignored with --schedule=adams2019 (it drops the tiling marks)\n";
  if (!autoscheduleParams.empty() && schedule != cnnc::codegen::ScheduleKind::Adams2019)
    return fail("--autoschedule-params needs --schedule=adams2019");
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);

  mlir::OwningOpRef<mlir::ModuleOp> module = importInput(ctx, sourceMgr);
  if (!module)
    return 1;
  std::string path = outputPath.empty() ? defaultOutputPath() : outputPath;
  if (emit == Emit::Graph) {
    SmallString<128> weights(path);
    sys::path::replace_extension(weights, ".safetensors");
    return mlir::failed(cnnc::writeGraph(*module, path, weights));
  }
  if (mlir::failed(optimize(*module)))
    return 1;
  if (emit == Emit::Mlir)
    return printMlir(*module, path);
  cnnc::codegen::EmitOptions options;
  options.kind = emitKind();
  options.outputPath = path;
  options.target = target;
  options.profile = profile;
  options.schedule = schedule;
  options.autoschedulerParams = std::move(autoschedulerParams);
  if (Error err = cnnc::codegen::emitModel(*module, options))
    return fail(toString(std::move(err)));
  return 0;
}
