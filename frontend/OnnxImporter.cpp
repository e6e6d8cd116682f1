//===- OnnxImporter.cpp - ONNX model -> `cnn` dialect ---------------------===//
//
// One pass over the topologically sorted nodes. Each ONNX value name maps to
// a Slot: an MLIR Value, an initializer (materialised as cnn.constant on first
// use as a tensor), or a host constant produced by folding shape arithmetic.
//
//===----------------------------------------------------------------------===//

#include "frontend/OnnxImporter.h"
#include "frontend/OnnxFolding.h"
#include "frontend/OnnxSequence.h"
#include "ir/CnnDialect.h"
#include "ir/OpBuilding.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "onnx/defs/schema.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace cnnc::onnx_import;
using llvm::SmallVector;

namespace {

// Node tests and PyTorch-converted models use opsets 1 and 6. The ops we
// import changed meaning since only in the legacy broadcast (rejected),
// Reshape (shape attribute < 5), Concat (axis optional < 4), Pad (< 2).
constexpr int64_t kMinOpset = 1;

/// Everything a node handler needs about the node being imported.
struct NodeCtx {
  const onnx::NodeProto &node;
  int64_t opset;
  Location loc;

  llvm::StringRef op() const { return node.op_type(); }
  bool has(int i) const {
    return i < node.input_size() && !node.input(i).empty();
  }
  /// `<Op> '<node>': ` error at the node.
  InFlightDiagnostic error() const { return cnn::layerError(loc, op()); }
};

/// Nodes that map to one cnn op, forwarding all inputs as operands and the
/// listed float attributes (same name in ONNX and cnn) with ONNX defaults.
struct DirectOp {
  const char *onnx;
  const char *cnn;
  std::vector<std::pair<const char *, float>> floatAttrs;
};
const DirectOp kDirectOps[] = {
    {"Relu", "cnn.relu", {}},
    {"Sigmoid", "cnn.sigmoid", {}},
    {"Tanh", "cnn.tanh", {}},
    {"HardSwish", "cnn.hard_swish", {}},
    {"Softplus", "cnn.softplus", {}},
    {"Softsign", "cnn.softsign", {}},
    {"GlobalAveragePool", "cnn.global_avg_pool", {}},
    {"GlobalMaxPool", "cnn.global_max_pool", {}},
    {"LeakyRelu", "cnn.leaky_relu", {{"alpha", 0.01f}}},
    {"Elu", "cnn.elu", {{"alpha", 1.0f}}},
    {"Selu",
     "cnn.selu",
     {{"alpha", 1.67326319217681884765625f},
      {"gamma", 1.05070102214813232421875f}}},
    {"HardSigmoid", "cnn.hard_sigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}}},
    {"PRelu", "cnn.prelu", {}},
    {"Add", "cnn.add", {}},
    {"Sub", "cnn.sub", {}},
    {"Mul", "cnn.mul", {}},
    {"Div", "cnn.div", {}},
    {"MatMul", "cnn.matmul", {}},
};

const DirectOp *findDirectOp(llvm::StringRef op) {
  for (const DirectOp &d : kDirectOps)
    if (op == d.onnx)
      return &d;
  return nullptr;
}

/// Keeps [A-Za-z0-9_] so the graph name is a plain MLIR symbol.
std::string sanitize(llvm::StringRef name) {
  std::string out;
  for (char c : name)
    out += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (out.empty() || llvm::isDigit(out[0]))
    out.insert(0, "m");
  return out;
}

class OnnxImporter {
public:
  OnnxImporter(MLIRContext &ctx, llvm::StringRef path,
               std::shared_ptr<onnx::ModelProto> model)
      : ctx(ctx), builder(&ctx), path(path.str()), model(std::move(model)),
        fileLoc(FileLineColLoc::get(&ctx, path, 0, 0)) {}

  FailureOr<OwningOpRef<ModuleOp>> run();

private:
  /// What an ONNX value name stands for.
  struct Slot {
    Value value;                                // a tensor in the IR
    const onnx::TensorProto *proto = nullptr;   // initializer or Constant
    std::shared_ptr<HostTensor> host;           // folded constant
    bool isConstant() const { return !value; }
  };
  using Handler = LogicalResult (OnnxImporter::*)(const NodeCtx &);

  Location locFor(llvm::StringRef name) {
    return NameLoc::get(StringAttr::get(&ctx, name), fileLoc);
  }
  /// The node's name, else its first named output (optional outputs may be
  /// empty), else its op type.
  static llvm::StringRef nodeName(const onnx::NodeProto &node) {
    if (!node.name().empty())
      return node.name();
    for (const std::string &out : node.output())
      if (!out.empty())
        return out;
    return node.op_type();
  }

  // Model level.
  LogicalResult readOpsets();
  int64_t opsetOf(const onnx::NodeProto &node) const;
  LogicalResult checkSupported();
  FailureOr<Type> inputType(const onnx::ValueInfoProto &info);
  LogicalResult importNode(const onnx::NodeProto &node);
  LogicalResult tryFold(const NodeCtx &c, bool &folded);

  // Values and constants.
  FailureOr<Slot *> slot(const NodeCtx &c, int i);
  FailureOr<Value> input(const NodeCtx &c, int i);
  FailureOr<HostTensor *> constInput(const NodeCtx &c, int i);
  /// Integers that ONNX moved from attribute `attr` to constant input `i` at
  /// opset `since` (Reshape's shape, Squeeze's axes, Pad's pads). An absent
  /// attribute gives none; an absent input too when `optionalInput`.
  FailureOr<SmallVector<int64_t>> intsFromAttrOrInput(const NodeCtx &c,
                                                      StringRef attr, int i,
                                                      int64_t since,
                                                      bool optionalInput);
  FailureOr<HostTensor *> hostOf(Slot &s, Location loc);
  FailureOr<Value> valueOf(Slot &s, llvm::StringRef name, Location loc);
  FailureOr<std::optional<std::pair<llvm::StringRef, std::shared_ptr<void>>>>
  rawBytes(const onnx::TensorProto &t, Location loc);
  FailureOr<std::shared_ptr<llvm::MemoryBuffer>>
  loadExternal(const onnx::TensorProto &t, Location loc);
  Value constantOp(Location loc, RankedTensorType type, llvm::StringRef name,
                   AsmResourceBlob blob);
  RankedTensorType f32(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  static llvm::ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  // Building.
  FailureOr<Value> make(const NodeCtx &c, llvm::StringRef opName,
                        ValueRange operands,
                        llvm::ArrayRef<NamedAttribute> attrs = {});
  LogicalResult define(const NodeCtx &c, FailureOr<Value> v);
  NamedAttribute named(llvm::StringRef name, Attribute a) {
    return builder.getNamedAttr(name, a);
  }
  NamedAttribute ints(llvm::StringRef name, llvm::ArrayRef<int64_t> v) {
    return named(name, builder.getDenseI64ArrayAttr(v));
  }
  NamedAttribute f32Attr(llvm::StringRef name, float v) {
    return named(name, builder.getF32FloatAttr(v));
  }
  LogicalResult requireImage(const NodeCtx &c, Value x);
  std::optional<LogicalResult> liftTo2D(const NodeCtx &c, Handler handler);
  FailureOr<SmallVector<int64_t>> windowPads(const NodeCtx &c,
                                             llvm::ArrayRef<int64_t> inHW,
                                             llvm::ArrayRef<int64_t> kernel,
                                             llvm::ArrayRef<int64_t> strides,
                                             llvm::ArrayRef<int64_t> dilations);
  FailureOr<SmallVector<int64_t>> pair(const NodeCtx &c, llvm::StringRef name,
                                       int64_t dflt);

  // Node handlers.
  LogicalResult importDirect(const NodeCtx &c);
  /// x, w and the optional bias of Conv/ConvTranspose (x and w 4-D).
  FailureOr<SmallVector<Value>> convOperands(const NodeCtx &c);
  LogicalResult importConv(const NodeCtx &c);
  LogicalResult importConvTranspose(const NodeCtx &c);
  LogicalResult importPool(const NodeCtx &c);
  LogicalResult importBatchNorm(const NodeCtx &c);
  LogicalResult importClip(const NodeCtx &c);
  LogicalResult importConcat(const NodeCtx &c);
  LogicalResult importFlatten(const NodeCtx &c);
  LogicalResult importReshape(const NodeCtx &c);
  LogicalResult importSqueeze(const NodeCtx &c);
  LogicalResult importTranspose(const NodeCtx &c);
  LogicalResult importGemm(const NodeCtx &c);
  LogicalResult importSoftmax(const NodeCtx &c);
  LogicalResult importPad(const NodeCtx &c);
  LogicalResult importResize(const NodeCtx &c);
  LogicalResult importAlias(const NodeCtx &c);
  LogicalResult importConstant(const NodeCtx &c);
  LogicalResult importShape(const NodeCtx &c);
  LogicalResult importSequence(const NodeCtx &c);
  bool isUsed(llvm::StringRef name) const;
  static const llvm::StringMap<Handler> &handlers();

  MLIRContext &ctx;
  OpBuilder builder;
  std::string path;
  std::shared_ptr<onnx::ModelProto> model;
  Location fileLoc;
  llvm::StringMap<int64_t> opsets; // domain -> version
  llvm::StringMap<Slot> slots;
};

const llvm::StringMap<OnnxImporter::Handler> &OnnxImporter::handlers() {
  static const llvm::StringMap<Handler> table = [] {
    llvm::StringMap<Handler> t;
    for (const DirectOp &d : kDirectOps)
      t[d.onnx] = &OnnxImporter::importDirect;
    t["Conv"] = &OnnxImporter::importConv;
    t["ConvTranspose"] = &OnnxImporter::importConvTranspose;
    t["MaxPool"] = &OnnxImporter::importPool;
    t["AveragePool"] = &OnnxImporter::importPool;
    t["BatchNormalization"] = &OnnxImporter::importBatchNorm;
    t["Clip"] = &OnnxImporter::importClip;
    t["Concat"] = &OnnxImporter::importConcat;
    t["Flatten"] = &OnnxImporter::importFlatten;
    t["Reshape"] = &OnnxImporter::importReshape;
    t["Squeeze"] = &OnnxImporter::importSqueeze;
    t["Unsqueeze"] = &OnnxImporter::importSqueeze;
    t["Transpose"] = &OnnxImporter::importTranspose;
    t["Gemm"] = &OnnxImporter::importGemm;
    t["Softmax"] = &OnnxImporter::importSoftmax;
    t["LogSoftmax"] = &OnnxImporter::importSoftmax;
    t["Pad"] = &OnnxImporter::importPad;
    t["Resize"] = &OnnxImporter::importResize;
    t["Upsample"] = &OnnxImporter::importResize;
    t["Identity"] = &OnnxImporter::importAlias;
    t["Dropout"] = &OnnxImporter::importAlias;
    t["Constant"] = &OnnxImporter::importConstant;
    t["Shape"] = &OnnxImporter::importShape;
    for (llvm::StringRef op : sequenceOpTypes())
      t[op] = &OnnxImporter::importSequence;
    return t;
  }();
  return table;
}

//===----------------------------------------------------------------------===//
// Model level
//===----------------------------------------------------------------------===//

LogicalResult OnnxImporter::readOpsets() {
  for (const onnx::OperatorSetIdProto &id : model->opset_import())
    opsets[id.domain() == "ai.onnx" ? "" : id.domain()] = id.version();
  // The newest opset this libonnx has schemas for.
  int64_t newest = onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                       .Map()
                       .at(onnx::ONNX_DOMAIN)
                       .second;
  auto it = opsets.find("");
  if (it == opsets.end())
    return emitError(fileLoc) << "model imports no default-domain opset";
  if (it->second < kMinOpset || it->second > newest)
    return emitError(fileLoc)
           << "unsupported ONNX opset " << it->second << " (supported: "
           << kMinOpset << ".." << newest << ")";
  return success();
}

int64_t OnnxImporter::opsetOf(const onnx::NodeProto &node) const {
  llvm::StringRef domain = node.domain() == "ai.onnx" ? "" : node.domain();
  auto it = opsets.find(domain);
  return it == opsets.end() ? 0 : it->second;
}

/// Collects every node we cannot import so that one error lists them all.
LogicalResult OnnxImporter::checkSupported() {
  std::string list;
  unsigned count = 0;
  for (const onnx::NodeProto &node : model->graph().node()) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (defaultDomain && (handlers().count(node.op_type()) ||
                          isFoldable(node.op_type())))
      continue;
    ++count;
    list += "\n  " + node.op_type() + " '" + nodeName(node).str() + "' (";
    if (!defaultDomain)
      list += "domain " + node.domain() + ", ";
    list += "opset " + std::to_string(opsetOf(node)) + ")";
  }
  if (count == 0)
    return success();
  return emitError(fileLoc) << "model uses " << count
                            << " unsupported ONNX operator"
                            << (count == 1 ? "" : "s") << ":" << list;
}

FailureOr<Type> OnnxImporter::inputType(const onnx::ValueInfoProto &info) {
  Location loc = locFor(info.name());
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return emitError(loc) << "input '" << info.name()
                          << "' is not a tensor with a known shape";
  if (type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    return emitError(loc) << "input '" << info.name()
                          << "' has element type "
                          << type.tensor_type().elem_type()
                          << "; only float32 inputs are supported";
  SmallVector<int64_t> shape;
  for (const auto &[i, dim] :
       llvm::enumerate(type.tensor_type().shape().dim())) {
    if (!dim.has_dim_value() || dim.dim_value() <= 0)
      return emitError(loc)
             << "input '" << info.name() << "' has a symbolic dimension "
             << i << (dim.has_dim_param() ? " '" + dim.dim_param() + "'" : "")
             << "; static shapes are required";
    shape.push_back(dim.dim_value());
  }
  return Type(f32(shape));
}

FailureOr<OwningOpRef<ModuleOp>> OnnxImporter::run() {
  if (failed(readOpsets()) || failed(checkSupported()))
    return failure();
  const onnx::GraphProto &graph = model->graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(
      fileLoc, sanitize(graph.name().empty() ? "model" : graph.name()));

  for (const onnx::TensorProto &init : graph.initializer())
    slots[init.name()].proto = &init;
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (slots.count(in.name()))
      continue; // an input with an initializer is a constant
    FailureOr<Type> type = inputType(in);
    if (failed(type))
      return failure();
    argTypes.push_back(*type);
    args.push_back(&in);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(
      fileLoc, "main", builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(args)) {
    func.setArgAttr(i, "cnn.name", builder.getStringAttr(in->name()));
    slots[in->name()].value = body->getArgument(i);
  }
  builder.setInsertionPointToEnd(body);
  for (const onnx::NodeProto &node : graph.node())
    if (failed(importNode(node)))
      return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    Location loc = locFor(out.name());
    auto it = slots.find(out.name());
    if (it == slots.end())
      return emitError(loc) << "graph output '" << out.name()
                            << "' has no value (no node produces it, or it "
                               "is an unsupported extra output of its node)";
    FailureOr<Value> v = valueOf(it->second, out.name(), loc);
    if (failed(v))
      return failure();
    results.push_back(*v);
  }
  builder.create<func::ReturnOp>(fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "cnn.name", builder.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return failure();
  return module;
}

LogicalResult OnnxImporter::importNode(const onnx::NodeProto &node) {
  NodeCtx c{node, opsetOf(node), locFor(nodeName(node))};
  // Optional outputs may be unnamed: LSTM nodes often produce only Y_h.
  if (llvm::all_of(node.output(), [](const std::string &o) { return o.empty(); }))
    return c.error() << "node has no output";
  for (int i = 0; i < node.input_size(); ++i)
    if (c.has(i) && !slots.count(node.input(i)))
      return c.error() << "input '" << node.input(i)
                       << "' is not a graph input, initializer or output of "
                          "an earlier node";
  bool folded = false;
  if (failed(tryFold(c, folded)))
    return failure();
  if (folded)
    return success();
  auto it = handlers().find(c.op());
  if (it == handlers().end())
    return c.error() << "supported only on constant inputs (shape "
                        "arithmetic); input '"
                     << node.input(0) << "' is computed at run time";
  return (this->*(it->second))(c);
}

/// Evaluates foldable nodes whose inputs are all constants on the host.
/// Weight-sized constants are left to the cnn ops (Identity aliases them).
LogicalResult OnnxImporter::tryFold(const NodeCtx &c, bool &folded) {
  constexpr int64_t kMaxHostElements = 1 << 16;
  bool hasHandler = handlers().count(c.op());
  if (!isFoldable(c.op()) || c.op() == "Identity")
    return success();
  SmallVector<const HostTensor *> in;
  for (int i = 0; i < c.node.input_size(); ++i) {
    if (!c.has(i)) {
      in.push_back(nullptr);
      continue;
    }
    Slot &s = slots[c.node.input(i)];
    if (!s.isConstant())
      return success();
    int64_t numel = 1;
    if (!s.host)
      for (int64_t d : s.proto->dims())
        numel *= std::max<int64_t>(d, 0);
    if (hasHandler && numel > kMaxHostElements)
      return success();
    FailureOr<HostTensor *> h = hostOf(s, c.loc);
    if (failed(h))
      return failure();
    in.push_back(*h);
  }
  auto out = foldNode(c.node, c.opset, in);
  if (!out)
    return c.error() << llvm::toString(out.takeError());
  for (auto [i, t] : llvm::enumerate(*out))
    slots[c.node.output(i)].host = std::make_shared<HostTensor>(std::move(t));
  folded = true;
  return success();
}

//===----------------------------------------------------------------------===//
// Values and constants
//===----------------------------------------------------------------------===//

FailureOr<OnnxImporter::Slot *> OnnxImporter::slot(const NodeCtx &c, int i) {
  if (!c.has(i))
    return c.error() << "missing required input " << i;
  return &slots[c.node.input(i)];
}

FailureOr<Value> OnnxImporter::input(const NodeCtx &c, int i) {
  FailureOr<Slot *> s = slot(c, i);
  if (failed(s))
    return failure();
  return valueOf(**s, c.node.input(i), c.loc);
}

FailureOr<HostTensor *> OnnxImporter::constInput(const NodeCtx &c, int i) {
  FailureOr<Slot *> s = slot(c, i);
  if (failed(s))
    return failure();
  if (!(*s)->isConstant())
    return c.error() << "input '" << c.node.input(i)
                     << "' must be a constant, not computed at run time";
  return hostOf(**s, c.loc);
}

FailureOr<HostTensor *> OnnxImporter::hostOf(Slot &s, Location loc) {
  if (s.host)
    return s.host.get();
  auto raw = rawBytes(*s.proto, loc);
  if (failed(raw))
    return failure();
  auto t = hostFromProto(*s.proto, *raw ? std::optional((*raw)->first)
                                         : std::nullopt);
  if (!t)
    return emitError(loc) << llvm::toString(t.takeError());
  s.host = std::make_shared<HostTensor>(std::move(*t));
  return s.host.get();
}

/// The tensor for slot `s`, materialising constants as cnn.constant.
FailureOr<Value> OnnxImporter::valueOf(Slot &s, llvm::StringRef name,
                                       Location useLoc) {
  if (s.value)
    return s.value;
  Location loc = locFor(name);
  // Zero-copy: a float initializer's bytes stay in the model (or the mapped
  // external file), kept alive by the blob's deleter.
  if (!s.host && s.proto->data_type() == onnx::TensorProto::FLOAT) {
    auto raw = rawBytes(*s.proto, loc);
    if (failed(raw))
      return failure();
    SmallVector<int64_t> shape(s.proto->dims().begin(), s.proto->dims().end());
    int64_t numel = 1;
    for (int64_t d : shape) {
      if (d < 0 || (d && numel > std::numeric_limits<int64_t>::max() / d))
        return emitError(loc) << "tensor '" << name << "' has invalid dims";
      numel *= d;
    }
    if (*raw && (*raw)->first.size() == size_t(numel) * sizeof(float) &&
        reinterpret_cast<uintptr_t>((*raw)->first.data()) % alignof(float) ==
            0) {
      auto [bytes, owner] = **raw;
      AsmResourceBlob blob(llvm::ArrayRef<char>(bytes.data(), bytes.size()),
                           alignof(float),
                           [owner](void *, size_t, size_t) {}, false);
      return s.value = constantOp(loc, f32(shape), name, std::move(blob));
    }
  }
  FailureOr<HostTensor *> host = hostOf(s, loc);
  if (failed(host))
    return failure();
  if ((*host)->isInt)
    return emitError(useLoc) << "integer tensor '" << name
                             << "' is used as a tensor operand; only float "
                                "tensors are supported";
  std::vector<float> data = (*host)->toFloats();
  return s.value = constantOp(
             loc, f32((*host)->shape), name,
             HeapAsmResourceBlob::allocateAndCopyInferAlign(
                 llvm::ArrayRef<float>(data)));
}

Value OnnxImporter::constantOp(Location loc, RankedTensorType type,
                               llvm::StringRef name, AsmResourceBlob blob) {
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return builder.create<cnn::ConstantOp>(loc, type, attr);
}

/// The raw little-endian bytes of `t` and their owner, or nullopt when the
/// tensor uses the typed repeated fields.
FailureOr<std::optional<std::pair<llvm::StringRef, std::shared_ptr<void>>>>
OnnxImporter::rawBytes(const onnx::TensorProto &t, Location loc) {
  using Result = std::pair<llvm::StringRef, std::shared_ptr<void>>;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<std::shared_ptr<llvm::MemoryBuffer>> buf = loadExternal(t, loc);
    if (failed(buf))
      return failure();
    return std::optional(Result((*buf)->getBuffer(), *buf));
  }
  if (t.has_raw_data())
    return std::optional(Result(t.raw_data(), model));
  return std::optional<Result>();
}

/// Maps a tensor's external data, confined to the model's directory.
FailureOr<std::shared_ptr<llvm::MemoryBuffer>>
OnnxImporter::loadExternal(const onnx::TensorProto &t, Location loc) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &e : t.external_data()) {
    unsigned long long v = 0;
    if ((e.key() == "offset" || e.key() == "length") &&
        llvm::getAsUnsignedInteger(e.value(), 10, v))
      return emitError(loc) << "tensor '" << t.name() << "': bad external "
                            << e.key() << " '" << e.value() << "'";
    if (e.key() == "location")
      location = e.value();
    else if (e.key() == "offset")
      offset = v;
    else if (e.key() == "length")
      length = v;
  }
  auto fail = [&](const llvm::Twine &why) {
    return emitError(loc) << "tensor '" << t.name() << "': external data '"
                          << location << "' " << why;
  };
  if (location.empty())
    return fail("has no location");
  if (llvm::sys::path::is_absolute(location))
    return fail("must be a path relative to the model's directory");
  for (llvm::StringRef part : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (part == "..")
      return fail("must not leave the model's directory ('..')");
  llvm::SmallString<256> dir(path), file, realDir, realFile;
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  file = dir;
  llvm::sys::path::append(file, location);
  // Symbolic links must not lead outside the directory either.
  if (llvm::sys::fs::real_path(dir, realDir) ||
      llvm::sys::fs::real_path(file, realFile))
    return fail("cannot be opened");
  if (!llvm::StringRef(realFile).starts_with(realDir.str().str() + "/"))
    return fail("resolves outside the model's directory");
  uint64_t size = 0;
  if (llvm::sys::fs::file_size(realFile, size) || offset > size ||
      (length && *length > size - offset))
    return fail("is shorter than offset + length");
  auto buf = llvm::MemoryBuffer::getFileSlice(
      realFile, length.value_or(size - offset), offset);
  if (!buf)
    return fail("cannot be read: " + buf.getError().message());
  return std::shared_ptr<llvm::MemoryBuffer>(std::move(*buf));
}

//===----------------------------------------------------------------------===//
// Building helpers
//===----------------------------------------------------------------------===//

FailureOr<Value> OnnxImporter::make(const NodeCtx &c, llvm::StringRef opName,
                                    ValueRange operands,
                                    llvm::ArrayRef<NamedAttribute> attrs) {
  FailureOr<Operation *> op =
      cnn::createInferred(builder, c.loc, opName, operands, attrs);
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

LogicalResult OnnxImporter::define(const NodeCtx &c, FailureOr<Value> v) {
  if (failed(v))
    return failure();
  slots[c.node.output(0)] = Slot{*v};
  return success();
}

/// The cnn window ops are 2-D: reject other variants with the reason (1-D
/// Conv, ConvTranspose and pools are lifted to 2-D before, see liftTo2D).
LogicalResult OnnxImporter::requireImage(const NodeCtx &c, Value x) {
  size_t rank = shapeOf(x).size();
  if (rank == 4)
    return success();
  static const std::pair<const char *, const char *> kWhat[] = {
      {"Conv", "convolution; cnn.conv2d"},
      {"ConvTranspose", "transposed convolution; cnn.conv_transpose2d"},
      {"MaxPool", "max pooling; cnn.max_pool2d"},
      {"AveragePool", "average pooling; cnn.avg_pool2d"},
      {"GlobalMaxPool", "global max pooling; cnn.global_max_pool"},
      {"GlobalAveragePool", "global average pooling; cnn.global_avg_pool"},
      {"Resize", "resize; cnn.resize"},
      {"Upsample", "resize; cnn.resize"}};
  for (auto [op, what] : kWhat)
    if (c.op() == op && rank >= 3)
      return c.error() << "unsupported: " << rank - 2 << "-D " << what
                       << " has two spatial dimensions (NCHW)";
  return c.error() << "unsupported: input of rank " << rank
                   << "; only 2-D (NCHW, rank 4) is supported";
}

/// Conv, ConvTranspose, MaxPool and AveragePool of one spatial dimension
/// run as the 2-D op on [N, C, 1, L]: the data (and the convolutions'
/// weights) are reshaped to H = 1, the node's spatial attributes gain an H
/// entry (kernel and stride 1, no padding) and the result is reshaped back.
/// nullopt when input 0 is not of rank 3.
std::optional<LogicalResult> OnnxImporter::liftTo2D(const NodeCtx &c,
                                                    Handler handler) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return LogicalResult(failure());
  if (shapeOf(*x).size() != 3)
    return std::nullopt;
  auto fresh = [&](const std::string &name) {
    std::string n = name + "#2d";
    while (slots.count(n))
      n += "'";
    return n;
  };
  onnx::NodeProto node = c.node;
  int lifted = c.op() == "Conv" || c.op() == "ConvTranspose" ? 2 : 1;
  for (int i = 0; i < lifted; ++i) {
    FailureOr<Value> v = input(c, i);
    if (failed(v))
      return LogicalResult(failure());
    llvm::ArrayRef<int64_t> s = shapeOf(*v);
    if (s.size() != 3)
      return LogicalResult(c.error() << "input " << i << " has rank " << s.size()
                                     << " but input 0 has rank 3 (1-D)");
    SmallVector<int64_t> shape{s[0], s[1], 1, s[2]};
    FailureOr<Value> r;
    // Constant weights stay a constant (the same bytes), which the conv
    // schedules and batch-norm folding want; computed ones are reshaped.
    auto constant = v->getDefiningOp<cnn::ConstantOp>();
    auto resource = constant ? dyn_cast<DenseResourceElementsAttr>(constant.getValue())
                             : DenseResourceElementsAttr();
    if (resource)
      r = builder
              .create<cnn::ConstantOp>(constant.getLoc(), f32(shape),
                                       DenseResourceElementsAttr::get(
                                           f32(shape), resource.getRawHandle()))
              .getResult();
    else
      r = make(c, "cnn.reshape", *v, {ints("shape", shape)});
    if (failed(r))
      return LogicalResult(failure());
    std::string name = fresh(node.input(i));
    slots[name] = Slot{*r};
    node.set_input(i, name);
  }
  for (onnx::AttributeProto &a : *node.mutable_attribute()) {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    llvm::StringRef n = a.name();
    if (n == "pads" && v.size() == 2)
      v = {0, v[0], 0, v[1]};
    else if ((n == "kernel_shape" || n == "strides" || n == "dilations") && v.size() == 1)
      v.insert(v.begin(), 1);
    else if (n == "output_padding" && v.size() == 1)
      v.insert(v.begin(), 0);
    else if (n == "output_shape" && !v.empty()) // [L] or [N, C, L]
      v.insert(v.end() - 1, 1);
    else
      continue;
    a.clear_ints();
    for (int64_t e : v)
      a.add_ints(e);
  }
  std::string out = fresh(node.output(0));
  node.set_output(0, out);
  if (failed((this->*handler)(NodeCtx{node, c.opset, c.loc})))
    return LogicalResult(failure());
  Value y = slots[out].value;
  llvm::ArrayRef<int64_t> s = shapeOf(y);
  return define(c, make(c, "cnn.reshape", y, {ints("shape", {s[0], s[1], s[3]})}));
}

/// A 2-element spatial attribute such as strides, defaulting to `dflt`.
FailureOr<SmallVector<int64_t>> OnnxImporter::pair(const NodeCtx &c,
                                                   llvm::StringRef name,
                                                   int64_t dflt) {
  SmallVector<int64_t> v =
      attrInts(c.node, name).value_or(SmallVector<int64_t>{dflt, dflt});
  if (v.size() != 2)
    return c.error() << "attribute '" << name << "' must have 2 entries (2-D)";
  return v;
}

/// [top, left, bottom, right] pads with auto_pad resolved.
FailureOr<SmallVector<int64_t>>
OnnxImporter::windowPads(const NodeCtx &c, llvm::ArrayRef<int64_t> inHW,
                         llvm::ArrayRef<int64_t> kernel,
                         llvm::ArrayRef<int64_t> strides,
                         llvm::ArrayRef<int64_t> dilations) {
  std::string autoPad = attrString(c.node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads =
        attrInts(c.node, "pads").value_or(SmallVector<int64_t>(4, 0));
    if (pads.size() != 4)
      return c.error() << "attribute 'pads' must have 4 entries (2-D)";
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>(4, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return c.error() << "unknown auto_pad '" << autoPad << "'";
  SmallVector<int64_t> pads(4);
  for (int d = 0; d < 2; ++d) {
    int64_t out = (inHW[d] + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[d] + dilations[d] * (kernel[d] - 1) + 1 - inHW[d],
        0);
    int64_t small = total / 2;
    pads[d] = autoPad == "SAME_UPPER" ? small : total - small;
    pads[d + 2] = total - pads[d];
  }
  return pads;
}

//===----------------------------------------------------------------------===//
// Node handlers
//===----------------------------------------------------------------------===//

LogicalResult OnnxImporter::importDirect(const NodeCtx &c) {
  const DirectOp *d = findDirectOp(c.op());
  // Before opset 7, `broadcast` + `axis` aligned the rhs at `axis`.
  if (c.opset < 7 && findAttr(c.node, "axis"))
    return c.error() << "unsupported: legacy broadcast with an axis (opset < 7)";
  SmallVector<Value> operands;
  for (int i = 0; i < c.node.input_size(); ++i) {
    FailureOr<Value> v = input(c, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  // Before opset 7 a 1-D PRelu slope of size C is per channel (axis 1).
  if (c.op() == "PRelu" && c.opset < 7) {
    llvm::ArrayRef<int64_t> x = shapeOf(operands[0]), slope = shapeOf(operands[1]);
    if (x.size() > 2 && slope.size() == 1 && slope[0] == x[1] && x[1] != 1) {
      SmallVector<int64_t> perChannel(x.size() - 1, 1);
      perChannel[0] = slope[0];
      FailureOr<Value> r =
          make(c, "cnn.reshape", operands[1], {ints("shape", perChannel)});
      if (failed(r))
        return failure();
      operands[1] = *r;
    }
  }
  if (llvm::StringRef(d->cnn).starts_with("cnn.global") &&
      failed(requireImage(c, operands[0])))
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (auto [name, dflt] : d->floatAttrs)
    attrs.push_back(f32Attr(name, attrFloat(c.node, name, dflt)));
  return define(c, make(c, d->cnn, operands, attrs));
}

FailureOr<SmallVector<Value>> OnnxImporter::convOperands(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0), w = input(c, 1);
  if (failed(x) || failed(w) || failed(requireImage(c, *x)) ||
      failed(requireImage(c, *w)))
    return failure();
  SmallVector<Value> operands{*x, *w};
  if (c.has(2)) {
    FailureOr<Value> b = input(c, 2);
    if (failed(b))
      return failure();
    operands.push_back(*b);
  }
  return operands;
}

LogicalResult OnnxImporter::importConv(const NodeCtx &c) {
  if (std::optional<LogicalResult> lifted = liftTo2D(c, &OnnxImporter::importConv))
    return *lifted;
  FailureOr<SmallVector<Value>> operands = convOperands(c);
  if (failed(operands))
    return failure();
  Value x = (*operands)[0], w = (*operands)[1];
  auto strides = pair(c, "strides", 1), dilations = pair(c, "dilations", 1);
  if (failed(strides) || failed(dilations))
    return failure();
  auto pads = windowPads(c, shapeOf(x).drop_front(2),
                         shapeOf(w).drop_front(2), *strides, *dilations);
  if (failed(pads))
    return failure();
  return define(c, make(c, "cnn.conv2d", *operands,
                        {ints("strides", *strides), ints("pads", *pads),
                         ints("dilations", *dilations),
                         named("groups", builder.getI64IntegerAttr(
                                             attrInt(c.node, "group", 1)))}));
}

LogicalResult OnnxImporter::importConvTranspose(const NodeCtx &c) {
  if (std::optional<LogicalResult> lifted = liftTo2D(c, &OnnxImporter::importConvTranspose))
    return *lifted;
  FailureOr<SmallVector<Value>> operands = convOperands(c);
  if (failed(operands))
    return failure();
  Value x = (*operands)[0], w = (*operands)[1];
  auto strides = pair(c, "strides", 1), dilations = pair(c, "dilations", 1),
       outPad = pair(c, "output_padding", 0);
  if (failed(strides) || failed(dilations) || failed(outPad))
    return failure();
  llvm::ArrayRef<int64_t> in = shapeOf(x).drop_front(2),
                          kernel = shapeOf(w).drop_front(2);
  std::string autoPad = attrString(c.node, "auto_pad", "NOTSET");
  auto outShape = attrInts(c.node, "output_shape");
  SmallVector<int64_t> pads(4, 0);
  if (outShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // ONNX: the total padding that yields the requested output size; the odd
    // one goes at the end for SAME_UPPER, at the start otherwise.
    SmallVector<int64_t> target{in[0] * (*strides)[0], in[1] * (*strides)[1]};
    if (outShape) {
      if (outShape->size() < 2)
        return c.error() << "attribute 'output_shape' must have 2 entries";
      target.assign(outShape->end() - 2, outShape->end());
    }
    for (int d = 0; d < 2; ++d) {
      int64_t total = (*strides)[d] * (in[d] - 1) + (*outPad)[d] +
                      (kernel[d] - 1) * (*dilations)[d] + 1 - target[d];
      // A larger output_shape adds bias-only rows at the end, which is
      // what output_padding does.
      if (total < 0) {
        (*outPad)[d] -= total;
        total = 0;
      }
      int64_t half = total / 2;
      pads[d] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[d + 2] = total - pads[d];
    }
  } else if (autoPad == "NOTSET") {
    pads = attrInts(c.node, "pads").value_or(pads);
    if (pads.size() != 4)
      return c.error() << "attribute 'pads' must have 4 entries (2-D)";
  } else if (autoPad != "VALID") {
    return c.error() << "unknown auto_pad '" << autoPad << "'";
  }
  return define(
      c, make(c, "cnn.conv_transpose2d", *operands,
              {ints("strides", *strides), ints("pads", pads),
               ints("output_padding", *outPad), ints("dilations", *dilations),
               named("groups",
                     builder.getI64IntegerAttr(attrInt(c.node, "group", 1)))}));
}

LogicalResult OnnxImporter::importPool(const NodeCtx &c) {
  if (std::optional<LogicalResult> lifted = liftTo2D(c, &OnnxImporter::importPool))
    return *lifted;
  bool isMax = c.op() == "MaxPool";
  FailureOr<Value> x = input(c, 0);
  if (failed(x) || failed(requireImage(c, *x)))
    return failure();
  if (isMax && c.node.output_size() > 1 && !c.node.output(1).empty())
    return c.error() << "unsupported: the Indices output";
  if (attrInt(c.node, "storage_order", 0) != 0)
    return c.error() << "unsupported: storage_order = 1 (column-major)";
  auto kernel = attrInts(c.node, "kernel_shape");
  if (!kernel || kernel->size() != 2)
    return c.error() << "unsupported: kernel_shape must have 2 entries "
                        "(only 2-D pooling)";
  auto strides = pair(c, "strides", 1), dilations = pair(c, "dilations", 1);
  if (failed(strides) || failed(dilations))
    return failure();
  if (!isMax && (*dilations)[0] * (*dilations)[1] != 1)
    return c.error() << "unsupported: dilated average pooling";
  auto pads =
      windowPads(c, shapeOf(*x).drop_front(2), *kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  SmallVector<NamedAttribute> attrs{
      ints("kernel", *kernel), ints("strides", *strides), ints("pads", *pads),
      named("ceil_mode", builder.getBoolAttr(attrInt(c.node, "ceil_mode", 0)))};
  if (isMax)
    attrs.push_back(ints("dilations", *dilations));
  else
    attrs.push_back(named("count_include_pad",
                          builder.getBoolAttr(
                              attrInt(c.node, "count_include_pad", 0))));
  return define(c, make(c, isMax ? "cnn.max_pool2d" : "cnn.avg_pool2d", *x,
                        attrs));
}

LogicalResult OnnxImporter::importBatchNorm(const NodeCtx &c) {
  if (attrInt(c.node, "training_mode", 0) != 0)
    return c.error() << "unsupported: training_mode = 1";
  if (c.opset < 9 && attrInt(c.node, "spatial", 1) != 1)
    return c.error() << "unsupported: spatial = 0";
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = input(c, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  return define(c, make(c, "cnn.batch_norm", operands,
                        {f32Attr("epsilon",
                                 attrFloat(c.node, "epsilon", 1e-5f))}));
}

LogicalResult OnnxImporter::importClip(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
  if (c.opset < 11) {
    lo = attrFloat(c.node, "min", lo);
    hi = attrFloat(c.node, "max", hi);
  }
  // Opset 11 moved the bounds to optional (constant) inputs.
  for (int i : {1, 2}) {
    if (c.opset < 11 || !c.has(i))
      continue;
    FailureOr<HostTensor *> t = constInput(c, i);
    if (failed(t))
      return failure();
    if ((*t)->numel() != 1)
      return c.error() << "clip bound must be a scalar";
    (i == 1 ? lo : hi) = float((*t)->floatAt(0));
  }
  return define(c, make(c, "cnn.clip", *x,
                        {f32Attr("min", lo), f32Attr("max", hi)}));
}

LogicalResult OnnxImporter::importConcat(const NodeCtx &c) {
  SmallVector<Value> operands;
  for (int i = 0; i < c.node.input_size(); ++i) {
    FailureOr<Value> v = input(c, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  int64_t axis = attrInt(c.node, "axis", c.opset < 4 ? 1 : 0);
  return define(c, make(c, "cnn.concat", operands,
                        {named("axis", builder.getI64IntegerAttr(axis))}));
}

LogicalResult OnnxImporter::importFlatten(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size(), axis = attrInt(c.node, "axis", 1);
  if (axis < -rank || axis > rank)
    return c.error() << "axis " << axis << " out of range for rank " << rank;
  return define(c, make(c, "cnn.flatten", *x,
                        {named("axis", builder.getI64IntegerAttr(
                                           axis < 0 ? axis + rank : axis))}));
}

FailureOr<SmallVector<int64_t>>
OnnxImporter::intsFromAttrOrInput(const NodeCtx &c, StringRef attr, int i,
                                  int64_t since, bool optionalInput) {
  if (c.opset < since)
    return attrInts(c.node, attr).value_or(SmallVector<int64_t>());
  if (optionalInput && !c.has(i))
    return SmallVector<int64_t>();
  FailureOr<HostTensor *> t = constInput(c, i);
  if (failed(t))
    return failure();
  return (*t)->toInts();
}

LogicalResult OnnxImporter::importReshape(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      intsFromAttrOrInput(c, "shape", 1, /*since=*/5, /*optionalInput=*/false);
  if (failed(shape))
    return failure();
  SmallVector<int64_t> &target = *shape;
  if (attrInt(c.node, "allowzero", 0) && llvm::is_contained(target, 0))
    return c.error() << "unsupported: allowzero with a 0 in the shape "
                        "(empty tensors)";
  return define(c, make(c, "cnn.reshape", *x, {ints("shape", target)}));
}

/// Squeeze and Unsqueeze are reshapes; axes come from an attribute before
/// opset 13 and from a constant input after.
LogicalResult OnnxImporter::importSqueeze(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> axes =
      intsFromAttrOrInput(c, "axes", 1, /*since=*/13, /*optionalInput=*/true);
  if (failed(axes))
    return failure();
  auto shape = (c.op() == "Squeeze" ? squeezedShape : unsqueezedShape)(
      shapeOf(*x), *axes);
  if (!shape)
    return c.error() << llvm::toString(shape.takeError());
  return define(c, make(c, "cnn.reshape", *x, {ints("shape", *shape)}));
}

LogicalResult OnnxImporter::importTranspose(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size();
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  return define(c, make(c, "cnn.transpose", *x,
                        {ints("perm", attrInts(c.node, "perm")
                                          .value_or(reversed))}));
}

LogicalResult OnnxImporter::importGemm(const NodeCtx &c) {
  SmallVector<Value> operands;
  for (int i = 0; i < 3; ++i) {
    if (i == 2 && !c.has(i))
      break;
    FailureOr<Value> v = input(c, i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  return define(
      c, make(c, "cnn.dense", operands,
              {named("trans_a", builder.getBoolAttr(attrInt(c.node, "transA", 0))),
               named("trans_b", builder.getBoolAttr(attrInt(c.node, "transB", 0))),
               f32Attr("alpha", attrFloat(c.node, "alpha", 1.0f)),
               f32Attr("beta", attrFloat(c.node, "beta", 1.0f))}));
}

/// Before opset 13 the input is coerced to 2-D at `axis` (default 1):
/// flatten, normalise each row, reshape back. From 13 on, one axis (-1).
LogicalResult OnnxImporter::importSoftmax(const NodeCtx &c) {
  llvm::StringRef opName =
      c.op() == "Softmax" ? "cnn.softmax" : "cnn.log_softmax";
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(*x).size();
  int64_t axis = attrInt(c.node, "axis", c.opset < 13 ? 1 : -1);
  if (axis < -rank || axis >= rank)
    return c.error() << "axis " << axis << " out of range for rank " << rank;
  axis = axis < 0 ? axis + rank : axis;
  auto axisAttr = [&](int64_t a) {
    return named("axis", builder.getI64IntegerAttr(a));
  };
  if (c.opset >= 13 || axis == rank - 1)
    return define(c, make(c, opName, *x, {axisAttr(axis)}));
  FailureOr<Value> flat = make(c, "cnn.flatten", *x, {axisAttr(axis)});
  if (failed(flat))
    return failure();
  FailureOr<Value> y = make(c, opName, *flat, {axisAttr(1)});
  if (failed(y))
    return failure();
  return define(c, make(c, "cnn.reshape", *y, {ints("shape", shapeOf(*x))}));
}

LogicalResult OnnxImporter::importPad(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x))
    return failure();
  std::string mode = attrString(c.node, "mode", "constant");
  auto padMode = cnn::symbolizePadMode(mode);
  if (!padMode)
    return c.error() << "unsupported mode '" << mode << "'";
  FailureOr<SmallVector<int64_t>> padsOr = intsFromAttrOrInput(
      c, c.opset < 2 ? "paddings" : "pads", 1, /*since=*/11,
      /*optionalInput=*/false);
  if (failed(padsOr))
    return failure();
  SmallVector<int64_t> &pads = *padsOr;
  float value = 0;
  if (c.opset < 11) {
    value = attrFloat(c.node, "value", 0);
  } else {
    if (c.has(2)) {
      FailureOr<HostTensor *> v = constInput(c, 2);
      if (failed(v))
        return failure();
      value = (*v)->numel() ? float((*v)->floatAt(0)) : 0.0f;
    }
    if (c.has(3))
      return c.error() << "unsupported: the axes input";
  }
  return define(c, make(c, "cnn.pad", *x,
                        {ints("pads", pads),
                         named("mode", cnn::PadModeAttr::get(&ctx, *padMode)),
                         f32Attr("value", value)}));
}

/// Resize (opset 10: X, scales; 11+: X, roi, scales, sizes) and Upsample
/// (7: scales attribute; 9: scales input). Before Resize-11 the mapping is
/// asymmetric with floor rounding. With scales, the output is floor(in *
/// scale) and the coordinates map by the scale itself, which cnn.resize
/// takes as its `scale` when it is not exactly out / in.
LogicalResult OnnxImporter::importResize(const NodeCtx &c) {
  FailureOr<Value> x = input(c, 0);
  if (failed(x) || failed(requireImage(c, *x)))
    return failure();
  bool modern = c.op() == "Resize" && c.opset >= 11;
  std::string mode = attrString(c.node, "mode", "nearest");
  std::string coord = modern ? attrString(c.node, "coordinate_transformation_mode",
                                          "half_pixel")
                             : "asymmetric";
  std::string nearest =
      modern ? attrString(c.node, "nearest_mode", "round_prefer_floor")
             : "floor";
  if (mode == "bilinear")
    mode = "linear"; // Upsample-7 spelling
  auto resizeMode = cnn::symbolizeResizeMode(mode);
  auto coordMode = cnn::symbolizeCoordMode(coord);
  auto nearestMode = cnn::symbolizeNearestMode(nearest);
  if (!resizeMode || !coordMode || !nearestMode)
    return c.error() << "unsupported: mode '" << mode
                     << "', coordinate_transformation_mode '" << coord
                     << "', nearest_mode '" << nearest << "'";
  bool crop = *coordMode == cnn::CoordMode::tf_crop_and_resize;

  // Scales or sizes: whichever is present and non-empty.
  int scalesIdx = c.op() == "Upsample" || c.opset < 11 ? 1 : 2;
  std::optional<SmallVector<float>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  if (c.op() == "Upsample" && c.opset < 9) {
    scales = attrFloats(c.node, "scales");
  } else {
    for (int i : {scalesIdx, 3}) {
      if ((i == 3 && !modern) || !c.has(i))
        continue;
      FailureOr<HostTensor *> t = constInput(c, i);
      if (failed(t))
        return failure();
      if ((*t)->numel() == 0)
        continue;
      if (i == 3)
        sizes = (*t)->toInts();
      else
      {
        std::vector<float> f = (*t)->toFloats();
        scales = SmallVector<float>(f.begin(), f.end());
      }
    }
  }
  // The crop of tf_crop_and_resize: [start_0..3, end_0..3], normalised.
  SmallVector<float> roi = {0, 0, 0, 0, 1, 1, 1, 1};
  if (crop) {
    if (!c.has(1))
      return c.error() << "tf_crop_and_resize needs the roi input";
    FailureOr<HostTensor *> t = constInput(c, 1);
    if (failed(t))
      return failure();
    std::vector<float> r = (*t)->toFloats();
    if (r.size() != 8)
      return c.error() << "roi must have 8 entries, got " << r.size();
    roi.assign(r.begin(), r.end());
  }
  llvm::ArrayRef<int64_t> in = shapeOf(*x);
  SmallVector<int64_t> out(in);
  if (sizes) {
    if (sizes->size() != 4)
      return c.error() << "sizes must have 4 entries";
    out.assign(*sizes);
  } else if (scales && scales->size() == 4) {
    for (int d = 0; d < 4; ++d) {
      // ONNX: floor(in * (roi end - roi start) * scale); the roi is [0, 1]
      // but for tf_crop_and_resize.
      double len = double(in[d]) * double((*scales)[d]);
      if (crop)
        len *= double(roi[d + 4]) - double(roi[d]);
      if (!(len >= 1) || len > double(int64_t(1) << 40))
        return c.error() << "scale " << (*scales)[d] << " of a dimension of "
                         << in[d] << " gives the output size " << len;
      out[d] = int64_t(std::floor(len));
    }
    if ((*scales)[0] != 1 || (*scales)[1] != 1)
      return c.error() << "unsupported: resizing the batch or channel dimension";
  } else {
    return c.error() << "needs 4 scales or 4 sizes";
  }
  if (out[0] != in[0] || out[1] != in[1])
    return c.error() << "unsupported: resizing the batch or channel dimension";
  for (int d = 0; crop && d < 2; ++d)
    if (in[d] > 1 && (roi[d] != 0 || roi[d + 4] != 1))
      return c.error() << "unsupported: a roi that crops the batch or channel "
                          "dimension";

  SmallVector<NamedAttribute> attrs{
      ints("size", {out[2], out[3]}),
      named("mode", cnn::ResizeModeAttr::get(&ctx, *resizeMode)),
      named("coord_mode", cnn::CoordModeAttr::get(&ctx, *coordMode)),
      named("nearest_mode", cnn::NearestModeAttr::get(&ctx, *nearestMode))};
  // The scale, where it is not exactly out / in (then the exact mapping by
  // sizes is the same); tf_crop_and_resize maps by roi and size.
  if (scales && !crop &&
      (double(in[2]) * (*scales)[2] != double(out[2]) ||
       double(in[3]) * (*scales)[3] != double(out[3])))
    attrs.push_back(named("scale", builder.getDenseF32ArrayAttr(
                                       {(*scales)[2], (*scales)[3]})));
  if (crop) {
    attrs.push_back(named("roi", builder.getDenseF32ArrayAttr(
                                     {roi[2], roi[3], roi[6], roi[7]})));
    attrs.push_back(f32Attr("extrapolation_value",
                            attrFloat(c.node, "extrapolation_value", 0.0f)));
  }
  if (*resizeMode == cnn::ResizeMode::cubic) {
    attrs.push_back(f32Attr("cubic_coeff_a",
                            attrFloat(c.node, "cubic_coeff_a", -0.75f)));
    attrs.push_back(named("exclude_outside",
                          builder.getBoolAttr(attrInt(c.node, "exclude_outside", 0) != 0)));
  }
  return define(c, make(c, "cnn.resize", *x, attrs));
}

/// Identity and (inference) Dropout forward their input, whatever it is.
LogicalResult OnnxImporter::importAlias(const NodeCtx &c) {
  FailureOr<Slot *> s = slot(c, 0);
  if (failed(s))
    return failure();
  slots[c.node.output(0)] = **s;
  return success();
}

LogicalResult OnnxImporter::importConstant(const NodeCtx &c) {
  Slot &out = slots[c.node.output(0)];
  for (const onnx::AttributeProto &a : c.node.attribute()) {
    auto scalarOrList = [&](bool isInt, bool scalar) {
      auto t = std::make_shared<HostTensor>();
      t->isInt = isInt;
      if (isInt)
        t->ints = scalar ? std::vector<int64_t>{a.i()}
                         : std::vector<int64_t>(a.ints().begin(), a.ints().end());
      else
        t->floats = scalar ? std::vector<double>{a.f()}
                           : std::vector<double>(a.floats().begin(),
                                                 a.floats().end());
      if (!scalar)
        t->shape = {int64_t(isInt ? t->ints.size() : t->floats.size())};
      out.host = t;
    };
    if (a.name() == "value")
      out.proto = &a.t();
    else if (a.name() == "value_float" || a.name() == "value_floats")
      scalarOrList(false, a.name() == "value_float");
    else if (a.name() == "value_int" || a.name() == "value_ints")
      scalarOrList(true, a.name() == "value_int");
    else
      return c.error() << "unsupported attribute '" << a.name() << "'";
    return success();
  }
  return c.error() << "has no value";
}

LogicalResult OnnxImporter::importShape(const NodeCtx &c) {
  FailureOr<Slot *> s = slot(c, 0);
  if (failed(s))
    return failure();
  SmallVector<int64_t> dims;
  if ((*s)->value)
    dims.assign(shapeOf((*s)->value));
  else if ((*s)->host)
    dims.assign((*s)->host->shape);
  else
    dims.assign((*s)->proto->dims().begin(), (*s)->proto->dims().end());
  slots[c.node.output(0)].host =
      std::make_shared<HostTensor>(shapeTensor(dims, c.node));
  return success();
}

/// LSTM, GRU, RNN, LayerNormalization: built in OnnxSequence.cpp. An output
/// the cnn op lacks may be named but not read.
LogicalResult OnnxImporter::importSequence(const NodeCtx &c) {
  auto input = [&](int i) -> FailureOr<Value> {
    return c.has(i) ? this->input(c, i) : FailureOr<Value>(Value());
  };
  auto constant = [&](int i) { return constInput(c, i); };
  auto used = [&](int i) {
    return i < c.node.output_size() && !c.node.output(i).empty() &&
           isUsed(c.node.output(i));
  };
  auto results =
      importSequenceOp({c.node, c.loc, builder, input, constant, used});
  if (failed(results))
    return failure();
  for (auto [i, name] : llvm::enumerate(c.node.output())) {
    if (name.empty())
      continue;
    if (i < results->size() && (*results)[i])
      slots[name] = Slot{(*results)[i]};
    else if (isUsed(name))
      return c.error() << "unsupported: output " << i << " ('" << name
                       << "') is used";
  }
  return success();
}

/// Whether a later node or the graph's outputs read value `name`.
bool OnnxImporter::isUsed(llvm::StringRef name) const {
  const onnx::GraphProto &g = model->graph();
  for (const onnx::ValueInfoProto &out : g.output())
    if (out.name() == name)
      return true;
  for (const onnx::NodeProto &node : g.node())
    if (llvm::is_contained(node.input(), name))
      return true;
  return false;
}

} // namespace

/// Adds each binding as an initializer of the graph input it names.
static LogicalResult bindInputs(onnx::ModelProto &model,
                                const cnnc::OnnxImportOptions &options,
                                Location loc) {
  onnx::GraphProto &graph = *model.mutable_graph();
  for (const auto &entry : options.bindings) {
    llvm::StringRef name = entry.getKey();
    if (llvm::none_of(graph.input(), [&](const onnx::ValueInfoProto &in) {
          return in.name() == name;
        }))
      return emitError(loc) << "cannot bind '" << name
                            << "': the graph has no input of that name";
    onnx::TensorProto &init = *graph.add_initializer();
    init = *entry.getValue();
    init.set_name(name.str());
  }
  return success();
}

FailureOr<OwningOpRef<ModuleOp>>
cnnc::importOnnx(llvm::StringRef path, MLIRContext &ctx,
                 const OnnxImportOptions &options) {
  ctx.loadDialect<mlir::cnn::CnnDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(&ctx, path, 0, 0);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return emitError(loc) << "cannot read ONNX model: "
                          << file.getError().message();
  auto model = std::make_shared<onnx::ModelProto>();
  llvm::StringRef bytes = (*file)->getBuffer();
  if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
      !model->ParseFromArray(bytes.data(), int(bytes.size())))
    return emitError(loc) << "not a valid ONNX model (protobuf parse failed; "
                             "truncated or not an ONNX file)";
  if (model->ir_version() <= 0 || !model->has_graph())
    return emitError(loc) << "not a valid ONNX model (no IR version or graph)";
  if (failed(bindInputs(*model, options, loc)))
    return failure();
  return OnnxImporter(ctx, path, std::move(model)).run();
}
