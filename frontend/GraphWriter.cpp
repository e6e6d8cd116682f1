//===- GraphWriter.cpp - the cnn dialect -> .graph files ------------------===//
//
// Every op becomes one layer of the kind with the op's name. Most ops map
// their attributes to keys one to one (kPlainKinds); the layers with
// parameters (conv, batch norm, dense, prelu) take their constant operands
// into the weights file, in the layout docs/graph-language.md gives them.
//
//===----------------------------------------------------------------------===//
#include "frontend/GraphWriter.h"
#include "frontend/Weights.h"
#include "ir/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>

using namespace mlir;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

/// An op attribute and the .graph key that carries it.
struct Key {
  const char *attr, *key;
};
/// Layers whose keys are just the op's attributes and whose inputs are all
/// computed values.
struct PlainKind {
  const char *op; // the op name without "cnn.", also the layer kind
  std::vector<Key> keys;
};
const PlainKind kPlainKinds[] = {
    {"max_pool2d",
     {{"kernel", "kernel"}, {"strides", "stride"}, {"pads", "padding"},
      {"dilations", "dilation"}, {"ceil_mode", "ceil_mode"}}},
    {"avg_pool2d",
     {{"kernel", "kernel"}, {"strides", "stride"}, {"pads", "padding"},
      {"ceil_mode", "ceil_mode"}, {"count_include_pad", "count_include_pad"}}},
    {"global_avg_pool", {}}, {"global_max_pool", {}},
    {"add", {}}, {"sub", {}}, {"mul", {}}, {"div", {}}, {"matmul", {}},
    {"concat", {{"axis", "axis"}}}, {"flatten", {{"axis", "axis"}}},
    {"softmax", {{"axis", "axis"}}}, {"log_softmax", {{"axis", "axis"}}},
    {"reshape", {{"shape", "shape"}}}, {"transpose", {{"perm", "perm"}}},
    {"relu", {}}, {"sigmoid", {}}, {"tanh", {}}, {"hard_swish", {}},
    {"softplus", {}}, {"softsign", {}},
    {"gelu", {{"approximate", "approximate"}}},
    {"leaky_relu", {{"alpha", "alpha"}}}, {"elu", {{"alpha", "alpha"}}},
    {"selu", {{"alpha", "alpha"}, {"gamma", "gamma"}}},
    {"hard_sigmoid", {{"alpha", "alpha"}, {"beta", "beta"}}},
    {"clip", {{"min", "min"}, {"max", "max"}}},
};

const PlainKind *findPlainKind(StringRef op) {
  for (const PlainKind &k : kPlainKinds)
    if (op == k.op)
      return &k;
  return nullptr;
}

/// The shortest decimal that reads back as the same f32; nullopt for inf
/// and NaN, which the language has no literal for.
std::optional<std::string> formatFloat(double value) {
  float f = float(value);
  if (!std::isfinite(f))
    return std::nullopt;
  std::string s;
  for (int digits = 6; digits <= 9; ++digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", digits, double(f));
    s = buf;
    if (std::strtof(s.c_str(), nullptr) == f)
      break;
  }
  return s;
}

std::string formatInts(ArrayRef<int64_t> v) {
  return "[" + llvm::join(llvm::map_range(v, [](int64_t x) {
                            return std::to_string(x);
                          }),
                          ", ") +
         "]";
}

/// An attribute as a .graph value, or nullopt if it has no spelling.
std::optional<std::string> formatAttr(Attribute a) {
  if (auto ints = dyn_cast<DenseI64ArrayAttr>(a))
    return formatInts(ints.asArrayRef());
  if (auto floats = dyn_cast<DenseF32ArrayAttr>(a)) {
    std::string s = "[";
    for (auto [i, f] : llvm::enumerate(floats.asArrayRef())) {
      std::optional<std::string> v = formatFloat(f);
      if (!v)
        return std::nullopt;
      s += (i ? ", " : "") + *v;
    }
    return s + "]";
  }
  if (auto b = dyn_cast<BoolAttr>(a))
    return std::string(b.getValue() ? "true" : "false");
  if (auto i = dyn_cast<IntegerAttr>(a))
    return std::to_string(i.getInt());
  if (auto f = dyn_cast<FloatAttr>(a))
    return formatFloat(f.getValueAsDouble());
  if (auto e = dyn_cast<cnn::PadModeAttr>(a))
    return cnn::stringifyPadMode(e.getValue()).str();
  if (auto e = dyn_cast<cnn::ResizeModeAttr>(a))
    return cnn::stringifyResizeMode(e.getValue()).str();
  if (auto e = dyn_cast<cnn::CoordModeAttr>(a))
    return cnn::stringifyCoordMode(e.getValue()).str();
  if (auto e = dyn_cast<cnn::NearestModeAttr>(a))
    return cnn::stringifyNearestMode(e.getValue()).str();
  return std::nullopt;
}

/// Keeps the characters a .graph NAME allows ([A-Za-z0-9_.], not starting
/// with a digit or dot).
std::string sanitize(StringRef name) {
  std::string out;
  for (char c : name)
    out += llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_';
  if (out.empty() || !(llvm::isAlpha(out[0]) || out[0] == '_'))
    out.insert(0, "_");
  return out;
}

/// The f32 values of a cnn.constant, or nullopt if `v` is not one.
std::optional<std::vector<float>> constantData(Value v) {
  auto c = v.getDefiningOp<cnn::ConstantOp>();
  if (!c || !c.getValue().getShapedType().getElementType().isF32())
    return std::nullopt;
  if (auto res = dyn_cast<DenseResourceElementsAttr>(c.getValue())) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    std::vector<float> out(bytes.size() / sizeof(float));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
    return out;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue())) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  return std::nullopt;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

class GraphWriter {
public:
  explicit GraphWriter(func::FuncOp func) : func(func) {}
  LogicalResult write(StringRef networkName, StringRef weightsName);
  std::string text;
  std::vector<cnnc::TensorToWrite> tensors;

private:
  /// One statement being built.
  struct Line {
    std::string kind, name;
    SmallVector<Value> inputs;
    std::string keys;
    void key(StringRef k, StringRef v) { keys += (" " + k + "=" + v).str(); }
  };
  std::string uniqueName(Location loc);
  InFlightDiagnostic error(Operation *op, const llvm::Twine &why);
  LogicalResult writeOp(Operation *op);
  LogicalResult writePlain(Operation *op, const PlainKind &kind, Line &line);
  LogicalResult writeConv(Operation *op, Line &line);
  LogicalResult writeBatchNorm(Operation *op, Line &line);
  LogicalResult writeDense(Operation *op, Line &line);
  LogicalResult writePRelu(Operation *op, Line &line);
  LogicalResult writePad(Operation *op, Line &line);
  LogicalResult writeResize(Operation *op, Line &line);
  LogicalResult addWeight(Operation *op, const Line &line, StringRef suffix,
                          Value v, std::vector<int64_t> shape);
  LogicalResult addKey(Operation *op, Line &line, StringRef attr,
                       StringRef key);
  void emit(const Line &line, Value result);

  func::FuncOp func;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  Value previous; // the last statement's result
  std::deque<std::vector<float>> storage;
};

std::string GraphWriter::uniqueName(Location loc) {
  std::string base = "layer";
  if (auto name = dyn_cast<NameLoc>(loc))
    base = sanitize(name.getName().getValue());
  std::string name = base;
  for (int i = 2; used.contains(name); ++i)
    name = base + "_" + std::to_string(i);
  used.insert(name);
  return name;
}

/// `<op> '<layer>': cannot be written as .graph: <why>`, at the op.
InFlightDiagnostic GraphWriter::error(Operation *op, const llvm::Twine &why) {
  auto name = dyn_cast<NameLoc>(op->getLoc());
  return emitError(op->getLoc())
         << op->getName() << " '"
         << (name ? name.getName().getValue() : StringRef("?"))
         << "': cannot be written as .graph: " << why;
}

LogicalResult GraphWriter::addKey(Operation *op, Line &line, StringRef attr,
                                  StringRef key) {
  Attribute a = op->getAttr(attr);
  std::optional<std::string> value = a ? formatAttr(a) : std::nullopt;
  if (!value)
    return error(op, "attribute '" + attr + "' has no .graph spelling");
  line.key(key, *value);
  return success();
}

LogicalResult GraphWriter::addWeight(Operation *op, const Line &line,
                                     StringRef suffix, Value v,
                                     std::vector<int64_t> shape) {
  std::optional<std::vector<float>> data = constantData(v);
  if (!data)
    return error(op, "its " + suffix +
                         " is not an f32 constant (the language reads "
                         "parameters only from the weights file)");
  storage.push_back(std::move(*data));
  const std::vector<float> &d = storage.back();
  tensors.push_back({line.name + "." + suffix.str(), "F32", std::move(shape),
                     ArrayRef<char>(reinterpret_cast<const char *>(d.data()),
                                    d.size() * sizeof(float))});
  return success();
}

/// Attributes to keys; every operand must be a computed value.
LogicalResult GraphWriter::writePlain(Operation *op, const PlainKind &kind,
                                      Line &line) {
  line.inputs.assign(op->operand_begin(), op->operand_end());
  for (const Key &k : kind.keys)
    if (failed(addKey(op, line, k.attr, k.key)))
      return failure();
  return success();
}

/// conv2d and conv_transpose2d: weight (and bias) from the file.
LogicalResult GraphWriter::writeConv(Operation *op, Line &line) {
  bool transposed = line.kind == "conv_transpose2d";
  line.inputs = {op->getOperand(0)};
  ArrayRef<int64_t> w = shapeOf(op->getOperand(1));
  int64_t groups = cast<IntegerAttr>(op->getAttr("groups")).getInt();
  line.key("filters", std::to_string(transposed ? w[1] * groups : w[0]));
  line.key("kernel", formatInts(w.drop_front(2)));
  std::vector<Key> keys = {{"strides", "stride"}, {"pads", "padding"},
                           {"dilations", "dilation"}, {"groups", "groups"}};
  if (transposed)
    keys.push_back({"output_padding", "output_padding"});
  for (const Key &k : keys)
    if (failed(addKey(op, line, k.attr, k.key)))
      return failure();
  bool bias = op->getNumOperands() > 2;
  line.key("bias", bias ? "true" : "false");
  if (failed(addWeight(op, line, "weight", op->getOperand(1), w.vec())))
    return failure();
  return success(!bias || succeeded(addWeight(op, line, "bias",
                                              op->getOperand(2),
                                              {shapeOf(op->getOperand(2))[0]})));
}

LogicalResult GraphWriter::writeBatchNorm(Operation *op, Line &line) {
  line.inputs = {op->getOperand(0)};
  if (failed(addKey(op, line, "epsilon", "epsilon")))
    return failure();
  int64_t c = shapeOf(op->getOperand(0))[1];
  const char *suffixes[] = {"weight", "bias", "running_mean", "running_var"};
  for (auto [i, suffix] : llvm::enumerate(suffixes))
    if (failed(addWeight(op, line, suffix, op->getOperand(i + 1), {c})))
      return failure();
  return success();
}

/// The layer is y = x W^T + b; alpha, beta and trans_b are folded into the
/// stored W and b.
LogicalResult GraphWriter::writeDense(Operation *op, Line &line) {
  auto attrBool = [&](StringRef n) {
    return cast<BoolAttr>(op->getAttr(n)).getValue();
  };
  auto attrFloat = [&](StringRef n) {
    return cast<FloatAttr>(op->getAttr(n)).getValueAsDouble();
  };
  if (attrBool("trans_a"))
    return error(op, "trans_a = true (a dense layer multiplies its input as "
                     "is)");
  line.inputs = {op->getOperand(0)};
  ArrayRef<int64_t> b = shapeOf(op->getOperand(1));
  bool transB = attrBool("trans_b");
  int64_t k = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
  bool bias = op->getNumOperands() > 2;
  line.key("units", std::to_string(n));
  line.key("bias", bias ? "true" : "false");
  if (failed(addWeight(op, line, "weight", op->getOperand(1), {n, k})))
    return failure();
  std::vector<float> &w = storage.back();
  std::vector<float> stored(w.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      stored[i * k + j] =
          float(attrFloat("alpha")) * (transB ? w[i * k + j] : w[j * n + i]);
  w = std::move(stored);
  if (!bias)
    return success();
  if (ShapedType::getNumElements(shapeOf(op->getOperand(2))) != n)
    return error(op, "its bias is not one value per unit (shape [" +
                         llvm::join(llvm::map_range(shapeOf(op->getOperand(2)),
                                                    [](int64_t d) {
                                                      return std::to_string(d);
                                                    }),
                                    ", ") +
                         "])");
  if (failed(addWeight(op, line, "bias", op->getOperand(2), {n})))
    return failure();
  for (float &x : storage.back())
    x *= float(attrFloat("beta"));
  return success();
}

/// The layer stores one slope per channel ([C]) or one for all ([1]).
LogicalResult GraphWriter::writePRelu(Operation *op, Line &line) {
  line.inputs = {op->getOperand(0)};
  ArrayRef<int64_t> x = shapeOf(op->getOperand(0)),
                    s = shapeOf(op->getOperand(1));
  int64_t numel = ShapedType::getNumElements(s);
  // Right-aligned broadcasting puts a per-channel slope's C at this index.
  int64_t channelIdx = int64_t(s.size()) - int64_t(x.size() - 1);
  bool perChannel = x.size() >= 2 && numel == x[1] && channelIdx >= 0 &&
                    s[channelIdx] == x[1];
  if (numel != 1 && !perChannel)
    return error(op, "its slope is neither per channel nor a single value");
  return addWeight(op, line, "weight", op->getOperand(1), {numel});
}

/// The layer pads the last two axes: [top, left, bottom, right].
LogicalResult GraphWriter::writePad(Operation *op, Line &line) {
  line.inputs = {op->getOperand(0)};
  ArrayRef<int64_t> full = cast<DenseI64ArrayAttr>(op->getAttr("pads"));
  size_t rank = full.size() / 2;
  for (size_t i = 0; i + 2 < rank; ++i)
    if (full[i] || full[rank + i])
      return error(op, "it pads an axis other than the last two");
  line.key("pads", formatInts({full[rank - 2], full[rank - 1],
                               full[2 * rank - 2], full[2 * rank - 1]}));
  if (failed(addKey(op, line, "mode", "mode")))
    return failure();
  return addKey(op, line, "value", "value");
}

/// `scale` instead of `size` where the op has one (the layer computes the
/// size from it); the crop's and the cubic kernel's keys where they apply.
LogicalResult GraphWriter::writeResize(Operation *op, Line &line) {
  line.inputs = {op->getOperand(0)};
  auto resize = cast<cnn::ResizeOp>(op);
  if (std::optional<ArrayRef<float>> scale = resize.getScale()) {
    ArrayRef<int64_t> in = shapeOf(op->getOperand(0)), size = resize.getSize();
    for (int d = 0; d < 2; ++d)
      if (std::floor(double(in[2 + d]) * double((*scale)[d])) != double(size[d]))
        return error(op, "its scale does not give its size (the layer's "
                         "size is floor(input * scale))");
    if (failed(addKey(op, line, "scale", "scale")))
      return failure();
  } else if (failed(addKey(op, line, "size", "size"))) {
    return failure();
  }
  for (const char *key : {"mode", "coord_mode", "nearest_mode"})
    if (failed(addKey(op, line, key, key)))
      return failure();
  SmallVector<const char *> keys;
  if (resize.getCoordMode() == cnn::CoordMode::tf_crop_and_resize)
    keys.append({"roi", "extrapolation_value"});
  if (resize.getMode() == cnn::ResizeMode::cubic)
    keys.append({"cubic_coeff_a", "exclude_outside"});
  for (const char *key : keys)
    if (failed(addKey(op, line, key, key)))
      return failure();
  return success();
}

void GraphWriter::emit(const Line &line, Value result) {
  text += line.kind + " " + line.name;
  if (!(line.inputs.size() == 1 && line.inputs[0] == previous)) {
    text += " (";
    for (auto [i, v] : llvm::enumerate(line.inputs))
      text += (i ? ", " : "") + names.lookup(v);
    text += ")";
  }
  text += line.keys + "\n";
  names[result] = line.name;
  previous = result;
}

LogicalResult GraphWriter::writeOp(Operation *op) {
  if (isa<cnn::ConstantOp, func::ReturnOp>(op))
    return success(); // parameters are written with their layer
  StringRef opName = op->getName().getStringRef();
  if (!opName.consume_front("cnn.") || op->getNumResults() != 1)
    return error(op, "'" + op->getName().getStringRef() +
                         "' is not a layer kind");
  Line line{opName.str(), uniqueName(op->getLoc()), {}, ""};
  LogicalResult ok = failure();
  if (opName == "conv2d" || opName == "conv_transpose2d")
    ok = writeConv(op, line);
  else if (opName == "batch_norm")
    ok = writeBatchNorm(op, line);
  else if (opName == "dense")
    ok = writeDense(op, line);
  else if (opName == "prelu")
    ok = writePRelu(op, line);
  else if (opName == "pad")
    ok = writePad(op, line);
  else if (opName == "resize")
    ok = writeResize(op, line);
  else if (const PlainKind *kind = findPlainKind(opName))
    ok = writePlain(op, *kind, line);
  else
    return error(op, "'" + op->getName().getStringRef() +
                         "' has no .graph layer kind");
  if (failed(ok))
    return failure();
  for (Value v : line.inputs)
    if (!names.count(v))
      return error(op, "an input is a constant; the language has no "
                       "constant layers");
  emit(line, op->getResult(0));
  return success();
}

LogicalResult GraphWriter::write(StringRef networkName,
                                 StringRef weightsName) {
  text = "# Written by cnnc --emit=graph; compile with\n#   cnnc <this file> "
         "--weights=" +
         weightsName.str() + "\nnetwork " + sanitize(networkName) + "\n";
  for (BlockArgument arg : func.getArguments()) {
    auto attr = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "cnn.name");
    std::string name = sanitize(attr ? attr.getValue() : "input");
    for (int i = 2; used.contains(name); ++i)
      name = sanitize(attr ? attr.getValue() : "input") + "_" + std::to_string(i);
    used.insert(name);
    names[arg] = name;
    text += "input " + name + " shape=" + formatInts(shapeOf(arg)) + "\n";
  }
  bool ok = true;
  for (Operation &op : func.getBody().front())
    ok &= succeeded(writeOp(&op));
  if (!ok)
    return failure();
  auto results = func.getBody().front().getTerminator()->getOperands();
  SmallVector<std::string> outputs;
  for (Value v : results) {
    if (!names.count(v) || isa<BlockArgument>(v))
      return func.emitError() << "cannot be written as .graph: an output is "
                                 "a constant or an input";
    outputs.push_back(names.lookup(v));
  }
  text += "output " + llvm::join(outputs, ", ") + "\n";
  return success();
}

} // namespace

LogicalResult cnnc::writeGraph(ModuleOp module, StringRef graphPath,
                               StringRef weightsPath) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func || func.getBody().getBlocks().size() != 1)
    return module.emitError() << "cannot be written as .graph: no func @main "
                                 "of one block";
  GraphWriter writer(func);
  if (failed(writer.write(module.getSymName().value_or("model"),
                          llvm::sys::path::filename(weightsPath))))
    return failure();
  if (llvm::Error err = writeSafetensors(weightsPath, writer.tensors))
    return module.emitError() << llvm::toString(std::move(err));
  std::string error;
  auto out = openOutputFile(graphPath, &error);
  if (!out)
    return module.emitError() << error;
  out->os() << writer.text;
  out->keep();
  return success();
}
