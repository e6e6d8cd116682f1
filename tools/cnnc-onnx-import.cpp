//===- cnnc-onnx-import.cpp - print the cnn IR of an ONNX model -----------===//
//
// Test driver of the ONNX importer: `cnnc-onnx-import model.onnx` prints the
// imported module (weights elided unless --print-weights) or the errors, and
// exits 1 on failure.
//
//===----------------------------------------------------------------------===//

#include "frontend/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx>"));
static cl::opt<bool> printWeights("print-weights",
                                  cl::desc("print weight blobs in full"));

/// `<file>: error: <message>`: the layer is already named in the message.
static void printDiagnostic(mlir::Diagnostic &diag) {
  llvm::StringRef file = "<unknown>";
  diag.getLocation()->walk([&](mlir::Location loc) {
    if (auto flc = llvm::dyn_cast<mlir::FileLineColLoc>(loc))
      file = flc.getFilename().strref();
    return mlir::WalkResult::advance();
  });
  const char *severity =
      diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error"
      : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                : "note";
  llvm::errs() << file << ": " << severity << ": " << diag << "\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "cnnc ONNX import driver\n");
  mlir::MLIRContext ctx;
  mlir::ScopedDiagnosticHandler handler(&ctx, [](mlir::Diagnostic &diag) {
    printDiagnostic(diag);
    for (mlir::Diagnostic &note : diag.getNotes())
      printDiagnostic(note);
    return mlir::success();
  });
  auto module = cnnc::importOnnx(inputPath, ctx);
  if (mlir::failed(module))
    return 1;
  mlir::OpPrintingFlags flags;
  if (!printWeights)
    flags.elideLargeResourceString(64);
  (*module)->print(llvm::outs(), flags);
  llvm::outs() << "\n";
  return 0;
}
