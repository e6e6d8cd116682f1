#!/usr/bin/env python3
"""Bar chart of bench/out/results.json: cnnc and ONNX Runtime, ms per inference."""
import json, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

res = json.load(open(sys.argv[1]))
rows = res["rows"]
labels = [f"{r['net']}\n{r['threads']} thr" for r in rows]
x = np.arange(len(rows))
fig, ax = plt.subplots(figsize=(max(8, len(rows) * 0.9), 4.5))
ax.bar(x - 0.2, [r["cnnc_ms"] for r in rows], 0.4, label="cnnc")
ax.bar(x + 0.2, [r["ort_ms"] for r in rows], 0.4, label=f"ONNX Runtime {res['ort']}")
ax.set_xticks(x, labels, fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("ms per inference (median, batch 1, log scale)")
ax.set_title(f"cnnc vs ONNX Runtime, {res['date']}")
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print("wrote", sys.argv[2])
