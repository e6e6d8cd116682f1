//===- CnnSequenceOps.td - recurrent layers, attention, layer norm -*- tablegen -*-===//
//
// Sequence models with ONNX semantics. Included at the end of CnnOps.td.
// Shape rules and verifiers are in CnnSequenceOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef CNN_SEQUENCE_OPS
#define CNN_SEQUENCE_OPS

def Cnn_RnnDirection : I32EnumAttr<"RnnDirection", "time direction of a recurrent layer", [
    I32EnumAttrCase<"forward", 0>, I32EnumAttrCase<"reverse", 1>,
    I32EnumAttrCase<"bidirectional", 2>]> {
  let cppNamespace = "::mlir::cnn";
  let genSpecializedAttr = 0;
}
def Cnn_RnnDirectionAttr : EnumAttr<Cnn_Dialect, Cnn_RnnDirection, "rnn_direction">;

defvar RecurrentShapes = [{
    With `layout` = 0, `X` is [seq, batch, input] and the results are
    `Y` [seq, num_directions, batch, hidden] and `Y_h` [num_directions, batch,
    hidden]; with `layout` = 1, `X` is [batch, seq, input], `Y` is
    [batch, seq, num_directions, hidden], `Y_h` (and the initial states) are
    [batch, num_directions, hidden]. num_directions is 2 for `bidirectional`
    (forward direction first), else 1. `W` is [num_directions, G*hidden,
    input], `R` [num_directions, G*hidden, hidden], `B` (Wb then Rb)
    [num_directions, 2*G*hidden], where G is the gate count. `sequence_lens`
    (one length in [1, seq] per batch entry, default all seq) stops each
    sequence early: Y is 0 past its length and Y_h is the state at its last
    step (the first step for the reverse direction). `activations` lists the
    op's activation functions per direction (forward then reverse) by their
    ONNX names: Relu, Tanh, Sigmoid, Affine (alpha x + beta), LeakyRelu,
    ThresholdedRelu (x if x > alpha else 0), ScaledTanh (alpha tanh(beta x)),
    HardSigmoid, Elu, Softsign, Softplus. `activation_alpha` and
    `activation_beta`, if present, hold one value per entry of `activations`
    (ignored by the functions without that parameter); absent, every
    function uses the default of the ONNX operator of its name (Affine 1, 0;
    LeakyRelu 0.01; ThresholdedRelu 1; ScaledTanh 1, 1; HardSigmoid 0.2,
    0.5; Elu 1). (ONNX's own lists hold values only for the functions that
    take them; the importer spreads them out.) `clip`, if present, clamps
    gate pre-activations to [-clip, clip].
}];

// The attributes shared by rnn, gru and lstm.
class Cnn_RecurrentOp<string mnemonic, string what, int gates, string formula>
    : Cnn_ShapedOp<mnemonic, [AttrSizedOperandSegments]> {
  let summary = what # " (ONNX semantics), " # gates # " gate(s)";
  let description = formula # RecurrentShapes;
}

def Cnn_RnnOp : Cnn_RecurrentOp<"rnn", "simple recurrent layer", 1, [{
    `H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb)`; activations = [f] (Tanh).
}]> {
  let arguments = (ins Cnn_Tensor:$X, Cnn_Tensor:$W, Cnn_Tensor:$R,
      Optional<Cnn_Tensor>:$B, Optional<Cnn_Tensor>:$initial_h,
      Cnn_I64Attr:$hidden_size, Cnn_RnnDirectionAttr:$direction,
      StrArrayAttr:$activations,
      OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
      OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
      OptionalAttr<F32Attr>:$clip,
      Cnn_I64Attr:$layout, OptionalAttr<DenseI64ArrayAttr>:$sequence_lens);
  let results = (outs Cnn_Tensor:$Y, Cnn_Tensor:$Y_h);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`initial_h` $initial_h^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Cnn_GruOp : Cnn_RecurrentOp<"gru", "gated recurrent unit", 3, [{
    Gate order z, r, h in W, R and B. `z = f(X Wz^T + H Rz^T + Wbz + Rbz)`,
    `r = f(X Wr^T + H Rr^T + Wbr + Rbr)`,
    `h = g(X Wh^T + (r . H) Rh^T + Rbh + Wbh)`, or with `linear_before_reset`
    `h = g(X Wh^T + r . (H Rh^T + Rbh) + Wbh)`; `H' = (1 - z) . h + z . H`.
    activations = [f, g] (Sigmoid, Tanh).
}]> {
  let arguments = (ins Cnn_Tensor:$X, Cnn_Tensor:$W, Cnn_Tensor:$R,
      Optional<Cnn_Tensor>:$B, Optional<Cnn_Tensor>:$initial_h,
      Cnn_I64Attr:$hidden_size, Cnn_RnnDirectionAttr:$direction,
      StrArrayAttr:$activations,
      OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
      OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
      OptionalAttr<F32Attr>:$clip,
      Cnn_I64Attr:$layout, OptionalAttr<DenseI64ArrayAttr>:$sequence_lens,
      BoolAttr:$linear_before_reset);
  let results = (outs Cnn_Tensor:$Y, Cnn_Tensor:$Y_h);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`initial_h` $initial_h^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Cnn_LstmOp : Cnn_RecurrentOp<"lstm", "long short-term memory", 4, [{
    Gate order i, o, f, c in W, R and B; peepholes `P` [num_directions,
    3*hidden] in order i, o, f. `i = f(X Wi^T + H Ri^T + Pi . C + Wbi + Rbi)`,
    `f = f(X Wf^T + H Rf^T + Pf . C + Wbf + Rbf)`,
    `c = g(X Wc^T + H Rc^T + Wbc + Rbc)`, `C' = f . C + i . c`,
    `o = f(X Wo^T + H Ro^T + Po . C' + Wbo + Rbo)`, `H' = o . h(C')`.
    activations = [f, g, h] (Sigmoid, Tanh, Tanh). `Y_c` is the last cell
    state, shaped like `Y_h`; `initial_c` like `initial_h`.
}]> {
  let arguments = (ins Cnn_Tensor:$X, Cnn_Tensor:$W, Cnn_Tensor:$R,
      Optional<Cnn_Tensor>:$B, Optional<Cnn_Tensor>:$initial_h,
      Optional<Cnn_Tensor>:$initial_c, Optional<Cnn_Tensor>:$P,
      Cnn_I64Attr:$hidden_size, Cnn_RnnDirectionAttr:$direction,
      StrArrayAttr:$activations,
      OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
      OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
      OptionalAttr<F32Attr>:$clip,
      Cnn_I64Attr:$layout, OptionalAttr<DenseI64ArrayAttr>:$sequence_lens);
  let results = (outs Cnn_Tensor:$Y, Cnn_Tensor:$Y_h, Cnn_Tensor:$Y_c);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`initial_h` $initial_h^)?
    (`initial_c` $initial_c^)? (`peepholes` $P^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Cnn_LayerNormOp : Cnn_ShapedOp<"layer_norm"> {
  let summary = "layer normalisation (ONNX LayerNormalization)";
  let description = [{
    Normalises over the dimensions from `axis` (negative counts from the
    end) to the last: `y = (x - mean) / sqrt(var + epsilon) * scale + bias`
    with the mean and (biased) variance of each such slice. `scale` and the
    optional `bias` broadcast to the normalised shape x.shape[axis:].
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_Tensor:$scale,
      Optional<Cnn_Tensor>:$bias, Cnn_I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Cnn_Tensor:$output);
}

def Cnn_LayerNormStatsOp : Cnn_ShapedOp<"layer_norm_stats"> {
  let summary = "layer_norm's mean and inverse standard deviation";
  let description = [{
    ONNX LayerNormalization's optional outputs Mean and InvStdDev: for each
    slice over the dimensions from `axis` to the last, its mean and
    `1 / sqrt(var + epsilon)` (biased variance), as cnn.layer_norm uses
    them. Both results have the input's shape with those dimensions 1 (as
    ONNX keeps them). The importer adds it only where a model reads them.
  }];
  let arguments = (ins Cnn_Tensor:$input, Cnn_I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Cnn_Tensor:$mean, Cnn_Tensor:$inv_std_dev);
}

def Cnn_AttentionOp : Cnn_ShapedOp<"attention"> {
  let summary = "scaled dot-product attention";
  let description = [{
    `y = softmax(q k^T * scale + mask) v`, the softmax over the keys (with
    max subtraction). 4-D operands are [batch, heads, seq, dim]: q
    [B, H, Sq, D], k [B, H, Sk, D], v [B, H, Sk, Dv], result [B, H, Sq, Dv].
    3-D operands are [batch, seq, heads*dim] split into `num_heads` heads
    (required then): result [B, Sq, H*Dv]. `num_heads`, if given for 4-D
    operands, must equal H. The optional additive `mask` broadcasts to the
    score shape [B, H, Sq, Sk]. `scale` defaults to 1/sqrt(D).
  }];
  let arguments = (ins Cnn_Tensor:$q, Cnn_Tensor:$k, Cnn_Tensor:$v,
      Optional<Cnn_Tensor>:$mask, OptionalAttr<Cnn_I64Attr>:$num_heads,
      OptionalAttr<F32Attr>:$scale);
  let results = (outs Cnn_Tensor:$output);
}

#endif // CNN_SEQUENCE_OPS
