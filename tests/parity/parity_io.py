"""What every PyTorch fixture generator here shares: tensors as JSON and the fixture file."""
import json
import os

import torch


def encode(t):
    """A tensor as {dtype, shape, data}: data flattened and widened to float64 values."""
    if t.dtype == torch.bool:
        kind = "bool"
    elif t.dtype == torch.int64:
        kind = "int64"
    else:
        kind = "float64" if t.dtype == torch.float64 else "float32"
    return {"dtype": kind, "shape": list(t.shape), "data": t.detach().reshape(-1).double().tolist()}


def write_fixtures(filename, payload):
    """Writes payload plus the torch version, compact, beside this script; returns the path."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    with open(path, "w") as f:
        json.dump({"torch_version": torch.__version__, **payload}, f, indent=None,
                  separators=(",", ":"))
        f.write("\n")
    return path
