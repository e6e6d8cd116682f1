//===- GraphLayers.cpp - the layer kinds of the .graph language -----------===//
//
// One lowering function per layer kind: it reads the kind's keys, creates the
// parameter constants and builds the op. Shapes are never computed here; the
// ops' shape rules (InferTypeOpInterface) do that and report shape errors.
//
//===----------------------------------------------------------------------===//
#include "frontend/GraphImporter.h"
#include "ir/OpBuilding.h"

#include "ir/CnnDialect.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>

using namespace cnnc;
using namespace cnnc::graph;
using namespace mlir;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

//===----------------------------------------------------------------------===//
// Activations: usable as layers and as `activation=` of other layers
//===----------------------------------------------------------------------===//

struct ActParam {
  StringRef attr; // empty: unused slot
  StringRef key;  // empty: fixed value, not a key (relu6)
  double def = 0;
  bool isBool = false;
  bool required = false;
};

struct Activation {
  StringRef name, op;
  ActParam params[2];
  bool asKey = true; // allowed as `activation=`
};

const Activation activations[] = {
    {"relu", "cnn.relu", {}},
    {"sigmoid", "cnn.sigmoid", {}},
    {"tanh", "cnn.tanh", {}},
    {"hard_swish", "cnn.hard_swish", {}},
    {"softplus", "cnn.softplus", {}},
    {"softsign", "cnn.softsign", {}, /*asKey=*/false},
    {"gelu", "cnn.gelu", {{"approximate", "approximate", 0, /*isBool=*/true}}},
    {"leaky_relu", "cnn.leaky_relu", {{"alpha", "alpha", 0.01}}},
    {"elu", "cnn.elu", {{"alpha", "alpha", 1.0}}},
    {"selu", "cnn.selu", {{"alpha", "alpha", 1.6732632}, {"gamma", "gamma", 1.0507010}}},
    {"hard_sigmoid", "cnn.hard_sigmoid", {{"alpha", "alpha", 0.2}, {"beta", "beta", 0.5}}},
    {"relu6", "cnn.clip", {{"min", "", 0}, {"max", "", 6}}},
    {"clip", "cnn.clip",
     {{"min", "min", 0, false, /*required=*/true},
      {"max", "max", 0, false, /*required=*/true}},
     /*asKey=*/false},
};

const Activation *findActivation(StringRef name) {
  for (const Activation &a : activations)
    if (a.name == name)
      return &a;
  return nullptr;
}

/// Builds activation `a` on `input`; `fromKeys` reads its parameters from
/// the layer's keys, else the defaults are used (`activation=`).
mlir::Value buildActivation(Layer &l, const Activation &a, mlir::Value input,
                            bool fromKeys) {
  Builder b(l.loc.getContext());
  SmallVector<NamedAttribute> attrs;
  for (const ActParam &p : a.params) {
    if (p.attr.empty())
      continue;
    bool readKey = fromKeys && !p.key.empty();
    if (readKey && p.required && !l.require(p.key))
      continue;
    Attribute value =
        p.isBool ? Attribute(b.getBoolAttr(readKey ? l.getBool(p.key, p.def != 0)
                                                   : p.def != 0))
                 : b.getF32FloatAttr(readKey ? l.getFloat(p.key, p.def) : p.def);
    attrs.push_back(b.getNamedAttr(p.attr, value));
  }
  if (l.failed)
    return {};
  return l.importer.build(l, a.op, input, attrs);
}

//===----------------------------------------------------------------------===//
// Helpers shared by the layer kinds
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The input's rank must be `rank` (or at least `rank` if `orMore`).
bool checkRank(Layer &l, size_t rank, bool orMore, StringRef hint = "") {
  ArrayRef<int64_t> shape = shapeOf(l.inputs[0]);
  if (shape.size() == rank || (orMore && shape.size() > rank))
    return true;
  auto diag = l.error();
  diag << "input has shape " << cnn::formatShape(shape) << " but must be "
       << (orMore ? "at least " : "") << rank << "-D" << hint;
  return false;
}

SmallVector<int64_t> requiredInts(Layer &l, StringRef key, size_t count,
                                  int64_t min) {
  if (!l.require(key))
    return {};
  return l.getInts(key, {}, count, min);
}

/// padding = valid | same | P | [PH, PW] | [top, left, bottom, right].
struct Padding {
  bool same = false;
  SmallVector<int64_t> pads{0, 0, 0, 0};
};

Padding getPadding(Layer &l) {
  Padding result;
  const Literal *v = l.find("padding");
  if (!v || (v->kind == Literal::Word && v->word == "valid"))
    return result;
  if (v->kind == Literal::Word && v->word == "same") {
    result.same = true;
    return result;
  }
  if (!l.checkInts(*v, {2, 4}, 0,
                   "valid, same, P, [PH, PW] or [top, left, bottom, right] "
                   "for 'padding'"))
    return result;
  if (v->kind == Literal::Int)
    result.pads.assign(4, v->intValue);
  else
    for (size_t i = 0; i < 4; ++i)
      result.pads[i] = v->items[i % v->items.size()].intValue;
  return result;
}

/// ONNX SAME_UPPER: the output is ceil(in / stride); odd padding goes to the
/// bottom/right.
SmallVector<int64_t> samePads(ArrayRef<int64_t> hw, ArrayRef<int64_t> kernel,
                              ArrayRef<int64_t> stride,
                              ArrayRef<int64_t> dilation) {
  SmallVector<int64_t> pads(4);
  for (int i = 0; i < 2; ++i) {
    int64_t out = (hw[i] + stride[i] - 1) / stride[i];
    int64_t total = std::max<int64_t>(
        (out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - hw[i], 0);
    pads[i] = total / 2;
    pads[i + 2] = total - total / 2;
  }
  return pads;
}

struct Attrs {
  Builder b;
  SmallVector<NamedAttribute> list;
  explicit Attrs(Layer &l) : b(l.loc.getContext()) {}
  Attrs &ints(StringRef name, ArrayRef<int64_t> v) {
    list.push_back(b.getNamedAttr(name, b.getDenseI64ArrayAttr(v)));
    return *this;
  }
  Attrs &i64(StringRef name, int64_t v) {
    list.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(v)));
    return *this;
  }
  Attrs &f32(StringRef name, double v) {
    list.push_back(b.getNamedAttr(name, b.getF32FloatAttr(v)));
    return *this;
  }
  Attrs &boolean(StringRef name, bool v) {
    list.push_back(b.getNamedAttr(name, b.getBoolAttr(v)));
    return *this;
  }
  Attrs &attr(StringRef name, Attribute v) {
    list.push_back(b.getNamedAttr(name, v));
    return *this;
  }
};

/// Weight and optional bias of a conv-like layer; false on error.
bool convParams(Layer &l, ArrayRef<int64_t> weightShape, int64_t filters,
                int64_t fanIn, bool bias, SmallVector<mlir::Value> &operands) {
  Importer &im = l.importer;
  mlir::Value w = im.param(l, "weight", weightShape, Init::heUniform(fanIn));
  mlir::Value b = bias ? im.param(l, "bias", {filters}, Init::bias(fanIn))
                       : mlir::Value();
  if (!w || (bias && !b))
    return false;
  operands.push_back(w);
  if (b)
    operands.push_back(b);
  return true;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

mlir::Value lowerConv2d(Layer &l) {
  if (!checkRank(l, 4, false, " (NCHW)"))
    return {};
  ArrayRef<int64_t> in = shapeOf(l.inputs[0]);
  int64_t channels = in[1];
  auto kernel = requiredInts(l, "kernel", 2, 1);
  auto stride = l.getInts("stride", {1, 1}, 2, 1);
  auto dilation = l.getInts("dilation", {1, 1}, 2, 1);
  const Literal *g = l.find("groups");
  bool depthwise = g && g->kind == Literal::Word && g->word == "depthwise";
  int64_t groups = depthwise ? channels : l.getInt("groups", 1, 1);
  std::optional<int64_t> filters = depthwise ? l.getInt("filters", channels, 1)
                                             : l.requireInt("filters", 1);
  bool bias = l.getBool("bias", true);
  Padding padding = getPadding(l);
  if (l.failed)
    return {};
  if (channels % groups != 0) {
    l.error(g->loc) << "groups = " << groups << " does not divide the input's "
                    << channels << " channels";
    return {};
  }
  auto pads = padding.same ? samePads(in.drop_front(2), kernel, stride, dilation)
                           : padding.pads;
  int64_t perGroup = channels / groups;
  SmallVector<mlir::Value> operands{l.inputs[0]};
  if (!convParams(l, {*filters, perGroup, kernel[0], kernel[1]}, *filters,
                  perGroup * kernel[0] * kernel[1], bias, operands))
    return {};
  Attrs attrs(l);
  attrs.ints("strides", stride).ints("pads", pads).ints("dilations", dilation)
      .i64("groups", groups);
  return l.importer.build(l, "cnn.conv2d", operands, attrs.list);
}

mlir::Value lowerConvTranspose2d(Layer &l) {
  if (!checkRank(l, 4, false, " (NCHW)"))
    return {};
  ArrayRef<int64_t> in = shapeOf(l.inputs[0]);
  int64_t channels = in[1];
  auto filters = l.requireInt("filters", 1);
  auto kernel = requiredInts(l, "kernel", 2, 1);
  auto stride = l.getInts("stride", {1, 1}, 2, 1);
  auto dilation = l.getInts("dilation", {1, 1}, 2, 1);
  auto outputPadding = l.getInts("output_padding", {0, 0}, 2, 0);
  int64_t groups = l.getInt("groups", 1, 1);
  bool bias = l.getBool("bias", true);
  Padding padding = getPadding(l);
  if (l.failed)
    return {};
  if (channels % groups != 0 || *filters % groups != 0) {
    l.error() << "groups = " << groups << " must divide both the input's "
              << channels << " channels and the " << *filters << " filters";
    return {};
  }
  // `same`: output = input * stride, so the padding removes the window's
  // overhang; a negative overhang is made up by output_padding.
  if (padding.same) {
    for (int i = 0; i < 2; ++i) {
      int64_t total = dilation[i] * (kernel[i] - 1) + 1 + outputPadding[i] -
                      stride[i];
      if (total < 0) {
        outputPadding[i] -= total;
        total = 0;
      }
      padding.pads[i] = total / 2;
      padding.pads[i + 2] = total - total / 2;
    }
  }
  int64_t perGroup = *filters / groups;
  SmallVector<mlir::Value> operands{l.inputs[0]};
  if (!convParams(l, {channels, perGroup, kernel[0], kernel[1]}, *filters,
                  perGroup * kernel[0] * kernel[1], bias, operands))
    return {};
  Attrs attrs(l);
  attrs.ints("strides", stride).ints("pads", padding.pads)
      .ints("output_padding", outputPadding).ints("dilations", dilation)
      .i64("groups", groups);
  return l.importer.build(l, "cnn.conv_transpose2d", operands, attrs.list);
}

/// max_pool2d and avg_pool2d.
mlir::Value lowerPool(Layer &l) {
  bool isMax = l.kind() == "max_pool2d";
  if (!checkRank(l, 4, false, " (NCHW)"))
    return {};
  auto kernel = requiredInts(l, "kernel", 2, 1);
  auto stride = l.getInts("stride", kernel, 2, 1);
  auto dilation = isMax ? l.getInts("dilation", {1, 1}, 2, 1)
                        : SmallVector<int64_t>{1, 1};
  bool ceilMode = l.getBool("ceil_mode", false);
  bool countPad = !isMax && l.getBool("count_include_pad", false);
  Padding padding = getPadding(l);
  if (l.failed)
    return {};
  auto pads = padding.same ? samePads(shapeOf(l.inputs[0]).drop_front(2),
                                      kernel, stride, dilation)
                           : padding.pads;
  Attrs attrs(l);
  attrs.ints("kernel", kernel).ints("strides", stride).ints("pads", pads)
      .boolean("ceil_mode", ceilMode);
  if (isMax)
    attrs.ints("dilations", dilation);
  else
    attrs.boolean("count_include_pad", countPad);
  return l.importer.build(l, isMax ? "cnn.max_pool2d" : "cnn.avg_pool2d",
                          l.inputs, attrs.list);
}

/// Layers whose op takes the inputs as they are and no attributes:
/// global pools, add/sub/mul/div, matmul.
mlir::Value lowerPlain(Layer &l) {
  if (l.kind().starts_with("global") && !checkRank(l, 4, false, " (NCHW)"))
    return {};
  return l.importer.build(l, ("cnn." + l.kind()).str(), l.inputs, {});
}

//===----------------------------------------------------------------------===//
// Normalisation, dense, activations with weights
//===----------------------------------------------------------------------===//

mlir::Value lowerBatchNorm(Layer &l) {
  if (!checkRank(l, 2, true, " (with a channel axis)"))
    return {};
  int64_t c = shapeOf(l.inputs[0])[1];
  double epsilon = l.getFloat("epsilon", 1e-5);
  if (l.failed)
    return {};
  Importer &im = l.importer;
  SmallVector<mlir::Value> operands{l.inputs[0]};
  std::pair<StringRef, Init> params[] = {
      {"weight", Init::uniform(0.5, 1.5)},
      {"bias", Init::uniform(-0.1, 0.1)},
      {"running_mean", Init::uniform(-0.1, 0.1)},
      {"running_var", Init::uniform(0.5, 1.5)}};
  for (auto [suffix, init] : params)
    operands.push_back(im.param(l, suffix, {c}, init));
  if (llvm::is_contained(operands, mlir::Value()))
    return {};
  return im.build(l, "cnn.batch_norm", operands,
                  Attrs(l).f32("epsilon", epsilon).list);
}

mlir::Value lowerDense(Layer &l) {
  if (!checkRank(l, 2, false, "; add a flatten layer before it"))
    return {};
  int64_t features = shapeOf(l.inputs[0])[1];
  auto units = l.requireInt("units", 1);
  bool bias = l.getBool("bias", true);
  if (l.failed)
    return {};
  SmallVector<mlir::Value> operands{l.inputs[0]};
  if (!convParams(l, {*units, features}, *units, features, bias, operands))
    return {};
  Attrs attrs(l);
  attrs.boolean("trans_a", false).boolean("trans_b", true).f32("alpha", 1)
      .f32("beta", 1);
  return l.importer.build(l, "cnn.dense", operands, attrs.list);
}

/// The slope is stored as [C] (or [1]) like PyTorch's and viewed as
/// [C, 1, ..., 1] so that it broadcasts over the spatial axes.
mlir::Value lowerPRelu(Layer &l) {
  if (!checkRank(l, 2, true, " (with a channel axis)"))
    return {};
  ArrayRef<int64_t> in = shapeOf(l.inputs[0]);
  auto fileShape = l.importer.fileShape((l.name() + ".weight").str());
  bool single = fileShape && fileShape->size() == 1 && (*fileShape)[0] == 1;
  SmallVector<int64_t> stored{single ? 1 : in[1]};
  SmallVector<int64_t> view(in.size() - 1, 1);
  view[0] = stored[0];
  mlir::Value slope =
      l.importer.param(l, "weight", stored, Init::uniform(0.25, 0.25), view);
  if (!slope)
    return {};
  return l.importer.build(l, "cnn.prelu", {l.inputs[0], slope}, {});
}

//===----------------------------------------------------------------------===//
// Shape manipulation, softmax
//===----------------------------------------------------------------------===//

mlir::Value lowerAxisOp(Layer &l) {
  int64_t def = l.kind() == "concat" || l.kind() == "flatten" ? 1 : -1;
  int64_t axis = l.getInt("axis", def, INT64_MIN);
  if (l.failed)
    return {};
  return l.importer.build(l, ("cnn." + l.kind()).str(), l.inputs,
                          Attrs(l).i64("axis", axis).list);
}

/// reshape (shape=[...]) and transpose (perm=[...]).
mlir::Value lowerListOp(Layer &l) {
  StringRef key = l.kind() == "reshape" ? "shape" : "perm";
  auto list = l.requireList(key);
  if (!list)
    return {};
  return l.importer.build(l, ("cnn." + l.kind()).str(), l.inputs,
                          Attrs(l).ints(key, *list).list);
}

mlir::Value lowerPad(Layer &l) {
  if (!checkRank(l, 2, true, " (pads apply to the last two axes)"))
    return {};
  auto pads = requiredInts(l, "pads", 4, 0);
  StringRef mode = l.getWord("mode", "constant", {"constant", "reflect", "edge"});
  double value = l.getFloat("value", 0);
  if (l.failed)
    return {};
  // [top, left, bottom, right] -> ONNX [begin_0..begin_n-1, end_0..end_n-1].
  size_t rank = shapeOf(l.inputs[0]).size();
  SmallVector<int64_t> full(2 * rank, 0);
  full[rank - 2] = pads[0];
  full[rank - 1] = pads[1];
  full[2 * rank - 2] = pads[2];
  full[2 * rank - 1] = pads[3];
  auto modeAttr = cnn::PadModeAttr::get(l.loc.getContext(),
                                        *cnn::symbolizePadMode(mode));
  Attrs attrs(l);
  attrs.ints("pads", full).attr("mode", modeAttr).f32("value", value);
  return l.importer.build(l, "cnn.pad", l.inputs, attrs.list);
}

/// N or [N0, ..., N(count-1)] of numbers as f32 (the precision of the op's
/// scale and roi); nullopt (reported) for anything else.
std::optional<SmallVector<float>> resizeFloats(Layer &l, const Literal &v,
                                               size_t count) {
  auto number = [](const Literal &x) {
    return x.kind == Literal::Int || x.kind == Literal::Float;
  };
  if (number(v) && count == 2)
    return SmallVector<float>(count, float(v.floatValue));
  if (v.kind == Literal::List && v.items.size() == count &&
      llvm::all_of(v.items, number))
    return llvm::map_to_vector(v.items, [](const Literal &x) { return float(x.floatValue); });
  l.error(v.loc) << "expected " << (count == 2 ? "a number or " : "")
                 << "a list of " << count << " numbers";
  return std::nullopt;
}

/// The output size of resize from `scale` (S or [SH, SW]) or `size`, and
/// the scale for the op where in * scale is not whole (ONNX: the output is
/// floor(in * scale), the coordinates map by the scale). tf_crop_and_resize
/// scales the cropped length, (end - start) * in.
struct ResizeGeometry {
  SmallVector<int64_t> size;
  std::optional<SmallVector<float>> scale;
};
std::optional<ResizeGeometry> resizeGeometry(Layer &l,
                                             std::optional<SmallVector<float>> roi) {
  const Literal *scale = l.find("scale");
  if (!scale) {
    if (!l.require("size"))
      return std::nullopt;
    return ResizeGeometry{l.getInts("size", {}, 2, 1), std::nullopt};
  }
  if (l.find("size")) {
    l.error(l.stmt.keys[0].loc) << "give either 'scale' or 'size', not both";
    return std::nullopt;
  }
  std::optional<SmallVector<float>> factors = resizeFloats(l, *scale, 2);
  if (!factors)
    return std::nullopt;
  ArrayRef<int64_t> in = shapeOf(l.inputs[0]);
  ResizeGeometry g;
  bool whole = true;
  for (size_t i = 0; i < 2; ++i) {
    double len = double(in[2 + i]) * double((*factors)[i]);
    if (roi)
      len *= double((*roi)[i + 2]) - double((*roi)[i]);
    if (!(len >= 1 && len <= double(int64_t(1) << 40))) {
      l.error(scale->loc) << "expected a positive scale S or [SH, SW] for the "
                          << in[2] << "x" << in[3] << " input";
      return std::nullopt;
    }
    g.size.push_back(int64_t(std::floor(len)));
    whole = whole && len == std::floor(len);
  }
  if (!whole && !roi)
    g.scale = factors;
  return g;
}

mlir::Value lowerResize(Layer &l) {
  if (!checkRank(l, 4, false, " (NCHW)"))
    return {};
  StringRef mode = l.getWord("mode", "nearest", {"nearest", "linear", "cubic"});
  StringRef coord = l.getWord(
      "coord_mode", mode == "nearest" ? "asymmetric" : "half_pixel",
      {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
       "tf_half_pixel_for_nn", "tf_crop_and_resize"});
  StringRef nearest = l.getWord(
      "nearest_mode", "floor",
      {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
  std::optional<SmallVector<float>> roi;
  if (const Literal *r = l.find("roi")) {
    if (coord != "tf_crop_and_resize") {
      l.error(r->loc) << "'roi' is only used by coord_mode=tf_crop_and_resize";
      return {};
    }
    if (!(roi = resizeFloats(l, *r, 4)))
      return {};
  } else if (coord == "tf_crop_and_resize" && !l.require("roi")) {
    return {};
  }
  auto geometry = resizeGeometry(l, roi);
  float cubicA = float(l.getFloat("cubic_coeff_a", -0.75));
  bool excludeOutside = l.getBool("exclude_outside", false);
  float extrapolation = float(l.getFloat("extrapolation_value", 0.0));
  if (!geometry || l.failed)
    return {};
  MLIRContext *ctx = l.loc.getContext();
  Attrs attrs(l);
  attrs.ints("size", geometry->size)
      .attr("mode", cnn::ResizeModeAttr::get(ctx, *cnn::symbolizeResizeMode(mode)))
      .attr("coord_mode",
            cnn::CoordModeAttr::get(ctx, *cnn::symbolizeCoordMode(coord)))
      .attr("nearest_mode",
            cnn::NearestModeAttr::get(ctx, *cnn::symbolizeNearestMode(nearest)));
  if (geometry->scale)
    attrs.attr("scale", attrs.b.getDenseF32ArrayAttr(*geometry->scale));
  if (roi)
    attrs.attr("roi", attrs.b.getDenseF32ArrayAttr(*roi))
        .f32("extrapolation_value", extrapolation);
  if (mode == "cubic")
    attrs.f32("cubic_coeff_a", cubicA).boolean("exclude_outside", excludeOutside);
  return l.importer.build(l, "cnn.resize", l.inputs, attrs.list);
}

mlir::Value lowerActivationLayer(Layer &l) {
  return buildActivation(l, *findActivation(l.kind()), l.inputs[0],
                         /*fromKeys=*/true);
}

//===----------------------------------------------------------------------===//
// Sequence layers: rnn, gru, lstm, layer_norm, attention
//===----------------------------------------------------------------------===//

/// lstm, gru and rnn: ONNX ops with weights `W`, `R`, `B` (ONNX layouts) and
/// the default activations; `output` picks Y (sequence) or Y_h (last).
mlir::Value lowerRecurrent(Layer &l) {
  if (!checkRank(l, 3, false, " ([seq, batch, input], or [batch, seq, input] "
                              "with batch_first=true)"))
    return {};
  struct Spec { StringRef kind; int64_t gates; ArrayRef<StringRef> acts; };
  static const StringRef lstmActs[] = {"Sigmoid", "Tanh", "Tanh"};
  static const StringRef gruActs[] = {"Sigmoid", "Tanh"};
  static const StringRef rnnActs[] = {"Tanh"};
  const Spec specs[] = {{"lstm", 4, lstmActs}, {"gru", 3, gruActs}, {"rnn", 1, rnnActs}};
  const Spec &spec = *llvm::find_if(specs, [&](const Spec &s) { return s.kind == l.kind(); });
  auto hidden = l.requireInt("hidden", 1);
  StringRef direction = l.getWord("direction", "forward", {"forward", "reverse", "bidirectional"});
  bool batchFirst = l.getBool("batch_first", false);
  bool bias = l.getBool("bias", true);
  bool last = l.getWord("output", "sequence", {"sequence", "last"}) == "last";
  bool lbr = spec.kind == "gru" && l.getBool("linear_before_reset", false);
  if (l.failed)
    return {};
  int64_t dirs = direction == "bidirectional" ? 2 : 1, H = *hidden;
  int64_t input = shapeOf(l.inputs[0])[2];
  Init init = Init::uniform(-1.0 / std::sqrt(double(H)), 1.0 / std::sqrt(double(H)));
  Importer &im = l.importer;
  SmallVector<mlir::Value> operands{l.inputs[0],
                                    im.param(l, "W", {dirs, spec.gates * H, input}, init),
                                    im.param(l, "R", {dirs, spec.gates * H, H}, init)};
  if (bias)
    operands.push_back(im.param(l, "B", {dirs, 2 * spec.gates * H}, init));
  if (llvm::is_contained(operands, mlir::Value()))
    return {};
  // Further inputs are the initial states: h, then c (lstm).
  operands.append(l.inputs.begin() + 1, l.inputs.end());
  Builder b(l.loc.getContext());
  SmallVector<Attribute> acts;
  for (int64_t d = 0; d < dirs; ++d)
    for (StringRef a : spec.acts)
      acts.push_back(b.getStringAttr(a));
  Attrs attrs(l);
  attrs.i64("hidden_size", H)
      .attr("direction", cnn::RnnDirectionAttr::get(
                             l.loc.getContext(), *cnn::symbolizeRnnDirection(direction)))
      .attr("activations", b.getArrayAttr(acts))
      .i64("layout", batchFirst ? 1 : 0);
  if (spec.kind == "gru")
    attrs.boolean("linear_before_reset", lbr);
  int32_t states = int32_t(l.inputs.size()) - 1;
  int32_t segments[] = {1, 1, 1, bias ? 1 : 0, states > 0, states > 1, 0};
  attrs.attr("operandSegmentSizes",
             b.getDenseI32ArrayAttr(ArrayRef(segments).take_front(
                 spec.kind == "lstm" ? 7 : 5)));
  mlir::Value y = im.build(l, ("cnn." + spec.kind).str(), operands, attrs.list);
  if (!y)
    return {};
  return last ? y.getDefiningOp()->getResult(1) : y;
}

/// Layer normalisation over the dimensions from `axis`; `weight` and `bias`
/// have the normalised shape.
mlir::Value lowerLayerNorm(Layer &l) {
  ArrayRef<int64_t> in = shapeOf(l.inputs[0]);
  int64_t axis = l.getInt("axis", -1, INT64_MIN);
  double epsilon = l.getFloat("epsilon", 1e-5);
  if (l.failed)
    return {};
  int64_t rank = in.size();
  if (axis < -rank || axis >= rank) {
    l.error() << "axis " << axis << " is out of range for the input "
              << cnn::formatShape(in);
    return {};
  }
  ArrayRef<int64_t> normalized = in.drop_front(axis < 0 ? axis + rank : axis);
  Importer &im = l.importer;
  mlir::Value scale = im.param(l, "weight", normalized, Init::uniform(1, 1));
  mlir::Value bias = im.param(l, "bias", normalized, Init::uniform(0, 0));
  if (!scale || !bias)
    return {};
  return im.build(l, "cnn.layer_norm", {l.inputs[0], scale, bias},
                  Attrs(l).i64("axis", axis).f32("epsilon", epsilon).list);
}

/// x [batch, seq, E] times the PyTorch Linear weight `<name>.weight` [E, E]
/// (transposed) plus `<name>.bias`.
mlir::Value linear3d(Layer &l, mlir::Value x, StringRef name, int64_t e) {
  Importer &im = l.importer;
  mlir::Value w = im.param(l, (name + ".weight").str(), {e, e}, Init::heUniform(e));
  mlir::Value b = im.param(l, (name + ".bias").str(), {e}, Init::bias(e));
  if (!w || !b)
    return {};
  mlir::Value wt = im.build(l, "cnn.transpose", w, Attrs(l).ints("perm", {1, 0}).list);
  mlir::Value y = wt ? im.build(l, "cnn.matmul", {x, wt}, {}) : mlir::Value();
  return y ? im.build(l, "cnn.add", {y, b}, {}) : mlir::Value();
}

/// attention (q, k, v): the op as is. attention (x): self-attention with
/// q/k/v/out projections of x [batch, seq, E] into `heads` heads.
mlir::Value lowerAttention(Layer &l) {
  auto heads = l.getInt("heads", 1, 1);
  if (l.failed)
    return {};
  Attrs attrs(l);
  if (l.inputs.size() == 3) {
    if (shapeOf(l.inputs[0]).size() == 3)
      attrs.i64("num_heads", heads);
    return l.importer.build(l, "cnn.attention", l.inputs, attrs.list);
  }
  if (l.inputs.size() != 1 || !checkRank(l, 3, false, " [batch, seq, embedding]")) {
    if (l.inputs.size() != 1)
      l.error() << "takes 1 input (self-attention) or 3 (q, k, v), got "
                << l.inputs.size();
    return {};
  }
  int64_t e = shapeOf(l.inputs[0])[2];
  SmallVector<mlir::Value> qkv;
  for (StringRef name : {"q", "k", "v"})
    qkv.push_back(linear3d(l, l.inputs[0], name, e));
  if (llvm::is_contained(qkv, mlir::Value()))
    return {};
  mlir::Value y = l.importer.build(l, "cnn.attention", qkv,
                                   attrs.i64("num_heads", heads).list);
  return y ? linear3d(l, y, "out", e) : mlir::Value();
}

//===----------------------------------------------------------------------===//
// The table of layer kinds
//===----------------------------------------------------------------------===//

struct LayerKind {
  StringRef name;
  StringRef keys; // space-separated
  unsigned minInputs, maxInputs;
  mlir::Value (*lower)(Layer &);
};

constexpr unsigned kMany = ~0u;

const LayerKind layerKinds[] = {
    {"conv2d", "filters kernel stride padding dilation groups bias activation",
     1, 1, lowerConv2d},
    {"conv_transpose2d",
     "filters kernel stride padding output_padding dilation groups bias "
     "activation",
     1, 1, lowerConvTranspose2d},
    {"max_pool2d", "kernel stride padding dilation ceil_mode", 1, 1, lowerPool},
    {"avg_pool2d", "kernel stride padding ceil_mode count_include_pad", 1, 1,
     lowerPool},
    {"global_avg_pool", "", 1, 1, lowerPlain},
    {"global_max_pool", "", 1, 1, lowerPlain},
    {"batch_norm", "epsilon activation", 1, 1, lowerBatchNorm},
    {"prelu", "", 1, 1, lowerPRelu},
    {"add", "activation", 2, 2, lowerPlain},
    {"sub", "activation", 2, 2, lowerPlain},
    {"mul", "activation", 2, 2, lowerPlain},
    {"div", "activation", 2, 2, lowerPlain},
    {"concat", "axis", 2, kMany, lowerAxisOp},
    {"flatten", "axis", 1, 1, lowerAxisOp},
    {"reshape", "shape", 1, 1, lowerListOp},
    {"transpose", "perm", 1, 1, lowerListOp},
    {"dense", "units bias activation", 1, 1, lowerDense},
    {"matmul", "", 2, 2, lowerPlain},
    {"softmax", "axis", 1, 1, lowerAxisOp},
    {"log_softmax", "axis", 1, 1, lowerAxisOp},
    {"pad", "pads mode value", 1, 1, lowerPad},
    {"resize",
     "scale size mode coord_mode nearest_mode roi extrapolation_value "
     "cubic_coeff_a exclude_outside",
     1, 1, lowerResize},
    {"lstm", "hidden direction batch_first bias output", 1, 3, lowerRecurrent},
    {"gru", "hidden direction batch_first bias output linear_before_reset", 1,
     2, lowerRecurrent},
    {"rnn", "hidden direction batch_first bias output", 1, 2, lowerRecurrent},
    {"layer_norm", "axis epsilon activation", 1, 1, lowerLayerNorm},
    {"attention", "heads", 1, 3, lowerAttention},
};

const LayerKind *findKind(StringRef name) {
  for (const LayerKind &k : layerKinds)
    if (k.name == name)
      return &k;
  return nullptr;
}

bool checkInputCount(Layer &l, unsigned min, unsigned max) {
  size_t n = l.inputs.size();
  if (n >= min && n <= max)
    return true;
  auto diag = l.error();
  if (min == max)
    diag << "takes " << min << (min == 1 ? " input" : " inputs");
  else
    diag << "takes at least " << min << " inputs";
  if (min > 1)
    diag << ", named in parentheses";
  diag << ", got " << n;
  return false;
}

} // namespace

std::vector<StringRef> cnnc::graph::allKinds() {
  std::vector<StringRef> kinds{"network", "input", "output"};
  for (const LayerKind &k : layerKinds)
    kinds.push_back(k.name);
  for (const Activation &a : activations)
    kinds.push_back(a.name);
  return kinds;
}

std::optional<std::vector<StringRef>> cnnc::graph::layerKeys(StringRef kind) {
  std::vector<StringRef> keys;
  if (const LayerKind *k = findKind(kind)) {
    SmallVector<StringRef> split;
    k->keys.split(split, ' ', -1, /*KeepEmpty=*/false);
    keys.assign(split.begin(), split.end());
    return keys;
  }
  const Activation *a = findActivation(kind);
  if (!a)
    return std::nullopt;
  for (const ActParam &p : a->params)
    if (!p.key.empty())
      keys.push_back(p.key);
  return keys;
}

mlir::Value Importer::lowerLayer(Layer &l) {
  const LayerKind *kind = findKind(l.kind());
  if (!checkInputCount(l, kind ? kind->minInputs : 1,
                       kind ? kind->maxInputs : 1))
    return {};
  SmallVector<StringRef> actNames;
  for (const Activation &a : activations)
    if (a.asKey)
      actNames.push_back(a.name);
  StringRef act = l.getWord("activation", "", actNames);
  mlir::Value result = kind ? kind->lower(l) : lowerActivationLayer(l);
  if (!result || act.empty() || l.failed)
    return l.failed ? mlir::Value() : result;
  return buildActivation(l, *findActivation(act), result, /*fromKeys=*/false);
}

mlir::Value Importer::build(Layer &l, StringRef opName, ValueRange operands,
                            ArrayRef<NamedAttribute> attrs) {
  unsigned before = errors;
  FailureOr<Operation *> op =
      cnn::createInferred(builder, l.loc, opName, operands, attrs);
  if (failed(op)) {
    if (errors == before)
      l.error() << "invalid operands";
    return {};
  }
  if (failed(mlir::verify(*op))) {
    (*op)->erase();
    return {};
  }
  return (*op)->getResult(0);
}

mlir::Value Importer::param(Layer &l, StringRef suffix, ArrayRef<int64_t> shape,
                            Init init, ArrayRef<int64_t> resultShape) {
  std::string name = (l.name() + "." + suffix).str();
  // Bounded so that the random initialisation cannot exhaust memory.
  std::optional<int64_t> count = 1;
  for (int64_t d : shape)
    count = count ? llvm::checkedMul(*count, d) : std::nullopt;
  if (!count || *count > (int64_t(1) << 28)) {
    l.error() << "weight '" << name << "' of shape " << cnn::formatShape(shape)
              << " is too large";
    return {};
  }
  ElementsAttr attr = params.get(name, shape, init, l.loc, l.kind(), resultShape);
  if (!attr) {
    l.failed = true;
    return {};
  }
  return cnn::ConstantOp::create(builder, l.loc, attr.getShapedType(), attr);
}
