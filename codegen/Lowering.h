//===- Lowering.h - the cnn dialect to one Halide pipeline ------*- C++ -*-===//
//
// Lowers the `main` function of a cnn module to Halide Funcs: one Func per op
// (the algorithm only; schedules live in Schedule.h). Halide dimensions are
// innermost-first, so an NCHW tensor t[n][c][h][w] becomes f(w, h, c, n).
// Functions here may throw Halide::CompileError; callers convert (see
// buildPipeline, which never throws).
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_LOWERING_H
#define CNNC_CODEGEN_LOWERING_H

#include "Halide.h"
#include "codegen/Winograd.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace cnnc::codegen {

/// A named, statically shaped tensor of the model's interface (MLIR order).
struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
};

/// A Func produced for an op, kept for the scheduler. `op` is null for
/// outputs that merely copy another value (an input, a constant, or a value
/// returned twice).
struct LoweredFunc {
  Halide::Func func;
  std::vector<int64_t> shape; // MLIR order of the Func's dimensions
  mlir::Operation *op = nullptr;
  std::vector<Halide::Var> vars;     // pure vars, MLIR order
  std::vector<Halide::RDom> updates; // one per update definition
  /// A pure re-indexing of another Func (e.g. the NCHW view of a blocked
  /// conv): inlined unless it is an output.
  bool view = false;
  /// Read from a 16-channel-blocked Func (channel c in lane c % 16 of block
  /// c / 16): as an output, scheduled by tiles of 16 channels x 16 columns.
  bool readsBlocked = false;
  /// Set by applySchedule: computed inside its consumers (no buffer, no
  /// loop nest of its own).
  bool inlined = false;
};

/// A conv2d lowered in the blocked layout (channels in blocks of 16, the
/// innermost Halide dimension), scheduled by scheduleBlockedConv:
///   pack(ci, x, y, cb, n)  = zero-padded input, channel cb * icBlock + ci
///   acc(co, x, y, ob, n)   = bias + sum over (ci, kx, ky, cb) of
///                            pack(ci, x*s + kx*d, y*s + ky*d, cb, n) *
///                            weights(co, ci, kx, ky, cb, ob)
///   out(co, x, y, ob, n)   = acc (channel ob * 16 + co)
/// The op's NCHW result is a view of `out` (LoweredFunc::view).
struct BlockedConv {
  mlir::Operation *op = nullptr;
  Halide::Func pack, weights, acc, out; // weights: undefined when constant
  Halide::Var co, x, y, ob, n, ci, cb;
  Halide::RDom r; // ci, kx, ky, cb
  int icBlock = 16, inBlocks = 1, outBlocks = 1, outW = 1, outH = 1;
  int kernelW = 1, kernelH = 1;
  bool weightsConstant = false; // packed at compile time
  /// The Func the schedule tiles and consumers read: `out`, or the last
  /// Func of the fused epilogue chain on it (activation, residual add), so
  /// that the chain runs on the register tile before it is stored.
  Halide::Func stored;
  /// An unpadded conv of a stored blocked producer, and a conv of fewer
  /// than 8 input channels, read their input in place: `pack` is inlined
  /// (no copy).
  bool packInline = false;
};

/// A depthwise conv2d (one input channel per group, C a multiple of 16) in
/// the blocked layout of BlockedConv, so that it reads a blocked producer
/// and feeds a blocked consumer without a transposition:
///   out(c, x, y, cb, n)  = bias + sum over (ky, kx) of
///                          in(c, x*s + kx*d, y*s + ky*d, cb, n) *
///                          weights(c, kx, ky, cb)
/// (the taps unrolled in one expression), `in` the producer's blocked
/// output read in place, zero outside it. The NCHW result is a view of out.
struct BlockedDepthwise {
  mlir::Operation *op = nullptr;
  Halide::Func out;
  Halide::Func stored; // as in BlockedConv
  Halide::Var c, x, y, cb, n;
  int blocks = 1, outW = 1, outH = 1;
};

/// A conv by Winograd F(m x m, r x r) (codegen/Winograd.h, cnn.tiling's
/// winograd_tile = m), in the blocked layout of BlockedConv: an r x r
/// stride-1 conv2d (groups = 1, constant weights), or the J x J-tap phases
/// of a sub-pixel conv_transpose2d (PhasedConv's), each phase with its own
/// transformed filters. Every phase is an undilated correlation of the
/// padded input, its tiles placed by WinogradPlacement (Lowering.cpp):
///  - conv2d, undilated: tile (tx, ty) covers output columns m tx ..
///    m tx + m - 1 and the same rows; with dilation D along an axis, each of
///    the D phases (outputs = f mod D) is an undilated conv of the input's
///    phase f, and tile id t * D + f covers outputs D(m t + i) + f, i < m;
///  - conv_transpose2d with sub-pixel strides (sy, sx): tile row ty = phase
///    * Ty + t (phase-major, phase = py * sx + px) covers the phase's rows
///    m t .. m t + m - 1, reading the input at the phase's offset.
/// With e a transformed point (< (m + r - 1)^2):
///   source(ci, x, y, cb, n)    = the zero-padded input, as in BlockedConv
///   pack(ci, x, k, ty, cb, n)  = source at row k of tile row ty,
///                                k < m + r - 1
///   V(ci, tx, ty, e, cb, n)    = (B^T d B)[e] of the input tile of (tx, ty)
///   acc(co, tx, ty, e, ob, n)  = sum over (ci, cb) of V(ci, tx, ty, e, cb, n)
///                                * U(co, ci, e, cb, ob[, phase]), U = G g G^T
///                                packed at compile time
///   M(co, tx, ty, e, ob, n)    = acc, as stored (acc lives in registers
///                                when the schedule allows)
///   out(co, i, tx, j, ty, ob, n) = bias + (A^T M A)[j][i] of tile (tx, ty)
/// The op's result, blocked (co, x, y, ob, n) and NCHW, is a view of `out`
/// (for an undilated conv2d, out's memory order is exactly the blocked one).
struct WinogradConv {
  mlir::Operation *op = nullptr;
  Halide::Func source, pack, V, acc, M, out;
  Halide::Var co, x, y, ob, n, ci, cb, tx, ty, e, i, j, k;
  Halide::RDom r; // ci, cb
  int icBlock = 16, inBlocks = 1, outBlocks = 1;
  winograd::Tile tile;        // F(m x m, r x r): m outputs per tile side
  int tilesX = 1, tilesY = 1; // tile ids along x and y, all phases
  int dilationY = 1;
  int phases = 1;             // weight sets: a transposed conv's sub-pixel phases
  bool sourceBlocked = false; // source reads a blocked producer in place
  int64_t sourceWidth = 0, sourceBytes = 0; // of the whole padded input
};

/// A conv_transpose2d (groups = 1, dilation 1) lowered by the sub-pixel
/// (stride-phase) decomposition, in the blocked layout of BlockedConv. For
/// strides (sy, sx) and output phase (py, px) (oy = sy*qy + py,
/// ox = sx*qx + px) the phase is an ordinary stride-1 conv of the input with
/// a Jy x Jx sub-kernel (J = ceil(K / s), s as ir/ShapeInference.h's
/// subPixelStride: K for an input axis of one element; taps beyond K are zero), weights
/// re-indexed at compile time (tap j of the phase is kernel row
/// (py + padTop) % sy + sy * (Jy - 1 - j)):
///   pack(ci, x, y, cb, n)         = input padded by Jy - 1 / Jx - 1
///   acc(co, qx, qy, px, py, ob, n) = bias + sum over (ci, jx, jy, cb) of
///       pack(ci, qx + (px + padLeft) / sx + jx, qy + (py + padTop) / sy + jy,
///            cb, n) * weights(co, ci, jx, jy, cb, ob, py * sx + px)
///   out(co, px, qx, py, qy, ob, n) = acc: the memory order of a blocked
///       full-resolution output (co, ox, oy, ob, n).
/// The op's NCHW result is a view of `out`, through a blocked view at each
/// full-resolution pixel that consumers may read as vectors.
struct PhasedConv {
  mlir::Operation *op = nullptr;
  Halide::Func pack, weights, acc, out;
  Halide::Var co, qx, qy, px, py, ob, n, ci, cb;
  Halide::RDom r; // ci, jx, jy, cb
  int icBlock = 16, inBlocks = 1, outBlocks = 1;
  int strideX = 1, strideY = 1, tapsX = 1, tapsY = 1;
  int phaseW = 1, phaseH = 1; // qx, qy extents: ceil(OW / sx), ceil(OH / sy)
  bool weightsConstant = false; // packed at compile time
};

/// A conv_transpose2d with fewer output channels than a vector (a
/// generator's or decoder's last layer: 3 channels), by the sub-pixel
/// decomposition of PhasedConv but with vectors along each phase's output
/// columns and the channels in the register tile: PhasedConv's 16-channel
/// blocks would leave 13 of 16 lanes idle.
///   pack(x, y, c, n)              = input padded by Jy - 1 / Jx - 1 (NCHW)
///   acc(qx, qy, f, px, py, n)     = bias + sum over (jx, jy, c) of
///       pack(qx + (px + padLeft) / sx + jx, qy + (py + padTop) / sy + jy,
///            c, n) * weights(f, jx, jy, c, py * sx + px)
///   out(qx, qy, f, px, py, n)     = acc, in register tiles
/// The op's NCHW result is a view of `out`.
struct ColumnPhasedConv {
  mlir::Operation *op = nullptr;
  Halide::Func pack, acc, out;
  /// When the input is blocked (channels a multiple of 16): the zip stages
  /// of transposeBlocks that pack reads; empty otherwise.
  std::vector<Halide::Func> zips;
  Halide::Var qx, qy, f, px, py, n, x, y, c, x2, rr;
  Halide::RDom r; // jx, jy, c
  int channels = 1; // f's extent
  int strideX = 1, strideY = 1, tapsX = 1;
  int phaseW = 1, phaseH = 1; // qx, qy extents
};

/// Units per block of a recurrent op's packed recurrent weights: a step's
/// GEMV tile is one block (4 vectors of 16) x the gates it computes, so up
/// to 16 accumulators, and reads the block's weights contiguously.
constexpr int kRecurrentBlock = 64;
/// Units per block of the packed input weights: the projections' register
/// tile is one block (2 vectors of 16) x 8 time steps = 16 accumulators, and
/// reads the block's weights contiguously.
constexpr int kProjectionBlock = 32;

/// One stage of a time step of a recurrent op: a Func f(j, [g,] n) over
/// hidden units j (innermost), gates g (some stages) and batch n, and the
/// recurrent GEMVs it reads,
///   gemv(j, g, n) = init + sum over k of rPack(j, g, k, dir) * in(k, n),
/// which the schedule computes per block of units inside f.
struct RecurrentStage {
  Halide::Func f;
  std::vector<Halide::Func> gemvs; // dims (j, g, n), one update over `k`
  std::vector<Halide::RDom> ks;
  int gates = 0; // extent of f's g dimension (0: f has none)
};

/// An rnn, gru or lstm lowered by LowerSequence.cpp, scheduled by
/// scheduleRecurrence (a Func per time step and stage; the sequence is
/// unrolled):
///   proj(j, g, n, t, dir) = Wb (+ Rb) + sum over k of
///       wPack(j, g, k, dir) * x(k, n, t): the input projections of every
///       step, one GEMM-shaped stage (projAcc holds the reduction);
///   stages: the steps in order, each reading proj at its time and the
///       previous step's state (a Tuple (h, c) for lstm);
///   outputs: Y (its time dimension `yTime`), Y_h (, Y_c).
/// wPack and rPack are weights packed at compile time (Buffers) when they
/// are constants, else Funcs that the schedule computes first; both group
/// units in blocks: wPack(j, g, k, dir) = W[dir][g * hidden + j][k] stored
/// at [dir][g][j / projBlock][k][j % projBlock], rPack(j, g, k, dir) =
/// R[dir][g * hidden + j][k] at [dir][j / block][k][g][j % block].
struct LoweredRecurrence {
  mlir::Operation *op = nullptr;
  Halide::Func proj, projAcc, wPack, rPack, y;
  Halide::Var j, g, n, t, dir, yTime;
  Halide::RDom projK;
  std::vector<RecurrentStage> stages;
  std::vector<Halide::Func> outputs; // Y, Y_h (, Y_c): compute_root
  int hidden = 1, gates = 1, seq = 1, batch = 1, input = 1, dirs = 1;
  int block = 1, projBlock = 1;
  bool weightsConstant = false;
};

/// cnn.attention lowered by LowerSequence.cpp, scheduled by
/// scheduleAttention: per tile of query rows, the scores against all keys,
/// their softmax and the weighted sum of values; only a tile of the score
/// matrix exists at a time.
///   kT(j, d, h, b)     = k[b, h, j, d] * scale * log2(e): keys transposed
///                        (keys innermost; by zips, see `zips`), scaled so
///                        that logits are base 2
///   scores(j, i, h, b) = sum over d of q[b, h, i, d] * kT; the logits are
///                        scores + mask * log2(e)
///   rowMax(i, h, b)    = max over j of the logits; maxPart(lane, i, h, b):
///                        its per-vector-lane partial maxima
///   probs(j, i, h, b)  = 2^(logits - rowMax)
///   rowSum(i, h, b)    = sum over j of probs; sumPart likewise
///   acc(e, i, h, b)    = sum over j of probs * v[b, h, j, e]
///   out                = acc / rowSum, in the op's result shape: (e, i, h, b)
///                        for 4-D operands, (x, i, b) with x = h * Dv + e
///                        for 3-D ones.
struct LoweredAttention {
  mlir::Operation *op = nullptr;
  Halide::Func kT, scores, rowMax, maxPart, probs, rowSum, sumPart, acc, out;
  Halide::Func keys; // the Func kT reads: (d, j, ...) for 4-D, (h * D + d, j, b)
  /// With keys and dims multiples of 16: the four zip stages that transpose
  /// the keys by 16 x 16 blocks, zips[z](x2, rr, jb, db, h, b) (x2 < 32,
  /// rr < 8 in block (jb, db)); kT reads the last. Empty otherwise.
  std::vector<Halide::Func> zips;
  Halide::Var j, i, h, b, e, x, lane, d, x2, rr;
  Halide::RDom rd, rj, rjMax, rjSum; // over D, keys, keys / 16 (twice)
  Halide::RDom rLaneMax, rLaneSum;   // over the 16 lanes of the partials
  int batch = 1, heads = 1, seqQ = 1, seqK = 1, dim = 1, dimV = 1;
  bool is4d = false;
};

/// The whole network as Halide objects.
struct LoweredModel {
  std::string name; // C identifier derived from the module name
  std::vector<TensorInfo> inputInfo, outputInfo;
  std::vector<Halide::ImageParam> inputs;
  /// The threads the caller runs the pipeline on (its argument after the
  /// inputs): schedules split work by rows only where there are threads to
  /// share it (Schedule.cpp, kOneTaskRows).
  Halide::Param<int> threads{"cnnc_threads", 1};
  std::vector<Halide::Func> outputs;
  std::vector<LoweredFunc> funcs; // every Func to schedule, producers first
  std::vector<BlockedConv> convs; // blocked convs (their view is in funcs)
  std::vector<PhasedConv> phasedConvs; // sub-pixel conv_transpose2d
  std::vector<ColumnPhasedConv> columnPhasedConvs; // the same, few channels
  std::vector<WinogradConv> winogradConvs;
  std::vector<BlockedDepthwise> depthwiseConvs;
  /// NCHW network inputs copied once into the blocked layout (co, x, y, cb,
  /// n) because several blocked convs read them (Lowerer::blockInput).
  std::vector<Halide::Func> blockedInputs;
  /// Every Func the lowering created (inline reductions included) with the
  /// op it computes; null for the copy of an output. Func names derive from
  /// the ops' layer names (Lowerer::funcName), so Halide's profiler and
  /// generated code read in the network's terms.
  std::vector<std::pair<Halide::Func, mlir::Operation *>> owners;
  std::vector<LoweredRecurrence> recurrences; // rnn, gru, lstm
  std::vector<LoweredAttention> attentions;
  // Halide's C++ backend cannot emit the predicated loads of vectorised
  // GuardWithIf tails: such stages stay scalar for it (the C++ compiler
  // vectorises them itself).
  bool forCppBackend = false;
};

/// Lowers `module` (which must hold func.func @main) and, with `schedule`,
/// applies cnnc's schedule (default, or overridden per op by `cnn.tiling`;
/// see Schedule.h); without, the Funcs are left unscheduled for an
/// autoscheduler (AutoSchedule.h).
llvm::Expected<LoweredModel> buildPipeline(mlir::ModuleOp module,
                                           bool forCppBackend = false,
                                           bool schedule = true);

/// The raw float data of a constant's value (DenseResourceElementsAttr or
/// DenseElementsAttr of f32).
llvm::Expected<std::vector<float>> constantData(mlir::ElementsAttr value);

/// Realizes the pipeline with Halide's JIT: `inputs`/`outputs` are dense
/// row-major buffers of the shapes in inputInfo/outputInfo. The schedules
/// are those for model.threads (1 unless set), whatever threads Halide's
/// JIT pool runs.
llvm::Error runJit(LoweredModel &model,
                   const std::vector<const float *> &inputs,
                   const std::vector<float *> &outputs);

/// Elements per side of the blocks transposeBlocks transposes (one vector).
constexpr int kTransposeBlock = 16;

/// rows(x, r, a, b): element x of row r of the 16 x 16 block (a, b).
using BlockRows =
    std::function<Halide::Expr(Halide::Expr x, Halide::Expr r, Halide::Expr a, Halide::Expr b)>;

/// The blocks of `rows` transposed in registers: returns t with t(x, r, a, b)
/// = rows(r, x, a, b). Four zip stages z(x2, rr, a, b, outer...) (x2 < 32,
/// rr < 8; `outer` are the other pure Vars rows depends on), each made by
/// `make` and appended to `zips`, turn a block's 16 rows into 8 rows of 32
/// by zipping row r with row r + 8; scheduleZips makes each zip of two
/// vectors two shuffles, where a transposition by strided reads costs
/// hundreds of scalar inserts.
BlockRows transposeBlocks(BlockRows rows, Halide::Var x2, Halide::Var rr, Halide::Var a,
                          Halide::Var b, const std::vector<Halide::Var> &outer,
                          const std::function<Halide::Func()> &make,
                          std::vector<Halide::Func> &zips);

/// tanh that vectorises (Halide::tanh is a scalar libm call per lane).
Halide::Expr tanhOf(Halide::Expr x);

/// Halide's messages as an llvm::Error; used by every Halide call site.
llvm::Error halideError(const Halide::Error &e);

} // namespace cnnc::codegen

#endif // CNNC_CODEGEN_LOWERING_H
