//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// cnnc NETWORK.graph [--weights=W.safetensors] [--emit=mlir] [-o FILE]
//
// Errors are printed like a compiler's (file:line:col, the line, a caret);
// the output file is only created once compilation has succeeded.
//
//===----------------------------------------------------------------------===//
#include "frontend/GraphToMlir.h"
#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class Emit { Mlir };

cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<network.graph>"),
                               cl::init("-"), cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit("emit", cl::desc("What to produce:"), cl::init(Emit::Mlir),
                   cl::values(clEnumValN(Emit::Mlir, "mlir",
                                         "the network in the cnn dialect")),
                   cl::cat(category));
cl::opt<std::string> weightsPath(
    "weights", cl::desc("safetensors file holding the layers' parameters"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the random weights used without "
                                "--weights (default 0)"),
                       cl::init(0), cl::cat(category));
cl::opt<bool> elideResources(
    "mlir-elide-resources",
    cl::desc("Print weight blobs as __elided__ (default on)"), cl::init(true),
    cl::cat(category));

mlir::OwningOpRef<mlir::ModuleOp> compile(mlir::MLIRContext &ctx) {
  std::string error;
  auto input = mlir::openInputFile(inputPath, &error);
  if (!input) {
    WithColor::error(errs(), "cnnc") << error << "\n";
    return nullptr;
  }
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
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  return cnnc::importGraph(sourceMgr, &ctx, options);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cnnc: compiles .graph networks of the cnn "
                              "dialect\n");
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module = compile(ctx);
  if (!module)
    return 1;

  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    WithColor::error(errs(), "cnnc") << error << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (elideResources)
    flags.elideLargeResourceString();
  switch (emit) {
  case Emit::Mlir:
    module->print(output->os(), flags);
    output->os() << "\n";
    break;
  }
  output->keep();
  return 0;
}
