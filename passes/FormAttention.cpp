//===- FormAttention.cpp - --cnn-form-attention ---------------------------===//
//
// matmul(softmax(matmul(q, transpose(k)) * c [+ mask]), v) becomes one
// cnn.attention, whose lowering never stores the scaled scores twice and
// subtracts the row maximum once. See Passes.td for the exact rule.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/RewriteUtils.h"

#include "ir/ConstantData.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::cnn {
#define GEN_PASS_DEF_CNNFORMATTENTION
#include "passes/Passes.h.inc"
} // namespace mlir::cnn

using namespace mlir;
using namespace mlir::cnn;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// `v`'s defining op if it is an OpT whose result only `v`'s user reads (so
/// the rewrite can erase it).
template <typename OpT> OpT singleUseDef(Value v) {
  return v.hasOneUse() ? v.getDefiningOp<OpT>() : OpT();
}

/// The value of a constant whose elements are all equal.
std::optional<float> uniformConstant(Value v) {
  auto cst = v.getDefiningOp<ConstantOp>();
  auto data = cst ? getFloatData(cst.getValue()) : std::nullopt;
  if (!data || data->empty() ||
      llvm::any_of(*data, [&](float f) { return f != data->front(); }))
    return std::nullopt;
  return data->front();
}

/// `x * c`, `c * x` or `x / c` with a uniform constant c that does not
/// broadcast x: returns x and the factor (c or 1/c).
std::optional<std::pair<Value, float>> scaled(Value v) {
  Operation *op = v.hasOneUse() ? v.getDefiningOp() : nullptr;
  if (!op || !isa<MulOp, DivOp>(op))
    return std::nullopt;
  for (int x : {0, 1}) {
    if (isa<DivOp>(op) && x == 1)
      break;
    Value in = op->getOperand(x);
    std::optional<float> c = uniformConstant(op->getOperand(1 - x));
    if (!c || in.getType() != v.getType())
      continue;
    float factor = isa<DivOp>(op) ? 1.0f / *c : *c;
    if (std::isfinite(factor) && factor != 0)
      return std::make_pair(in, factor);
  }
  return std::nullopt;
}

/// The scores before the optional mask: `add(s, mask)` or `add(mask, s)`
/// where s keeps the sum's shape (only the mask broadcasts).
std::pair<Value, Value> unmasked(Value v) {
  auto add = singleUseDef<AddOp>(v);
  if (!add)
    return {v, Value()};
  for (int s : {0, 1})
    if (add->getOperand(s).getType() == v.getType() && scaled(add->getOperand(s)))
      return {add->getOperand(s), add->getOperand(1 - s)};
  return {v, Value()};
}

/// A transpose swapping the last two dimensions: its input.
Value transposedLastTwo(Value v) {
  auto t = singleUseDef<TransposeOp>(v);
  if (!t)
    return {};
  ArrayRef<int64_t> perm = t.getPerm();
  int64_t rank = perm.size();
  for (int64_t i = 0; i < rank; ++i) {
    int64_t want = i < rank - 2 ? i : (i == rank - 2 ? rank - 1 : rank - 2);
    if (perm[i] != want)
      return {};
  }
  return t.getInput();
}

/// q [B, H, Sq, D], k [B, H, Sk, D], v [B, H, Sk, Dv] (or 3-D without H:
/// one head), batch and heads equal: cnn.attention's contract without
/// broadcasting. A 3-D mask becomes [B, 1, Sq, Sk] there, so its batch
/// dimension must be 1.
bool shapesFit(Value q, Value k, Value v, Value mask) {
  ArrayRef<int64_t> qs = shapeOf(q), ks = shapeOf(k), vs = shapeOf(v);
  if (mask && qs.size() == 3 && shapeOf(mask).size() == 3 &&
      shapeOf(mask)[0] != 1)
    return false;
  size_t rank = qs.size();
  if ((rank != 3 && rank != 4) || ks.size() != rank || vs.size() != rank)
    return false;
  size_t lead = rank - 2;
  return qs.take_front(lead) == ks.take_front(lead) &&
         qs.take_front(lead) == vs.take_front(lead) && qs.back() == ks.back() &&
         ks[lead] == vs[lead];
}

struct FormAttention : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp out,
                                PatternRewriter &rewriter) const override {
    auto softmax = singleUseDef<SoftmaxOp>(out.getLhs());
    int64_t rank = shapeOf(out.getLhs()).size();
    if (!softmax || (softmax.getAxis() != -1 && softmax.getAxis() != rank - 1))
      return rewriter.notifyMatchFailure(out, "lhs is not a last-axis softmax");
    auto [scores, mask] = unmasked(softmax.getInput());
    // The scale on the scores, or split over q and k (F.sdpa's export
    // multiplies q and k^T by sqrt(scale) each, for range): the product.
    float scale = 1;
    bool anyScale = false;
    auto peel = [&](Value v) {
      auto s = scaled(v);
      if (!s)
        return v;
      scale *= s->second;
      anyScale = true;
      return s->first;
    };
    auto qk = singleUseDef<MatMulOp>(peel(scores));
    Value q = qk ? peel(qk.getLhs()) : Value();
    Value k = qk ? transposedLastTwo(peel(qk.getRhs())) : Value();
    if (!k || !shapesFit(q, k = peel(k), out.getRhs(), mask))
      return rewriter.notifyMatchFailure(out, "not matmul(q, k^T) of heads");
    if (!anyScale || !std::isfinite(scale) || scale == 0)
      return rewriter.notifyMatchFailure(out, "no constant scaling");
    IntegerAttr heads = rank == 3 ? rewriter.getI64IntegerAttr(1) : nullptr;
    rewriter.replaceOpWithNewOp<AttentionOp>(out, out.getType(), q, k,
                                             out.getRhs(), mask, heads,
                                             rewriter.getF32FloatAttr(scale));
    return success();
  }
};

struct CnnFormAttentionPass
    : mlir::cnn::impl::CnnFormAttentionBase<CnnFormAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FormAttention>(&getContext());
    if (failed(applyOnly(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
