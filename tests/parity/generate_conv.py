"""Records PyTorch values and gradients of 2-D convolutions (torch.nn.functional.conv2d) and of
a small NatureCNN (Stable-Baselines3's image feature extractor: 32 8x8/4, 64 4x4/2, 64 3x3/1,
ReLU after each, flatten, linear, ReLU) into conv_fixtures.json; tests/parity/parity_test.cpp
rebuilds each case with rein's conv2d and compares (float32 to 1e-5, float64 to 1e-10). CI needs
no PyTorch.

Run with Debian's torch:  /usr/bin/python3 tests/parity/generate_conv.py

Every case has inputs x, w* and b* (all with gradients), a stride and padding per convolution,
the output for those inputs and the gradients for a stored random seed of the output's shape.
NatureCNN's weights are too many to store: its inputs are given by a formula both sides
evaluate (offset + scale * sin(0.37 i + phase) for element i, in float64), its seed is ones,
and of each gradient the file keeps every k-th element, the sum and the sum of squares.
"""
import math

from parity_io import encode, write_fixtures  # before torch: it pins the BLAS kernels

import torch
import torch.nn.functional as F

GEN = torch.Generator().manual_seed(1312)  # arXiv:1312.5602, the Atari DQN


def randn(*shape):
    return torch.randn(*shape, generator=GEN, dtype=torch.float64)


def conv_case(name, x_shape, w_shape, bias, stride, padding, f64):
    inputs = {"x": randn(*x_shape), "w0": randn(*w_shape) * 0.3}
    if bias:
        inputs["b0"] = randn(w_shape[0]) * 0.1
    layers = [{"stride": stride, "padding": padding}]
    return name, inputs, layers, f64, None


def formula(shape, scale, phase, offset=0.0):
    n = math.prod(shape)
    values = [offset + scale * math.sin(0.37 * i + phase) for i in range(n)]
    return torch.tensor(values, dtype=torch.float64).reshape(shape)


def nature_case(name, x_shape, features, f64):
    c = x_shape[1]
    h = x_shape[2]
    for k, s in ((8, 4), (4, 2), (3, 1)):
        h = (h - k) // s + 1
    shapes = {"x": (x_shape, 0.5, 0.1, 0.5),
              "w0": ((32, c, 8, 8), 0.05, 0.2), "b0": ((32,), 0.1, 0.3),
              "w1": ((64, 32, 4, 4), 0.05, 0.4), "b1": ((64,), 0.1, 0.5),
              "w2": ((64, 64, 3, 3), 0.05, 0.6), "b2": ((64,), 0.1, 0.7),
              "wl": ((features, 64 * h * h), 0.05, 0.8), "bl": ((features,), 0.1, 0.9)}
    inputs = {k: formula(*v) for k, v in shapes.items()}
    layers = [{"stride": 4, "padding": 0}, {"stride": 2, "padding": 0}, {"stride": 1, "padding": 0}]
    return name, inputs, layers, f64, shapes


CASES = [
    conv_case("conv_bias_stride2_pad1", (2, 3, 9, 8), (4, 3, 3, 3), True, 2, 1, False),
    conv_case("conv_nobias_stride1_f64", (2, 2, 6, 7), (3, 2, 2, 3), False, 1, 0, True),
    conv_case("conv_stride3_pad2_f64", (1, 3, 7, 7), (2, 3, 4, 4), True, 3, 2, True),
    nature_case("nature_cnn", (3, 4, 44, 44), 16, False),
]


def run(inputs, layers, nature):
    h = inputs["x"]
    for i, layer in enumerate(layers):
        h = F.conv2d(h, inputs[f"w{i}"], inputs.get(f"b{i}"), stride=layer["stride"],
                     padding=layer["padding"])
        if nature:
            h = F.relu(h)
    if nature:
        h = F.relu(F.linear(h.flatten(1), inputs["wl"], inputs["bl"]))
    return h


def summary(g, k):
    flat = g.detach().reshape(-1).double()
    return {"shape": list(g.shape), "every": k, "samples": flat[::k].tolist(),
            "sum": flat.sum().item(), "sumsq": (flat * flat).sum().item()}


def record(name, raw, layers, f64, formulas):
    dtype = torch.float64 if f64 else torch.float32
    inputs = {k: t.to(dtype).detach().requires_grad_(True) for k, t in raw.items()}
    nature = formulas is not None
    out = run(inputs, layers, nature)
    seed = torch.ones_like(out) if nature else randn(*out.shape).to(dtype)
    out.backward(seed)
    case = {"name": name, "dtype": "float64" if f64 else "float32", "nature": nature,
            "layers": layers, "output": encode(out)}
    if nature:
        case["formulas"] = {k: {"shape": list(v[0]), "scale": v[1], "phase": v[2],
                                "offset": v[3] if len(v) > 3 else 0.0} for k, v in formulas.items()}
        case["grads"] = {k: summary(t.grad, 7) for k, t in inputs.items()}
    else:
        case["inputs"] = {k: encode(t) for k, t in inputs.items()}
        case["seed"] = encode(seed)
        case["grads"] = {k: encode(t.grad) for k, t in inputs.items()}
    return case


def main():
    cases = [record(*c) for c in CASES]
    path = write_fixtures("conv_fixtures.json", {"cases": cases})
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
