"""Writes a small safetensors file for the weights tests.

usage: make_safetensors.py [--misalign] OUT NAME:D0xD1x..[:DTYPE] ...
Element i of every tensor is i * 0.5, so FileCheck can match the bytes.
DTYPE is F32 (default) or F16. With --misalign the data section starts at
an odd offset (the data must then be copied rather than mapped).
"""
import json
import struct
import sys

import numpy as np


def main(argv):
    misalign = "--misalign" in argv
    argv = [a for a in argv if a != "--misalign"]
    out, specs = argv[0], argv[1:]
    header, blobs, offset = {}, [], 0
    for spec in specs:
        parts = spec.split(":")
        name, shape = parts[0], [int(d) for d in parts[1].split("x")]
        dtype = parts[2] if len(parts) > 2 else "F32"
        np_type = {"F32": np.float32, "F16": np.float16}[dtype]
        data = (np.arange(int(np.prod(shape))) * 0.5).astype(np_type).tobytes()
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    # The data starts at 8 + len(header): pad to 8-aligned, or to odd.
    pad = (-(8 + len(text))) % 8 + (1 if misalign else 0)
    text += b" " * pad
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main(sys.argv[1:])
