"""Records PyTorch values and gradients of the exact GELU (torch.nn.GELU(), approximate="none",
the activation_fn=nn.GELU of rl-baselines3-zoo's presets) into gelu_fixtures.json:
the function alone over its whole range in float32 and float64, and an MLP Linear-GELU-Linear
as torch.nn.Sequential builds it. tests/parity/parity_test.cpp rebuilds each case with rein's
gelu and compares (float32 to 1e-5, float64 to 1e-10). CI needs no PyTorch.

Run with Debian's torch:  /usr/bin/python3 tests/parity/generate_gelu.py

Every case has its inputs (all with gradients), the output, the gradient seed (a stored random
tensor of the output's shape) and the gradients.
"""

from parity_io import encode, write_fixtures  # before torch: it pins the BLAS kernels

import torch
import torch.nn.functional as F

GEN = torch.Generator().manual_seed(1606)  # arXiv:1606.08415, Hendrycks and Gimpel's GELU


def randn(*shape):
    return torch.randn(*shape, generator=GEN, dtype=torch.float64)


def wide_range():
    # The tails (erf saturates, the gradient's x phi(x) term vanishes), zero and the bulk.
    return torch.cat([torch.linspace(-9, 9, 37, dtype=torch.float64), randn(24) * 2])


CASES = [
    ("gelu_f32", {"x": wide_range()}, False, False),
    ("gelu_f64", {"x": wide_range()}, False, True),
    ("gelu_mlp_f32", {"x": randn(4, 5), "w0": randn(8, 5) * 0.5, "b0": randn(8) * 0.1,
                      "w1": randn(3, 8) * 0.5, "b1": randn(3) * 0.1}, True, False),
    ("gelu_mlp_f64", {"x": randn(4, 5), "w0": randn(8, 5) * 0.5, "b0": randn(8) * 0.1,
                      "w1": randn(3, 8) * 0.5, "b1": randn(3) * 0.1}, True, True),
]


def record(name, raw, mlp, f64):
    dtype = torch.float64 if f64 else torch.float32
    inputs = {k: t.to(dtype).detach().requires_grad_(True) for k, t in raw.items()}
    if mlp:
        out = F.linear(F.gelu(F.linear(inputs["x"], inputs["w0"], inputs["b0"])), inputs["w1"],
                       inputs["b1"])
    else:
        out = F.gelu(inputs["x"])
    seed = randn(*out.shape).to(dtype)
    out.backward(seed)
    return {"name": name, "dtype": "float64" if f64 else "float32", "mlp": mlp,
            "inputs": {k: encode(t) for k, t in inputs.items()}, "output": encode(out),
            "seed": encode(seed), "grads": {k: encode(t.grad) for k, t in inputs.items()}}


def main():
    cases = [record(*c) for c in CASES]
    path = write_fixtures("gelu_fixtures.json", {"cases": cases})
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
