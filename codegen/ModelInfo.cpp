//===- ModelInfo.cpp - fused layers, FLOPs, weights and activations -------===//
#include "codegen/ModelInfo.h"
#include "codegen/Schedule.h"

#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace cnnc::codegen {
namespace {

double numel(Value v) {
  auto t = cast<ShapedType>(v.getType());
  double n = 1;
  for (int64_t d : t.getShape())
    n *= double(d);
  return n;
}

int64_t dim(Value v, int64_t i) {
  auto shape = cast<ShapedType>(v.getType()).getShape();
  return shape[i < 0 ? i + int64_t(shape.size()) : i];
}

uint64_t bytesOf(Value v) {
  auto t = cast<ShapedType>(v.getType());
  unsigned bits = t.getElementType().isIntOrFloat() ? t.getElementTypeBitWidth() : 32;
  return uint64_t(numel(v)) * ((bits + 7) / 8);
}

/// Every constant buffer the pipeline reads (by name: a buffer read by
/// several Funcs is embedded once).
class BufferCollector : public Halide::Internal::IRGraphVisitor {
public:
  std::map<std::string, uint64_t> bytes;

protected:
  using IRGraphVisitor::visit;
  void visit(const Halide::Internal::Call *op) override {
    if (op->image.defined())
      bytes.emplace(op->image.name(), op->image.size_in_bytes());
    IRGraphVisitor::visit(op);
  }
};

/// Ops whose Funcs have a loop nest of their own (not all inlined).
llvm::SmallPtrSet<Operation *, 32> computedOps(const LoweredModel &model) {
  llvm::SmallPtrSet<Operation *, 32> ops;
  for (const LoweredFunc &lf : model.funcs)
    if (lf.op && !lf.inlined)
      ops.insert(lf.op);
  for (const BlockedConv &c : model.convs)
    ops.insert(c.op);
  for (const PhasedConv &c : model.phasedConvs)
    ops.insert(c.op);
  for (const ColumnPhasedConv &c : model.columnPhasedConvs)
    ops.insert(c.op);
  for (const WinogradConv &c : model.winogradConvs)
    ops.insert(c.op);
  for (const BlockedDepthwise &c : model.depthwiseConvs)
    ops.insert(c.op);
  return ops;
}

std::string displayName(Operation *op) {
  llvm::StringRef layer = cnn::layerName(op->getLoc());
  return (layer.empty() ? op->getName().stripDialect() : layer).str();
}

} // namespace

double opFlops(Operation *op) {
  using namespace cnn;
  auto out = [&] { return op->getNumResults() ? numel(op->getResult(0)) : 0.0; };
  auto recurrent = [](Value x, Value w, Value r) { // 2 * steps * (W + R) MACs
    return 2.0 * numel(x) / double(dim(w, 2)) * (numel(w) + numel(r));
  };
  return llvm::TypeSwitch<Operation *, double>(op)
      .Case<Conv2DOp>([&](Conv2DOp o) { // weight [F, C/g, KH, KW]
        return 2.0 * out() * numel(o.getWeight()) / double(dim(o.getWeight(), 0));
      })
      .Case<ConvTranspose2DOp>([&](ConvTranspose2DOp o) { // weight [C, F/g, KH, KW]
        return 2.0 * numel(o.getInput()) * numel(o.getWeight()) / double(dim(o.getWeight(), 0));
      })
      .Case<DenseOp>([&](DenseOp o) {
        return 2.0 * out() * double(dim(o.getA(), o.getTransA() ? 0 : 1));
      })
      .Case<MatMulOp>([&](MatMulOp o) { return 2.0 * out() * double(dim(o.getLhs(), -1)); })
      .Case<MaxPool2DOp, AvgPool2DOp>([&](auto o) {
        auto k = o.getKernel();
        return out() * double(k[0]) * double(k[1]);
      })
      .Case<GlobalAvgPoolOp, GlobalMaxPoolOp>([&](auto) { return numel(op->getOperand(0)); })
      .Case<RnnOp, GruOp, LstmOp>([&](auto o) { return recurrent(o.getX(), o.getW(), o.getR()); })
      .Case<AttentionOp>([&](AttentionOp o) { // q k^T and p v
        double keys = double(dim(o.getK(), -2));
        return 2.0 * keys * (numel(o.getQ()) + out());
      })
      .Case<FlattenOp, ReshapeOp, TransposeOp, PadOp, ConcatOp, ConstantOp>(
          [](Operation *) { return 0.0; })
      .Case<ResizeOp>([&](ResizeOp o) {
        return o.getMode() == ResizeMode::linear ? out() : 0.0;
      })
      .Default([&](Operation *) { return out(); });
}

ModelInfo modelInfo(const LoweredModel &model, ModuleOp module) {
  ModelInfo info;
  auto main = module.lookupSymbol<func::FuncOp>("main");
  std::vector<Operation *> ops; // program order, no constants or return
  llvm::DenseMap<Operation *, size_t> order;
  for (Operation &op : main.getBody().front())
    if (!isa<func::ReturnOp, cnn::ConstantOp>(op)) {
      order[&op] = ops.size();
      ops.push_back(&op);
    }

  // Fused layers: epilogues join their producer; then a group without a loop
  // nest of its own (inlined ops) joins the only user of its op.
  llvm::SmallPtrSet<Operation *, 32> computed = computedOps(model);
  llvm::EquivalenceClasses<Operation *> groups;
  for (Operation *op : ops)
    groups.insert(op);
  for (Operation *op : ops)
    if (Value in = epilogueInput(op))
      if (Operation *producer = in.getDefiningOp(); producer && order.count(producer))
        groups.unionSets(op, producer);
  llvm::SmallPtrSet<Operation *, 32> computedGroups; // leaders
  for (Operation *op : ops)
    if (computed.contains(op))
      computedGroups.insert(groups.getLeaderValue(op));
  for (Operation *op : ops) {
    if (computedGroups.contains(groups.getLeaderValue(op)) || op->getNumResults() != 1 ||
        !op->getResult(0).hasOneUse())
      continue;
    Operation *user = *op->getResult(0).getUsers().begin();
    if (!order.count(user))
      continue;
    bool userComputed = computedGroups.contains(groups.getLeaderValue(user));
    groups.unionSets(op, user);
    if (userComputed)
      computedGroups.insert(groups.getLeaderValue(op));
  }

  // One layer per group, in the program order of its first op; named after
  // its first op with a loop nest.
  llvm::DenseMap<Operation *, size_t> layerOf; // group leader -> layer
  std::vector<bool> namedByComputed;
  for (Operation *op : ops) {
    Operation *leader = groups.getLeaderValue(op);
    auto [it, fresh] = layerOf.try_emplace(leader, info.layers.size());
    if (fresh) {
      info.layers.emplace_back();
      namedByComputed.push_back(false);
    }
    LayerInfo &layer = info.layers[it->second];
    if (layer.name.empty() || (computed.contains(op) && !namedByComputed[it->second])) {
      layer.name = displayName(op);
      namedByComputed[it->second] = computed.contains(op);
    }
    std::string kind = op->getName().stripDialect().str();
    if (llvm::any_of(model.winogradConvs, [&](const WinogradConv &c) { return c.op == op; }))
      kind += "(winograd)"; // its FLOPs are the direct conv's
    if (!llvm::is_contained(llvm::split(llvm::StringRef(layer.op), '+'), kind))
      layer.op += (layer.op.empty() ? "" : "+") + kind;
    layer.flops += opFlops(op);
  }
  std::optional<size_t> copies;
  for (const auto &[func, op] : model.owners) {
    if (op && layerOf.count(groups.getLeaderValue(op))) {
      info.layers[layerOf[groups.getLeaderValue(op)]].funcs.push_back(func.name());
      continue;
    }
    if (!copies) {
      copies = info.layers.size();
      info.layers.push_back({"(output copies)", "copy", 0, {}});
    }
    info.layers[*copies].funcs.push_back(func.name());
  }

  // Constant data, as the pipeline embeds it.
  BufferCollector buffers;
  std::map<std::string, Halide::Internal::Function> all;
  for (const Halide::Func &out : model.outputs)
    for (auto &[name, f] : Halide::Internal::find_transitive_calls(out.function()))
      all.emplace(name, f);
  for (auto &[name, f] : all)
    f.accept(&buffers);
  for (auto &[name, bytes] : buffers.bytes)
    info.weightBytes += bytes;

  // Activations: inputs, then values leaving their layer.
  std::vector<std::pair<uint64_t, std::string>> acts;
  for (auto [i, arg] : llvm::enumerate(main.getArguments()))
    acts.push_back({bytesOf(arg), model.inputInfo[i].name});
  for (Operation *op : ops)
    for (Value v : op->getResults()) {
      bool leaves = llvm::any_of(v.getUsers(), [&](Operation *user) {
        return !order.count(user) || !groups.isEquivalent(user, op);
      });
      if (leaves)
        acts.push_back({bytesOf(v), info.layers[layerOf[groups.getLeaderValue(op)]].name});
    }
  std::stable_sort(acts.begin(), acts.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  for (size_t i = 0; i < 2 && i < acts.size(); ++i) {
    info.activationBytes[i] = acts[i].first;
    info.activationNames[i] = acts[i].second;
  }
  return info;
}

} // namespace cnnc::codegen
