//===- FoldBatchNorm.cpp - --cnn-fold-batch-norm --------------------------===//
//
// conv -> batch_norm with constant parameters becomes one conv with rescaled
// weights and a shifted bias. See Passes.td for the exact rule.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/RewriteUtils.h"

#include "ir/ConstantData.h"
#include "ir/OpBuilding.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::cnn {
#define GEN_PASS_DEF_CNNFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace mlir::cnn

using namespace mlir;
using namespace mlir::cnn;

namespace {

/// The floats of `v` if it is a readable f32 `cnn.constant`.
std::optional<std::vector<float>> constantFloats(Value v) {
  auto cst = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!cst)
    return std::nullopt;
  return getFloatData(cst.getValue());
}

/// Name of a folded constant: `<blob key>.folded` when `old` is a blob,
/// else `<layer>.<what>.folded`.
std::string foldedName(Value old, Location loc, StringRef what) {
  if (auto cst = old ? old.getDefiningOp<ConstantOp>() : ConstantOp())
    if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue()))
      return (res.getRawHandle().getKey() + ".folded").str();
  StringRef layer = layerName(loc);
  return ((layer.empty() ? StringRef("conv") : layer) + "." + what + ".folded")
      .str();
}

struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *conv = bn.getInput().getDefiningOp();
    if (!conv || !isa<Conv2DOp, ConvTranspose2DOp>(conv))
      return rewriter.notifyMatchFailure(bn, "input is not a conv");
    if (!bn.getInput().hasOneUse())
      return rewriter.notifyMatchFailure(bn, "conv result has other users");
    bool transposed = isa<ConvTranspose2DOp>(conv);
    Value weightV = conv->getOperand(1);
    Value biasV = conv->getNumOperands() > 2 ? conv->getOperand(2) : Value();

    auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
    auto weightType = cast<RankedTensorType>(weightV.getType());
    if (!outType.getElementType().isF32() || outType.getRank() != 4)
      return failure();
    int64_t channels = outType.getDimSize(1);

    auto weight = constantFloats(weightV);
    std::optional<std::vector<float>> bias;
    if (biasV && !(bias = constantFloats(biasV)))
      return rewriter.notifyMatchFailure(bn, "conv bias is not constant");
    auto scale = constantFloats(bn.getScale());
    auto beta = constantFloats(bn.getBias());
    auto mean = constantFloats(bn.getMean());
    auto var = constantFloats(bn.getVar());
    if (!weight || !scale || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "operands are not constant");
    for (auto *p : {&*scale, &*beta, &*mean, &*var})
      if (int64_t(p->size()) != channels)
        return failure();
    if (bias && int64_t(bias->size()) != channels)
      return failure();

    double eps = bn.getEpsilonAttr().getValueAsDouble();
    std::vector<double> s(channels);
    for (int64_t f = 0; f < channels; ++f)
      s[f] = double((*scale)[f]) / std::sqrt(double((*var)[f]) + eps);

    // Rescale the weights along their output-channel axis.
    std::vector<float> newWeight(weight->size());
    int64_t groups = cast<IntegerAttr>(conv->getAttr("groups")).getInt();
    int64_t d0 = weightType.getDimSize(0), d1 = weightType.getDimSize(1);
    int64_t inner = weightType.getNumElements() / (d0 * d1);
    for (int64_t a = 0; a < d0; ++a)
      for (int64_t b = 0; b < d1; ++b) {
        int64_t f = transposed
                        ? (a / (d0 / groups)) * (channels / groups) + b
                        : a;
        for (int64_t k = 0; k < inner; ++k) {
          size_t i = (a * d1 + b) * inner + k;
          newWeight[i] = float(double((*weight)[i]) * s[f]);
        }
      }
    std::vector<float> newBias(channels);
    for (int64_t f = 0; f < channels; ++f)
      newBias[f] = float(((bias ? double((*bias)[f]) : 0.0) -
                          double((*mean)[f])) *
                             s[f] +
                         double((*beta)[f]));

    Location loc = rewriter.getFusedLoc({conv->getLoc(), bn.getLoc()});
    rewriter.setInsertionPoint(conv);
    auto biasType = RankedTensorType::get({channels}, outType.getElementType());
    Value w = ConstantOp::create(
        rewriter, weightV.getLoc(), weightType,
        makeFloatResource(weightType,
                          foldedName(weightV, conv->getLoc(), "weight"),
                          newWeight));
    Value b = ConstantOp::create(
        rewriter, biasV ? biasV.getLoc() : conv->getLoc(), biasType,
        makeFloatResource(biasType, foldedName(biasV, conv->getLoc(), "bias"),
                          newBias));
    SmallVector<Value> operands{conv->getOperand(0), w, b};
    FailureOr<Operation *> folded =
        createInferred(rewriter, loc, conv->getName().getStringRef(), operands,
                       conv->getAttrs());
    if (failed(folded))
      return failure();
    rewriter.replaceOp(bn, (*folded)->getResults());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct CnnFoldBatchNormPass
    : mlir::cnn::impl::CnnFoldBatchNormBase<CnnFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext());
    if (failed(applyOnly(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
