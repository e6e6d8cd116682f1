//===- cnnc-reference.cpp - run a network with the reference evaluator ----===//
//
//   cnnc-reference NETWORK.{graph,onnx,mlir} [--weights W] [cnnc-run options]
//
// What `cnnc-run --reference` execs: the same command line, inputs, summaries
// and .npy outputs as cnnc-run, but the outputs come from the reference
// evaluator (tools/reference/) on the network as imported, before any pass.
// A separate executable so that cnnc-run links no compiler library. A .graph
// without --weights gets cnnc's default seeded weights, as `cnnc` compiles it.
//
//===----------------------------------------------------------------------===//
#include "frontend/GraphToMlir.h"
#include "frontend/OnnxImporter.h"
#include "ir/CnnDialect.h"
#include "tools/reference/Reference.h"
#include "tools/run/Driver.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <cstring>

namespace {

using cnnc::Error;
using cnnc::Tensor;
using cnnc::TensorInfo;

/// `cnn.name` of an argument or result, else `<fallback><index>`, as codegen
/// names a compiled model's tensors.
std::string ioName(mlir::DictionaryAttr attrs, const char *fallback, unsigned i) {
  if (attrs)
    if (auto name = attrs.getAs<mlir::StringAttr>("cnn.name"))
      return name.str();
  return fallback + std::to_string(i);
}

std::vector<int64_t> shapeOf(mlir::Type t) {
  auto s = mlir::cast<mlir::RankedTensorType>(t).getShape();
  return {s.begin(), s.end()};
}

class ReferenceNetwork : public cnnc::run::Network {
public:
  explicit ReferenceNetwork(const cnnc::run::Options &o) : handler(sourceMgr, &ctx) {
    if (o.threads >= 0)
      throw Error("--threads applies to compiled models only");
    ctx.loadDialect<mlir::cnn::CnnDialect, mlir::func::FuncDialect>();
    module = load(o);
    if (!module)
      throw Error(o.model + ": cannot import the network");
    auto main = module->lookupSymbol<mlir::func::FuncOp>("main");
    if (!main)
      throw Error(o.model + ": no func.func @main");
    name_ = (module->getName() ? module->getName()->str() : "model") + " (reference evaluator)";
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      inputInfo.push_back({ioName(main.getArgAttrDict(i), "input", i), CNNC_F32,
                           shapeOf(main.getArgument(i).getType())});
    for (unsigned i = 0; i < main.getNumResults(); ++i)
      outputInfo.push_back({ioName(main.getResultAttrDict(i), "output", i), CNNC_F32,
                            shapeOf(main.getResultTypes()[i])});
  }
  std::string name() const override { return name_; }
  std::vector<TensorInfo> inputs() const override { return inputInfo; }
  std::vector<TensorInfo> outputs() const override { return outputInfo; }
  void setInputs(const std::vector<Tensor> &in) override {
    inputs_.clear();
    for (const Tensor &t : in)
      inputs_.push_back({t.shape, t.data});
  }
  void run() override {
    auto out = cnnc::reference::evaluate(*module, inputs_);
    if (!out)
      throw Error(llvm::toString(out.takeError()));
    results_.clear();
    for (auto &t : *out)
      results_.push_back(Tensor(std::move(t.shape), std::move(t.data)));
  }
  std::vector<Tensor> results() const override { return results_; }

private:
  mlir::OwningOpRef<mlir::ModuleOp> load(const cnnc::run::Options &o) {
    llvm::StringRef ext = llvm::sys::path::extension(o.model);
    if (ext == ".onnx") {
      if (!o.weights.empty())
        throw Error("--weights is for .graph networks (an ONNX model holds its weights)");
      auto m = cnnc::importOnnx(o.model, ctx);
      return mlir::succeeded(m) ? std::move(*m) : nullptr;
    }
    std::string error;
    auto file = mlir::openInputFile(o.model, &error);
    if (!file)
      throw Error(error);
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    if (ext == ".mlir")
      return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &ctx);
    cnnc::GraphOptions options; // seed 0: cnnc's default weights
    if (!o.weights.empty()) {
      auto weights = cnnc::WeightsFile::open(o.weights);
      if (!weights)
        throw Error(llvm::toString(weights.takeError()));
      options.weights = std::move(*weights);
    }
    return cnnc::importGraph(sourceMgr, &ctx, options);
  }

  mlir::MLIRContext ctx;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string name_;
  std::vector<TensorInfo> inputInfo, outputInfo;
  std::vector<cnnc::reference::Tensor> inputs_;
  std::vector<Tensor> results_;
};

} // namespace

int main(int argc, char **argv) {
  // Named after argv[0]: "cnnc-run" when cnnc-run --reference execs us.
  const char *slash = std::strrchr(argv[0], '/');
  std::string tool = slash ? slash + 1 : argv[0];
  return cnnc::run::main(
      argc, argv, tool.c_str(),
      [](const cnnc::run::Options &o) { return std::make_unique<ReferenceNetwork>(o); },
      nullptr);
}
