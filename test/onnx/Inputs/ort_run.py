#!/usr/bin/env python3
"""Runs an ONNX model in ONNX Runtime on seeded random inputs, for lit tests
that compare cnnc with it:

  ort_run.py MODEL DIR   DIR/in/<input>.npy (uniform in [-1, 1], seed 0) and
                         DIR/want/<output>.npy (ORT's outputs)
"""
import os
import sys

import numpy as np
import onnxruntime as ort

model, out = sys.argv[1], sys.argv[2]
sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
rng = np.random.default_rng(0)
feed = {i.name: rng.uniform(-1, 1, i.shape).astype(np.float32) for i in sess.get_inputs()}
os.makedirs(os.path.join(out, "in"), exist_ok=True)
os.makedirs(os.path.join(out, "want"), exist_ok=True)
for name, x in feed.items():
    np.save(os.path.join(out, "in", name + ".npy"), x)
for o, y in zip(sess.get_outputs(), sess.run(None, feed)):
    np.save(os.path.join(out, "want", o.name + ".npy"), y)
