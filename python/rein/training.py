"""Training and evaluation with rein's native algorithms, from Python:

    result = rein.train("ppo", "CartPole-v1", steps=50_000, seed=0, db="runs.db")
    print(result.final_eval.mean_return, result.checkpoint)
    policy = rein.load_policy(result.checkpoint)
    actions = policy(observations)          # a batch (B, *obs_shape) -> (B,) or (B, A)
    print(rein.evaluate(result.checkpoint, episodes=20).mean_return)

``train`` runs exactly like ``rein train`` for a new run (the preset of the algorithm and env,
then your overrides; the run, its metrics and checkpoints in ``db``), without holding the GIL.
Ctrl-C stops it after the current iteration: the run is recorded as interrupted with a
checkpoint, then ``KeyboardInterrupt`` is raised.
"""
from __future__ import annotations

import dataclasses
import os
import sys

from . import _rein

__all__ = ["EvalResult", "RunResult", "train", "evaluate", "load_policy", "Policy"]


@dataclasses.dataclass(frozen=True)
class EvalResult:
    mean_return: float
    std_return: float
    returns: list
    lengths: list
    success_rate: float | None = None
    warning: str = ""


@dataclasses.dataclass(frozen=True)
class RunResult:
    run_id: int
    run_name: str
    global_step: int
    wall_seconds: float
    interrupted: bool
    checkpoint: str
    final_eval: EvalResult | None


def train(algo: str, env_id: str, *, steps: int | None = None, seed: int | None = None,
          db: str = "rein.db", name: str = "", experiment: str = "default", tags=(),
          n_envs: int | None = None, env_kwargs: dict | None = None,
          checkpoint_dir: str | None = None, log_interval: int | None = None,
          **overrides) -> RunResult:
    """Trains ``algo`` (``rein train --help`` lists them) on ``env_id`` and records the run.
    ``overrides`` are settings by name (``learning_rate=1e-3``, ``rein presets show`` lists
    them); ``steps``, ``seed`` and ``n_envs`` are shorthands for total_timesteps, seed, n_envs.
    ``log_interval`` (env steps, default 100; 0: every iteration) is how often the losses and
    other update metrics are written, each averaged over the interval."""
    for key, value in (("total_timesteps", steps), ("seed", seed), ("n_envs", n_envs),
                       ("log_interval", log_interval)):
        if value is not None:
            overrides[key] = value
    command = " ".join([os.path.basename(sys.executable)] + sys.argv)
    d = _rein._train(algo, env_id, overrides, dict(env_kwargs or {}), os.fspath(db), name,
                     experiment, list(tags), os.fspath(checkpoint_dir or ""), command)
    final = d.pop("final_eval")
    if d["checkpoint"]:
        d["checkpoint"] = os.path.abspath(d["checkpoint"])
    return RunResult(final_eval=EvalResult(**final) if final else None, **d)


def evaluate(checkpoint, episodes: int = 100, *, seed: int = 0, deterministic: bool = True,
             env_id: str = "") -> EvalResult:
    """Plays ``episodes`` episodes with a trained agent (deterministic actions by default; env i
    of the evaluation reset with ``seed + i``) on the env it was trained on, or ``env_id``."""
    if isinstance(checkpoint, RunResult):
        checkpoint = checkpoint.checkpoint
    return EvalResult(**_rein._evaluate(os.fspath(checkpoint), int(episodes), int(seed),
                                        bool(deterministic), env_id))


class Policy:
    """A trained agent as a callable: ``policy(obs)`` gives actions for one observation or a
    batch (B, *obs_shape), deterministic unless ``deterministic=False``."""

    def __init__(self, native):
        self._policy = native
        self.algorithm = native.algorithm
        self.env_id = native.env_id
        self.global_step = native.global_step
        self.checkpoint = native.checkpoint

    def __call__(self, obs, deterministic: bool = True):
        return self._policy(obs, deterministic)

    def __repr__(self):
        return f"<rein.Policy {self.algorithm} on {self.env_id} at step {self.global_step}>"


def load_policy(checkpoint) -> Policy:
    """Loads a checkpoint written by training (``rein train`` or :func:`train`)."""
    if isinstance(checkpoint, RunResult):
        checkpoint = checkpoint.checkpoint
    return Policy(_rein._Policy(os.fspath(checkpoint)))
