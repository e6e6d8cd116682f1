//===- Schedule.cpp - default schedule and cnn.tiling hints ---------------===//
#include "codegen/Schedule.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace cnnc::codegen {

ScheduleHints hintsFor(mlir::Operation *op) {
  ScheduleHints hints;
  auto dict = op ? op->getAttrOfType<mlir::DictionaryAttr>("cnn.tiling")
                 : mlir::DictionaryAttr();
  if (!dict)
    return hints;
  if (auto v = dict.getAs<mlir::IntegerAttr>("vector"))
    hints.vector = static_cast<int>(v.getInt());
  if (auto v = dict.getAs<mlir::BoolAttr>("parallel"))
    hints.parallel = v.getValue();
  if (auto v = dict.getAs<mlir::BoolAttr>("inline"))
    hints.computeInline = v.getValue();
  return hints;
}

namespace {

/// Vector lanes over the innermost output dimension with the reduction loops
/// inside them (each lane accumulates its own output), and threads over the
/// outermost dimension that has more than one element.
void scheduleStage(Halide::Stage stage, const LoweredFunc &lf,
                   const std::vector<RVar> &rvars, const ScheduleHints &hints) {
  std::vector<Var> vars(lf.vars.rbegin(), lf.vars.rend()); // innermost first
  std::vector<int64_t> extents(lf.shape.rbegin(), lf.shape.rend());
  if (vars.empty())
    return;
  bool split = hints.vector > 1 && extents[0] >= hints.vector;
  Var outer = vars[0];
  if (split) {
    Var inner(vars[0].name() + "_vi");
    outer = Var(vars[0].name() + "_vo");
    // GuardWithIf: valid for every extent and for update definitions.
    stage.split(vars[0], outer, inner, hints.vector, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order{inner};
    order.insert(order.end(), rvars.begin(), rvars.end());
    order.push_back(outer);
    order.insert(order.end(), vars.begin() + 1, vars.end());
    stage.reorder(order);
    stage.vectorize(inner);
  }
  if (!hints.parallel)
    return;
  for (size_t k = vars.size(); k-- > 1;)
    if (extents[k] > 1) {
      stage.parallel(vars[k]);
      return;
    }
  if (split && extents[0] > hints.vector)
    stage.parallel(outer);
}

bool isOutput(const LoweredModel &model, const Halide::Func &f) {
  return std::any_of(model.outputs.begin(), model.outputs.end(),
                     [&](const Halide::Func &o) { return o.name() == f.name(); });
}

} // namespace

void applySchedule(LoweredModel &model) {
  for (LoweredFunc &lf : model.funcs) {
    ScheduleHints hints = hintsFor(lf.op);
    if (hints.computeInline && lf.updates.empty() && !isOutput(model, lf.func))
      continue; // Halide's default is inline
    lf.func.compute_root();
    scheduleStage(lf.func, lf, {}, hints);
    for (size_t i = 0; i < lf.updates.size(); ++i) {
      std::vector<RVar> rvars;
      for (int k = 0; k < lf.updates[i].dimensions(); ++k)
        rvars.push_back(lf.updates[i][k]);
      scheduleStage(lf.func.update(i), lf, rvars, hints);
    }
  }
}

} // namespace cnnc::codegen
