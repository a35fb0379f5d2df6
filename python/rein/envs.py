"""Environments with Gymnasium's API over rein's native envs.

``make(id)`` gives an :class:`Env` (``reset``/``step``/spaces/``render``/``close``/``spec``),
``make_vec(id, n)`` a :class:`VectorEnv` with batched NumPy arrays and Gymnasium 1.x's next-step
autoreset. When ``gymnasium`` is importable, :class:`Env` subclasses ``gymnasium.Env`` and
:class:`VectorEnv` ``gymnasium.vector.VectorEnv``, and the spaces are ``gymnasium.spaces``.

Copies: ``Env.reset``/``Env.step`` return a fresh observation array (the native env writes each
observation into one reused buffer, so a view would change under a caller that kept it).
``VectorEnv`` does the same by default (Gymnasium's ``copy=True``); with
``vector_kwargs={"copy": False}`` observations, terminated and truncated are read-only views of
the native batch buffers, without any copy, valid until the next ``step``/``reset``. Rewards are
always a new float64 array (rein computes float32; Gymnasium's vector envs return float64).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import _rein
from .spaces import from_description

try:  # optional: rein envs are gymnasium envs when Gymnasium is there
    import gymnasium as _gym
    from gymnasium.vector import VectorEnv as _GymVectorEnv
    from gymnasium.vector.utils import batch_space as _gym_batch_space
    _EnvBase, _VectorEnvBase = _gym.Env, _GymVectorEnv
except ImportError:
    _gym = None
    _EnvBase, _VectorEnvBase = object, object

__all__ = ["Env", "VectorEnv", "EnvSpec", "make", "make_vec", "load_plugin", "list_envs"]


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """What the registry knows about an id (Gymnasium's EnvSpec fields that rein has)."""

    id: str
    max_episode_steps: int | None = None
    reward_threshold: float | None = None
    kwargs: dict = dataclasses.field(default_factory=dict)
    nondeterministic: bool = False
    description: str = ""

    @staticmethod
    def _from(d):
        return None if d is None else EnvSpec(**d)


class _Closing:
    """``with`` closes the env; ``unwrapped`` is the env itself (rein's wrappers are native)."""

    @property
    def unwrapped(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Env(_Closing, _EnvBase):
    """One environment; create it with :func:`make`."""

    def __init__(self, native, render_mode=None):
        self._env = native
        self.observation_space = from_description(native.observation_space())
        self.action_space = from_description(native.action_space())
        self.spec = EnvSpec._from(native.spec())
        draws, text, fps = native.render_info()
        modes = (["rgb_array"] if draws else []) + (["ansi"] if text else [])
        self.metadata = {"render_modes": modes, "render_fps": fps}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            name = self.spec.id if self.spec else "this env"
            raise _rein.InvalidArgument(
                f"make: render_mode {render_mode!r} is not supported by {name} (supported: "
                f"{self.metadata['render_modes'] or 'none'}; rein draws no windows)")
        self.render_mode = render_mode
        self.reward_range = (-float("inf"), float("inf"))
        if type(self).step is Env.step:
            self.step = native.step  # the native call itself: no Python frame per step

    def reset(self, *, seed=None, options=None):
        """Starts an episode: ``(obs, info)``. A seed reseeds the env's generator as Gymnasium's
        ``reset(seed=...)`` does; without one the stream continues."""
        return self._env.reset(seed, options)

    def step(self, action):
        """``(obs, reward, terminated, truncated, info)``."""
        return self._env.step(action)

    def render(self):
        """The frame as an ``(H, W, 3)`` uint8 array (``render_mode="rgb_array"``), a text frame
        (``render_mode="ansi"``), else ``None``."""
        if self.render_mode == "rgb_array":
            return self._env.render_rgb()
        return self._env.render_text() if self.render_mode == "ansi" else None

    def close(self):
        """Frees the native env; later calls raise :class:`rein.Error`. Idempotent."""
        self._env.close()

    @property
    def state(self):
        """The physical state (Gymnasium's ``unwrapped.state``) as a list of floats."""
        return self._env.state()

    @state.setter
    def state(self, value):
        self._env.set_state([float(v) for v in np.ravel(value)])

    def __repr__(self):
        return f"<rein.Env {self.spec.id if self.spec else '?'}>"


def _batch_space(space, n):
    if _gym is not None:
        return _gym_batch_space(space, n)
    from . import spaces  # noqa: PLC0415
    if isinstance(space, spaces.Box):
        return spaces.Box(np.stack([space.low] * n), np.stack([space.high] * n), dtype=space.dtype)
    if isinstance(space, spaces.Discrete):
        return spaces.MultiDiscrete(np.full((n,), space.n))
    return spaces.MultiDiscrete(np.stack([space.nvec] * n))


def _gym_autoreset_mode(mode):
    # Gymnasium's wrappers read metadata["autoreset_mode"] as its AutoresetMode enum.
    try:
        from gymnasium.vector import AutoresetMode  # noqa: PLC0415
    except ImportError:
        return mode
    return AutoresetMode.NEXT_STEP if mode == "next_step" else AutoresetMode.SAME_STEP


_AUTORESET = {"next_step": "next_step", "nextstep": "next_step",
              "same_step": "same_step", "samestep": "same_step"}


class VectorEnv(_Closing, _VectorEnvBase):
    """``num_envs`` copies of an env stepped together; create it with :func:`make_vec`."""

    def __init__(self, native, autoreset_mode):
        self._env = native
        self.num_envs = native.num_envs()
        self.single_observation_space = from_description(native.observation_space())
        self.single_action_space = from_description(native.action_space())
        self.observation_space = _batch_space(self.single_observation_space, self.num_envs)
        self.action_space = _batch_space(self.single_action_space, self.num_envs)
        self.spec = EnvSpec._from(native.spec())
        self.autoreset_mode = autoreset_mode
        self.metadata = {"autoreset_mode": _gym_autoreset_mode(autoreset_mode)}
        self.render_mode = None
        self.closed = False
        self._same_step = autoreset_mode == "same_step"
        if not self._same_step and type(self).step is VectorEnv.step:
            self.step = native.step  # the native call itself: no Python frame per step

    def reset(self, *, seed=None, options=None):
        """``(obs, infos)``; with a seed, env i is reset with ``seed + i`` (as Gymnasium)."""
        if isinstance(seed, (list, tuple)):
            raise _rein.InvalidArgument("VectorEnv.reset: seed must be None or one int (env i "
                                        "gets seed + i); per-env seed lists are not supported")
        return self._env.reset(seed, options)

    def step(self, actions):
        """``(obs, rewards, terminated, truncated, infos)`` as batched arrays."""
        out = self._env.step(actions)
        if self._same_step and (out[2].any() or out[3].any()):
            self._add_final(out)
        return out

    def _add_final(self, out):
        # Gymnasium's same-step layout: infos["final_obs"] / ["final_info"] with "_" masks.
        done = out[2] | out[3]
        final = self._env.final_obs()
        infos = out[4]
        infos["final_obs"] = np.array([final[i] if done[i] else None for i in range(self.num_envs)],
                                      dtype=object)
        infos["_final_obs"] = done.copy()
        infos["final_info"] = np.array([self._env.final_info(i) if done[i] else None
                                        for i in range(self.num_envs)], dtype=object)
        infos["_final_info"] = done.copy()

    def render(self):
        return None

    def close(self, **kwargs):
        self._env.close()
        self.closed = True

    def __repr__(self):
        return f"<rein.VectorEnv {self.spec.id if self.spec else '?'} x{self.num_envs}>"


def make(id: str, *, render_mode=None, max_episode_steps=None, disable_env_checker=None,
         **kwargs) -> Env:
    """``gymnasium.make`` for rein: a built-in id, one from :func:`load_plugin`, or
    ``remote://HOST:PORT``. Keyword arguments are the env's own (``rein envs list`` shows them);
    ``max_episode_steps`` replaces the spec's time limit (``0`` removes it). ``wrappers`` wraps
    the env natively, innermost first: ``"ResizeObservation(shape=64x64),
    GrayscaleObservation(keep_dim=true)"`` (or a list of such strings); known are
    GrayscaleObservation, ResizeObservation, FrameSkip and FrameStackObservation."""
    if not isinstance(id, str):
        raise _rein.InvalidArgument(f"make: id must be a str, got {type(id).__name__}")
    if max_episode_steps is not None:
        kwargs["max_episode_steps"] = max_episode_steps
    return Env(_rein._make(id, kwargs), render_mode=render_mode)


def make_vec(id: str, num_envs: int = 1, vectorization_mode: str = "sync",
             vector_kwargs: dict | None = None, **kwargs) -> VectorEnv:
    """``gymnasium.make_vec`` for rein. ``vectorization_mode``: ``"sync"`` (one thread) or
    ``"threaded"`` (env i on worker i %% T; pays off for expensive envs). ``vector_kwargs``:
    ``copy`` (default True), ``autoreset_mode`` (``"next_step"``, the default, or
    ``"same_step"``; Gymnasium's ``AutoresetMode`` works too), ``num_threads`` (0: all cores)."""
    if not isinstance(id, str):
        raise _rein.InvalidArgument(f"make_vec: id must be a str, got {type(id).__name__}")
    if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
        raise _rein.InvalidArgument(f"make_vec: num_envs must be an int >= 1, got {num_envs!r}")
    vk = dict(vector_kwargs or {})
    copy = bool(vk.pop("copy", True))
    num_threads = int(vk.pop("num_threads", 0))
    mode = vk.pop("autoreset_mode", "next_step")
    mode = getattr(mode, "value", mode)  # gymnasium.vector.AutoresetMode
    autoreset = _AUTORESET.get(str(mode).lower())
    if autoreset is None:
        raise _rein.InvalidArgument(
            f"make_vec: autoreset_mode must be 'next_step' or 'same_step', got {mode!r}")
    if vk:
        raise _rein.InvalidArgument(f"make_vec: unknown vector_kwargs {sorted(vk)} (accepted: "
                                    "copy, autoreset_mode, num_threads)")
    if vectorization_mode == "async":
        raise _rein.InvalidArgument("make_vec: rein has no process-based 'async' mode; use "
                                    "'threaded' (native threads, no GIL) or 'sync'")
    native = _rein._make_vec(id, int(num_envs), str(vectorization_mode), num_threads, autoreset,
                             copy, kwargs)
    return VectorEnv(native, autoreset)


def load_plugin(path: str) -> list[str]:
    """Loads an env plug-in (a shared library, docs/CUSTOM_ENVS.md) and returns its env ids,
    which :func:`make` and :func:`make_vec` then accept."""
    return _rein._load_plugin(str(path))


def list_envs() -> list[EnvSpec]:
    """Every registered env (built-in and loaded plug-ins), sorted by id."""
    return [EnvSpec(**d) for d in _rein._env_specs()]
