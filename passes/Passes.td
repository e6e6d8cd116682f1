//===- Passes.td - cnnc passes -------------------------------*- tablegen -*-===//
#ifndef CNNC_PASSES
#define CNNC_PASSES

include "mlir/Pass/PassBase.td"

def CnnShapeCheck : Pass<"cnn-shape-check", "::mlir::ModuleOp"> {
  let summary = "Check that the module is a complete, statically shaped network";
  let description = [{
    Re-derives every `cnn` op's result type from its shape rule (catching a
    pass that rewrote operands without updating types), and checks that every
    function argument and result is a statically shaped float tensor.
    Layers whose result is never used are reported as warnings.
  }];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

def CnnFoldBatchNorm : Pass<"cnn-fold-batch-norm", "::mlir::ModuleOp"> {
  let summary = "Fold inference batch normalisation into the preceding conv";
  let description = [{
    A `cnn.batch_norm` whose input is a `cnn.conv2d` or
    `cnn.conv_transpose2d` is folded into that conv when
      * the conv's weight (and bias, if any) and all four batch-norm
        parameters are `cnn.constant`s of f32 data that can be read (a
        `dense` attribute or a present `dense_resource` blob), and
      * the batch norm is the conv's only user.
    With s[f] = scale[f] / sqrt(var[f] + epsilon) for output channel f:
      weight'[f, ...] = weight[f, ...] * s[f]
      bias'[f]        = (bias[f] - mean[f]) * s[f] + beta[f]
    (a missing conv bias counts as 0, so a bias is created). For
    conv_transpose2d the output channel of weight[c, j] is
    (c / (C / groups)) * (F / groups) + j. The new weight and bias are
    `cnn.constant`s holding `dense_resource` blobs named
    `<weight blob or layer>.weight.folded` / `<layer>.bias.folded`; the batch
    norm's uses read the conv's result and the batch norm is erased. Old
    constants left without users are erased. Arithmetic is done in double and
    rounded to f32 once.
  }];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

def CnnFormAttention : Pass<"cnn-form-attention", "::mlir::ModuleOp"> {
  let summary = "Rewrite exported scaled dot-product attention into cnn.attention";
  let description = [{
    Matches the chain PyTorch exports for scaled dot-product attention,
      s = matmul(q, transpose(k))          transpose swaps the last two dims
      s = mul(s, c) | mul(c, s) | div(s, c) c: a constant, all elements equal
      s = add(s, mask) | add(mask, s)       optional
      p = softmax(s) {axis = last}
      y = matmul(p, v)
    where q, transpose(k) and k may be scaled the same way instead of (or
    besides) s, as F.scaled_dot_product_attention exports it (q * sqrt(c)
    and transpose(k) * sqrt(c)); the scale is the product of the factors,
    and at least one is required.
    It replaces y with `cnn.attention q, k, v[, mask] {scale = c (or 1/c)}`
    when
      * every intermediate (s at each stage, p) has one use, so the chain
        is erased,
      * the mul/div and the add do not broadcast the scores (only c and the
        mask broadcast),
      * q, k, v are all 4-D [B, H, Sq, D], [B, H, Sk, D], [B, H, Sk, Dv],
        or all 3-D [B, Sq, D], [B, Sk, D], [B, Sk, Dv] (one head:
        num_heads = 1, and a 3-D mask must have batch dimension 1), with
        equal B (and H) — attention does not broadcast them.
    Anything else is left as it is.
  }];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

def CnnFuse : Pass<"cnn-fuse", "::mlir::ModuleOp"> {
  let summary = "Mark producer/consumer fusion decisions for codegen";
  let description = [{
    Decides which ops codegen fuses and records it as discardable attributes;
    the IR's ops and values are unchanged (codegen realises a fusion by
    scheduling: inlining into an output stage, or Halide `compute_at`). Ops
    are visited in program order, so a chain is decided front to back.

    `cnn.fuse = "epilogue"`, with `cnn.fuse_operand = <i64>`, on an
    elementwise op E — relu, clip, leaky_relu, sigmoid, tanh, hard_swish,
    elu, selu, hard_sigmoid, softplus, softsign, gelu, prelu (its input
    only, never the slope), add, sub, mul, div — when its operand number
    `cnn.fuse_operand` is the result of a producer P such that
      * P is a conv2d, conv_transpose2d, dense or batch_norm, or any of the
        elementwise ops above (fused or not: this is how chains of
        elementwise ops fuse, e.g. sigmoid -> mul or conv -> add -> relu),
      * E is P's only user (one use), and
      * E's result has P's result type (no broadcasting of P's result).
    Codegen computes E inline in the output stage of the chain's head (the
    first producer that is not itself an epilogue), so the intermediate is
    never stored. For a binary op the other operand is read as a
    materialised buffer (or a constant): it is never part of this chain,
    since every value in the chain has one use. When both operands qualify,
    operand 0 wins (a residual add of two convs fuses into the first).

    `cnn.fuse = "consumer"` on a conv2d C when its result, possibly through
    a chain of epilogue ops (each with one use), is the input of a
    max_pool2d or avg_pool2d that is its only user, or, when C is pointwise
    (1x1, strides 1, no pads, groups 1), of a depthwise conv2d (the
    expansion of an inverted residual block: its output is the block's
    largest tensor). Also on a conv2d C with groups 1 whose result, through
    such a chain and then a channel concat (axis 1), is the input of a
    pointwise conv2d P that is the concat's only user (the last branch of
    the dilated context module; a branch another op reads is not marked).
    Codegen computes tiles of C (with its epilogue) at the consumer's loop
    level (Halide compute_at), so C's output is never materialised in full:
    codegen computes a blocked C per task (6-8 output rows, or on one
    thread the whole map up to 28 rows, x 1-3 channel blocks) of a blocked
    depthwise conv or max pool that reads it (avg pools
    read C's stored output), and a Winograd C per row band of P (8 rows, or
    2 x C's dilation when more; all channels). The consumer is the unique op
    reached by following the single uses from C.

    `cnn.fuse = "pair"` on a depthwise conv2d D (groups = input channels
    > 1) when its result, possibly through epilogue ops (each with one
    use), is the input of a pointwise conv2d P (1x1 kernel, strides 1,
    no pads, groups 1) that is its only user, and when it pays: one output
    row of D over all channels (C_out(D) * OW * 4 bytes) fits in half the
    L2 (`l2-kib`). Codegen computes D (its epilogue and the expansion it
    hosts included) per band of rows of P, all of D's channels, on the
    band's thread, and P reads the band in place (no packed copy): bands
    of 7-14 rows, a divisor of P's rows with an even band count first (2
    threads end together), else the fewest bands of at most 14 rows; on
    one thread a map of up to 28 rows is one band. A map of at most 8 rows
    (7x7), or a D whose chain another op also reads, computes D whole
    first.

    A conv marked "consumer" or "pair" still hosts its own epilogue chain.
    Existing `cnn.fuse` attributes are recomputed (the pass is idempotent).

    With `enable=false` (cnnc --fusion=false) nothing fuses: every op that
    could be an epilogue is marked `cnn.fuse = "none"`, and codegen stores
    it in its own buffer (in the blocked layout where its input is blocked),
    so each op runs as its own loop nest: the unfused baseline that the
    fusion's benchmarks compare with (bench/fusion.py).
  }];
  let options = [
    Option<"l2KiB", "l2-kib", "int64_t", /*default=*/"::mlir::cnn::kDefaultL2KiB",
           "L2 cache size per core in KiB (default 2048; bounds a "
           "depthwise/pointwise pair)">,
    Option<"enable", "enable", "bool", /*default=*/"true",
           "fuse (false: mark every elementwise op \"none\", stored on its own)">,
  ];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

def CnnChooseTiling : Pass<"cnn-choose-tiling", "::mlir::ModuleOp"> {
  let summary = "Choose layout, register tile and cache tile of each conv/GEMM";
  let description = [{
    Writes `cnn.tiling`, a dictionary read by codegen (codegen/Schedule.h),
    on every conv2d, conv_transpose2d, dense and matmul. The decision is a
    pure function of the op's geometry and the options (`chooseTiling` in
    passes/Tiling.h). Keys an op's `cnn.tiling` already holds (written by
    hand to tune a layer, or by an earlier run) are kept as given; the pass
    fills in the others (kx_inner may be given on any conv, though the pass
    writes it only where it chooses it). A given key the pass does not
    write, of another kind, or a count below 1 is an error at the op. Keys
    (i64 unless noted):

    On conv2d and conv_transpose2d:
      layout      string: "nchw16c" (blocks of 16 channels, codegen's
                  layout: one AVX-512 register, two AVX2 ones) when the
                  conv has >= 16 output channels and its groups split into
                  whole blocks (groups = 1, depthwise, or F/groups a
                  multiple of 16); else "nchw". A last partial block is
                  padded.
      oc_block    output channels per block: 16 in the blocked layout, 1
                  for "nchw".
      tile_oc     channel blocks per register tile (1, 2 or 4; channels in
                  "nchw", see below).
      tile_x      output columns per register tile (never more than the
                  output width; a GEMM-shaped conv's tiles too run along
                  output rows). Tiles need not divide the extents: codegen
                  handles the tails.
      tile_y      output rows per register tile.
      ic_block    input channels (per group) reduced per cache tile: all of
                  them when the oc tile's weights plus the input rows one
                  row of register tiles reads fit in half the L2
                  (`l2-kib`), else the largest divisor that fits (a multiple
                  of 16 when the channel count is). For conv_transpose2d the
                  weights of one output phase (ceil(K / s) taps a side, s
                  the stride, or K for an input axis of one element: then
                  only one tap reaches each output, ir/ShapeInference.h's
                  subPixelStride, as codegen decomposes groups-1, dilation-1
                  transposed convs).
      unroll_kx   bool: unroll the kernel-column loop (1 < KW <= 7; for
                  conv_transpose2d, a phase's columns).
      kx_inner    true, written only on a direct blocked conv2d or
                  sub-pixel conv_transpose2d with groups = 1, unroll_kx and
                  more than one kernel column (a phase's, for
                  conv_transpose2d) whose weights (F rounded up to whole
                  blocks x C x KH x KW floats; a transposed conv's phases'
                  taps) fit in L2 (`l2-kib`); given by hand on any conv, it
                  is kept (true or false). The unrolled kx taps run
                  inside the input channels of a block, so neighbouring taps
                  share their input broadcasts (8 columns x 3 taps at stride
                  1: 10 loads instead of 24). Weights streamed from beyond
                  L2 keep kx outside (fewer concurrent weight streams: 4-6%
                  faster measured).
      parallel    bool: threads over (output rows x channel blocks), when
                  there are >= 2 such tiles and >= 2^18 multiply-adds.
      vector      lanes of the innermost vectorised dim: oc_block in the
                  blocked layout (output channels in the block), else the
                  largest power of two <= min(OW, vector-width) (columns).
      phases      for conv2d the input phases, strides[0] * strides[1]
                  (1 when unstrided); for conv_transpose2d the sub-pixel
                  phases of the output, s a side as for ic_block (groups 1
                  and dilation 1; else the strides' product).
      dilation_phases  dilations[0] * dilations[1] (1 when undilated).
      depthwise   bool: groups = input channels > 1.
      gemm        bool: a 1x1, stride 1, unpadded, ungrouped conv2d (a
                  GEMM over the output pixels; no kx_inner).
      algorithm   string: "winograd" for a conv2d that is 3x3, stride 1
                  (any dilation), groups 1, with constant weights and >=
                  16 input and output channels (unless
                  winograd=false): Winograd F(m x m, 3x3), whose tile_x
                  and tile_y then count m x m output tiles; also for a
                  conv_transpose2d with such channels and weights whose
                  sub-pixel phases (groups 1, dilation 1) have 2 x 2 or
                  3 x 3 taps, all within the kernel (K = s x taps), and
                  (of several phases) >= 16 2x2 output tiles each
                  (DCGAN's 4x4 stride-2 layers from 8x8 and 16x16
                  inputs): F(2x2, 2x2) or F(m x m, 3x3) per phase, tiles
                  counted in one phase (a stride-1 one, one phase, is
                  decided as a conv2d); else "direct".
      winograd_tile  Winograd only: m, 4 when the taps are 3 x 3, the conv
                  is undilated and it has >= 32 4x4 output tiles (a phase's
                  for conv_transpose2d; each transformed weight serves
                  every tile: F(4x4)'s are 4x the weights, F(2x2)'s 1.8x),
                  unless the input is then stationary and F(4x4)'s
                  transformed weights (36 x C x F floats) outgrow half
                  the L2 (`l2-kib`: every row of tiles reads them); else 2.
      stationary  Winograd only: "weights" when the filters of a conv2d
                  outnumber its m x m output tiles (the transformed weights
                  are the larger GEMM operand and stay in cache while every
                  tile passes), else "inputs" (always for a conv_transpose2d
                  of several phases).
    A given `algorithm = "winograd"` on a conv that cannot run so
    (`winogradTaps` in ir/ShapeInference.h, the rule codegen applies), or a
    given `winograd_tile` without tables for the conv's taps (F(4x4, 2x2),
    F(3x3, 3x3)), or a `stationary` other than "weights" or "inputs", is an
    error at the op: codegen would otherwise keep the direct loop without a
    word. With `algorithm = "winograd"` given, `winograd_tile` (default 2)
    and `stationary` (default "inputs") may be given too; otherwise they
    exist only where the pass chose Winograd.
    Register tile: about `accumulators` (default 16) registers of sums,
    tile_oc * tile_x * tile_y blocks of 16 / `vector-width` registers each:
    with one register a block (AVX-512) 2 blocks x up to 8 columns (1 x up
    to 16 with a single channel block); with two (AVX2: vector-width 8,
    accumulators 12) 1 block x up to 6 columns. Balanced: the fewest tiles
    across the width, then the narrowest that keeps their count (28 columns:
    4 tiles of 7); rows when a tile is at most half the columns (2 x 4 x 2
    on a 4-wide output). A weights-stationary Winograd conv keeps
    power-of-two widths instead (8, else the largest power of two up to the
    tiles across). tile_oc grows (up to 4) while the registers allow, when
    the output is too small to fill the tile with pixels. For
    conv_transpose2d the widths are those of one output phase (ceil(OW / s),
    s as for ic_block). In the plain "nchw" layout the accumulators are
    vectors of output columns instead: tile_x = vector columns (one vector),
    tile_oc single output channels (min(F, accumulators)), tile_y the
    largest power of two of rows with tile_oc * tile_y <= accumulators.

    A conv that cnn-fuse marked "consumer" runs inside its host's tasks, on
    the host's thread: codegen sizes its register tile to the task (its
    tile_oc, tile_x and tile_y are not used; its `parallel` still lets a
    depthwise host run its tasks on threads), and a Winograd one computed
    per row band of a pointwise conv is inputs-stationary whatever
    `stationary` says. Codegen also packs a Winograd conv's input per tile
    row instead of whole when the input is blocked and its padded copy
    outgrows L2 (2 MiB); that choice is not a key.

    On dense and matmul ([.., M, K] x [K, N] -> [.., M, N]):
      layout "rowmajor"; oc_block = vector (N is vectorised); tile_oc 1;
      tile_y rows of M per register tile (the largest power of two
      <= min(M, 4)); tile_x columns of N per register tile (accumulators /
      tile_y vectors, at most N rounded down to whole vectors, at least one
      vector); ic_block the K chunk whose weight panel (ic_block x tile_x)
      and lhs rows fit in half the L2, chosen as for convs; unroll_kx false;
      parallel as above (tiles over batch x M x N); vector the largest power
      of two <= min(N, vector-width). No phases/dilation_phases/depthwise/
      gemm keys.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes per vector register (16: AVX-512, 8: AVX2)">,
    Option<"accumulators", "accumulators", "int64_t", /*default=*/"16",
           "registers holding a register tile's sums (16 of AVX-512's 32; "
           "12 of AVX2's 16; cnnc sets both options from its --target)">,
    Option<"l2KiB", "l2-kib", "int64_t", /*default=*/"::mlir::cnn::kDefaultL2KiB",
           "L2 cache size per core in KiB (default 2048, passes/Tiling.h's "
           "kDefaultL2KiB; bounds the cache tile)">,
    Option<"winograd", "winograd", "bool", /*default=*/"true",
           "run eligible convs by Winograd F(m x m, r x r): 3x3 conv2d, "
           "conv_transpose2d with 2x2- or 3x3-tap phases">,
  ];
  let dependentDialects = ["::mlir::cnn::CnnDialect"];
}

#endif // CNNC_PASSES
