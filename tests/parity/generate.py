"""Records PyTorch forward values and gradients of small programs, and the first 10 steps of
torch.optim optimizers, into fixtures.json. tests/parity/parity_test.cpp rebuilds the same
programs with rein from the inputs stored here and compares (CI needs no PyTorch).

Run with Debian's torch:  /usr/bin/python3 tests/parity/generate.py
Each program maps named inputs to one output tensor; the gradient seed is ones for scalar
outputs and a stored random tensor otherwise. Programs marked f64 run in float64 (compared to
1e-10), the rest in float32 (1e-5).
"""
import math

from parity_io import encode, write_fixtures  # before torch: it pins the BLAS kernels

import torch
import torch.nn.functional as F

torch.manual_seed(0)
GEN = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(*shape, generator=GEN, dtype=torch.float64)


def uniform(lo, hi, *shape):
    return lo + (hi - lo) * torch.rand(*shape, generator=GEN, dtype=torch.float64)


def randint(hi, *shape):
    return torch.randint(0, hi, shape, generator=GEN)


def mask(*shape):
    return torch.rand(*shape, generator=GEN) > 0.4


# name -> (inputs builder, program, float64?). Float inputs whose name starts with "c_" are
# constants (no gradient); int64 / bool inputs never get one.
PROGRAMS = {
    "add_broadcast": (lambda: {"a": randn(3, 4), "b": randn(4)}, lambda v: v["a"] + v["b"], False),
    "sub_broadcast": (lambda: {"a": randn(3, 1), "b": randn(1, 4)}, lambda v: v["a"] - v["b"], False),
    "mul_div": (lambda: {"a": randn(2, 3), "b": uniform(0.5, 2, 2, 3)},
                lambda v: v["a"] * v["b"] / (v["b"] + 1.0) - 2.0 / v["b"], False),
    "pow": (lambda: {"a": uniform(0.5, 2, 5), "b": randn(5)},
            lambda v: torch.pow(v["a"], v["b"]) + torch.pow(v["a"], 2.5), False),
    "minimum_maximum": (lambda: {"a": randn(6), "b": randn(6)},
                        lambda v: torch.minimum(v["a"], v["b"]) * 2 + torch.maximum(v["a"], v["b"]), False),
    "exp_log": (lambda: {"a": uniform(0.2, 2, 4)},
                lambda v: torch.exp(v["a"]) + torch.log(v["a"]) + torch.log1p(v["a"]), False),
    "sqrt_rsqrt_abs": (lambda: {"a": uniform(0.2, 2, 4), "b": randn(4)},
                       lambda v: torch.sqrt(v["a"]) + torch.rsqrt(v["a"]) + torch.abs(v["b"]), False),
    "tanh_sigmoid": (lambda: {"a": randn(3, 3)}, lambda v: torch.tanh(v["a"]) * torch.sigmoid(v["a"]), False),
    "relu_elu_softplus": (lambda: {"a": randn(8)},
                          lambda v: F.relu(v["a"]) + F.elu(v["a"], 0.8) + F.softplus(v["a"]), False),
    "square_clamp": (lambda: {"a": randn(8)},
                     lambda v: torch.square(v["a"]) + torch.clamp(v["a"], -0.5, 0.7), False),
    "where_masked_fill": (lambda: {"a": randn(3, 4), "b": randn(4), "m": mask(3, 4)},
                          lambda v: torch.where(v["m"], v["a"], v["b"]) + v["a"].masked_fill(v["m"], 2.0), False),
    "sum_mean_dims": (lambda: {"a": randn(3, 4)},
                      lambda v: v["a"].sum(1) * v["a"].mean(0, keepdim=True).sum() + v["a"].mean(), False),
    "var_std": (lambda: {"a": randn(4, 5)},
                lambda v: v["a"].var(1) + v["a"].std(1, unbiased=False) + v["a"].var(), False),
    "norm": (lambda: {"a": randn(6)}, lambda v: torch.norm(v["a"]) + torch.norm(v["a"], 1), False),
    "logsumexp": (lambda: {"a": randn(3, 5)}, lambda v: torch.logsumexp(v["a"], 1), False),
    "max_min_dim": (lambda: {"a": randn(4, 5)},
                    lambda v: v["a"].max(1).values + v["a"].min(0, keepdim=True).values.sum(), False),
    "max_all": (lambda: {"a": randn(4, 5)}, lambda v: v["a"].max() - v["a"].min(), False),
    "softmax_log_softmax": (lambda: {"a": randn(3, 4)},
                            lambda v: torch.softmax(v["a"], 1) * torch.log_softmax(v["a"], 0), False),
    "matmul": (lambda: {"a": randn(3, 4), "b": randn(4, 2), "c": randn(4)},
               lambda v: v["a"] @ v["b"] + (v["a"] @ v["c"]).unsqueeze(1), False),
    "bmm": (lambda: {"a": randn(2, 3, 4), "b": randn(2, 4, 2)}, lambda v: torch.bmm(v["a"], v["b"]), False),
    "linear": (lambda: {"x": randn(5, 4), "w": randn(3, 4), "b": randn(3)},
               lambda v: F.linear(v["x"], v["w"], v["b"]), False),
    "views": (lambda: {"a": randn(2, 3, 4)},
              lambda v: v["a"].transpose(0, 2).reshape(4, 6) * 2 + v["a"].permute(2, 0, 1).flatten(1), False),
    "slices": (lambda: {"a": randn(4, 6)},
               lambda v: v["a"][:, 1:5:2] * v["a"].narrow(0, 1, 2).sum() + v["a"].select(1, -1).unsqueeze(1), False),
    "cat_stack": (lambda: {"a": randn(2, 3), "b": randn(2, 3)},
                  lambda v: torch.cat([v["a"], v["b"] * 2], 1).sum(1) + (torch.stack([v["a"], v["b"]], 1) ** 2).sum(2).sum(1), False),
    "gather_index_select": (lambda: {"a": randn(4, 5), "i": randint(5, 4, 2), "r": randint(4, 3)},
                            lambda v: v["a"].gather(1, v["i"]).sum(1) + v["a"].index_select(0, v["r"]).sum(), False),
    "mse_loss": (lambda: {"a": randn(4, 3), "t": randn(4, 3)}, lambda v: F.mse_loss(v["a"], v["t"]), False),
    "smooth_l1_loss": (lambda: {"a": randn(8), "t": randn(8)},
                       lambda v: F.smooth_l1_loss(v["a"], v["t"], reduction="sum", beta=0.5), False),
    "huber_loss": (lambda: {"a": randn(8), "t": randn(8)},
                   lambda v: F.huber_loss(v["a"], v["t"], reduction="none", delta=0.7), False),
    "cross_entropy": (lambda: {"a": randn(5, 4), "y": randint(4, 5)}, lambda v: F.cross_entropy(v["a"], v["y"]), False),
    "nll_loss": (lambda: {"a": randn(5, 4), "y": randint(4, 5)},
                 lambda v: F.nll_loss(torch.log_softmax(v["a"], 1), v["y"], reduction="sum"), False),
    "layer_norm": (lambda: {"a": randn(3, 6), "w": randn(6), "b": randn(6)},
                   lambda v: F.layer_norm(v["a"], (6,), v["w"], v["b"]), False),
    "mlp_ppo_clipped": (
        lambda: {"obs": randn(6, 4), "w0": randn(8, 4) * 0.5, "b0": randn(8) * 0.1,
                 "w1": randn(2, 8) * 0.5, "b1": randn(2) * 0.1, "act": randint(2, 6),
                 "c_old_logp": -uniform(0.3, 1.0, 6), "c_adv": randn(6)},
        lambda v: ppo_loss(v), False),
    "dqn_huber_gather": (
        lambda: {"obs": randn(5, 4), "w0": randn(8, 4) * 0.5, "b0": randn(8) * 0.1,
                 "w1": randn(3, 8) * 0.5, "b1": randn(3) * 0.1, "act": randint(3, 5),
                 "c_next_q": randn(5, 3), "c_reward": randn(5), "c_done": (torch.rand(5, generator=GEN) > 0.7).double()},
        lambda v: dqn_loss(v), False),
    "gaussian_logprob_entropy": (
        lambda: {"mean": randn(4, 3), "log_std": randn(3) * 0.3, "c_action": randn(4, 3)},
        lambda v: gaussian(v), False),
    "categorical_masked": (
        lambda: {"logits": randn(4, 5), "m": torch.tensor([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 0, 0, 0, 1], [1, 1, 1, 1, 1]]).bool(),
                 "act": torch.tensor([0, 2, 4, 3])},
        lambda v: categorical(v), False),
    "mlp_ppo_clipped_f64": (
        lambda: {"obs": randn(6, 4), "w0": randn(8, 4) * 0.5, "b0": randn(8) * 0.1,
                 "w1": randn(2, 8) * 0.5, "b1": randn(2) * 0.1, "act": randint(2, 6),
                 "c_old_logp": -uniform(0.3, 1.0, 6), "c_adv": randn(6)},
        lambda v: ppo_loss(v), True),
    "dqn_huber_gather_f64": (
        lambda: {"obs": randn(5, 4), "w0": randn(8, 4) * 0.5, "b0": randn(8) * 0.1,
                 "w1": randn(3, 8) * 0.5, "b1": randn(3) * 0.1, "act": randint(3, 5),
                 "c_next_q": randn(5, 3), "c_reward": randn(5), "c_done": (torch.rand(5, generator=GEN) > 0.7).double()},
        lambda v: dqn_loss(v), True),
    "gaussian_logprob_entropy_f64": (
        lambda: {"mean": randn(4, 3), "log_std": randn(3) * 0.3, "c_action": randn(4, 3)},
        lambda v: gaussian(v), True),
}


def ppo_loss(v):
    # CleanRL's PPO: clipped surrogate (clip 0.2) minus 0.01 entropy, tanh MLP policy.
    h = torch.tanh(F.linear(v["obs"], v["w0"], v["b0"]))
    logits = F.linear(h, v["w1"], v["b1"])
    logp_all = torch.log_softmax(logits, 1)
    logp = logp_all.gather(1, v["act"].unsqueeze(1)).squeeze(1)
    ratio = torch.exp(logp - v["c_old_logp"])
    pg = torch.maximum(-v["c_adv"] * ratio, -v["c_adv"] * torch.clamp(ratio, 0.8, 1.2)).mean()
    entropy = -(torch.exp(logp_all) * logp_all).sum(1).mean()
    return pg - 0.01 * entropy


def dqn_loss(v):
    # DQN: Huber (smooth L1) on Q(s, a) against r + 0.99 (1 - done) max_a' Q_target(s', a').
    h = F.relu(F.linear(v["obs"], v["w0"], v["b0"]))
    q = F.linear(h, v["w1"], v["b1"])
    q_sa = q.gather(1, v["act"].unsqueeze(1)).squeeze(1)
    target = v["c_reward"] + 0.99 * (1 - v["c_done"]) * v["c_next_q"].max(1).values
    return F.smooth_l1_loss(q_sa, target)


def gaussian(v):
    std = torch.exp(v["log_std"])
    d = torch.distributions.Normal(v["mean"], std)
    return d.log_prob(v["c_action"]).sum(1) + 0.5 * d.entropy().sum(1)


def categorical(v):
    logits = v["logits"].masked_fill(~v["m"], -1e9)
    logp = torch.log_softmax(logits, 1)
    p_log_p = torch.where(v["m"], torch.exp(logp) * logp, torch.zeros_like(logp))
    return logp.gather(1, v["act"].unsqueeze(1)).squeeze(1) - p_log_p.sum(1)


def record_program(name, build, fn, f64):
    dtype = torch.float64 if f64 else torch.float32
    raw = build()
    inputs = {}
    for k, t in raw.items():
        if t.is_floating_point():
            t = t.to(dtype).detach().requires_grad_(not k.startswith("c_"))
        inputs[k] = t
    out = fn(inputs)
    seed = torch.ones_like(out) if out.numel() == 1 else randn(*out.shape).to(dtype)
    out.backward(seed)
    return {
        "name": name,
        "dtype": "float64" if f64 else "float32",
        "inputs": {k: encode(t) for k, t in inputs.items()},
        "seed": encode(seed),
        "output": encode(out),
        "grads": {k: encode(t.grad) for k, t in inputs.items() if t.is_floating_point() and t.grad is not None},
    }


OPTIMIZERS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum_wd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01),
    "adam_l2": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    # Centered RMSprop divides by sqrt(s - a^2). Weight decay 0.1 adds 0.1 * w (w ~ N(0, 1)) to
    # every gradient, so no gradient is a near-cancelling sum whose float32 rounding that small
    # denominator would amplify (with 0.01, torch's own float32 run drifted 7e-6 from float64).
    "rmsprop_centered_momentum": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-5, weight_decay=0.1, momentum=0.5, centered=True),
}


def optimizer_loss(w, b, x, t):
    # A small regression: mean((tanh(x W^T + b) - t)^2).
    return ((torch.tanh(F.linear(x, w, b)) - t) ** 2).mean()


def record_optimizer(name, make, w0, b0, x, t, dtype):
    w0, b0, x, t = (v.to(dtype) for v in (w0, b0, x, t))
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make([w, b])
    steps = []
    for _ in range(10):
        opt.zero_grad()
        optimizer_loss(w, b, x, t).backward()
        opt.step()
        steps.append({"w": encode(w), "b": encode(b)})
    return {"name": name, "w0": encode(w0), "b0": encode(b0), "x": encode(x), "t": encode(t),
            "steps": steps}


def main():
    programs = [record_program(name, *spec) for name, spec in PROGRAMS.items()]
    optimizers = []
    for name, make in OPTIMIZERS.items():
        data = (randn(3, 4), randn(3), randn(8, 4), randn(8, 3))
        for dtype in (torch.float32, torch.float64):
            optimizers.append(record_optimizer(name, make, *data, dtype))
    path = write_fixtures("fixtures.json", {"programs": programs, "optimizers": optimizers})
    print(f"wrote {len(programs)} programs and {len(optimizers)} optimizers to {path}")


if __name__ == "__main__":
    main()
