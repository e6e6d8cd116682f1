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
  for (StringRef name : {"activation_alpha", "activation_beta"})
    if (findAttr(n.node, name))
      return error(n) << "unsupported: attribute '" << name
                      << "' (the cnn ops use the ONNX default alpha/beta)";
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
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("hidden_size", b.getI64IntegerAttr(hidden)),
      b.getNamedAttr("direction",
                     cnn::RnnDirectionAttr::get(b.getContext(), *direction)),
      b.getNamedAttr("activations", activationsAttr(n, spec, dirs)),
      b.getNamedAttr("layout",
                     b.getI64IntegerAttr(attrInt(n.node, "layout", 0)))};
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
/// (training outputs) are not produced.
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
  FailureOr<Operation *> op = cnn::createInferred(
      b, n.loc, "cnn.layer_norm", operands,
      {b.getNamedAttr("axis", b.getI64IntegerAttr(attrInt(n.node, "axis", -1))),
       b.getNamedAttr("epsilon",
                      b.getF32FloatAttr(attrFloat(n.node, "epsilon", 1e-5f)))});
  if (failed(op))
    return failure();
  return SmallVector<Value>{(*op)->getResult(0)};
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
