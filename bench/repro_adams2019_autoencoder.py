#!/usr/bin/env python3
"""Why the Adams2019 column has no autoencoder number (docs/perf.md): a
stand-alone Halide reproducer, through Halide's Python bindings only.

cnnc's sub-pixel conv_transpose2d (codegen PhasedConv: K=3, stride 2, pads 1,
32 -> 3 channels, 32x32 -> 64x64) skips the phase taps that fall beyond the
kernel with an RDom predicate on the pure vars px, py. With the schedule
Adams2019 picks for the autoencoder's last layer (below, copied from
`CNNC_AUTOSCHEDULE_DUMP`), in which the padded input `pack` is stored at the
reduction's r.y loop and computed at its r.x loop, the odd output columns
(px = 1) come out wrong in Halide 21 (some are NaN: uninitialised memory is
read). Without the store_at, or without the predicate, the result is right.
cnnc's own schedule computes `pack` at the root and is not affected.

    .venv/bin/python bench/repro_adams2019_autoencoder.py
"""
import numpy as np
import halide as hl

C, F, H, W, K, S, PAD = 32, 3, 32, 32, 3, 2, 1
J = (K + S - 1) // S            # taps per phase
OH, OW, OB = 2 * H, 2 * W, 16   # output, channel block


def packed_weights(w):
    """w[c, f, ky, kx] as Halide (co, ci, jx, jy, cb, ob, phase), zero-padded."""
    tap = lambda phase, j: (phase + PAD) % S + S * (J - 1 - j)
    wb = np.zeros((S * S, 1, 1, J, J, C, OB), np.float32)   # numpy order is Halide's reversed
    for fy in range(S):
        for fx in range(S):
            for j in range(J):
                for i in range(J):
                    ky, kx = tap(fy, j), tap(fx, i)
                    if ky < K and kx < K:
                        wb[fy * S + fx, 0, 0, j, i, :, :F] = w[:, :, ky, kx]
    return wb


def realize(x, wb, adams_schedule, predicate=True, store_at=True):
    inp, wts = hl.Buffer(x), hl.Buffer(wb)
    co, ci, px_, x_, y_, cb, ob, n = [hl.Var(s) for s in "co ci px_ x y cb ob n".split()]
    qx, qy, px, py = hl.Var("qx"), hl.Var("qy"), hl.Var("px"), hl.Var("py")
    pack, acc, out, view, res = [hl.Func(s) for s in "pack acc out view res".split()]
    iy, ix = y_ - (J - 1), x_ - (J - 1)
    inside = (iy >= 0) & (iy < H) & (ix >= 0) & (ix < W)
    pack[ci, x_, y_, cb, n] = hl.select(
        inside, inp[hl.clamp(ix, 0, W - 1), hl.clamp(iy, 0, H - 1), cb * C + ci, n], 0.0)
    r = hl.RDom([(0, C), (0, J), (0, J), (0, 1)], "r")
    if predicate:   # taps beyond the kernel: zero weights, skipped
        first = lambda phase: J - 1 - (K - 1 - (phase + PAD) % S) / S
        r.where((r.y >= first(px)) & (r.z >= first(py)))
    acc[co, qx, qy, px, py, ob, n] = hl.f32(0)
    acc[co, qx, qy, px, py, ob, n] += \
        pack[r.x, qx + (px + PAD) / S + r.y, qy + (py + PAD) / S + r.z, r.w, n] * \
        wts[co, r.x, r.y, r.z, r.w, ob, py * S + px]
    out[co, px, qx, py, qy, ob, n] = acc[co, qx, qy, px, py, ob, n]
    d0, d1, d2, d3 = [hl.Var(s) for s in "d0 d1 d2 d3".split()]     # n, c, y, x
    view[d3, d2, d1, d0] = out[d1 % OB, d3 % S, d3 / S, d2 % S, d2 / S, d1 / OB, d0]
    res[d3, d2, d1, d0] = view[d3, d2, d1, d0]
    if adams_schedule:
        d2i, d2ii, d2iii, d3i, d3ii, v3i, qxi, xi = [
            hl.Var(s) for s in "d2i d2ii d2iii d3i d3ii v3i qxi xi".split()]
        sis = hl.TailStrategy.ShiftInwards
        res.split(d2, d2, d2i, 32, sis).split(d3, d3, d3i, 32, sis).split(d2i, d2i, d2ii, 16, sis) \
           .split(d2ii, d2ii, d2iii, 2, sis).split(d3i, d3i, d3ii, 16, sis).vectorize(d3ii) \
           .compute_root().reorder(d3ii, d2iii, d1, d3i, d2ii, d3, d2i, d2, d0).parallel(d2)
        view.store_in(hl.MemoryType.Stack).split(d3, d3, v3i, 16, hl.TailStrategy.RoundUp) \
            .vectorize(v3i).compute_at(res, d2iii).store_at(res, d3i).reorder(v3i, d3, d2, d1, d0)
        acc.store_in(hl.MemoryType.Stack).split(qx, qx, qxi, 16, sis).vectorize(qxi) \
           .compute_at(res, d2ii).reorder(qxi, qx, co, qy, px, py, ob, n) \
           .reorder_storage(qx, co, qy, px, py, ob, n)
        acc.update(0).split(qx, qx, qxi, 16, hl.TailStrategy.GuardWithIf).vectorize(qxi) \
           .reorder(qxi, r.x, r.z, r.w, qx, co, px, py, r.y, qy, ob, n)
        pack.store_in(hl.MemoryType.Stack).split(x_, x_, xi, 16, hl.TailStrategy.RoundUp) \
            .vectorize(xi).compute_at(acc, r.x).reorder(xi, x_, ci, y_, cb, n) \
            .reorder_storage(x_, ci, y_, cb, n)
        if store_at:
            pack.store_at(acc, r.y)
    else:
        acc.compute_root()
        pack.compute_root()
    return np.asarray(res.realize([OW, OH, F, 1]))


def main():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1, C, H, W)).astype(np.float32)
    wb = packed_weights(rng.normal(0, 0.3, (C, F, K, K)).astype(np.float32))
    want = realize(x, wb, adams_schedule=False)
    for label, kw in [("Adams2019's schedule", {}),
                      ("the same without pack.store_at(acc, r.y)", {"store_at": False}),
                      ("the same without the RDom predicate", {"predicate": False})]:
        got = realize(x, wb, adams_schedule=True, **kw)
        err = np.nanmax(np.abs(got - want)) / np.abs(want).max() if not np.isnan(got).all() else np.nan
        bad = np.argwhere(~(np.abs(got - want) <= 1e-4 * np.abs(want).max()))
        cols = f" in x columns {sorted(set(bad[:, -1].tolist()))[:6]}..." if len(bad) else ""
        print(f"{label}: {len(bad)} wrong values{cols}, {int(np.isnan(got).sum())} NaN, "
              f"largest finite error {err:.1e}")


if __name__ == "__main__":
    main()
