"""Reads a safetensors file with only json + numpy and prints name, dtype, shape, sum per tensor
and the metadata, so the C++ checkpoint test can check that other tools read rein's files."""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "BOOL": np.bool_}


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    for name, entry in sorted(header.items()):
        begin, end = entry["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        shape = "x".join(str(d) for d in arr.shape) or "scalar"
        print(f"{name} {entry['dtype']} {shape} {float(arr.astype(np.float64).sum()):.6f}")
    for key, value in sorted(meta.items()):
        print(f"meta {key}={value}")


if __name__ == "__main__":
    main(sys.argv[1])
