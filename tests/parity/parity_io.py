"""What every PyTorch fixture generator here shares: tensors as JSON and the fixture file, and
the BLAS kernels torch computes with. Import it before torch."""
import json
import os
import sys

# torch's matrix products run in OpenBLAS, which picks its kernels by CPU: its AVX-512 kernels
# (SkylakeX) sum in another order than its AVX2 ones (Haswell), so a fixture recorded on one CPU
# differs from a run on another in the last bits (a float32 matmul gradient, float64 optimizer
# steps). OpenBLAS reads its kernel choice when torch loads it: pin the AVX2 kernels, which every
# x86-64 CPU since 2013 runs, so every fixture regenerates byte for byte anywhere.
if "torch" in sys.modules:
    raise RuntimeError("import parity_io before torch: it pins OpenBLAS's kernels for torch")
os.environ["OPENBLAS_CORETYPE"] = "Haswell"

import torch  # noqa: E402


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
