//===- CnnOps.td - the `cnn` dialect ------------------------*- tablegen -*-===//
//
// Tensor-valued dataflow ops of convolutional networks. Layout is NCHW for
// activations and OIHW for filters; shapes are static. Every op infers its
// result type (InferTypeOpInterface), so frontends never compute shapes.
//
// Errors are phrased as `<op> '<layer>': <problem>`, where <layer> is the name
// carried by the op's NameLoc (the layer name in the .graph file).
//
//===----------------------------------------------------------------------===//

#ifndef CNN_OPS
#define CNN_OPS

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cnn_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::mlir::cnn";
  let summary = "Dataflow IR of convolutional networks";
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Types and enums
//===----------------------------------------------------------------------===//

// An i64 attribute read as int64_t (MLIR's I64Attr reads as uint64_t, which
// would turn groups = -1 or axis = -1 into huge positive numbers).
def Cnn_I64Attr : SignlessIntegerAttrBase<I64, "64-bit integer attribute"> {
  let returnType = "int64_t";
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

// f32 today; other float types are accepted by the constraints so that f16/bf16
// can be added without touching every op.
def Cnn_Tensor : StaticShapeTensorOf<[AnyFloat]>;
def Cnn_Image : 4DTensorOf<[AnyFloat]>;

def Cnn_PadMode : I32EnumAttr<"PadMode", "padding fill rule", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let cppNamespace = "::mlir::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_PadModeAttr : EnumAttr<Cnn_Dialect, Cnn_PadMode, "pad_mode">;

def Cnn_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>]> {
  let cppNamespace = "::mlir::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_ResizeModeAttr : EnumAttr<Cnn_Dialect, Cnn_ResizeMode, "resize_mode">;

def Cnn_CoordMode : I32EnumAttr<"CoordMode",
    "how an output coordinate maps to an input coordinate (ONNX names)", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"asymmetric", 1>,
    I32EnumAttrCase<"align_corners", 2>,
    I32EnumAttrCase<"pytorch_half_pixel", 3>,
    I32EnumAttrCase<"tf_half_pixel_for_nn", 4>,
    I32EnumAttrCase<"tf_crop_and_resize", 5>]> {
  let cppNamespace = "::mlir::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_CoordModeAttr : EnumAttr<Cnn_Dialect, Cnn_CoordMode, "coord_mode">;

def Cnn_NearestMode : I32EnumAttr<"NearestMode", "rounding for nearest", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>, I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::mlir::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_NearestModeAttr : EnumAttr<Cnn_Dialect, Cnn_NearestMode, "nearest_mode">;

// Shape rule of ops whose result has their first operand's type.
defvar ResultIsFirstOperandType = [{
  ::llvm::LogicalResult $cppClass::inferReturnTypes(
      ::mlir::MLIRContext *, std::optional<::mlir::Location>,
      ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
      ::mlir::OpaqueProperties, ::mlir::RegionRange,
      ::llvm::SmallVectorImpl<::mlir::Type> &results) {
    results.push_back(operands[0].getType());
    return ::mlir::success();
  }
}];

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Cnn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cnn_Dialect, mnemonic, !listconcat([Pure], traits)> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

// An op whose result type comes from its own shape rule (InferTypeOpAdaptor)
// and whose attributes are checked by a hand-written verifier.
class Cnn_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Cnn_Op<mnemonic, !listconcat([InferTypeOpAdaptor], traits)> {
  let hasVerifier = 1;
}

// Elementwise op of one input; the result has the input's type.
class Cnn_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Cnn_Op<mnemonic, !listconcat([SameOperandsAndResultType,
                                    InferTypeOpInterface], traits)> {
  let summary = "elementwise " # mnemonic;
  let description = "Elementwise: `y = " # formula # "`. Any shape.";
  let results = (outs Cnn_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

// Elementwise op of two inputs with numpy (multidirectional) broadcasting.
class Cnn_BinaryOp<string mnemonic, string formula>
    : Cnn_Op<mnemonic, [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = "`y = " # formula # "`. Shapes broadcast as in numpy: "
      # "aligned from the right, a dimension of 1 stretches.";
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$output);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::mlir::cnn::inferBroadcast(getOperationName(), loc, operands,
                                         results);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Cnn_ConstantOp : Cnn_Op<"constant", [ConstantLike, InferTypeOpAdaptor]> {
  let summary = "a weight or other constant tensor";
  let description = [{
    Weights are stored as `dense_resource` blobs: the blob points into the
    memory-mapped weights file when its alignment allows, so models of
    hundreds of MB are neither copied nor printed in full (`cnnc-opt` prints
    `dense_resource<name>` and elides large blobs).
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Cnn_Tensor:$output);
  // The result type is the value's: `cnn.constant dense<1.0> : tensor<3xf32>`.
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

def Cnn_Conv2DOp : Cnn_ShapedOp<"conv2d"> {
  let summary = "2-D convolution (cross-correlation), NCHW x OIHW";
  let description = [{
    `input` is [N, C, H, W]; `weight` is [F, C/groups, KH, KW]: the filter
    count F and kernel size come from the weight. `bias`, if present, is [F].
    `pads` = [top, left, bottom, right] zeros added around the input.
    Output is [N, F, OH, OW] with
      OH = floor((H + top + bottom - dilations[0]*(KH-1) - 1) / strides[0]) + 1
      OW = floor((W + left + right - dilations[1]*(KW-1) - 1) / strides[1]) + 1.
    C and F must be divisible by `groups`; groups = C is a depthwise conv.
    `same` padding is resolved by the frontend into explicit pads
    (total = max((ceil(H/s)-1)*s + d*(K-1)+1 - H, 0), the extra one at the
    bottom/right as in ONNX SAME_UPPER).
  }];
  let arguments = (ins Cnn_Image:$input, Cnn_Image:$weight,
      Optional<1DTensorOf<[AnyFloat]>>:$bias, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
      Cnn_I64Attr:$groups);
  let results = (outs Cnn_Image:$output);
}

def Cnn_ConvTranspose2DOp : Cnn_ShapedOp<"conv_transpose2d"> {
  let summary = "2-D transposed convolution (fractionally strided)";
  let description = [{
    The gradient of conv2d with respect to its input. `input` is
    [N, C, H, W]; `weight` is [C, F/groups, KH, KW] (PyTorch/ONNX layout);
    the output has F = weight[1] * groups channels and
      OH = strides[0]*(H-1) + output_padding[0] + dilations[0]*(KH-1) + 1
           - top - bottom
    (likewise OW). `output_padding` adds rows/columns at the bottom/right
    and must be smaller than the stride or the dilation.
  }];
  let arguments = (ins Cnn_Image:$input, Cnn_Image:$weight,
      Optional<1DTensorOf<[AnyFloat]>>:$bias, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$output_padding,
      DenseI64ArrayAttr:$dilations, Cnn_I64Attr:$groups);
  let results = (outs Cnn_Image:$output);
}

def Cnn_MaxPool2DOp : Cnn_ShapedOp<"max_pool2d"> {
  let summary = "2-D max pooling";
  let description = [{
    Window `kernel` = [KH, KW], `strides`, `dilations`, and `pads` =
    [top, left, bottom, right]; padded positions never win the max.
      OH = round((H + top + bottom - dilations[0]*(KH-1) - 1) / strides[0]) + 1
    where round is floor, or ceil when `ceil_mode` is set; in ceil mode a
    last window that would start in the bottom/right padding is dropped
    (PyTorch and ONNX agree on this rule).
  }];
  let arguments = (ins Cnn_Image:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
      DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode);
  let results = (outs Cnn_Image:$output);
}

def Cnn_AvgPool2DOp : Cnn_ShapedOp<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    Same window and output-size rule as `max_pool2d` (no dilation). The
    divisor is the number of window positions inside the input, or, with
    `count_include_pad`, inside the padded input (a window that ceil mode
    extends past the padding still counts only up to the padding's edge).
  }];
  let arguments = (ins Cnn_Image:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
      BoolAttr:$ceil_mode, BoolAttr:$count_include_pad);
  let results = (outs Cnn_Image:$output);
}

class Cnn_GlobalPoolOp<string mnemonic, string what>
    : Cnn_Op<mnemonic, [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "global " # what # " over H and W";
  let description = "[N, C, H, W] -> [N, C, 1, 1]: the " # what
      # " of each channel's H x W plane.";
  let arguments = (ins Cnn_Image:$input);
  let results = (outs Cnn_Image:$output);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::mlir::cnn::inferGlobalPool(getOperationName(), loc, operands,
                                          results);
    }
  }];
}
def Cnn_GlobalAvgPoolOp : Cnn_GlobalPoolOp<"global_avg_pool", "mean">;
def Cnn_GlobalMaxPoolOp : Cnn_GlobalPoolOp<"global_max_pool", "maximum">;

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Cnn_ReluOp : Cnn_UnaryOp<"relu", "max(x, 0)"> {
  let arguments = (ins Cnn_Tensor:$input);
  // relu(relu(x)) and relu(clip(x)) with min >= 0 fold to their input.
  let hasFolder = 1;
}
def Cnn_SigmoidOp : Cnn_UnaryOp<"sigmoid", "1 / (1 + exp(-x))"> {
  let arguments = (ins Cnn_Tensor:$input);
}
def Cnn_TanhOp : Cnn_UnaryOp<"tanh", "tanh(x)"> {
  let arguments = (ins Cnn_Tensor:$input);
}
def Cnn_HardSwishOp : Cnn_UnaryOp<"hard_swish",
    "x * max(0, min(1, x / 6 + 1 / 2))"> {
  let arguments = (ins Cnn_Tensor:$input);
}
def Cnn_SoftplusOp : Cnn_UnaryOp<"softplus", "log(1 + exp(x))"> {
  let arguments = (ins Cnn_Tensor:$input);
}
def Cnn_SoftsignOp : Cnn_UnaryOp<"softsign", "x / (1 + |x|)"> {
  let arguments = (ins Cnn_Tensor:$input);
}
def Cnn_GeluOp : Cnn_UnaryOp<"gelu",
    "x * Phi(x) (erf form), or the tanh approximation when approximate"> {
  let arguments = (ins Cnn_Tensor:$input, BoolAttr:$approximate);
}
def Cnn_LeakyReluOp : Cnn_UnaryOp<"leaky_relu", "x >= 0 ? x : alpha * x"> {
  let arguments = (ins Cnn_Tensor:$input, F32Attr:$alpha);
}
def Cnn_EluOp : Cnn_UnaryOp<"elu", "x >= 0 ? x : alpha * (exp(x) - 1)"> {
  let arguments = (ins Cnn_Tensor:$input, F32Attr:$alpha);
}
def Cnn_SeluOp : Cnn_UnaryOp<"selu",
    "gamma * (x > 0 ? x : alpha * (exp(x) - 1))"> {
  let arguments = (ins Cnn_Tensor:$input, F32Attr:$alpha, F32Attr:$gamma);
}
def Cnn_HardSigmoidOp : Cnn_UnaryOp<"hard_sigmoid",
    "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins Cnn_Tensor:$input, F32Attr:$alpha, F32Attr:$beta);
}
def Cnn_ClipOp : Cnn_UnaryOp<"clip", "min(max(x, min), max); relu6 is clip(0, 6)"> {
  let arguments = (ins Cnn_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let hasVerifier = 1;
  // clip(relu(x)) with min >= 0 folds to clip(x).
  let hasFolder = 1;
}

def Cnn_PReluOp : Cnn_Op<"prelu", [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "parametric ReLU";
  let description = [{
    `y = x >= 0 ? x : slope * x`; `slope` broadcasts to the input's shape
    (unidirectionally: the result always has the input's shape). A slope of
    shape [C, 1, 1] gives one slope per channel.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$slope);
  let results = (outs Cnn_Tensor:$output);
  let hasVerifier = 1;
  let extraClassDefinition = ResultIsFirstOperandType;
}

//===----------------------------------------------------------------------===//
// Normalisation and elementwise arithmetic
//===----------------------------------------------------------------------===//

def Cnn_BatchNormOp : Cnn_Op<"batch_norm",
    [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "batch normalisation, inference form";
  let description = [{
    `y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c]` over
    channel axis 1 of an [N, C, ...] input; each parameter is [C].
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$scale, Cnn_Tensor:$bias,
      Cnn_Tensor:$mean, Cnn_Tensor:$var, F32Attr:$epsilon);
  let results = (outs Cnn_Tensor:$output);
  let hasVerifier = 1;
  let extraClassDefinition = ResultIsFirstOperandType;
}

def Cnn_AddOp : Cnn_BinaryOp<"add", "lhs + rhs">;
def Cnn_SubOp : Cnn_BinaryOp<"sub", "lhs - rhs">;
def Cnn_MulOp : Cnn_BinaryOp<"mul", "lhs * rhs">;
def Cnn_DivOp : Cnn_BinaryOp<"div", "lhs / rhs">;

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Cnn_ConcatOp : Cnn_ShapedOp<"concat"> {
  // The shape rule checks everything; no further verifier.
  let hasVerifier = 0;
  let summary = "concatenation along an axis";
  let description = [{
    All inputs have the same rank and agree on every dimension but `axis`;
    the result's `axis` dimension is the sum of theirs. A negative axis
    counts from the end.
  }];
  let arguments = (ins Variadic<Cnn_Tensor>:$inputs, Cnn_I64Attr:$axis);
  let results = (outs Cnn_Tensor:$output);
  // A concat of one input is that input.
  let hasFolder = 1;
}

def Cnn_FlattenOp : Cnn_ShapedOp<"flatten"> {
  // The shape rule checks everything; no further verifier.
  let hasVerifier = 0;
  let summary = "flatten to 2-D";
  let description = [{
    [d0, ..., dn-1] -> [d0 * ... * d(axis-1), d(axis) * ... * dn-1]
    (ONNX Flatten; axis 1 keeps the batch).
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_I64Attr:$axis);
  let results = (outs Cnn_Tensor:$output);
  // A flatten that keeps the type is the identity.
  let hasFolder = 1;
}

def Cnn_ReshapeOp : Cnn_ShapedOp<"reshape"> {
  // The shape rule checks everything; no further verifier.
  let hasVerifier = 0;
  let summary = "reshape (row-major, no data movement)";
  let description = [{
    `shape` gives the new dimensions; one entry may be -1 (inferred from the
    element count) and 0 copies the input's dimension at that index (ONNX
    semantics). The element count must not change.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Cnn_Tensor:$output);
  // Identity reshapes fold away; a reshape of a reshape or flatten reads the
  // original input.
  let hasFolder = 1;
}

def Cnn_TransposeOp : Cnn_ShapedOp<"transpose"> {
  let summary = "permute dimensions";
  let description = "output dimension i is input dimension perm[i].";
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Cnn_Tensor:$output);
  // Identity permutations fold away; a transpose of a transpose composes.
  let hasFolder = 1;
}

def Cnn_PadOp : Cnn_ShapedOp<"pad"> {
  let summary = "pad every dimension";
  let description = [{
    `pads` = [begin_0, ..., begin_n-1, end_0, ..., end_n-1] (ONNX order),
    each >= 0. `constant` fills with `value`; `reflect` mirrors without
    repeating the edge (needs pad < dimension); `edge` repeats the edge.
  }];
  let arguments = (ins Cnn_Tensor:$input, DenseI64ArrayAttr:$pads,
      Cnn_PadModeAttr:$mode, F32Attr:$value);
  let results = (outs Cnn_Tensor:$output);
  // Zero padding is the identity.
  let hasFolder = 1;
}

def Cnn_ResizeOp : Cnn_ShapedOp<"resize"> {
  let summary = "resize H and W of an NCHW tensor";
  let description = [{
    Output is [N, C, size[0], size[1]]. Each of H and W is resized on its
    own: output coordinate x of a dimension resized from `in` to `out`
    elements maps to the input coordinate c given by `coord_mode` (ONNX
    Resize's coordinate_transformation_mode), with s = scale[d] when `scale`
    is given and s = out / in otherwise:

    | coord_mode | c |
    |---|---|
    | half_pixel | (x + 0.5) / s - 0.5 |
    | pytorch_half_pixel | (x + 0.5) / s - 0.5 if out > 1, else 0 |
    | asymmetric | x / s |
    | tf_half_pixel_for_nn | (x + 0.5) / s |
    | align_corners | x * (in - 1) / (in * s - 1) if out > 1, else 0 |
    | tf_crop_and_resize | start * (in - 1) + x * (end - start) * (in - 1) / (out - 1) if out > 1, else (start + end) * (in - 1) / 2 |

    `scale` (ONNX Resize or Upsample with scales, where out = floor(in *
    scale)) matters only when it is not exactly out / in, and the importer
    gives it only then. `roi` = [start_h, start_w, end_h, end_w] (ONNX
    order, normalised coordinates) is the crop of tf_crop_and_resize, which
    needs it and takes no `scale`; its outputs whose c in either dimension
    lies outside [0, in - 1] are `extrapolation_value` (default 0).

    Interpolation, by `mode`:
    - `nearest`: the input index c rounded by `nearest_mode`
      (round_prefer_floor rounds halves down, round_prefer_ceil up), clamped
      to [0, in - 1].
    - `linear`: bilinear between floor(c) and floor(c) + 1, with c clamped
      to [0, in - 1].
    - `cubic`: bicubic over the taps floor(c) - 1 .. floor(c) + 2 with Keys'
      kernel of coefficient a = `cubic_coeff_a` (default -0.75, as in ONNX
      and PyTorch): W(d) = (a + 2)|d|^3 -
      (a + 3)|d|^2 + 1 for |d| <= 1, a|d|^3 - 5a|d|^2 + 8a|d| - 4a for
      1 < |d| < 2. A tap outside the input reads the nearest edge element;
      with `exclude_outside` (default false) its weight is 0 instead and
      the other weights are divided by their sum.
  }];
  let arguments = (ins Cnn_Image:$input, DenseI64ArrayAttr:$size,
      Cnn_ResizeModeAttr:$mode, Cnn_CoordModeAttr:$coord_mode,
      Cnn_NearestModeAttr:$nearest_mode,
      OptionalAttr<DenseF32ArrayAttr>:$scale,
      OptionalAttr<DenseF32ArrayAttr>:$roi,
      DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value);
  let results = (outs Cnn_Image:$output);
}

//===----------------------------------------------------------------------===//
// Dense layers and matrix products
//===----------------------------------------------------------------------===//

def Cnn_DenseOp : Cnn_ShapedOp<"dense"> {
  let summary = "fully connected layer (ONNX Gemm)";
  let description = [{
    `y = alpha * op(a) * op(b) + beta * c` with op(a) = a^T when `trans_a`,
    op(b) = b^T when `trans_b`. op(a) is [M, K], op(b) is [K, N]; `c` is
    optional and broadcasts to [M, N]. A PyTorch Linear layer is
    trans_b = true with b = weight [out, in].
  }];
  let arguments = (ins 2DTensorOf<[AnyFloat]>:$a, 2DTensorOf<[AnyFloat]>:$b,
      Optional<Cnn_Tensor>:$c, BoolAttr:$trans_a, BoolAttr:$trans_b,
      F32Attr:$alpha, F32Attr:$beta);
  let results = (outs 2DTensorOf<[AnyFloat]>:$output);
}

def Cnn_MatMulOp : Cnn_ShapedOp<"matmul"> {
  // The shape rule checks everything; no further verifier.
  let hasVerifier = 0;
  let summary = "matrix product with batch broadcasting (numpy matmul)";
  let description = [{
    The last two dimensions multiply ([.., M, K] x [.., K, N] -> [.., M, N]);
    leading dimensions broadcast. A 1-D lhs is a row vector and a 1-D rhs a
    column vector; the added dimension is removed from the result.
  }];
  let arguments = (ins Cnn_Tensor:$lhs, Cnn_Tensor:$rhs);
  let results = (outs Cnn_Tensor:$output);
}

class Cnn_SoftmaxLikeOp<string mnemonic, string formula>
    : Cnn_Op<mnemonic, [AllTypesMatch<["input", "output"]>,
                        DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = mnemonic # " along one axis";
  let description = "`y = " # formula # "`, reduced along `axis` (negative "
      # "counts from the end); computed with max subtraction for stability.";
  let arguments = (ins Cnn_Tensor:$input, Cnn_I64Attr:$axis);
  let results = (outs Cnn_Tensor:$output);
  let hasVerifier = 1;
  let assemblyFormat = "$input attr-dict `:` type($input)";
}
def Cnn_SoftmaxOp : Cnn_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def Cnn_LogSoftmaxOp : Cnn_SoftmaxLikeOp<"log_softmax",
    "x - log(sum(exp(x)))">;

include "ir/CnnSequenceOps.td"

#endif // CNN_OPS
