//===- ChooseTiling.cpp - --cnn-choose-tiling -----------------------------===//
//
// Writes `cnn.tiling` on convs and GEMMs. The model is `chooseTiling`, a pure
// function of geometry and options; the numbers come from measurements of
// Halide convs on AVX-512 (Zen 5): blocked NCHW16c, 16 accumulators (2
// channel blocks x 8 columns), reduction over channel-in-block, kx, ky,
// channel block with kx unrolled, threads over rows x channel blocks.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Tiling.h"

#include "ir/ShapeInference.h"

#include "mlir/IR/Builders.h"

#include <algorithm>

namespace mlir::cnn {
#define GEN_PASS_DEF_CNNCHOOSETILING
#include "passes/Passes.h.inc"
} // namespace mlir::cnn

using namespace mlir;
using namespace mlir::cnn;

namespace {
/// Below this many multiply-adds a layer runs on one thread (~2 us at peak).
constexpr int64_t kParallelMacs = int64_t(1) << 18;
/// Fewest tiles for Winograd F(4x4, 3x3) (see chooseConv).
constexpr int64_t kWinogradF4Tiles = 32;
/// Fewest F(2x2) tiles per phase for a Winograd transposed conv: each
/// transformed weight (2.25x the taps of a 2x2-tap phase) serves that many.
/// DCGAN, 1 thread: 256 -> 128 channels at 16 tiles a phase 0.59x the
/// direct conv's time, 512 -> 256 at 4 tiles 1.1x (weights streamed).
constexpr int64_t kWinogradPhaseTiles = 16;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Largest power of two <= max(x, 1).
int64_t pow2Floor(int64_t x) {
  int64_t p = 1;
  while (p * 2 <= x)
    p *= 2;
  return p;
}

/// The width of a register tile walking `extent` outputs, at most `most`:
/// the fewest tiles, then the narrowest tile that keeps that count, so the
/// last tile wastes no columns (28 outputs: 4 tiles of 7, not 4 of 8 with 4
/// columns computed twice; codegen shifts a ragged last tile inwards).
int64_t balancedTile(int64_t extent, int64_t most) {
  most = std::max<int64_t>(1, std::min(most, extent));
  return ceilDiv(extent, ceilDiv(extent, most));
}

/// The largest chunk of `total` reduction elements with bytes(chunk) <=
/// budget: `total` itself, else its largest divisor that fits (a multiple of
/// 16 when `total` is), else the smallest such divisor.
template <class Bytes>
int64_t reductionBlock(int64_t total, int64_t budget, Bytes bytes) {
  if (bytes(total) <= budget)
    return total;
  int64_t step = total % 16 == 0 ? 16 : 1;
  int64_t smallest = total;
  for (int64_t d = total - 1; d >= step; --d) {
    if (total % d != 0 || d % step != 0)
      continue;
    smallest = d;
    if (bytes(d) <= budget)
      return d;
  }
  return smallest;
}

Tiling chooseGemm(const TilingProblem &p, const TilingOptions &o) {
  Tiling t;
  t.layout = "rowmajor";
  t.vector = pow2Floor(std::min(p.cols, o.vectorWidth));
  t.ocBlock = t.vector;
  t.tileOc = 1;
  t.tileY = std::min(pow2Floor(p.m), int64_t(4));
  int64_t vectors = std::max(o.accumulators / t.tileY, int64_t(1));
  int64_t widest = std::max(t.vector, p.cols / t.vector * t.vector);
  t.tileX = std::min(vectors * t.vector, widest);
  int64_t budget = o.l2KiB * 1024 / 2;
  t.icBlock = reductionBlock(p.k, budget, [&](int64_t kb) {
    return 4 * (kb * t.tileX + kb * t.tileY);
  });
  int64_t tiles = p.batch * ceilDiv(p.m, t.tileY) * ceilDiv(p.cols, t.tileX);
  t.parallel = tiles >= 2 && p.batch * p.m * p.cols * p.k >= kParallelMacs;
  return t;
}

Tiling chooseConv(const TilingProblem &p, const TilingOptions &o) {
  Tiling t;
  t.isConv = true;
  bool transposed = p.kind == TilingProblem::ConvTranspose;
  int64_t vw = o.vectorWidth, acc = o.accumulators;
  t.depthwise = p.groups > 1 && p.groups == p.c;
  t.gemm = !transposed && p.kh == 1 && p.kw == 1 && p.groups == 1 &&
           p.strides[0] == 1 && p.strides[1] == 1 &&
           std::all_of(p.pads, p.pads + 4, [](int64_t x) { return x == 0; });
  // A transposed conv of groups 1 and dilation 1 runs as sy x sx sub-pixel
  // phases of th x tw taps each (codegen's decomposition); other transposed
  // convs gather, sized here as ceil(K / s) taps a side; a strided conv
  // reads stride phases.
  bool subPixel = transposed && p.groups == 1 && p.dilations[0] == 1 && p.dilations[1] == 1;
  int64_t sy = p.strides[0], sx = p.strides[1], th = p.kh, tw = p.kw;
  if (subPixel) {
    sy = subPixelStride(p.strides[0], p.kh, p.h), th = subPixelTaps(p.strides[0], p.kh, p.h);
    sx = subPixelStride(p.strides[1], p.kw, p.w), tw = subPixelTaps(p.strides[1], p.kw, p.w);
  } else if (transposed) {
    th = ceilDiv(p.kh, sy), tw = ceilDiv(p.kw, sx);
  }
  t.phases = sy * sx;
  t.dilationPhases = p.dilations[0] * p.dilations[1];
  t.unrollKx = tw > 1 && tw <= 7;

  // Winograd F(m x m, 3x3) (per dilation phase when dilated) does 2.25x
  // (m = 2) or 4x (m = 4) fewer multiply-adds than the direct 3x3 loop at
  // the same register tile (F(2x2) measured 1.5x faster for ResNet's 64 ->
  // 64 conv at 56x56, error ~1e-6 of the output scale); its weights are
  // transformed at compile time, and its tiles need >= 16 channels to fill
  // a vector's reduction. A sub-pixel transposed conv runs it per phase on
  // the phase's th x tw taps (F(2x2, 2x2): 1.78x fewer; F(m x m, 3x3)),
  // each phase with its own transformed weights, when the kernel fills
  // every phase (K = s * taps): the autoencoder's 3x3 stride-2 layers have
  // 9 taps over their 4 phases, as many multiplies as F(2x2, 2x2)'s, and
  // took 1.06x (1 thread) and 1.17x (2) as long.
  // (A stride-1 transposed conv is one phase: a conv2d of the flipped
  // kernel, decided as one.)
  int64_t gw = transposed ? ceilDiv(p.ow, sx) : p.ow; // one phase's grid
  int64_t gh = transposed ? ceilDiv(p.oh, sy) : p.oh;
  auto winogradTiles = [&](int64_t m) { return ceilDiv(gh, m) * ceilDiv(gw, m); };
  bool phased = transposed && t.phases > 1;
  int64_t r = p.winogradTaps; // codegen's rule: groups 1, constant weights, ...
  bool winogradShape =
      transposed ? winogradTables(2, r) && p.kh == sy * th && p.kw == sx * tw &&
                       (!phased || winogradTiles(2) >= kWinogradPhaseTiles)
                 : r == 3;
  bool winograd = o.winograd && winogradShape && p.f >= kBlockLanes && p.c >= kBlockLanes;
  if (winograd) {
    t.algorithm = "winograd";
    // F(4x4) where it has enough tiles: each transformed weight serves
    // every tile once, and F(4x4)'s transformed weights are 4x the weights
    // (F(2x2)'s 1.8x). ResNet-18's convs, F(4x4) against F(2x2) (1 thread):
    // 64 channels at 56x56 (196 tiles) 0.66-0.70x the time, 128 at 28x28 (49
    // tiles, weights stationary) 0.62x, 256 at 14x14 (16 tiles) 0.95x for
    // 2.2x the weights to stream. Undilated 3x3 only: a band of whole tile
    // rows would be 4 x dilation rows high.
    bool undilated = p.dilations[0] == 1 && p.dilations[1] == 1;
    t.winogradTile = r == 3 && undilated && winogradTiles(4) >= kWinogradF4Tiles ? 4 : 2;
    // With the input stationary (filters no more than tiles, below) every
    // row of tiles reads all of U: F(4x4)'s must fit in half the L2, the
    // other half for the tiles it multiplies (at 128 channels, 2.4 MB, it
    // took longer than F(2x2)).
    auto weightsStationary = [&](int64_t m) { return !phased && p.f > winogradTiles(m); };
    if (t.winogradTile == 4 && !weightsStationary(4) && 4 * 36 * p.c * p.f > o.l2KiB * 1024 / 2)
      t.winogradTile = 2;
    // The transformed weights (F x C per point) against the transformed
    // input (tiles x C per point): layer4 of ResNet-18 has 512 filters and
    // 16 tiles, layer1 64 filters and 196 tiles. A transposed conv of
    // several phases keeps the input: DCGAN's 256 -> 128 (16 tiles a phase)
    // took 1.03x (1 thread) and 1.05x (2) as long with the weights
    // stationary.
    t.stationary = weightsStationary(t.winogradTile) ? "weights" : "inputs";
  }

  // The output extents one register tile walks over: one output phase of a
  // transposed conv, the m x m output tiles of a Winograd one (one row of
  // tiles at a time: codegen keeps tile_y = 1). A GEMM-shaped conv's tiles
  // run along real output rows too: at 14 and 28 wide, tiles of 8 computed
  // 16 and 32 columns (1x1 convs of MobileNetV2's 14x14 stage 1.13x faster
  // with 7).
  int64_t ew = gw, eh = gh;
  if (winograd) {
    ew = ceilDiv(gw, t.winogradTile);
    eh = 1;
  }

  int64_t perGroup = p.f / p.groups;
  bool blocked = p.f >= kBlockLanes &&
                 (p.groups == 1 || t.depthwise || perGroup % kBlockLanes == 0);
  int64_t blocks;
  if (blocked) {
    t.layout = "nchw" + std::to_string(kBlockLanes) + "c";
    t.ocBlock = kBlockLanes;
    t.vector = kBlockLanes;
    blocks = ceilDiv(p.f, kBlockLanes);
    // Two blocks where a block is one register (AVX-512: 2 x 8 columns,
    // each broadcast feeds 2 FMAs); one block of two registers on AVX2: 6
    // columns x 2 = 12 accumulators beside the block's 2 weight registers
    // and a broadcast (the shape of OpenBLAS's Haswell sgemm kernel; 2
    // blocks x 3 columns leave no register for the broadcast).
    int64_t regsPerBlock = ceilDiv(kBlockLanes, vw);
    t.tileOc = blocks >= 2 && regsPerBlock == 1 ? 2 : 1;
    int64_t pixels = std::max(acc / (t.tileOc * regsPerBlock), int64_t(1));
    if (t.stationary != "weights") {
      // Balanced tiles: ResNet-18's stride-2 3x3 convs (28, 14 and 7
      // outputs wide) ran 10-16% faster (1 thread) than with 8 or 4 x 2 pixels.
      t.tileX = balancedTile(ew, pixels);
      t.tileY = t.tileX * 2 > pixels ? 1 : balancedTile(eh, pixels / t.tileX);
    } else if (ew >= pixels) {
      // A weights-stationary Winograd GEMM keeps power-of-two tiles (its
      // tail tile is guarded, not shifted): at 7 tiles wide, 4 tiles x 4
      // blocks beat 7 x 2 (ResNet-18 layer3 9-14% slower with 7): each
      // broadcast of the small transformed input feeds more blocks.
      t.tileX = pixels;
      t.tileY = 1;
    } else {
      t.tileX = pow2Floor(ew);
      t.tileY = std::min(pow2Floor(eh), std::max(pixels / t.tileX, int64_t(1)));
    }
    // Too few pixels to fill the tile: take more channel blocks.
    while (t.tileOc * 2 <= std::min(blocks, int64_t(4)) &&
           t.tileOc * 2 * regsPerBlock * t.tileX * t.tileY <= acc)
      t.tileOc *= 2;
  } else {
    // Plain NCHW: vectors along the output columns, channels broadcast.
    t.layout = "nchw";
    t.ocBlock = 1;
    t.vector = pow2Floor(std::min(ew, vw));
    blocks = p.f;
    t.tileX = t.vector;
    t.tileOc = std::min(p.f, acc);
    t.tileY = std::min(pow2Floor(eh),
                       pow2Floor(std::max(acc / t.tileOc, int64_t(1))));
  }

  // Cache tile: the oc tile's weights for ic_block input channels plus the
  // input rows one row of register tiles reads.
  int64_t cg = t.depthwise ? 1 : p.c / p.groups;
  int64_t ocTile = t.tileOc * t.ocBlock;
  // A transposed conv's output phase uses th x tw taps and reads th input
  // rows (plus one per extra tile row), unpadded.
  int64_t taps = th * tw, rowsIn, widthIn;
  if (transposed) {
    rowsIn = t.tileY + th - 1;
    widthIn = p.w;
  } else {
    rowsIn = (t.tileY - 1) * p.strides[0] + (p.kh - 1) * p.dilations[0] + 1;
    widthIn = p.w + p.pads[1] + p.pads[3];
  }
  int64_t budget = o.l2KiB * 1024 / 2;
  t.icBlock = reductionBlock(cg, budget, [&](int64_t icb) {
    return 4 * (ocTile * icb * taps + icb * rowsIn * widthIn);
  });

  // Neighbouring kx taps read overlapping input columns: with the taps
  // inside the channel loop LLVM loads each input broadcast once for all of
  // them (a tile of 8 columns x 3 taps at stride 1: 10 broadcasts instead
  // of 24). Measured, 1 thread, perf shares of one run: ResNet-18's stem and
  // stride-2 convs of layers 2-3 4-14% faster, DCGAN's 2 MiB and 0.5 MiB
  // transposed convs 2-8%; but 4-6% slower for weights streamed from beyond
  // L2 (DCGAN's 8 MiB main.3, ResNet's 4.5 MiB layer4 stride-2 conv).
  // (A sub-pixel conv's phases hold sy * th x sx * tw taps, ragged ones
  // padded with zeros.)
  int64_t weightTaps = subPixel ? sy * th * sx * tw : p.kh * p.kw;
  int64_t weightBytes = 4 * blocks * t.ocBlock * cg * weightTaps;
  t.kxInner = blocked && t.algorithm == "direct" && !t.depthwise && !t.gemm &&
              p.groups == 1 && (!transposed || subPixel) && t.unrollKx &&
              weightBytes <= o.l2KiB * 1024;

  // Parallel tasks as codegen makes them: rows of register tiles x channel
  // tiles.
  int64_t tiles =
      p.n * ceilDiv(eh, t.tileY) * ceilDiv(blocks, t.tileOc) * (transposed ? t.phases : 1);
  int64_t macs = transposed
                     ? p.n * p.c * p.h * p.w * perGroup * p.kh * p.kw
                     : p.n * p.f * p.oh * p.ow * (p.c / p.groups) * p.kh * p.kw;
  t.parallel = tiles >= 2 && macs >= kParallelMacs;
  return t;
}

int64_t dim(Value v, int64_t i) {
  return cast<RankedTensorType>(v.getType()).getDimSize(i);
}

/// The problem of a conv2d / conv_transpose2d, or std::nullopt.
template <class ConvOp> TilingProblem convProblem(ConvOp op, bool transposed) {
  TilingProblem p;
  p.kind = transposed ? TilingProblem::ConvTranspose : TilingProblem::Conv;
  Value in = op.getInput(), w = op.getWeight(), out = op.getResult();
  p.n = dim(in, 0), p.c = dim(in, 1), p.h = dim(in, 2), p.w = dim(in, 3);
  p.f = dim(out, 1), p.oh = dim(out, 2), p.ow = dim(out, 3);
  p.kh = dim(w, 2), p.kw = dim(w, 3);
  llvm::copy(op.getStrides(), p.strides);
  llvm::copy(op.getDilations(), p.dilations);
  llvm::copy(op.getPads(), p.pads);
  p.groups = op.getGroups();
  p.winogradTaps = winogradTaps(op);
  return p;
}

TilingProblem gemmProblem(Operation *op) {
  TilingProblem p;
  p.kind = TilingProblem::Gemm;
  auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (auto dense = dyn_cast<DenseOp>(op)) {
    p.m = out.getDimSize(0);
    p.cols = out.getDimSize(1);
    p.k = lhs.getDimSize(dense.getTransA() ? 0 : 1);
    return p;
  }
  auto rhs = cast<RankedTensorType>(op->getOperand(1).getType());
  p.m = lhs.getRank() >= 2 ? lhs.getDimSize(lhs.getRank() - 2) : 1;
  p.k = lhs.getDimSize(lhs.getRank() - 1);
  p.cols = rhs.getRank() >= 2 ? rhs.getDimSize(rhs.getRank() - 1) : 1;
  p.batch = std::max<int64_t>(out.getNumElements() / std::max<int64_t>(p.m * p.cols, 1), 1);
  return p;
}

/// `chosen` with the keys op's own `cnn.tiling` sets replaced by its values:
/// a tiling written into the input by hand (or by an earlier run) wins, the
/// pass fills in the rest. A given key must be one the pass writes, of the
/// same kind (a positive count, a bool, a string); else a located error.
FailureOr<DictionaryAttr> withGivenKeys(Operation *op, DictionaryAttr chosen) {
  Attribute attr = op->getAttr("cnn.tiling");
  if (!attr)
    return chosen;
  auto given = dyn_cast<DictionaryAttr>(attr);
  if (!given)
    return op->emitOpError("cnn.tiling must be a dictionary");
  NamedAttrList merged(chosen);
  auto algorithm = given.getAs<StringAttr>("algorithm");
  bool winogradGiven = algorithm && algorithm.getValue() == "winograd";
  Builder b(op->getContext());
  for (NamedAttribute kv : given) {
    Attribute want = chosen.get(kv.getName());
    // kx_inner, written only where the pass chooses it, may be given for
    // any conv; Winograd's keys wherever algorithm = "winograd" is given.
    if (!want && kv.getName() == "kx_inner" && isa<Conv2DOp, ConvTranspose2DOp>(op))
      want = b.getBoolAttr(false);
    if (!want && winogradGiven && kv.getName() == "winograd_tile")
      want = b.getI64IntegerAttr(2);
    if (!want && winogradGiven && kv.getName() == "stationary")
      want = b.getStringAttr("inputs");
    if (!want)
      return op->emitOpError("unknown cnn.tiling key '") << kv.getName().getValue() << "'";
    auto wantInt = dyn_cast<IntegerAttr>(want);
    auto gotInt = dyn_cast<IntegerAttr>(kv.getValue());
    bool sameKind = wantInt ? gotInt && gotInt.getType() == wantInt.getType()
                            : want.getTypeID() == kv.getValue().getTypeID();
    if (!sameKind)
      return op->emitOpError("cnn.tiling key '") << kv.getName().getValue()
                                                 << "' must be like " << want;
    if (gotInt && !gotInt.getType().isInteger(1) && gotInt.getInt() < 1)
      return op->emitOpError("cnn.tiling key '") << kv.getName().getValue()
                                                 << "' must be positive";
    merged.set(kv.getName(), kv.getValue());
  }
  return merged.getDictionary(chosen.getContext());
}

/// A tiling with algorithm "winograd" (chosen or given) must name a conv
/// that codegen can run so, and a tile with tables: else codegen would keep
/// the direct loop without a word.
LogicalResult checkWinograd(Operation *op, DictionaryAttr tiling) {
  auto algorithm = tiling.getAs<StringAttr>("algorithm");
  if (!algorithm || algorithm.getValue() != "winograd")
    return success();
  int64_t r = winogradTaps(op);
  if (r == 0)
    return op->emitOpError("cnn.tiling algorithm 'winograd' needs a conv2d with an r x r "
                           "kernel, stride 1 and groups 1, or a conv_transpose2d (groups 1, "
                           "dilation 1) whose sub-pixel phases have r x r taps, r > 1, with "
                           "constant weights");
  if (!winogradTables(2, r))
    return op->emitOpError("cnn.tiling algorithm 'winograd': no tables for ")
           << r << "x" << r << " taps (there are F(2x2, 2x2), F(2x2, 3x3) and F(4x4, 3x3))";
  auto tile = tiling.getAs<IntegerAttr>("winograd_tile");
  int64_t m = tile ? tile.getInt() : 2;
  if (!winogradTables(m, r))
    return op->emitOpError("cnn.tiling winograd_tile ")
           << m << " has no tables for " << r << "x" << r << " taps (F(" << m << "x" << m
           << ", " << r << "x" << r << ")): they take " << (r == 3 ? "2 or 4" : "2");
  auto stationary = tiling.getAs<StringAttr>("stationary");
  if (stationary && stationary.getValue() != "weights" && stationary.getValue() != "inputs")
    return op->emitOpError("cnn.tiling stationary must be 'weights' or 'inputs', got '")
           << stationary.getValue() << "'";
  // The sub-pixel Winograd runs in the blocked layout; "nchw" and "gather"
  // take other lowerings first.
  auto layout = tiling.getAs<StringAttr>("layout");
  if (isa<ConvTranspose2DOp>(op) && layout &&
      (layout.getValue() == "nchw" || layout.getValue() == "gather"))
    return op->emitOpError("cnn.tiling algorithm 'winograd' runs a conv_transpose2d in the "
                           "blocked layout, not '")
           << layout.getValue() << "'";
  return success();
}

struct CnnChooseTilingPass
    : mlir::cnn::impl::CnnChooseTilingBase<CnnChooseTilingPass> {
  using CnnChooseTilingBase::CnnChooseTilingBase;

  void runOnOperation() override {
    if (vectorWidth < 1 || accumulators < 1 || !validL2KiB(l2KiB)) {
      getOperation().emitError("cnn-choose-tiling: options must be positive (l2-kib at most ")
          << kMaxL2KiB << ")";
      return signalPassFailure();
    }
    TilingOptions options{vectorWidth, accumulators, l2KiB, winograd};
    MLIRContext *ctx = &getContext();
    WalkResult result = getOperation().walk([&](Operation *op) {
      std::optional<TilingProblem> p;
      if (auto conv = dyn_cast<Conv2DOp>(op))
        p = convProblem(conv, false);
      else if (auto conv = dyn_cast<ConvTranspose2DOp>(op))
        p = convProblem(conv, true);
      else if (isa<DenseOp, MatMulOp>(op))
        p = gemmProblem(op);
      if (!p)
        return WalkResult::advance();
      FailureOr<DictionaryAttr> tiling =
          withGivenKeys(op, tilingAttr(ctx, chooseTiling(*p, options)));
      if (failed(tiling) || failed(checkWinograd(op, *tiling)))
        return WalkResult::interrupt();
      op->setAttr("cnn.tiling", *tiling);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace

Tiling mlir::cnn::chooseTiling(const TilingProblem &p,
                               const TilingOptions &options) {
  return p.kind == TilingProblem::Gemm ? chooseGemm(p, options)
                                       : chooseConv(p, options);
}

DictionaryAttr mlir::cnn::tilingAttr(MLIRContext *ctx, const Tiling &t) {
  Builder b(ctx);
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("layout", b.getStringAttr(t.layout)),
      b.getNamedAttr("oc_block", b.getI64IntegerAttr(t.ocBlock)),
      b.getNamedAttr("tile_oc", b.getI64IntegerAttr(t.tileOc)),
      b.getNamedAttr("tile_x", b.getI64IntegerAttr(t.tileX)),
      b.getNamedAttr("tile_y", b.getI64IntegerAttr(t.tileY)),
      b.getNamedAttr("ic_block", b.getI64IntegerAttr(t.icBlock)),
      b.getNamedAttr("unroll_kx", b.getBoolAttr(t.unrollKx)),
      b.getNamedAttr("parallel", b.getBoolAttr(t.parallel)),
      b.getNamedAttr("vector", b.getI64IntegerAttr(t.vector)),
  };
  if (t.isConv) {
    attrs.push_back(b.getNamedAttr("phases", b.getI64IntegerAttr(t.phases)));
    attrs.push_back(b.getNamedAttr("dilation_phases",
                                   b.getI64IntegerAttr(t.dilationPhases)));
    attrs.push_back(b.getNamedAttr("depthwise", b.getBoolAttr(t.depthwise)));
    attrs.push_back(b.getNamedAttr("gemm", b.getBoolAttr(t.gemm)));
    attrs.push_back(b.getNamedAttr("algorithm", b.getStringAttr(t.algorithm)));
    if (!t.stationary.empty())
      attrs.push_back(b.getNamedAttr("stationary", b.getStringAttr(t.stationary)));
    if (t.winogradTile > 0)
      attrs.push_back(b.getNamedAttr("winograd_tile", b.getI64IntegerAttr(t.winogradTile)));
    if (t.kxInner)
      attrs.push_back(b.getNamedAttr("kx_inner", b.getBoolAttr(true)));
  }
  return b.getDictionaryAttr(attrs); // sorted by name
}
