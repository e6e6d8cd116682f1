#!/usr/bin/env python3
"""Bar chart of bench/out/results.json: ms per inference of every engine."""
import json, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

res = json.load(open(sys.argv[1]))
rows, engines, labels = res["rows"], res["engines"], res["labels"]
x = np.arange(len(rows))
width = 0.8 / len(engines)
fig, ax = plt.subplots(figsize=(max(9, len(rows) * 1.3), 5))
for i, e in enumerate(engines):
    ms = [r["ms"].get(e, np.nan) for r in rows]
    ax.bar(x - 0.4 + width * (i + 0.5), ms, width, label=labels[e])
ax.set_xticks(x, [f"{r['net']}\n{r['threads']} thr" for r in rows], fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("ms per inference (median, batch 1, log scale)")
ax.set_title(f"cnnc and its peers, {res['date']} (ORT {res['ort']}, PyTorch {res['torch']})")
ax.legend(fontsize=8, ncol=3)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
print("wrote", sys.argv[2])
