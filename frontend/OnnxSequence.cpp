//===- OnnxSequence.cpp - ONNX LSTM, GRU, RNN, LayerNormalization ---------===//
//
// ONNX and the cnn ops share semantics (ir/CnnSequenceOps.td), so the work
// here is mapping inputs to operand segments and attributes to their cnn
// forms; the shape rules check the rest.
//
//===----------------------------------------------------------------------===//

#include "frontend/OnnxSequence.h"
#include "ir/CnnDialect.h"
#include "ir/OpBuilding.h"
#include "ir/RecurrentActivations.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace cnnc::onnx_import;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

InFlightDiagnostic error(const SequenceNode &n) {
  return cnn::layerError(n.loc, n.node.op_type());
}

/// A recurrent op: its cnn name, gate count and default activations (per
/// direction).
struct RecurrentSpec {
  StringRef onnx, cnn;
  int64_t gates;
  SmallVector<StringRef, 3> activations;
  bool isLstm() const { return onnx == "LSTM"; }
};
const RecurrentSpec kRecurrent[] = {
    {"LSTM", "cnn.lstm", 4, {"Sigmoid", "Tanh", "Tanh"}},
    {"GRU", "cnn.gru", 3, {"Sigmoid", "Tanh"}},
    {"RNN", "cnn.rnn", 1, {"Tanh"}},
};

// ONNX input indices of the recurrent ops.
enum { kX, kW, kR, kB, kSeqLens, kInitialH, kInitialC, kP };

/// Attributes whose non-default values the cnn ops cannot express.
LogicalResult rejectUnsupportedAttrs(const SequenceNode &n) {
  if (attrInt(n.node, "input_forget", 0) != 0)
    return error(n) << "unsupported: input_forget = 1";
  return success();
}

/// `activations` as given, else the op's defaults once per direction.
ArrayAttr activationsAttr(const SequenceNode &n, const RecurrentSpec &spec,
                          int64_t dirs) {
  SmallVector<Attribute> acts;
  if (const onnx::AttributeProto *a = findAttr(n.node, "activations"))
    for (const std::string &s : a->strings())
      acts.push_back(n.builder.getStringAttr(s));
  else
    for (int64_t d = 0; d < dirs; ++d)
      for (StringRef s : spec.activations)
        acts.push_back(n.builder.getStringAttr(s));
  return n.builder.getArrayAttr(acts);
}

/// ONNX's activation_alpha and activation_beta hold values only for the
/// activations that take the parameter, in order; the cnn ops hold one per
/// activation. Appends both, spread out (defaults where ONNX's list runs
/// out, as ONNX Runtime does), when the node has either.
LogicalResult activationParams(const SequenceNode &n, ArrayAttr acts,
                               SmallVector<NamedAttribute> &attrs) {
  auto alphaAttr = attrFloats(n.node, "activation_alpha");
  auto betaAttr = attrFloats(n.node, "activation_beta");
  if (!alphaAttr && !betaAttr)
    return success();
  SmallVector<float> alphaIn = alphaAttr.value_or(SmallVector<float>());
  SmallVector<float> betaIn = betaAttr.value_or(SmallVector<float>());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<float> alpha, beta;
  for (Attribute a : acts) {
    StringRef name = cast<StringAttr>(a).getValue();
    const cnn::RecurrentActivationKind *k = cnn::findRecurrentActivation(name);
    if (!k)
      return error(n) << "unknown activation '" << name << "'; expected one of "
                      << cnn::recurrentActivationNames();
    alpha.push_back(k->usesAlpha && nextAlpha < alphaIn.size()
                        ? alphaIn[nextAlpha++]
                        : k->alpha);
    beta.push_back(k->usesBeta && nextBeta < betaIn.size() ? betaIn[nextBeta++]
                                                            : k->beta);
  }
  // Values left over mean the model expects parameters where none are read.
  for (auto [what, used, given] :
       {std::make_tuple("activation_alpha", nextAlpha, alphaIn.size()),
        std::make_tuple("activation_beta", nextBeta, betaIn.size())})
    if (used != given)
      return error(n) << "attribute '" << what << "' has " << given
                      << " values but the activations take " << used;
  OpBuilder &b = n.builder;
  attrs.push_back(
      b.getNamedAttr("activation_alpha", b.getDenseF32ArrayAttr(alpha)));
  attrs.push_back(
      b.getNamedAttr("activation_beta", b.getDenseF32ArrayAttr(beta)));
  return success();
}

/// The attributes of a recurrent op; `r` is the R operand (hidden_size is
/// optional in ONNX and then read off R [dirs, G*hidden, hidden]).
FailureOr<SmallVector<NamedAttribute>>
recurrentAttrs(const SequenceNode &n, const RecurrentSpec &spec, Value r) {
  OpBuilder &b = n.builder;
  std::string dirName = attrString(n.node, "direction", "forward");
  auto direction = cnn::symbolizeRnnDirection(dirName);
  if (!direction)
    return error(n) << "unknown direction '" << dirName << "'";
  int64_t dirs = *direction == cnn::RnnDirection::bidirectional ? 2 : 1;
  auto rShape = cast<RankedTensorType>(r.getType()).getShape();
  int64_t hidden = attrInt(n.node, "hidden_size",
                           rShape.size() == 3 ? rShape[2] : 0);
  ArrayAttr acts = activationsAttr(n, spec, dirs);
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("hidden_size", b.getI64IntegerAttr(hidden)),
      b.getNamedAttr("direction",
                     cnn::RnnDirectionAttr::get(b.getContext(), *direction)),
      b.getNamedAttr("activations", acts),
      b.getNamedAttr("layout",
                     b.getI64IntegerAttr(attrInt(n.node, "layout", 0)))};
  if (failed(activationParams(n, acts, attrs)))
    return failure();
  if (findAttr(n.node, "clip"))
    attrs.push_back(b.getNamedAttr(
        "clip", b.getF32FloatAttr(attrFloat(n.node, "clip", 0))));
  if (spec.onnx == "GRU")
    attrs.push_back(b.getNamedAttr(
        "linear_before_reset",
        b.getBoolAttr(attrInt(n.node, "linear_before_reset", 0) != 0)));
  if (n.node.input_size() > kSeqLens && !n.node.input(kSeqLens).empty()) {
    FailureOr<HostTensor *> lens = n.constInput(kSeqLens);
    if (failed(lens))
      return failure();
    attrs.push_back(b.getNamedAttr(
        "sequence_lens", b.getDenseI64ArrayAttr((*lens)->toInts())));
  }
  return attrs;
}

/// LSTM, GRU, RNN: results Y, Y_h (and Y_c), ONNX's output order.
FailureOr<SmallVector<Value>> importRecurrent(const SequenceNode &n,
                                              const RecurrentSpec &spec) {
  if (failed(rejectUnsupportedAttrs(n)))
    return failure();
  // Operand segments: X, W, R, B, initial_h (, initial_c, P); sequence_lens
  // is an attribute.
  SmallVector<int> onnxInputs = {kX, kW, kR, kB, kInitialH};
  if (spec.isLstm())
    onnxInputs.append({kInitialC, kP});
  SmallVector<Value> operands;
  SmallVector<int32_t> segments;
  for (int i : onnxInputs) {
    FailureOr<Value> v = n.input(i);
    if (failed(v))
      return failure();
    if (!*v && i <= kR)
      return error(n) << "missing required input " << i;
    if (*v)
      operands.push_back(*v);
    segments.push_back(*v ? 1 : 0);
  }
  auto attrs = recurrentAttrs(n, spec, operands[kR]);
  if (failed(attrs))
    return failure();
  attrs->push_back(n.builder.getNamedAttr(
      "operandSegmentSizes", n.builder.getDenseI32ArrayAttr(segments)));
  FailureOr<Operation *> op =
      cnn::createInferred(n.builder, n.loc, spec.cnn, operands, *attrs);
  if (failed(op))
    return failure();
  return SmallVector<Value>((*op)->getResults());
}

/// LayerNormalization (opset 17): X, Scale, optional B. Mean and InvStdDev
/// (training outputs) come from a cnn.layer_norm_stats, built only when a
/// later node or the graph reads one.
FailureOr<SmallVector<Value>> importLayerNorm(const SequenceNode &n) {
  SmallVector<Value> operands;
  for (int i = 0; i < 3; ++i) {
    FailureOr<Value> v = n.input(i);
    if (failed(v))
      return failure();
    if (!*v && i < 2)
      return error(n) << "missing required input " << i;
    if (*v)
      operands.push_back(*v);
  }
  OpBuilder &b = n.builder;
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("axis", b.getI64IntegerAttr(attrInt(n.node, "axis", -1))),
      b.getNamedAttr("epsilon",
                     b.getF32FloatAttr(attrFloat(n.node, "epsilon", 1e-5f)))};
  FailureOr<Operation *> op =
      cnn::createInferred(b, n.loc, "cnn.layer_norm", operands, attrs);
  if (failed(op))
    return failure();
  SmallVector<Value> results = {(*op)->getResult(0)};
  if (n.outputUsed(1) || n.outputUsed(2)) {
    FailureOr<Operation *> stats = cnn::createInferred(
        b, n.loc, "cnn.layer_norm_stats", operands[0], attrs);
    if (failed(stats))
      return failure();
    results.append({(*stats)->getResult(0), (*stats)->getResult(1)});
  }
  return results;
}

} // namespace

llvm::ArrayRef<llvm::StringLiteral> cnnc::onnx_import::sequenceOpTypes() {
  static const llvm::StringLiteral types[] = {"LSTM", "GRU", "RNN",
                                              "LayerNormalization"};
  return types;
}

FailureOr<SmallVector<Value>>
cnnc::onnx_import::importSequenceOp(const SequenceNode &n) {
  for (const RecurrentSpec &spec : kRecurrent)
    if (n.node.op_type() == spec.onnx)
      return importRecurrent(n, spec);
  return importLayerNorm(n);
}
