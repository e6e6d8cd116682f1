//===- CnnSequenceOps.cpp - shape rules of rnn, gru, lstm, layer_norm, attention ===//
//
// As in CnnOps.cpp, each op's checks are shared by its shape rule (which runs
// first and must not trust its operands) and its verifier.
//
//===----------------------------------------------------------------------===//
#include "ir/CnnDialect.h"
#include "ir/RecurrentActivations.h"
#include "ir/ShapeInference.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::cnn;

namespace {

RankedTensorType tensorLike(ArrayRef<int64_t> shape, Value like) {
  return RankedTensorType::get(shape, getElementTypeOrSelf(like.getType()));
}

template <typename OpT> LayerDiag diagFor(std::optional<Location> loc) {
  return LayerDiag{loc, OpT::getOperationName()};
}

//===----------------------------------------------------------------------===//
// rnn, gru, lstm
//===----------------------------------------------------------------------===//

/// The activation functions of ONNX's RNN, GRU and LSTM. ONNX takes the
/// defaults from the operators of the same names: Affine (deprecated) alpha 1
/// beta 0, ThresholdedRelu alpha 1; ScaledTanh (deprecated) has none
/// specified, so 1 and 1 (plain tanh).
/// Note: ONNX Runtime uses 0 for Affine, ThresholdedRelu and ScaledTanh
/// parameters left out.
constexpr RecurrentActivationKind kActivations[] = {
    {"Relu", false, false, 0, 0},
    {"Tanh", false, false, 0, 0},
    {"Sigmoid", false, false, 0, 0},
    {"Affine", true, true, 1.0f, 0.0f},
    {"LeakyRelu", true, false, 0.01f, 0},
    {"ThresholdedRelu", true, false, 1.0f, 0},
    {"ScaledTanh", true, true, 1.0f, 1.0f},
    {"HardSigmoid", true, true, 0.2f, 0.5f},
    {"Elu", true, false, 1.0f, 0},
    {"Softsign", false, false, 0, 0},
    {"Softplus", false, false, 0, 0},
};

/// Dimensions of a recurrent op, read from X and the attributes.
struct RecurrentDims {
  int64_t seq, batch, input, hidden, dirs;
  bool batchFirst;
  /// [dirs, batch, hidden], or [batch, dirs, hidden] when batch-first.
  SmallVector<int64_t> state() const {
    if (batchFirst)
      return {batch, dirs, hidden};
    return {dirs, batch, hidden};
  }
  SmallVector<int64_t> sequence() const {
    if (batchFirst)
      return {batch, seq, dirs, hidden};
    return {seq, dirs, batch, hidden};
  }
};

/// An optional operand must have shape `want`; `why` names what fixes it.
LogicalResult checkShape(Value v, StringRef name, ArrayRef<int64_t> want,
                         const Twine &why, const LayerDiag &diag) {
  if (!v)
    return success();
  auto shape = staticShape(v, name, diag);
  if (failed(shape))
    return failure();
  if (*shape != want)
    return diag(name + " has shape " + formatShape(*shape) + " but " + why +
                " need " + formatShape(want));
  return success();
}

template <typename Adaptor>
LogicalResult checkRecurrentAttrs(Adaptor op, int64_t numActs,
                                  const LayerDiag &diag) {
  if (op.getHiddenSize() < 1)
    return diag("hidden_size must be >= 1, got " + Twine(op.getHiddenSize()));
  if (op.getLayout() != 0 && op.getLayout() != 1)
    return diag("layout must be 0 or 1, got " + Twine(op.getLayout()));
  int64_t dirs = op.getDirection() == RnnDirection::bidirectional ? 2 : 1;
  ArrayAttr acts = op.getActivations();
  if (int64_t(acts.size()) != numActs * dirs)
    return diag("activations has " + Twine(acts.size()) + " entries but the " +
                stringifyRnnDirection(op.getDirection()) + " direction needs " +
                Twine(numActs * dirs));
  for (Attribute a : acts) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (!findRecurrentActivation(name))
      return diag("unknown activation '" + name + "'; expected one of " +
                  recurrentActivationNames());
  }
  // One alpha and one beta per activation (those that take none ignore it).
  for (auto [what, params] : {std::make_pair("activation_alpha",
                                             op.getActivationAlpha()),
                              std::make_pair("activation_beta",
                                             op.getActivationBeta())})
    if (params && params->size() != acts.size())
      return diag(Twine(what) + " has " + Twine(params->size()) +
                  " entries but activations has " + Twine(acts.size()) +
                  " (one per activation)");
  if (auto clip = op.getClip(); clip && !(clip->convertToDouble() > 0))
    return diag("clip must be positive, got " +
                std::to_string(clip->convertToDouble()));
  return success();
}

/// Checks X, W, R, B, initial_h and sequence_lens (the operands every
/// recurrent op has) and returns the dimensions.
template <typename Adaptor>
FailureOr<RecurrentDims> checkRecurrent(Adaptor op, int64_t gates,
                                        int64_t numActs,
                                        const LayerDiag &diag) {
  if (failed(checkRecurrentAttrs(op, numActs, diag)))
    return failure();
  auto x = staticShape(op.getX(), "X", diag);
  if (failed(x))
    return failure();
  bool batchFirst = op.getLayout() == 1;
  if (x->size() != 3)
    return diag("X has shape " + formatShape(*x) + " but must be 3-D " +
                (batchFirst ? "[batch, seq, input]" : "[seq, batch, input]"));
  RecurrentDims d{(*x)[batchFirst ? 1 : 0], (*x)[batchFirst ? 0 : 1], (*x)[2],
                  op.getHiddenSize(),
                  op.getDirection() == RnnDirection::bidirectional ? 2 : 1,
                  batchFirst};
  std::string h = "hidden_size = " + std::to_string(d.hidden);
  std::string hd = h + (d.dirs == 2 ? " and 2 directions" : " and 1 direction");
  if (failed(checkShape(op.getW(), "W", {d.dirs, gates * d.hidden, d.input},
                        h + " and input size " + std::to_string(d.input),
                        diag)) ||
      failed(checkShape(op.getR(), "R", {d.dirs, gates * d.hidden, d.hidden},
                        hd, diag)) ||
      failed(checkShape(op.getB(), "B", {d.dirs, 2 * gates * d.hidden}, hd,
                        diag)) ||
      failed(checkShape(op.getInitialH(), "initial_h", d.state(),
                        "batch " + Twine(d.batch) + " and " + h, diag)))
    return failure();
  if (auto lens = op.getSequenceLens()) {
    if (int64_t(lens->size()) != d.batch)
      return diag("sequence_lens has " + Twine(lens->size()) +
                  " entries but the batch is " + Twine(d.batch));
    for (auto [i, len] : llvm::enumerate(*lens))
      if (len < 1 || len > d.seq)
        return diag("sequence_lens[" + Twine(i) + "] = " + Twine(len) +
                    " is outside [1, " + Twine(d.seq) + "]");
  }
  return d;
}

/// The lstm's extra operands.
template <typename Adaptor>
LogicalResult checkLstmExtras(Adaptor op, const RecurrentDims &d,
                              const LayerDiag &diag) {
  std::string h = "hidden_size = " + std::to_string(d.hidden);
  if (failed(checkShape(op.getInitialC(), "initial_c", d.state(),
                        "batch " + Twine(d.batch) + " and " + h, diag)))
    return failure();
  return checkShape(op.getP(), "P", {d.dirs, 3 * d.hidden},
                    h + (d.dirs == 2 ? " and 2 directions" : " and 1 direction"),
                    diag);
}

void pushRecurrentTypes(const RecurrentDims &d, Value x, int64_t states,
                        SmallVectorImpl<Type> &results) {
  results.push_back(tensorLike(d.sequence(), x));
  for (int64_t i = 0; i < states; ++i)
    results.push_back(tensorLike(d.state(), x));
}

} // namespace

const RecurrentActivationKind *
mlir::cnn::findRecurrentActivation(StringRef name) {
  for (const RecurrentActivationKind &k : kActivations)
    if (k.name == name)
      return &k;
  return nullptr;
}

std::string mlir::cnn::recurrentActivationNames() {
  std::string names;
  for (const RecurrentActivationKind &k : kActivations)
    names += (names.empty() ? "" : ", ") + k.name.str();
  return names;
}

std::vector<RecurrentActivation> mlir::cnn::recurrentActivations(Operation *op) {
  auto alpha = op->getAttrOfType<DenseF32ArrayAttr>("activation_alpha");
  auto beta = op->getAttrOfType<DenseF32ArrayAttr>("activation_beta");
  std::vector<RecurrentActivation> acts;
  for (auto [i, a] :
       llvm::enumerate(op->getAttrOfType<ArrayAttr>("activations"))) {
    StringRef name = cast<StringAttr>(a).getValue();
    const RecurrentActivationKind *k = findRecurrentActivation(name);
    acts.push_back({name.str(), alpha ? alpha[i] : k->alpha,
                    beta ? beta[i] : k->beta});
  }
  return acts;
}

LogicalResult RnnOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor op,
                                      SmallVectorImpl<Type> &results) {
  auto d = checkRecurrent(op, 1, 1, diagFor<RnnOp>(loc));
  if (failed(d))
    return failure();
  pushRecurrentTypes(*d, op.getX(), 1, results);
  return success();
}

LogicalResult RnnOp::verify() {
  return checkRecurrent(Adaptor(*this), 1, 1, diagFor<RnnOp>(getLoc()));
}

LogicalResult GruOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor op,
                                      SmallVectorImpl<Type> &results) {
  auto d = checkRecurrent(op, 3, 2, diagFor<GruOp>(loc));
  if (failed(d))
    return failure();
  pushRecurrentTypes(*d, op.getX(), 1, results);
  return success();
}

LogicalResult GruOp::verify() {
  return checkRecurrent(Adaptor(*this), 3, 2, diagFor<GruOp>(getLoc()));
}

LogicalResult LstmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc, Adaptor op,
                                       SmallVectorImpl<Type> &results) {
  LayerDiag diag = diagFor<LstmOp>(loc);
  auto d = checkRecurrent(op, 4, 3, diag);
  if (failed(d) || failed(checkLstmExtras(op, *d, diag)))
    return failure();
  pushRecurrentTypes(*d, op.getX(), 2, results);
  return success();
}

LogicalResult LstmOp::verify() {
  LayerDiag diag = diagFor<LstmOp>(getLoc());
  auto d = checkRecurrent(Adaptor(*this), 4, 3, diag);
  if (failed(d))
    return failure();
  return checkLstmExtras(Adaptor(*this), *d, diag);
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

namespace {
/// `param` (if present) must broadcast to the normalised shape.
LogicalResult checkNormParam(Value param, StringRef name,
                             ArrayRef<int64_t> normalized, int64_t axis,
                             const LayerDiag &diag) {
  if (!param)
    return success();
  auto shape = staticShape(param, name, diag);
  if (failed(shape))
    return failure();
  SmallVector<int64_t> out;
  if (shape->size() > normalized.size() ||
      !OpTrait::util::getBroadcastedShape(normalized, *shape, out) ||
      ArrayRef<int64_t>(out) != normalized)
    return diag(name + " has shape " + formatShape(*shape) +
                ", which does not broadcast to the normalised shape " +
                formatShape(normalized) + " (axis " + Twine(axis) + ")");
  return success();
}

/// The input's shape and the normalised axis, with the checks layer_norm
/// and layer_norm_stats share.
template <typename Adaptor>
FailureOr<std::pair<SmallVector<int64_t>, int64_t>>
checkNormAxis(Adaptor op, const LayerDiag &diag) {
  auto in = staticShape(op.getInput(), "input", diag);
  if (failed(in))
    return failure();
  auto axis = normalizeAxis(op.getAxis(), in->size(), diag);
  if (failed(axis))
    return failure();
  if (!(op.getEpsilon().convertToDouble() >= 0))
    return diag("epsilon must be >= 0");
  return std::make_pair(SmallVector<int64_t>(*in), *axis);
}

template <typename Adaptor>
LogicalResult checkLayerNorm(Adaptor op, const LayerDiag &diag) {
  auto inAxis = checkNormAxis(op, diag);
  if (failed(inAxis))
    return failure();
  auto &[in, axis] = *inAxis;
  ArrayRef<int64_t> normalized = ArrayRef<int64_t>(in).drop_front(axis);
  if (failed(checkNormParam(op.getScale(), "scale", normalized, axis, diag)))
    return failure();
  return checkNormParam(op.getBias(), "bias", normalized, axis, diag);
}
} // namespace

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor op,
                                            SmallVectorImpl<Type> &results) {
  if (failed(checkLayerNorm(op, diagFor<LayerNormOp>(loc))))
    return failure();
  results.push_back(op.getInput().getType());
  return success();
}

LogicalResult LayerNormOp::verify() {
  return checkLayerNorm(Adaptor(*this), diagFor<LayerNormOp>(getLoc()));
}

LogicalResult LayerNormStatsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor op,
    SmallVectorImpl<Type> &results) {
  auto inAxis = checkNormAxis(op, diagFor<LayerNormStatsOp>(loc));
  if (failed(inAxis))
    return failure();
  auto &[shape, axis] = *inAxis;
  std::fill(shape.begin() + axis, shape.end(), 1);
  results.assign(2, tensorLike(shape, op.getInput()));
  return success();
}

LogicalResult LayerNormStatsOp::verify() {
  return checkNormAxis(Adaptor(*this), diagFor<LayerNormStatsOp>(getLoc()));
}

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

namespace {
/// q, k, v viewed as [batch, heads, seq, dim].
struct Heads {
  int64_t batch, heads, seq, dim;
};

FailureOr<Heads> headsOf(Value v, StringRef name, std::optional<int64_t> numHeads,
                         size_t rank, const LayerDiag &diag) {
  auto s = staticShape(v, name, diag);
  if (failed(s))
    return failure();
  if (s->size() != rank)
    return diag(name + " has shape " + formatShape(*s) + " but must be " +
                (rank == 4 ? "4-D [batch, heads, seq, dim]"
                           : "3-D [batch, seq, heads*dim]") +
                " like q");
  if (rank == 4)
    return Heads{(*s)[0], (*s)[1], (*s)[2], (*s)[3]};
  if ((*s)[2] % *numHeads != 0)
    return diag(name + " has " + Twine((*s)[2]) +
                " features, which num_heads = " + Twine(*numHeads) +
                " does not divide");
  return Heads{(*s)[0], *numHeads, (*s)[1], (*s)[2] / *numHeads};
}

template <typename Adaptor>
FailureOr<SmallVector<int64_t>> checkAttention(Adaptor op,
                                               const LayerDiag &diag) {
  auto qs = staticShape(op.getQ(), "q", diag);
  if (failed(qs))
    return failure();
  size_t rank = qs->size();
  std::optional<int64_t> numHeads = op.getNumHeads();
  if (rank != 3 && rank != 4)
    return diag("q has shape " + formatShape(*qs) +
                " but must be 3-D [batch, seq, heads*dim] or 4-D "
                "[batch, heads, seq, dim]");
  if (rank == 3 && !numHeads)
    return diag("3-D operands need num_heads");
  if (numHeads && *numHeads < 1)
    return diag("num_heads must be >= 1, got " + Twine(*numHeads));
  if (rank == 4 && numHeads && *numHeads != (*qs)[1])
    return diag("num_heads = " + Twine(*numHeads) + " but q has " +
                Twine((*qs)[1]) + " heads");
  auto q = headsOf(op.getQ(), "q", numHeads, rank, diag);
  auto k = failed(q) ? q : headsOf(op.getK(), "k", numHeads, rank, diag);
  auto v = failed(k) ? k : headsOf(op.getV(), "v", numHeads, rank, diag);
  if (failed(v))
    return failure();
  if (k->batch != q->batch || k->heads != q->heads || k->dim != q->dim)
    return diag("k has batch " + Twine(k->batch) + ", " + Twine(k->heads) +
                " heads of dim " + Twine(k->dim) + " but q has batch " +
                Twine(q->batch) + ", " + Twine(q->heads) + " heads of dim " +
                Twine(q->dim));
  if (v->batch != q->batch || v->heads != q->heads || v->seq != k->seq)
    return diag("v has batch " + Twine(v->batch) + ", " + Twine(v->heads) +
                " heads and " + Twine(v->seq) + " positions but k has batch " +
                Twine(k->batch) + ", " + Twine(k->heads) + " heads and " +
                Twine(k->seq) + " positions");
  if (auto scale = op.getScale(); scale && !scale->isFiniteNonZero())
    return diag("scale must be finite and nonzero");
  if (Value mask = op.getMask()) {
    int64_t scores[4] = {q->batch, q->heads, q->seq, k->seq};
    auto ms = staticShape(mask, "mask", diag);
    SmallVector<int64_t> out;
    if (failed(ms) || ms->size() > 4 ||
        !OpTrait::util::getBroadcastedShape(scores, *ms, out) ||
        ArrayRef<int64_t>(out) != ArrayRef<int64_t>(scores))
      return diag("mask of shape " +
                  (succeeded(ms) ? formatShape(*ms) : std::string("?")) +
                  " does not broadcast to the scores " + formatShape(scores));
  }
  if (rank == 4)
    return SmallVector<int64_t>{q->batch, q->heads, q->seq, v->dim};
  return SmallVector<int64_t>{q->batch, q->seq, q->heads * v->dim};
}
} // namespace

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor op,
                                            SmallVectorImpl<Type> &results) {
  auto shape = checkAttention(op, diagFor<AttentionOp>(loc));
  if (failed(shape))
    return failure();
  results.push_back(tensorLike(*shape, op.getQ()));
  return success();
}

LogicalResult AttentionOp::verify() {
  return checkAttention(Adaptor(*this), diagFor<AttentionOp>(getLoc()));
}
