"""Records PyTorch values and gradients of gSDE (generalized state-dependent exploration, the
semantics of Stable-Baselines3's StateDependentNoiseDistribution) into gsde_fixtures.json;
tests/parity/gsde_parity_test.cpp rebuilds each case with rein::distributions and compares
(float32 to 1e-5, float64 to 1e-10). CI needs no PyTorch.

Run with Debian's torch:  /usr/bin/python3 tests/parity/generate_gsde.py

Each case draws mean (B, A), log_std (F, A) or (F, 1), latent features (B, F), actions and the
standard normal draws of the exploration matrices, then computes one (B) output:
  log_prob(actions) [+ entropy when not squashed]
  + sum_j sample_j with one exploration matrix per row (B matrices)
  + 0.5 sum_j sample_j with the single matrix
and its gradient for a stored random seed, with respect to mean, log_std and (learn_features)
latent.

The "sac_cases" follow SAC's actor with gSDE (Stable-Baselines3's SAC Actor, use_sde): latent
z = tanh(obs W1^T + b1) feeds both the mean, Hardtanh-clipped to [-2, 2], and the noise
(learn_features); one exploration matrix W = std * eps for the batch; actions tanh(mean + z W);
output log_prob(actions) + sum_j actions_j, with gradients for W1, b1, Wm, bm and log_std.
"""

from parity_io import encode, write_fixtures  # before torch: it pins the BLAS kernels

import torch

GEN = torch.Generator().manual_seed(2005)  # arXiv:2005.05719
EPSILON = 1e-6


def randn(*shape):
    return torch.randn(*shape, generator=GEN, dtype=torch.float64)


def get_std(log_std, action_dim, use_expln):
    if use_expln:
        below = torch.exp(log_std) * (log_std <= 0)
        safe = log_std * (log_std > 0) + EPSILON
        std = below + (torch.log1p(safe) + 1.0) * (log_std > 0)
    else:
        std = torch.exp(log_std)
    # (F, 1) broadcasts over the actions when full_std is off.
    return torch.ones(log_std.shape[0], action_dim, dtype=log_std.dtype) * std


def program(v, full_std, use_expln, squash, learn_features):
    mean, log_std = v["mean"], v["log_std"]
    latent = v["latent"] if learn_features else v["latent"].detach()
    action_dim = mean.shape[1]
    std = get_std(log_std, action_dim, use_expln)
    gaussian = torch.distributions.Normal(mean, torch.sqrt(latent ** 2 @ std ** 2 + EPSILON))
    actions = v["c_actions"]
    if squash:
        eps = torch.finfo(actions.dtype).eps
        a = actions.clamp(-1.0 + eps, 1.0 - eps)
        u = 0.5 * (a.log1p() - (-a).log1p())
        out = gaussian.log_prob(u).sum(1) - torch.log(1.0 - torch.tanh(u) ** 2 + EPSILON).sum(1)
    else:
        out = gaussian.log_prob(actions).sum(1) + gaussian.entropy().sum(1)
    # Reparameterised exploration matrices W = std * eps.
    w_single = std * v["c_eps_single"]
    w_batch = std.unsqueeze(0) * v["c_eps_batch"]
    noise_rows = torch.bmm(latent.unsqueeze(1), w_batch).squeeze(1)
    noise_single = latent @ w_single
    squash_fn = torch.tanh if squash else (lambda x: x)
    return out + squash_fn(mean + noise_rows).sum(1) + 0.5 * squash_fn(mean + noise_single).sum(1)


CASES = [
    # name, B, F, A, full_std, use_expln, squash, learn_features
    ("default", 4, 5, 2, True, False, False, False),
    ("learn_features", 4, 5, 2, True, False, False, True),
    ("shared_std", 3, 4, 3, False, False, False, False),
    ("expln", 4, 5, 2, True, True, False, True),
    ("squashed", 4, 5, 2, True, False, True, False),
    ("squashed_expln_shared_learned", 3, 6, 2, False, True, True, True),
]


SAC_CASES = [
    # name, B, D, F, A, full_std, use_expln
    ("sac_gsde", 4, 3, 5, 2, True, False),
    ("sac_gsde_shared_expln", 3, 2, 4, 2, False, True),
]


def sac_program(v, full_std, use_expln):
    z = torch.tanh(v["c_obs"] @ v["w1"].T + v["b1"])
    mean = torch.nn.functional.hardtanh(z @ v["wm"].T + v["bm"], -2.0, 2.0)
    std = get_std(v["log_std"], mean.shape[1], use_expln)
    gaussian = torch.distributions.Normal(mean, torch.sqrt(z ** 2 @ std ** 2 + EPSILON))
    actions = torch.tanh(mean + z @ (std * v["c_eps_single"]))
    eps = torch.finfo(actions.dtype).eps
    a = actions.clamp(-1.0 + eps, 1.0 - eps)
    u = 0.5 * (a.log1p() - (-a).log1p())
    log_prob = gaussian.log_prob(u).sum(1) - torch.log(1.0 - torch.tanh(u) ** 2 + EPSILON).sum(1)
    return log_prob + actions.sum(1)


def record_sac(case, dtype):
    name, b, d, f, a, full_std, use_expln = case
    raw = {
        "c_obs": randn(b, d),
        "w1": randn(f, d) * 0.7,
        "b1": randn(f) * 0.3,
        "wm": randn(a, f) * 0.5,
        # The first action's mean lies beyond the clip.
        "bm": torch.tensor([3.5] + [0.1] * (a - 1), dtype=torch.float64),
        "log_std": (randn(f, a if full_std else 1) * 0.4 - 0.6).clamp(-1.5, -0.05),
        "c_eps_single": randn(f, a),
    }
    inputs = {k: t.to(dtype).detach().requires_grad_(not k.startswith("c_")) for k, t in raw.items()}
    out = sac_program(inputs, full_std, use_expln)
    seed = randn(b).to(dtype)
    out.backward(seed)
    return {
        "name": name + ("_f64" if dtype == torch.float64 else ""),
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "options": {"full_std": full_std, "use_expln": use_expln},
        "inputs": {k: encode(t) for k, t in inputs.items()},
        "seed": encode(seed),
        "output": encode(out),
        "grads": {k: encode(t.grad) for k, t in inputs.items() if not k.startswith("c_")},
    }


def record(case, dtype):
    name, b, f, a, full_std, use_expln, squash, learn_features = case
    raw = {
        "mean": randn(b, a) * 0.5,
        # Both signs, away from 0 where expln switches branch.
        "log_std": (randn(f, a if full_std else 1) * 0.6).clamp(-1.5, 1.5) + 0.05,
        "latent": torch.tanh(randn(b, f)),
        "c_actions": torch.tanh(randn(b, a)) * 0.95 if squash else randn(b, a),
        "c_eps_single": randn(f, a),
        "c_eps_batch": randn(b, f, a),
    }
    inputs = {k: t.to(dtype).detach().requires_grad_(not k.startswith("c_")) for k, t in raw.items()}
    out = program(inputs, full_std, use_expln, squash, learn_features)
    seed = randn(b).to(dtype)
    out.backward(seed)
    return {
        "name": name + ("_f64" if dtype == torch.float64 else ""),
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "options": {"full_std": full_std, "use_expln": use_expln, "squash_output": squash,
                    "learn_features": learn_features},
        "inputs": {k: encode(t) for k, t in inputs.items()},
        "seed": encode(seed),
        "output": encode(out),
        "grads": {k: encode(t.grad) for k, t in inputs.items()
                  if not k.startswith("c_") and t.grad is not None},
    }


def main():
    cases = [record(case, dtype) for case in CASES for dtype in (torch.float32, torch.float64)]
    sac_cases = [record_sac(case, dtype) for case in SAC_CASES
                 for dtype in (torch.float32, torch.float64)]
    path = write_fixtures("gsde_fixtures.json", {"cases": cases, "sac_cases": sac_cases})
    print(f"wrote {len(cases)} gSDE cases and {len(sac_cases)} SAC cases to {path}")


if __name__ == "__main__":
    main()
