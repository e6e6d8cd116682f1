//===- Fuse.cpp - --cnn-fuse ----------------------------------------------===//
//
// Marks fusion decisions as `cnn.fuse` attributes; codegen realises them by
// scheduling. The rules and the attribute contract are in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::cnn {
#define GEN_PASS_DEF_CNNFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::cnn

using namespace mlir;
using namespace mlir::cnn;

namespace {
constexpr StringLiteral kFuse = "cnn.fuse";
constexpr StringLiteral kFuseOperand = "cnn.fuse_operand";

/// Elementwise ops that can run in a producer's output stage.
bool isEpilogueKind(Operation *op) {
  return isa<ReluOp, ClipOp, LeakyReluOp, SigmoidOp, TanhOp, HardSwishOp,
             EluOp, SeluOp, HardSigmoidOp, SoftplusOp, SoftsignOp, GeluOp,
             PReluOp, AddOp, SubOp, MulOp, DivOp>(op);
}

/// Ops whose output stage can host an epilogue.
bool canHostEpilogue(Operation *op) {
  return isa<Conv2DOp, ConvTranspose2DOp, DenseOp, BatchNormOp>(op) ||
         isEpilogueKind(op);
}

bool isEpilogue(Operation *op) {
  auto mark = op ? op->getAttrOfType<StringAttr>(kFuse) : StringAttr();
  return mark && mark.getValue() == "epilogue";
}

/// The operand index through which `op` fuses into its producer, if any.
std::optional<unsigned> epilogueOperand(Operation *op) {
  if (!isEpilogueKind(op))
    return std::nullopt;
  // prelu fuses through its input only; the slope is a parameter.
  unsigned candidates = isa<PReluOp>(op) ? 1 : op->getNumOperands();
  for (unsigned i = 0; i < candidates; ++i) {
    Value v = op->getOperand(i);
    Operation *producer = v.getDefiningOp();
    if (!producer || !canHostEpilogue(producer) || !v.hasOneUse() ||
        v.getType() != op->getResult(0).getType())
      continue;
    return i;
  }
  return std::nullopt;
}

/// Follows single uses from `v` through epilogue ops and, when
/// `throughConcat`, a channel concat; returns the first other user when it
/// reads the chain's value as operand 0 (the input of a pool or conv), else
/// null (some value has another use).
Operation *consumerThroughEpilogues(Value v, bool throughConcat = false) {
  while (true) {
    if (!v.hasOneUse())
      return nullptr;
    OpOperand &use = *v.getUses().begin();
    Operation *user = use.getOwner();
    auto concat = dyn_cast<ConcatOp>(user);
    bool channels = concat && (concat.getAxis() == 1 || concat.getAxis() == -3);
    if (!isEpilogue(user) && !(throughConcat && channels))
      return use.getOperandNumber() == 0 ? user : nullptr;
    v = user->getResult(0);
  }
}

bool isDepthwise(Conv2DOp conv) {
  int64_t channels =
      cast<RankedTensorType>(conv.getInput().getType()).getDimSize(1);
  return conv.getGroups() > 1 && conv.getGroups() == channels;
}

bool isPointwise(Conv2DOp conv) {
  auto w = cast<RankedTensorType>(conv.getWeight().getType());
  return w.getDimSize(2) == 1 && w.getDimSize(3) == 1 && conv.getGroups() == 1 &&
         llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; }) &&
         llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; });
}

struct CnnFusePass : mlir::cnn::impl::CnnFuseBase<CnnFusePass> {
  using CnnFuseBase::CnnFuseBase;

  void runOnOperation() override {
    if (!validL2KiB(l2KiB)) {
      getOperation().emitError("cnn-fuse: l2-kib must be from 1 to ") << kMaxL2KiB;
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    getOperation().walk([](Operation *op) {
      op->removeAttr(kFuse);
      op->removeAttr(kFuseOperand);
    });
    if (!enable) { // the unfused baseline: every elementwise op stored
      getOperation().walk([&](Operation *op) {
        if (isEpilogueKind(op))
          op->setAttr(kFuse, StringAttr::get(ctx, "none"));
      });
      return;
    }
    // Epilogues, in program order so that chains are decided front to back.
    getOperation().walk([&](Operation *op) {
      if (std::optional<unsigned> i = epilogueOperand(op)) {
        op->setAttr(kFuse, StringAttr::get(ctx, "epilogue"));
        op->setAttr(kFuseOperand,
                    IntegerAttr::get(IntegerType::get(ctx, 64), *i));
      }
    });
    // Convs computed at their consumer's loop level.
    getOperation().walk([&](Conv2DOp conv) {
      Operation *user = consumerThroughEpilogues(conv.getResult());
      // A branch of a channel concat that a pointwise conv reads (the
      // dilated context module's last branch): computed per row band of the
      // pointwise conv. Only a branch that no other op reads.
      Operation *merge = consumerThroughEpilogues(conv.getResult(), true);
      if (merge != user && isa_and_nonnull<Conv2DOp>(merge) &&
          isPointwise(cast<Conv2DOp>(merge)) && conv.getGroups() == 1) {
        conv->setAttr(kFuse, StringAttr::get(ctx, "consumer"));
        return;
      }
      if (!user)
        return;
      auto userConv = dyn_cast<Conv2DOp>(user);
      // An expansion 1x1 conv feeding a depthwise conv (MobileNet's inverted
      // residual): its expanded tensor is the block's largest.
      if (isa<MaxPool2DOp, AvgPool2DOp>(user) ||
          (userConv && isDepthwise(userConv) && isPointwise(conv))) {
        conv->setAttr(kFuse, StringAttr::get(ctx, "consumer"));
        return;
      }
      auto pointwise = userConv;
      if (!pointwise || !isDepthwise(conv) || !isPointwise(pointwise))
        return;
      auto out = cast<RankedTensorType>(conv.getResult().getType());
      int64_t rowBytes = out.getDimSize(1) * out.getDimSize(3) * 4;
      if (rowBytes * 2 <= l2KiB * 1024)
        conv->setAttr(kFuse, StringAttr::get(ctx, "pair"));
    });
  }
};
} // namespace
