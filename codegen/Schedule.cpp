//===- Schedule.cpp - default schedule and cnn.tiling hints ---------------===//
#include "codegen/Schedule.h"
#include "codegen/Winograd.h"

#include "ir/CnnDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <numeric>

using Halide::Expr;
using Halide::Func;
using Halide::RVar;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace cnnc::codegen {

llvm::StringRef fuseMark(mlir::Operation *op) {
  auto mark = op ? op->getAttrOfType<mlir::StringAttr>("cnn.fuse") : mlir::StringAttr();
  return mark ? mark.getValue() : llvm::StringRef();
}

mlir::Value epilogueInput(mlir::Operation *op) {
  auto operand = op->getAttrOfType<mlir::IntegerAttr>("cnn.fuse_operand");
  if (fuseMark(op) != "epilogue" || !operand || operand.getInt() < 0 ||
      uint64_t(operand.getInt()) >= op->getNumOperands())
    return {};
  return op->getOperand(unsigned(operand.getInt()));
}

ScheduleHints hintsFor(mlir::Operation *op) {
  ScheduleHints hints;
  if (!op)
    return hints;
  if (fuseMark(op) == "epilogue")
    hints.computeInline = true;
  if (fuseMark(op) == "none")
    hints.computeInline = false;
  auto dict = op->getAttrOfType<mlir::DictionaryAttr>("cnn.tiling");
  if (!dict)
    return hints;
  auto integer = [&](const char *key, int &out) {
    if (auto v = dict.getAs<mlir::IntegerAttr>(key))
      out = static_cast<int>(v.getInt());
  };
  integer("vector", hints.vector);
  integer("tile_oc", hints.tileOc);
  integer("tile_x", hints.tileX);
  integer("tile_y", hints.tileY);
  integer("winograd_tile", hints.winogradTile);
  if (auto v = dict.getAs<mlir::BoolAttr>("parallel")) {
    hints.parallel = v.getValue();
    hints.parallelGiven = true;
  }
  if (auto v = dict.getAs<mlir::BoolAttr>("inline"))
    hints.computeInline = v.getValue();
  if (auto v = dict.getAs<mlir::BoolAttr>("unroll_kx"))
    hints.unrollKx = v.getValue();
  if (auto v = dict.getAs<mlir::BoolAttr>("kx_inner"))
    hints.kxInner = v.getValue();
  if (auto v = dict.getAs<mlir::StringAttr>("layout"))
    hints.layout = v.getValue().str();
  if (auto v = dict.getAs<mlir::StringAttr>("algorithm"))
    hints.algorithm = v.getValue().str();
  if (auto v = dict.getAs<mlir::StringAttr>("stationary"))
    hints.stationary = v.getValue().str();
  return hints;
}

namespace {

/// Output vectors a generic reduction (dense, matmul, the nchw and gather
/// conv forms, generic pools) accumulates at once, unrolled inside its
/// reduction loops: one vector's sum is a chain of dependent FMAs (4 cycles
/// each), so 4 chains keep the FMA unit busy. Measured on dense layers: a
/// 1280 -> 1000 one (MobileNetV2's classifier) 0.095 -> 0.061 ms on 1
/// thread, examples/transformer_block.graph 0.21 -> 0.088 ms.
constexpr int kReductionVectors = 4;

/// Vector lanes over the innermost output dimension with the reduction loops
/// inside them (each lane accumulates its own output; kReductionVectors
/// vectors at once where there are that many), and threads over the
/// outermost dimension that has more than one element.
void scheduleStage(Halide::Stage stage, const LoweredFunc &lf,
                   const std::vector<RVar> &rvars, const ScheduleHints &hints,
                   bool vectorizeTails) {
  std::vector<Var> vars(lf.vars.rbegin(), lf.vars.rend()); // innermost first
  std::vector<int64_t> extents(lf.shape.rbegin(), lf.shape.rend());
  if (vars.empty())
    return;
  // Short rows: 8 lanes still beat scalar code (e.g. 7x7 maps).
  int lanes = hints.vector;
  if (lanes > 8 && extents[0] < lanes && extents[0] >= 8)
    lanes = 8;
  bool split = lanes > 1 && extents[0] >= lanes;
  Var outer = vars[0];
  if (split) {
    Var inner(vars[0].name() + "_vi");
    outer = Var(vars[0].name() + "_vo");
    // GuardWithIf: valid for every extent and for update definitions.
    stage.split(vars[0], outer, inner, lanes, TailStrategy::GuardWithIf);
    std::vector<VarOrRVar> order{inner};
    // Not where threads would then share fewer than 2 groups of vectors.
    bool onlyVectorsParallel =
        hints.parallel && std::all_of(extents.begin() + 1, extents.end(),
                                      [](int64_t e) { return e <= 1; });
    int64_t groups = (extents[0] + kReductionVectors * lanes - 1) / (kReductionVectors * lanes);
    if (!rvars.empty() && extents[0] >= kReductionVectors * lanes &&
        (!onlyVectorsParallel || groups >= 2)) {
      Var unrolled(vars[0].name() + "_vu");
      Var vectors(vars[0].name() + "_vv");
      stage.split(outer, vectors, unrolled, kReductionVectors, TailStrategy::GuardWithIf)
          .unroll(unrolled);
      order.push_back(unrolled);
      outer = vectors;
    }
    order.insert(order.end(), rvars.begin(), rvars.end());
    order.push_back(outer);
    order.insert(order.end(), vars.begin() + 1, vars.end());
    stage.reorder(order);
    if (vectorizeTails)
      stage.vectorize(inner);
  }
  if (!hints.parallel)
    return;
  for (size_t k = vars.size(); k-- > 1;)
    if (extents[k] > 1) {
      stage.parallel(vars[k]);
      return;
    }
  if (split && extents[0] > lanes) // over `outer`'s vectors or groups of them
    stage.parallel(outer);
}

bool isOutput(const LoweredModel &model, const Halide::Func &f) {
  return std::any_of(model.outputs.begin(), model.outputs.end(),
                     [&](const Halide::Func &o) { return o.name() == f.name(); });
}

bool isElementwise(mlir::Operation *op) {
  using namespace mlir::cnn;
  return mlir::isa<ReluOp, SigmoidOp, TanhOp, HardSwishOp, SoftplusOp, SoftsignOp,
                   GeluOp, LeakyReluOp, EluOp, SeluOp, HardSigmoidOp, ClipOp, PReluOp,
                   BatchNormOp, AddOp, SubOp, MulOp, DivOp>(op);
}

/// Consumers that read each element of their input about once.
bool readsOnce(mlir::Operation *user) {
  using namespace mlir::cnn;
  return isElementwise(user) ||
         mlir::isa<Conv2DOp, MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp, GlobalMaxPoolOp,
                   ConcatOp, FlattenOp, ReshapeOp, PadOp, TransposeOp>(user);
}

bool inlineByDefault(const LoweredFunc &lf) {
  if (lf.view)
    return true;
  if (!lf.op || !lf.updates.empty() || !isElementwise(lf.op) || lf.op->getNumResults() != 1)
    return false;
  mlir::Value v = lf.op->getResult(0);
  return v.hasOneUse() && readsOnce(*v.getUsers().begin());
}

/// Picks a tile extent near `target` for a dimension of `extent`: the
/// largest divisor in [target/2, target], else min(target, extent).
int tileFor(int extent, int target) {
  target = std::max(1, std::min(target, extent));
  for (int t = target; t >= (target + 1) / 2; --t)
    if (extent % t == 0)
      return t;
  return target;
}

/// Channel blocks per register tile: cnn.tiling's tile_oc, else 2 when the
/// block count is even; 1 when the choice does not divide the blocks.
int blocksPerTile(const ScheduleHints &hints, int outBlocks) {
  int tob = hints.tileOc > 0 ? hints.tileOc : (outBlocks % 2 == 0 ? 2 : 1);
  return outBlocks % tob == 0 ? tob : 1;
}

/// The task loop of a blocked depthwise conv or max pool (rows x channel
/// blocks), where a conv marked cnn.fuse = "consumer" computes its part.
const char *const kTask = "t";
/// Output rows per task of a depthwise conv or a pool hosting its producer:
/// the input rows they read stay in L1/L2 (16 rows measured slower). On one
/// thread small maps are one task instead (kOneTaskRows).
constexpr int kTaskRows = 8;
/// Channel blocks per such task: a conv computed at the task then has a
/// register tile of 2 blocks x 8 pixels, each input broadcast feeding 2
/// FMAs (1 block x 16 pixels was broadcast-bound: a strided conv + pool ran
/// 0.83x of its unfused time); 3 blocks x 4 pixels for a multiple of 3
/// blocks (MobileNetV2's 144-channel expansions: 12-18% faster than 1 x 14).
int taskBlocks(int blocks) { return blocks % 2 == 0 ? 2 : blocks % 3 == 0 ? 3 : 1; }

/// Per-task buffers up to this size are marked MemoryType::Stack: Halide
/// puts them on the task's stack up to 16 KiB and otherwise allocates them
/// once per task and reuses them (its pseudostack), instead of a
/// halide_malloc per use (the glue's arena takes a lock: ~3% of
/// MobileNetV2). Halide's worker threads have 8 MiB stacks.
constexpr int64_t kTaskStackBytes = 256 * 1024;

/// A divisor of `rows` from `most` down to `least`, one that makes rows /
/// divisor x `groups` tasks even first (2 threads end together); 0 when none
/// divides.
int evenDivisorRows(int64_t rows, int64_t groups, int most = kTaskRows,
                    int least = kTaskRows - 2) {
  for (bool even : {true, false})
    for (int r = most; r >= least; --r)
      if (rows % r == 0 && (!even || rows / r * groups % 2 == 0))
        return r;
  return 0;
}

/// Output rows per task of `op` (a blocked depthwise conv or a pool hosting
/// its producer): kTaskRows or a little fewer, a divisor of the rows (the
/// last task of 28 rows in tasks of 8 recomputed 4 of them: MobileNetV2 3%
/// faster with 7), preferring an even task count, so that 2 threads end the
/// loop together (its 56-row expansions ran 21 tasks of 8 rows, now 24 of 7:
/// 4% faster on 2 threads).
int taskRows(mlir::Operation *op) {
  auto type = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  int64_t rows = type.getDimSize(2), blocks = (type.getDimSize(1) + 15) / 16;
  int64_t groups = (blocks + taskBlocks(blocks) - 1) / taskBlocks(blocks);
  int r = evenDivisorRows(rows, groups);
  return r ? r : kTaskRows;
}

/// Input rows that a task's output rows (taskRows) of a window op read.
int64_t taskInputRows(mlir::Operation *op) {
  int64_t stride = 1, kernel = 1, dilation = 1;
  if (auto conv = mlir::dyn_cast<mlir::cnn::Conv2DOp>(op)) {
    stride = conv.getStrides()[0], dilation = conv.getDilations()[0];
    kernel = mlir::cast<mlir::RankedTensorType>(conv.getWeight().getType()).getDimSize(2);
  } else if (auto pool = mlir::dyn_cast<mlir::cnn::MaxPool2DOp>(op)) {
    stride = pool.getStrides()[0], dilation = pool.getDilations()[0], kernel = pool.getKernel()[0];
  }
  return (taskRows(op) - 1) * stride + (kernel - 1) * dilation + 1;
}

/// Marks a per-task buffer of `floats` for the stack when it is small
/// enough (kTaskStackBytes).
void taskStack(Func f, int64_t floats) {
  if (floats * 4 <= kTaskStackBytes)
    f.store_in(Halide::MemoryType::Stack);
}

/// taskStack for `f`: `blocks` channel blocks of `width` columns x the input
/// rows of a task of `consumer`.
void taskBuffer(Func f, mlir::Operation *consumer, int64_t width, int blocks) {
  taskStack(f, int64_t(16) * blocks * width * taskInputRows(consumer));
}

/// Bytes of a core's L2 on the Xeon the schedules were tuned on (2 MiB;
/// L1d 48 KiB); the Zen 4 measured since has 1 MiB and 32 KiB, and the
/// bench networks' padded inputs fall on the same side of either size.
constexpr int64_t kL2Bytes = 2 << 20;

/// Input width of a window op (padded for a conv).
int64_t paddedWidth(mlir::Operation *op) {
  int64_t w = mlir::cast<mlir::RankedTensorType>(op->getOperand(0).getType()).getDimSize(3);
  if (auto conv = mlir::dyn_cast<mlir::cnn::Conv2DOp>(op))
    w += conv.getPads()[1] + conv.getPads()[3];
  return w;
}

/// The op whose output stage hosts the epilogue chain that ends in `v`.
mlir::Operation *chainHead(mlir::Value v) {
  mlir::Operation *op = v.getDefiningOp();
  while (op)
    if (mlir::Value in = epilogueInput(op))
      op = in.getDefiningOp();
    else
      return op;
  return op;
}

/// Whether the epilogue chain that ends in `v` is read only along itself
/// and `v` only by ops `endUser` accepts: a chain computed per band of
/// another op's loop cannot also serve a reader outside that loop.
bool chainPrivate(mlir::Value v, llvm::function_ref<bool(mlir::Operation *)> endUser) {
  if (!llvm::all_of(v.getUsers(), endUser))
    return false;
  for (mlir::Operation *op = v.getDefiningOp(); op;) {
    mlir::Value in = epilogueInput(op);
    if (!in)
      return true;
    if (!in.hasOneUse())
      return false;
    op = in.getDefiningOp();
  }
  return true;
}

/// A max pool in the blocked layout (its Func is (co, x, y, cb, n)) whose
/// input is produced by a conv marked cnn.fuse = "consumer": that conv is
/// computed per task of the pool.
bool hostsConsumer(const LoweredFunc &lf) {
  if (lf.view || lf.shape.size() != 5 || !mlir::isa_and_nonnull<mlir::cnn::MaxPool2DOp>(lf.op))
    return false;
  return fuseMark(chainHead(lf.op->getOperand(0))) == "consumer";
}

/// Where a blocked conv marked cnn.fuse = "consumer" is computed: the task
/// loop of the blocked depthwise conv or max pool that reads it; else
/// nullopt (root).
std::optional<Halide::LoopLevel> consumerLevel(const LoweredModel &model,
                                               const BlockedConv &bc) {
  if (fuseMark(bc.op) != "consumer")
    return std::nullopt;
  for (const BlockedDepthwise &dw : model.depthwiseConvs)
    if (chainHead(dw.op->getOperand(0)) == bc.op) {
      taskBuffer(bc.stored, dw.op, bc.outW, taskBlocks(bc.outBlocks));
      return Halide::LoopLevel(dw.stored, Var(kTask));
    }
  for (const LoweredFunc &lf : model.funcs)
    if (hostsConsumer(lf) && chainHead(lf.op->getOperand(0)) == bc.op) {
      taskBuffer(bc.stored, lf.op, bc.outW, taskBlocks(bc.outBlocks));
      return Halide::LoopLevel(lf.func, Var(kTask));
    }
  return std::nullopt;
}

/// The loop over row bands of a pointwise conv hosting concat branches.
const char *const kBand = "band";

/// The Winograd convs marked cnn.fuse = "consumer" that a root pointwise
/// blocked conv `bc` reads through the channel concat that is its input: it
/// computes them per row band (bandRows).
std::vector<const WinogradConv *> hostedBranches(const LoweredModel &model,
                                                 const BlockedConv &bc) {
  std::vector<const WinogradConv *> hosted;
  auto concat = bc.op->getOperand(0).getDefiningOp<mlir::cnn::ConcatOp>();
  if (!concat || bc.kernelW != 1 || bc.kernelH != 1 || fuseMark(bc.op) == "consumer")
    return hosted;
  for (const WinogradConv &wc : model.winogradConvs) // a conv2d's tile rows are its rows
    if (mlir::isa<mlir::cnn::Conv2DOp>(wc.op) && fuseMark(wc.op) == "consumer" &&
        llvm::any_of(concat.getInputs(), [&](mlir::Value v) { return chainHead(v) == wc.op; }))
      hosted.push_back(&wc);
  return hosted;
}

/// Rows per band of a conv hosting `hosted`: kTaskRows or more, a multiple
/// of every one's m x dilation rows (a Winograd tile row of dilation D
/// covers m rows of each of D phases: a band of whole tile rows recomputes
/// none).
int bandRows(const std::vector<const WinogradConv *> &hosted) {
  int unit = 1;
  for (const WinogradConv *wc : hosted)
    unit = std::lcm(unit, wc->tile.m * wc->dilationY);
  return (kTaskRows + unit - 1) / unit * unit;
}

/// The row bands of a conv hosting branches.
struct Bands {
  const BlockedConv *conv = nullptr;
  int rows = 0; // 0: no bands; the most rows a band has
  Expr rowsAtRun; // rows per band at run time (rowsAtRun)
  /// The Func whose loop kBand runs over the bands: the network output when
  /// it is an NCHW epilogue of the conv (that output then runs in bands and
  /// the conv per band: its blocked result is never stored whole), else the
  /// conv's own stored Func.
  Func host;
  std::vector<const WinogradConv *> hosted;
  /// A depthwise conv marked cnn.fuse = "pair" whose chain the conv reads:
  /// computed per band.
  const BlockedDepthwise *pair = nullptr;
};

/// The blocked depthwise conv marked cnn.fuse = "pair" that a root
/// pointwise blocked conv `bc` reads (through its epilogue chain), or null.
const BlockedDepthwise *pairedDepthwise(const LoweredModel &model, const BlockedConv &bc) {
  if (bc.kernelW != 1 || bc.kernelH != 1 || fuseMark(bc.op) == "consumer" ||
      !chainPrivate(bc.op->getOperand(0), [&](mlir::Operation *u) { return u == bc.op; }))
    return nullptr;
  for (const BlockedDepthwise &dw : model.depthwiseConvs)
    if (fuseMark(dw.op) == "pair" && chainHead(bc.op->getOperand(0)) == dw.op)
      return &dw;
  return nullptr;
}

/// The most rows per band of a pointwise conv hosting its depthwise pair.
/// Each band edge recomputes the rows of the expansion the depthwise conv
/// reads (2 at 3x3): 56 rows in 4 bands of 14 instead of 8 of 7 made
/// MobileNetV2 1-5% faster on 1 thread (8 of 8 interleaved rounds) and the
/// same on 2 (a band's depthwise output, 441 KiB at 56 x 144 channels, still
/// fits the L2).
constexpr int kPairRows = 14;

/// Rows per band of a pointwise conv of `rows` output rows hosting its
/// depthwise pair: 0 (no bands) for at most kTaskRows rows; else a divisor
/// from kPairRows down to half of it that leaves 2 bands or more, an even
/// band count first (2 threads end together), else the fewest bands (at
/// least 2) of at most kPairRows rows (the last band shifts inwards over at
/// most bands - 1 rows).
int pairRows(int rows) {
  if (rows <= kTaskRows)
    return 0;
  if (int r = evenDivisorRows(rows, 1, std::min(kPairRows, rows / 2), kPairRows / 2))
    return r;
  int bands = std::max(2, (rows + kPairRows - 1) / kPairRows);
  return (rows + bands - 1) / bands;
}

/// On one thread, a depthwise conv (and so the conv hosting it as its pair)
/// over a map of at most this many rows runs it as one task: tasks of fewer
/// rows recompute their producer's edge rows (2 of every 7 at 14x14) and
/// only pay where threads share the tasks. MobileNetV2 3% faster on 1
/// thread; 2 threads keep the row tasks (one task per map was 1-4% slower).
constexpr int kOneTaskRows = 28;

/// `rows` (at most the map's `mapRows`) per task or band at run time: the
/// whole map on one thread when it has at most kOneTaskRows. Buffers per
/// task or band are sized for `rows` when choosing the stack (taskStack);
/// on one thread Halide's pseudostack holds the larger ones all the same.
Expr rowsAtRun(const LoweredModel &model, int rows, int mapRows) {
  rows = std::min(rows, mapRows);
  if (mapRows > kOneTaskRows || rows == mapRows)
    return rows;
  return Halide::select(model.threads <= 1, mapRows, rows);
}

Bands bandsOf(const LoweredModel &model, const BlockedConv &bc) {
  Bands bands;
  bands.conv = &bc;
  bands.hosted = hostedBranches(model, bc);
  bands.pair = bands.hosted.empty() ? pairedDepthwise(model, bc) : nullptr;
  if (bands.pair)
    bands.rows = pairRows(bc.outH);
  else if (!bands.hosted.empty())
    // At most the map: a band past its last row would read and write
    // outside the buffers (a band of the whole map computes every tile once).
    bands.rows = std::min(bandRows(bands.hosted), bc.outH);
  if (bands.rows == 0)
    return bands;
  bands.rowsAtRun = bands.pair ? rowsAtRun(model, bands.rows, bc.outH) : Expr(bands.rows);
  // The output runs the bands only when nothing but the return reads it.
  bands.host = bc.stored;
  auto returned = [](mlir::Operation *u) { return u->hasTrait<mlir::OpTrait::IsTerminator>(); };
  for (const LoweredFunc &lf : model.funcs)
    if (lf.op && lf.shape.size() == 4 && isOutput(model, lf.func) &&
        chainHead(lf.op->getResult(0)) == bc.op && chainPrivate(lf.op->getResult(0), returned))
      bands.host = lf.func;
  return bands;
}

/// The bands (of model.convs, computed once) that `pred` picks, if any.
template <class Pred>
const Bands *findBands(const std::vector<Bands> &all, Pred pred) {
  for (const Bands &bands : all)
    if (bands.rows > 0 && pred(bands))
      return &bands;
  return nullptr;
}

/// The network output `lf` (NCHW) hosting the bands of a conv: bands of
/// `rows` rows over threads, vectors along x.
void scheduleOutputBands(LoweredFunc &lf, Expr rows, const ScheduleHints &hints) {
  const std::vector<Var> &v = lf.vars; // n, c, y, x
  Var b(kBand), yi("yi"), xo("xo"), xi("xi");
  lf.func.compute_root()
      .split(v[2], b, yi, rows, TailStrategy::ShiftInwards)
      .split(v[3], xo, xi, hints.vector, TailStrategy::GuardWithIf)
      .reorder(xi, xo, yi, v[1], b, v[0])
      .vectorize(xi);
  if (hints.parallel)
    lf.func.parallel(b);
}

/// An NCHW output read from a blocked value (LoweredFunc::readsBlocked), by
/// tiles of 16 channels x 16 columns, the channels unrolled: the 16 cache
/// lines a tile reads hold all of it and are used while they are in L1.
/// Channel by channel each line was fetched 16 times, from L3 for large
/// maps: MobileNetV2's stem alone (32 x 112 x 112) spent 0.2 of 0.3 ms there.
/// `vectorizeTails` as in scheduleStage.
void scheduleBlockedOutput(LoweredFunc &lf, const ScheduleHints &hints, bool vectorizeTails) {
  const std::vector<Var> &v = lf.vars; // n, c, y, x
  Var co("co"), ci("ci"), xo("xo"), xi("xi"), t("t");
  lf.func.compute_root()
      .split(v[1], co, ci, 16, TailStrategy::GuardWithIf)
      .split(v[3], xo, xi, 16, TailStrategy::GuardWithIf)
      .reorder(xi, ci, xo, v[2], co, v[0])
      .unroll(ci)
      .fuse(v[2], co, t);
  if (vectorizeTails || lf.shape[3] % 16 == 0)
    lf.func.vectorize(xi);
  if (hints.parallel)
    lf.func.parallel(t);
}

/// `f`, a blocked Func (c, x, y, cb, n) of `blocks` channel blocks, computed
/// at `at` in tasks (the loop kTask) of `rows` rows x taskBlocks(blocks)
/// blocks, 16 channels per vector, over threads when `parallel`.
void scheduleTasks(Func f, Var c, Var x, Var y, Var cb, Var n, Expr rows, int blocks,
                   bool parallel, Halide::LoopLevel at = Halide::LoopLevel::root()) {
  Var yo("yo"), yi("yi"), cbo("cbo"), cbi("cbi"), t(kTask);
  f.compute_at(at)
      .split(y, yo, yi, rows, TailStrategy::ShiftInwards)
      .split(cb, cbo, cbi, taskBlocks(blocks), TailStrategy::ShiftInwards)
      .reorder(c, x, yi, cbi, yo, cbo, n)
      .vectorize(c)
      .fuse(yo, cbo, t);
  if (parallel)
    f.parallel(t);
}

/// A blocked max pool hosting its producer conv, in tasks as a depthwise
/// conv's: the conv computes each task's input rows (17 for ResNet's 3x3 / 2
/// pool: 6% recomputed) while they stay in cache, and the pre-pool tensor
/// is never stored in full.
void schedulePoolTasks(LoweredFunc &lf, bool parallel) {
  const std::vector<Var> &v = lf.vars; // n, cb, y, x, co
  scheduleTasks(lf.func, v[4], v[3], v[2], v[1], v[0], taskRows(lf.op), int(lf.shape[1]),
                parallel);
}

/// A packed input (ci, x, y, cb, n) in vectors over ci when a block has 8
/// or 16 channels; else (an RGB image) in vectors over x, the channels
/// unrolled, whose stores Halide interleaves into dense ones.
void vectorizePack(Func pack, int icBlock) {
  std::vector<Var> a = pack.args();
  if (icBlock >= 8) {
    pack.vectorize(a[0]);
  } else {
    Var xo("xo"), xi("xi");
    pack.split(a[1], xo, xi, 16, TailStrategy::GuardWithIf).vectorize(xi).unroll(a[0]);
  }
}

/// A packed input computed whole (vectorizePack), over threads in one
/// parallel loop over the rows of every block (parallel rows inside the loop
/// over blocks started one parallel loop per block: 32 for a 512-channel
/// input).
void rootPack(Func pack, int icBlock, bool parallel) {
  std::vector<Var> a = pack.args();
  pack.compute_root();
  vectorizePack(pack, icBlock);
  if (parallel) {
    Var rows("pack_rows");
    pack.fuse(a[2], a[3], rows).parallel(rows);
  }
}

/// A direct conv's accumulation `up` over a register tile (co vectorised;
/// x, y, ob unrolled) and its reduction RDom r (channel in block, kx, ky,
/// channel block), then the loops `outer`. kx (r.y) is unrolled when
/// `kxUnrolled`, and then runs inside the channels of a block when
/// `kxInner` (cnn.tiling kx_inner).
void scheduleDirectAccumulation(Halide::Stage up, Var co, Var x, Var y, Var ob,
                                const Halide::RDom &r, bool kxUnrolled, bool kxInner,
                                const std::vector<Halide::VarOrRVar> &outer) {
  kxInner = kxInner && kxUnrolled;
  std::vector<Halide::VarOrRVar> order{co, x, y, ob};
  for (Halide::RVar v : {kxInner ? r.y : r.x, kxInner ? r.x : r.y, r.z, r.w})
    order.push_back(v);
  order.insert(order.end(), outer.begin(), outer.end());
  up.reorder(order).vectorize(co).unroll(x).unroll(y).unroll(ob);
  if (kxUnrolled)
    up.unroll(r.y);
}

/// The blocked conv: a register tile of tileOc channel blocks (16 lanes) x
/// tileY rows x tileX columns of accumulators, the reduction inside it
/// (channel in block, kx, ky, channel block), threads over rows x blocks.
/// Computed at a consumer's task (`at`), it covers that task's rows and
/// channel blocks (taskBlocks), on the consumer's thread. Hosting branches
/// (hostedBranches), its tasks are bands of rows (bandRows) x every channel
/// block, the branches computed per band.
void scheduleBlockedConv(BlockedConv &bc, const std::optional<Halide::LoopLevel> &at,
                         const Bands &bands) {
  ScheduleHints hints = hintsFor(bc.op);
  bool root = !at;
  int tob = root ? blocksPerTile(hints, bc.outBlocks) : taskBlocks(bc.outBlocks);
  int target = std::max(1, 16 / tob);
  int tx = hints.tileX > 0 && root ? std::min(hints.tileX, bc.outW) : tileFor(bc.outW, target);
  int ty = hints.tileY > 0 && root ? std::min(hints.tileY, bc.outH)
                                   : tileFor(bc.outH, std::max(1, target / tx));
  while (bands.rows % ty != 0) // whole tiles per band
    --ty;
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), obo("obo"), obi("obi"), t("t");
  Func out = bc.stored; // has out's Vars; out itself is inlined into it
  // Whole blocks always (padded weights are zero): constant extents; at a
  // consumer, the blocks it needs.
  out.bound(bc.co, 0, 16);
  if (root)
    out.bound(bc.ob, 0, bc.outBlocks);
  // Bands run by another Func (the output): computed per band, whose rows
  // bound it (per row of a band, the dilated stack took 5% longer); run by
  // itself: a loop over bands outside each band's tiles.
  bool ownBands = bands.rows > 0 && bands.host.name() == out.name();
  Var b(kBand), yb("yb");
  if (bands.rows > 0 && !ownBands) {
    out.compute_at(Halide::LoopLevel(bands.host, b));
    taskStack(out, int64_t(16) * bc.outBlocks * bc.outW * bands.rows);
  } else
    out.compute_at(at.value_or(Halide::LoopLevel::root()));
  out.split(bc.x, xo, xi, tx, TailStrategy::ShiftInwards);
  if (ownBands)
    out.split(bc.y, b, yb, bands.rowsAtRun, TailStrategy::ShiftInwards)
        .split(yb, yo, yi, ty, TailStrategy::ShiftInwards)
        .split(bc.ob, obo, obi, tob, TailStrategy::ShiftInwards)
        .reorder(bc.co, xi, yi, obi, xo, obo, yo, b, bc.n);
  else
    out.split(bc.y, yo, yi, ty, TailStrategy::ShiftInwards)
        .split(bc.ob, obo, obi, tob, TailStrategy::ShiftInwards)
        .reorder(bc.co, xi, yi, obi, xo, yo, obo, bc.n);
  out.vectorize(bc.co)
      // Unrolled like acc, so LLVM keeps acc in registers: a loop here
      // stored the accumulators to the stack and read them back (MobileNetV2
      // 1.7% faster on 1 thread unrolled).
      .unroll(xi)
      .unroll(yi)
      .unroll(obi);
  if (hints.parallel && ownBands)
    out.parallel(b);
  else if (hints.parallel && root && bands.rows == 0)
    out.fuse(yo, obo, t).parallel(t);

  bc.acc.compute_at(out, xo).vectorize(bc.co).unroll(bc.x).unroll(bc.y).unroll(bc.ob);
  bool kxUnrolled = hints.unrollKx.value_or(bc.kernelW <= 7) && bc.kernelW > 1;
  scheduleDirectAccumulation(bc.acc.update(), bc.co, bc.x, bc.y, bc.ob, bc.r, kxUnrolled,
                             hints.kxInner, {});

  if (!bc.packInline) {
    bc.pack.bound(bc.ci, 0, bc.icBlock).bound(bc.cb, 0, bc.inBlocks);
    if (bc.kernelW == 1 && bc.kernelH == 1 && root && (hints.parallel || bands.rows > 0)) {
      // A 1x1 conv's rows need no halo: each task packs its own rows (of a
      // concat of branches, say) while they are in cache, and the packed
      // copy of the whole input (12 MiB for the dilated stack) is never
      // stored. It is packed once per block tile of the row (once per row
      // in a band).
      bc.pack.compute_at(out, bands.rows > 0 ? yo : t);
      vectorizePack(bc.pack, bc.icBlock);
      int64_t rows = int64_t(ty) * mlir::cast<mlir::cnn::Conv2DOp>(bc.op).getStrides()[0];
      taskStack(bc.pack, int64_t(bc.icBlock) * bc.inBlocks * paddedWidth(bc.op) * rows);
    } else {
      rootPack(bc.pack, bc.icBlock, hints.parallel);
    }
  }
  if (!bc.weightsConstant)
    bc.weights.compute_root().vectorize(bc.co);
}

/// Output columns a blocked depthwise conv computes per step of its loop,
/// unrolled: LLVM then loads each input vector once for every column whose
/// taps read it (a 3x3 stride-1 conv: 30 loads for 8 columns, not 72), and
/// the columns' chains of dependent FMAs overlap. 8 accumulators and the 9
/// taps of a 3x3 filter stay in registers. MobileNetV2 about 1-1.5% faster.
constexpr int kDepthwiseColumns = 8;

/// Splits a depthwise conv's columns `x` (of `width`) in groups of
/// kDepthwiseColumns or fewer, unrolled: the largest divisor of the width
/// in [4, 8] when there is one (112, 56: 8; 28, 14, 7: 7), else groups of 8
/// whose last one overlaps the one before (recomputed, not wrong). Filters
/// of more taps than registers (5x5, 7x7) are read from L1 by the FMAs.
void unrollColumns(Func f, Var x, int width) {
  int group = std::min(width, kDepthwiseColumns);
  for (int k = group; k >= 4; --k)
    if (width % k == 0) {
      group = k;
      break;
    }
  Var xo(x.name() + "_o"), xi(x.name() + "_i");
  f.split(x, xo, xi, group, TailStrategy::ShiftInwards).unroll(xi);
}

/// BlockedDepthwise: 16 channels per vector; tasks of taskRows rows (the
/// whole map on one thread up to kOneTaskRows) x taskBlocks channel blocks
/// over threads (a producer marked "consumer" is computed per task, just
/// before it, while in cache), 8 columns per step. The tasks run in
/// parallel when the depthwise conv or that producer asks for threads
/// (MobileNetV2's 576-channel depthwise conv at 7x7 is too small for them,
/// but the 1x1 conv it hosts has 40x its multiply-adds).
void scheduleBlockedDepthwise(const LoweredModel &model, BlockedDepthwise &dw,
                              const Bands *band) {
  Func out = dw.stored; // has out's Vars; out itself is inlined into it
  out.bound(dw.c, 0, 16).bound(dw.cb, 0, dw.blocks);
  if (band) {
    // Per band of the pointwise conv it pairs with, on that band's thread:
    // tasks of the band's rows x taskBlocks blocks (the loop its producer
    // is computed in), its output never stored whole.
    scheduleTasks(out, dw.c, dw.x, dw.y, dw.cb, dw.n, band->rowsAtRun, dw.blocks, false,
                  Halide::LoopLevel(band->host, Var(kBand)));
    taskStack(out, int64_t(16) * dw.blocks * dw.outW * band->rows);
  } else {
    mlir::Operation *producer = chainHead(dw.op->getOperand(0));
    bool parallel = hintsFor(dw.op).parallel ||
                    (fuseMark(producer) == "consumer" && hintsFor(producer).parallel);
    scheduleTasks(out, dw.c, dw.x, dw.y, dw.cb, dw.n, rowsAtRun(model, taskRows(dw.op), dw.outH),
                  dw.blocks, parallel);
  }
  unrollColumns(out, dw.x, dw.outW);
}

/// Bytes of a weight chunk that stays in L1 (48 KiB on the Xeon) next to the
/// transformed inputs it multiplies.
constexpr int64_t kWeightChunkBytes = 32 * 1024;

/// Input-channel blocks per weight chunk: the most (a divisor of `blocks`)
/// whose vectors (`vectorsPerBlock` of 16 floats each) fit kWeightChunkBytes.
int weightChunkBlocks(int vectorsPerBlock, int blocks) {
  int best = 1;
  for (int k = 1; k <= blocks; ++k)
    if (blocks % k == 0 && int64_t(k) * vectorsPerBlock * 16 * 4 <= kWeightChunkBytes)
      best = k;
  return best;
}

/// WinogradConv: the (m + r - 1)^2 transformed points' GEMMs with a register tile of
/// tt tiles x tob channel blocks (16 accumulators, the reduction over input
/// channels inside), then their output transform. The loop order keeps the
/// operand cnn.tiling names `stationary` in cache: "weights" (chosen when the
/// transformed weights U outweigh the transformed input V: 512 channels at
/// 7x7 have 16 MB of U and 0.5 MB of V) runs threads over channel blocks,
/// each point's weights serving every tile of the image before the next
/// point's are read; else threads run over rows of tiles, V is computed per
/// row and M per row and tob blocks.
void scheduleWinogradConv(WinogradConv &wc, const Bands *band) {
  std::optional<Halide::LoopLevel> at;
  if (band) // per band of the pointwise conv hosting it
    at = Halide::LoopLevel(band->host, Var(kBand));
  ScheduleHints hints = hintsFor(wc.op);
  if (at) // a band of rows, on its host's thread: inputs stationary
    hints.parallel = false, hints.stationary = "inputs";
  int tob = blocksPerTile(hints, wc.outBlocks);
  // 16 accumulators: tob blocks x tt tiles.
  int tt = hints.tileX > 0 ? std::min(hints.tileX, wc.tilesX)
                           : tileFor(wc.tilesX, std::max(1, 16 / tob));
  bool weightsStationary = hints.stationary == "weights";

  Var to("to"), ti("ti"), obo("obo"), obi("obi");
  wc.out.bound(wc.co, 0, 16)
      .bound(wc.ob, 0, wc.outBlocks)
      .bound(wc.i, 0, wc.tile.m)
      .bound(wc.j, 0, wc.tile.m)
      .bound(wc.tx, 0, wc.tilesX);
  if (at) // the host's band: 8 rows x all blocks, 256 KiB for the dilated stack
    taskStack(wc.out, int64_t(16) * wc.outBlocks * wc.tilesX * wc.tile.m * band->rows);
  else
    wc.out.bound(wc.ty, 0, wc.tilesY);
  wc.out.compute_at(at.value_or(Halide::LoopLevel::root()))
      .split(wc.tx, to, ti, tt, TailStrategy::ShiftInwards)
      .split(wc.ob, obo, obi, tob, TailStrategy::ShiftInwards)
      .vectorize(wc.co)
      .unroll(wc.i)
      .unroll(wc.j);
  if (weightsStationary)
    wc.out.reorder(wc.co, wc.i, wc.j, ti, obi, to, wc.ty, obo, wc.n);
  else if (at) // M per register tile (16 KiB for F(2x2)): each thread's band holds less
    wc.out.reorder(wc.co, wc.i, wc.j, ti, obi, obo, to, wc.ty, wc.n);
  else
    wc.out.reorder(wc.co, wc.i, wc.j, ti, obi, to, obo, wc.ty, wc.n);
  if (hints.parallel)
    wc.out.parallel(weightsStationary ? obo : wc.ty);

  // M for tob blocks and, weights-stationary, the whole image (64 KB for
  // 512 channels at 7x7), else a row of tiles (63 KB for 64 channels at
  // 56x56, F(4x4)); the loop over tiles inside the one over points.
  Var mto("mto"), mti("mti");
  const Halide::RDom &r = wc.r;
  if (weightsStationary) {
    // Each chunk of a point's weights serves every row of tiles while it is
    // in L1, so U is read from memory once (it was read once per row); the
    // chunks accumulate in memory (M is acc).
    wc.acc.compute_at(wc.out, obo).vectorize(wc.co);
    int chunk = weightChunkBlocks(wc.icBlock * tob, wc.inBlocks);
    Halide::RVar rco("rco"), rci("rci");
    wc.acc.update()
        .split(wc.tx, mto, mti, tt, TailStrategy::GuardWithIf)
        .split(r.y, rco, rci, chunk, TailStrategy::GuardWithIf)
        .reorder(wc.co, mti, wc.ob, r.x, rci, mto, wc.ty, rco, wc.e, wc.n)
        .vectorize(wc.co)
        .unroll(mti)
        .unroll(wc.ob);
  } else {
    // The whole reduction runs per register tile: acc is zeroed and summed
    // in registers and stored once as M (zeroing a stored acc first, then
    // loading it back, took 4.5% of the dilated stack in memset).
    wc.M.compute_at(wc.out, obo)
        .split(wc.tx, mto, mti, tt, TailStrategy::ShiftInwards)
        .reorder(wc.co, mti, wc.ob, mto, wc.ty, wc.e, wc.n)
        .vectorize(wc.co)
        .unroll(mti)
        .unroll(wc.ob);
    wc.acc.compute_at(wc.M, mto).vectorize(wc.co).unroll(wc.tx).unroll(wc.ob);
    wc.acc.update()
        .reorder(wc.co, wc.tx, wc.ob, r.x, r.y, wc.ty, wc.e, wc.n)
        .vectorize(wc.co)
        .unroll(wc.tx)
        .unroll(wc.ob);
  }

  if (weightsStationary) {
    wc.V.compute_root();
    if (hints.parallel)
      wc.V.parallel(wc.cb);
  } else {
    wc.V.compute_at(wc.out, wc.ty);
  }
  wc.V.reorder(wc.ci, wc.e, wc.tx, wc.ty, wc.cb, wc.n).unroll(wc.e);
  if (wc.icBlock >= 8)
    wc.V.vectorize(wc.ci);

  // A blocked input whose padded copy outgrows L2 (4.5 MiB for the dilated
  // stack's), or that of a transposed conv's phases: the m + r - 1 rows of a tile
  // row of a channel block (8.5 KiB for F(2x2, 3x3): L1), packed just
  // before V reads them; tile rows overlap by r - 1 rows, packed twice, but
  // the copy is never stored. Else the padded input whole, read by V in
  // place (ResNet-18's, at most 0.9 MiB, packed per tile row took 1.4x as
  // long). DCGAN's transposed convs took the same time either way (F(2x2,
  // 2x2) packs 3 rows per 2), and their peak memory beside the activations
  // fell from 1.18x to 1.09x of the two largest on 1 thread.
  if (wc.sourceBlocked && (wc.sourceBytes > kL2Bytes || wc.phases > 1)) {
    wc.pack.bound(wc.ci, 0, wc.icBlock).bound(wc.k, 0, wc.tile.in()); // one block: V's
    wc.pack.compute_at(wc.V, wc.ty);
    vectorizePack(wc.pack, wc.icBlock);
    taskStack(wc.pack, int64_t(wc.icBlock) * wc.tile.in() * wc.sourceWidth);
  } else {
    wc.source.bound(wc.ci, 0, wc.icBlock).bound(wc.cb, 0, wc.inBlocks);
    rootPack(wc.source, wc.icBlock, hints.parallel);
  }
}

/// The sub-pixel conv_transpose2d: per output phase, the register tile of
/// scheduleBlockedConv over the phase's (qx, qy) grid; acc is computed per
/// (tile, phase), the phase loops just inside the tile loops.
void schedulePhasedConv(PhasedConv &pc) {
  ScheduleHints hints = hintsFor(pc.op);
  int tob = hints.tileOc > 0 ? hints.tileOc : (pc.outBlocks % 2 == 0 ? 2 : 1);
  if (tob > pc.outBlocks || pc.outBlocks % tob != 0)
    tob = pc.outBlocks % 2 == 0 ? 2 : 1;
  int target = std::max(1, 16 / tob);
  int tx = hints.tileX > 0 ? std::min(hints.tileX, pc.phaseW) : tileFor(pc.phaseW, target);
  int ty = hints.tileY > 0 ? std::min(hints.tileY, pc.phaseH)
                           : tileFor(pc.phaseH, std::max(1, target / tx));
  if (tob * tx * ty > 24) // keep the accumulators in registers
    ty = std::max(1, 24 / (tob * tx));
  bool whole = tob * tx * ty < 12;
  if (whole && pc.phaseW * pc.phaseH <= 16) {
    // A small phase that leaves the register tile short: one tile covers
    // it and channel blocks fill it.
    tx = pc.phaseW, ty = pc.phaseH;
    tob = 1;
    for (int k = 2; k <= pc.outBlocks && k * tx * ty <= 16; ++k)
      if (pc.outBlocks % k == 0)
        tob = k;
  }
  Var xo("qxo"), xi("qxi"), yo("qyo"), yi("qyi"), obo("obo"), obi("obi"), t("t");
  pc.out.bound(pc.co, 0, 16)
      .bound(pc.ob, 0, pc.outBlocks)
      .bound(pc.px, 0, pc.strideX)
      .bound(pc.py, 0, pc.strideY)
      .bound(pc.qx, 0, pc.phaseW)
      .bound(pc.qy, 0, pc.phaseH);
  pc.pack.bound(pc.ci, 0, pc.icBlock).bound(pc.cb, 0, pc.inBlocks);
  pc.out.compute_root()
      .split(pc.qx, xo, xi, tx, TailStrategy::ShiftInwards)
      .split(pc.qy, yo, yi, ty, TailStrategy::ShiftInwards)
      .split(pc.ob, obo, obi, tob, TailStrategy::ShiftInwards)
      .reorder(pc.co, xi, yi, obi, pc.px, pc.py, xo, yo, obo, pc.n)
      .vectorize(pc.co);
  // Constant phases: constant input offsets, weights and tap ranges.
  if (pc.strideX * pc.strideY <= 16)
    pc.out.unroll(pc.px).unroll(pc.py);
  if (hints.parallel)
    pc.out.fuse(yo, obo, t).parallel(t);

  pc.acc.compute_at(pc.out, pc.px).vectorize(pc.co).unroll(pc.qx).unroll(pc.qy).unroll(pc.ob);
  bool kxUnrolled = hints.unrollKx.value_or(true) && pc.tapsX > 1 && pc.tapsX <= 7;
  scheduleDirectAccumulation(pc.acc.update(), pc.co, pc.qx, pc.qy, pc.ob, pc.r, kxUnrolled,
                             hints.kxInner, {pc.px, pc.py});

  rootPack(pc.pack, pc.icBlock, hints.parallel);
  if (!pc.weightsConstant)
    pc.weights.compute_root().vectorize(Var(pc.weights.args()[0].name()));
}

/// Vector lanes for a dimension of `extent`: 16 (AVX-512 f32), 8 for
/// shorter ones, else 1 (scalar).
int lanesFor(int extent) { return extent >= 16 ? 16 : extent >= 8 ? 8 : 1; }

/// The zip stages of transposeBlocks, computed per block at `at`'s `v`:
/// each stage's two strided halves (x2 even, odd) are stored as one
/// interleaving of two vectors (Halide's rewrite of strided stores), so a
/// stage is 8 pairs of shuffles in registers.
void scheduleZips(const std::vector<Func> &zips, Func at, Var v, Var x2, Var rr, bool cpp) {
  Var xo("xo"), xi("xi");
  for (Func z : zips) {
    z.compute_at(at, v).bound_extent(x2, 2 * kTransposeBlock).bound_extent(rr, kTransposeBlock / 2)
        .split(x2, xo, xi, 2).unroll(xi).unroll(rr);
    if (!cpp)
      z.store_in(Halide::MemoryType::Register).vectorize(xo);
  }
}

/// Accumulators of ColumnPhasedConv's register tile without a cnn.tiling
/// tile_y: each row's input vector and each channel's weight broadcast take
/// registers too (with 24, 3 channels x 8 rows, the autoencoder's dec3
/// spilled its accumulators: 13% of the network's samples on 1 thread,
/// 8.5% with cnn.tiling's 3 x 4, which the schedule had ignored).
constexpr int kColumnTileAccumulators = 12;

/// ColumnPhasedConv: a register tile of every channel x `rows` rows (tile_y)
/// x one vector of a phase's columns, the reduction over (jx, jy, c) inside
/// it; threads over rows of tiles, every phase inside.
void scheduleColumnPhasedConv(ColumnPhasedConv &cc, bool cpp) {
  ScheduleHints hints = hintsFor(cc.op);
  int lanes = lanesFor(cc.phaseW);
  int rows = hints.tileY > 0 ? hints.tileY : kColumnTileAccumulators / cc.channels;
  rows = std::max(1, std::min(cc.phaseH, rows));
  Var qxo("qxo"), qxi("qxi"), qyo("qyo"), qyi("qyi");
  cc.out.bound(cc.f, 0, cc.channels)
      .bound(cc.px, 0, cc.strideX)
      .bound(cc.py, 0, cc.strideY)
      .bound(cc.qx, 0, cc.phaseW)
      .bound(cc.qy, 0, cc.phaseH)
      .compute_root()
      // Stored in the NCHW order of the full-resolution output (x = sx * qx
      // + px), so its consumers read whole vectors; the stores are strided.
      .reorder_storage(cc.px, cc.qx, cc.py, cc.qy, cc.f, cc.n)
      .split(cc.qx, qxo, qxi, lanes, TailStrategy::ShiftInwards)
      .split(cc.qy, qyo, qyi, rows, TailStrategy::ShiftInwards)
      .reorder(qxi, qyi, cc.f, qxo, cc.px, cc.py, qyo, cc.n)
      .vectorize(qxi)
      .unroll(qyi)
      .unroll(cc.f);
  if (hints.parallel)
    cc.out.parallel(qyo);
  cc.acc.compute_at(cc.out, qxo).vectorize(cc.qx).unroll(cc.qy).unroll(cc.f);
  Halide::Stage up = cc.acc.update();
  up.reorder(cc.qx, cc.qy, cc.f, cc.r.x, cc.r.y, cc.r.z)
      .vectorize(cc.qx)
      .unroll(cc.qy)
      .unroll(cc.f);
  if (cc.tapsX <= 4)
    up.unroll(cc.r.x);
  if (!cc.zips.empty()) {
    // Per task, its band of rows (plus the taps' overlap): packed whole,
    // DCGAN's main.12 input (296 KiB) lay next to the 256 KiB activation
    // it was packed from, the network's peak (1.42x the two largest
    // activations, now 1.09x; the band costs no measurable time). By 16 x
    // 16 blocks, stored as vectors; the last block of columns stores only
    // those inside the pack (masked stores: rounded up to whole blocks, the
    // autoencoder's peak memory rose from 1.06x to 1.27x).
    Var xo("xo"), xi("xi"), co("co"), ci("ci");
    cc.pack.compute_at(cc.out, qyo)
        .tile(cc.x, cc.c, xo, co, xi, ci, kTransposeBlock, kTransposeBlock,
              TailStrategy::GuardWithIf)
        .reorder(xi, ci, xo, co, cc.y, cc.n)
        .vectorize(xi)
        .unroll(ci);
    scheduleZips(cc.zips, cc.pack, xo, cc.x2, cc.rr, cpp);
  } else {
    cc.pack.compute_root().vectorize(cc.x, 16, TailStrategy::GuardWithIf);
    if (hints.parallel)
      cc.pack.parallel(cc.c);
  }
}

/// Splits an update stage's `v` into vectors of `lanes` (guarded tails) and
/// returns {outer, lanes}; the lanes are vectorised unless the C++ backend
/// (no predicated loads) would need a tail of `extent`.
std::pair<Var, Var> splitLanes(Halide::Stage stage, Var v, int extent, int lanes, bool cpp) {
  Var vo(v.name() + "_vo"), vi(v.name() + "_vi");
  stage.split(v, vo, vi, lanes, TailStrategy::GuardWithIf);
  if (lanes > 1 && (!cpp || extent % lanes == 0))
    stage.vectorize(vi);
  return {vo, vi};
}

/// Vectorises `f`'s pure definition along `v` when `lanes` > 1.
void vectorizeIfWide(Func f, Var v, int lanes) {
  if (lanes > 1)
    f.vectorize(v, lanes);
}

/// Below this much work a loop of a recurrence runs on one thread unless
/// `cnn.tiling` says `parallel = true`: at batch 1 its loops are a few
/// microseconds each, and the model's own pool (codegen/ModelGlue.c.in,
/// workers spinning between loops) hands them out for well under that.
/// Measured (2 shared cores, median of 3000 runs): 2 threads took an LSTM of
/// 128 units and 32 steps (0.13 MFLOP a step) from 0.104 to 0.069 ms, 96
/// units 0.079 -> 0.056, 32 units (only the projection parallel) 0.0104 ->
/// 0.0093, a GRU of 128 units (0.1 MFLOP a step) 0.075 -> 0.053; 1 thread
/// 0.5-1.5% slower. (With Halide's pool, a mutex per task, 2 threads had
/// gained nothing on the LSTM's steps.)
constexpr double kSequenceParallelFlops = 5e4; // ~0.5 us of one core
/// Attention's query tiles are independent, a few microseconds each: on a
/// quiet machine 2 threads took a 4.2 MFLOP attention (128 x 64) from
/// 29.5 to 25-26 us (median of 3000 runs, 3 rounds; 1 thread unchanged).
constexpr double kAttentionParallelFlops = 2e6;

bool parallelFor(const ScheduleHints &hints, double flops,
                 double threshold = kSequenceParallelFlops) {
  return hints.parallelGiven ? hints.parallel : flops >= threshold;
}

/// A recurrent op: the projections as register tiles of units x time steps
/// with the input reduction inside; each step's stages per block of units
/// (the packed weights' block), the recurrent GEMVs computed per block
/// inside them with all of the block's gates in registers; Y with its time
/// loop unrolled, so that each step's h is one plain copy.
void scheduleRecurrence(LoweredRecurrence &lr, bool cpp) {
  ScheduleHints hints = hintsFor(lr.op);
  Var j = lr.j, g = lr.g, n = lr.n, t = lr.t, dir = lr.dir;
  if (!lr.weightsConstant) {
    lr.wPack.compute_root();
    lr.rPack.compute_root();
  }
  // Projection tile: one packed block of units (2 vectors) x 8 steps = 16
  // accumulators.
  int tileUnits = lr.projBlock, tileSteps = std::min(lr.seq, 8);
  int lanes = lanesFor(tileUnits);
  Var jo("jo"), ji("ji"), to("to"), tt("tt"), jg("jg");
  lr.proj.compute_root()
      .split(j, jo, ji, tileUnits, TailStrategy::ShiftInwards)
      .split(t, to, tt, tileSteps, TailStrategy::ShiftInwards)
      .reorder(ji, tt, jo, g, n, to, dir)
      .fuse(jo, g, jg);
  vectorizeIfWide(lr.proj, ji, lanes);
  double projFlops = 2.0 * lr.dirs * lr.seq * lr.batch * lr.gates * lr.hidden * lr.input;
  if (parallelFor(hints, projFlops))
    lr.proj.parallel(jg);
  lr.projAcc.compute_at(lr.proj, jg).vectorize(j, lanes);
  Halide::Stage acc = lr.projAcc.update();
  auto [av, al] = splitLanes(acc, j, tileUnits, lanes, cpp);
  acc.reorder(al, av, t, g, lr.projK.x, n, dir).unroll(av).unroll(t);

  int B = lr.block, blocks = (lr.hidden + B - 1) / B;
  int laneB = lanesFor(B);
  for (RecurrentStage &st : lr.stages) {
    st.f.compute_root();
    if (st.gemvs.empty()) { // initial states
      vectorizeIfWide(st.f, j, laneB);
      continue;
    }
    Var bo("bo"), bi("bi");
    st.f.split(j, bo, bi, B, TailStrategy::ShiftInwards);
    if (st.gates > 0)
      st.f.reorder(bi, g, bo, n).unroll(g);
    vectorizeIfWide(st.f, bi, laneB);
    double stepFlops = 2.0 * lr.batch * lr.gates * lr.hidden * lr.hidden;
    if (blocks > 1 && parallelFor(hints, stepFlops))
      st.f.parallel(bo);
    for (size_t k = 0; k < st.gemvs.size(); ++k) {
      Func gemv = st.gemvs[k];
      gemv.compute_at(st.f, bo).vectorize(j, laneB);
      // Every gate of the block's vectors accumulates in registers over k.
      Halide::Stage up = gemv.update();
      auto [uv, ul] = splitLanes(up, j, B, laneB, cpp);
      up.reorder(ul, uv, g, st.ks[k].x, n).unroll(uv).unroll(g);
    }
  }
  for (Func f : lr.outputs) {
    f.compute_root();
    vectorizeIfWide(f, j, lanesFor(lr.hidden));
  }
  if (lr.seq <= 512) // constant steps: each h is read directly, no select over steps
    lr.y.unroll(lr.yTime);
}

/// Attention, flash-style by query tiles: per tile of rows, the scores
/// against all keys (a register tile of rows x one vector of keys), the row
/// maxima and sums in two levels and the probabilities, then the product
/// with the values per smaller tile of rows (rows x all value vectors in
/// registers); only the tile's scores are stored.
void scheduleAttention(LoweredAttention &la, bool cpp) {
  ScheduleHints hints = hintsFor(la.op);
  // Query rows per tile: 16 rows x 1 vector of keys = 16 score accumulators;
  // the tile's 16 x keys scores stay in L1 (8 KiB for 128 keys).
  int tileRows = std::min(la.seqQ, 16);
  // Rows per value tile: 4 rows x 4 vectors (dim 64) = 16 accumulators.
  int vecV = (la.dimV + 15) / 16;
  int tileAcc = std::min(tileRows, std::max(1, 16 / vecV));
  int lanesK = lanesFor(la.seqK), lanesV = lanesFor(la.dimV);
  Var io("io"), ii("ii"), iao("iao"), iai("iai"), xh("xh"), xe("xe");
  Var j = la.j, i = la.i, h = la.h, b = la.b, e = la.e;
  Func out = la.out;
  Var inner = la.is4d ? e : xe, head = la.is4d ? h : xh;
  out.compute_root();
  if (!la.is4d)
    out.split(la.x, xh, xe, la.dimV);
  out.split(i, io, ii, tileRows, TailStrategy::ShiftInwards)
      .split(ii, iao, iai, tileAcc, TailStrategy::ShiftInwards)
      .reorder(inner, iai, iao, io, head, b);
  vectorizeIfWide(out, inner, lanesV);
  double flops = 2.0 * la.batch * la.heads * la.seqQ * la.seqK * (la.dim + la.dimV);
  if (la.seqQ > tileRows && parallelFor(hints, flops, kAttentionParallelFlops))
    out.parallel(io);

  la.kT.compute_root();
  if (!la.zips.empty()) {
    // The keys' rows are read as vectors, kT stored as vectors.
    Var jo("jo"), ji("ji"), dO("do"), di("di");
    la.kT.tile(j, la.d, jo, dO, ji, di, 16, 16).vectorize(ji).unroll(di);
    scheduleZips(la.zips, la.kT, jo, la.x2, la.rr, cpp);
  } else {
    vectorizeIfWide(la.kT, j, lanesK);
  }
  // Scores in register tiles of 4 rows x 4 vectors of keys (16
  // accumulators, 8 loads per 16 FMAs), reduction over d inside, copied
  // into the query tile's scores (the wrapper `tile`) by an unrolled copy,
  // so that the accumulators are stored straight from registers (a loop
  // would go through the stack).
  int regRows = std::min(tileRows, 4), regKeys = std::min(la.seqK, 4 * lanesK);
  Func tile = la.scores.in();
  Var jt("jt"), jr("jr"), it("it"), ir("ir"), jv("jv"), jl("jl");
  tile.compute_at(out, io)
      .split(j, jt, jr, regKeys, TailStrategy::ShiftInwards)
      .split(i, it, ir, regRows, TailStrategy::ShiftInwards)
      .reorder(jr, ir, it, jt, h, b)
      .split(jr, jv, jl, lanesK)
      .unroll(jv).unroll(ir);
  if (lanesK > 1)
    tile.vectorize(jl);
  la.scores.compute_at(tile, it);
  vectorizeIfWide(la.scores, j, lanesK);
  Halide::Stage sc = la.scores.update();
  auto [sv, sl] = splitLanes(sc, j, regKeys, lanesK, cpp);
  sc.reorder(sl, sv, i, la.rd.x, h, b).unroll(sv).unroll(i);
  // The partial maxima and sums with the tile's rows innermost: one
  // vector accumulator per row, independent from one key vector to the
  // next (a row's chain of dependent max or add over its key vectors
  // would wait for each one's latency).
  for (auto [f, r] : {std::pair{la.maxPart, la.rjMax}, std::pair{la.sumPart, la.rjSum}}) {
    f.compute_at(out, io).vectorize(la.lane);
    f.update().reorder(la.lane, i, r.x, h, b).vectorize(la.lane).unroll(i);
  }
  la.rowMax.compute_at(out, io);
  la.rowSum.compute_at(out, io);
  // Horizontal vector reductions across the lanes (a shuffle tree), not a
  // dependent scalar chain per row.
  la.rowMax.update().atomic().vectorize(la.rLaneMax.x);
  la.rowSum.update().atomic().vectorize(la.rLaneSum.x);
  la.probs.compute_at(out, io);
  vectorizeIfWide(la.probs, j, lanesK);
  la.acc.compute_at(out, iao);
  vectorizeIfWide(la.acc, e, lanesV);
  Halide::Stage ac = la.acc.update();
  auto [ev, el] = splitLanes(ac, e, la.dimV, lanesV, cpp);
  ac.reorder(el, ev, i, la.rj.x, h, b).unroll(ev).unroll(i);
}

/// Steps (elements x reduction steps) below which a stage of a generic op
/// runs on one thread: starting a parallel loop and waiting at its end cost
/// a few microseconds, more than such a stage (MobileNetV2's global pool,
/// flatten and GEMV initialisation were 6 parallel loops of < 64K steps).
constexpr double kParallelSteps = 1 << 16;

/// `hints`, on one thread when the stage (over `rvars`) is that small.
ScheduleHints threadsFor(ScheduleHints hints, const LoweredFunc &lf,
                         const std::vector<RVar> &rvars) {
  double steps = 1;
  for (int64_t d : lf.shape)
    steps *= double(d);
  for (const RVar &r : rvars) {
    std::optional<int64_t> extent = Halide::Internal::as_const_int(r.extent());
    steps *= extent ? double(*extent) : kParallelSteps;
  }
  hints.parallel = hints.parallel && steps >= kParallelSteps;
  return hints;
}

} // namespace

void applySchedule(LoweredModel &model) {
  std::vector<Bands> allBands; // one per model.convs
  for (const BlockedConv &bc : model.convs)
    allBands.push_back(bandsOf(model, bc));
  for (LoweredFunc &lf : model.funcs) {
    ScheduleHints hints = hintsFor(lf.op);
    bool output = isOutput(model, lf.func);
    if (!output && lf.updates.empty() && hints.computeInline.value_or(inlineByDefault(lf))) {
      lf.inlined = true;
      continue; // Halide's default is inline
    }
    if (hostsConsumer(lf)) {
      schedulePoolTasks(lf, hints.parallel);
      continue;
    }
    if (const Bands *bands = findBands(
            allBands, [&](const Bands &b) { return b.host.name() == lf.func.name(); })) {
      scheduleOutputBands(lf, bands->rowsAtRun, hintsFor(bands->conv->op));
      continue;
    }
    if (output && lf.readsBlocked && lf.shape.size() == 4 && lf.shape[3] >= 16) {
      scheduleBlockedOutput(lf, threadsFor(hints, lf, {}), !model.forCppBackend);
      continue;
    }
    lf.func.compute_root();
    scheduleStage(lf.func, lf, {}, threadsFor(hints, lf, {}), !model.forCppBackend);
    for (size_t i = 0; i < lf.updates.size(); ++i) {
      std::vector<RVar> rvars;
      for (int k = 0; k < lf.updates[i].dimensions(); ++k)
        rvars.push_back(lf.updates[i][k]);
      scheduleStage(lf.func.update(i), lf, rvars, threadsFor(hints, lf, rvars),
                    !model.forCppBackend);
    }
  }
  for (Func f : model.blockedInputs) {
    f.bound(f.args()[0], 0, 16);
    rootPack(f, 16, true);
  }
  for (size_t i = 0; i < model.convs.size(); ++i)
    scheduleBlockedConv(model.convs[i], consumerLevel(model, model.convs[i]), allBands[i]);
  for (PhasedConv &pc : model.phasedConvs)
    schedulePhasedConv(pc);
  for (ColumnPhasedConv &cc : model.columnPhasedConvs)
    scheduleColumnPhasedConv(cc, model.forCppBackend);
  for (WinogradConv &wc : model.winogradConvs)
    scheduleWinogradConv(wc, findBands(allBands, [&](const Bands &b) {
                           return llvm::is_contained(b.hosted, &wc);
                         }));
  for (BlockedDepthwise &dw : model.depthwiseConvs)
    scheduleBlockedDepthwise(
        model, dw, findBands(allBands, [&](const Bands &b) { return b.pair == &dw; }));
  for (LoweredRecurrence &lr : model.recurrences)
    scheduleRecurrence(lr, model.forCppBackend);
  for (LoweredAttention &la : model.attentions)
    scheduleAttention(la, model.forCppBackend);
}

} // namespace cnnc::codegen
