"""Observation and action spaces with Gymnasium's API: Discrete, Box and MultiDiscrete.

Sampling uses NumPy's ``default_rng`` the way Gymnasium's spaces do, so ``space.seed(s)`` then
``space.sample()`` gives Gymnasium's values. When the ``gymnasium`` package is importable, rein
builds ``gymnasium.spaces`` objects instead (see :func:`from_description`), so libraries that
check ``isinstance(space, gymnasium.spaces.Box)`` accept rein's envs.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Space", "Discrete", "Box", "MultiDiscrete", "from_description"]


class Space:
    """Base class: ``shape``, ``dtype``, ``seed()``, ``sample()``, ``contains()``."""

    def __init__(self, shape, dtype, seed=None):
        self._shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self._np_random = None
        if seed is not None:
            self.seed(seed)

    @property
    def shape(self):
        return self._shape

    @property
    def np_random(self) -> np.random.Generator:
        if self._np_random is None:
            self.seed()
        return self._np_random

    def seed(self, seed=None):
        """Seeds the sampler (``None``: from the OS); returns ``[seed]`` like Gymnasium."""
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed must be None or a non-negative int, got {seed!r}")
        self._np_random = np.random.default_rng(seed)
        return [seed]

    def __contains__(self, x):
        return self.contains(x)


class Discrete(Space):
    """The integers ``start, ..., start + n - 1``."""

    def __init__(self, n, start=0, seed=None):
        if int(n) <= 0:
            raise ValueError(f"Discrete: n must be positive, got {n}")
        self.n = np.int64(n)
        self.start = np.int64(start)
        super().__init__((), np.int64, seed)

    def sample(self, mask=None):
        if mask is not None:
            mask = np.asarray(mask, dtype=np.int8)
            valid = np.flatnonzero(mask == 1)
            if valid.size == 0:
                return self.start
            return self.start + np.int64(self.np_random.choice(valid))
        return self.start + np.int64(self.np_random.integers(self.n))

    def contains(self, x) -> bool:
        if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
            v = int(x)
        elif isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind in "iu":
            v = int(x)
        else:
            return False
        return bool(self.start <= v < self.start + self.n)

    def __repr__(self):
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"

    def __eq__(self, other):
        return isinstance(other, Discrete) and self.n == other.n and self.start == other.start


class Box(Space):
    """A box in R^shape with per-element bounds (which may be infinite)."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        dtype = np.dtype(dtype)
        if shape is None:
            shape = np.shape(low) if np.ndim(low) else np.shape(high)
        shape = tuple(int(d) for d in shape)
        self.low = np.broadcast_to(np.asarray(low, dtype=np.float64), shape).astype(dtype)
        self.high = np.broadcast_to(np.asarray(high, dtype=np.float64), shape).astype(dtype)
        if np.any(self.low > self.high):
            raise ValueError("Box: some low bound is above its high bound")
        self.bounded_below = -np.inf < self.low.astype(np.float64)
        self.bounded_above = np.inf > self.high.astype(np.float64)
        super().__init__(shape, dtype, seed)

    def is_bounded(self, manner="both") -> bool:
        below, above = bool(np.all(self.bounded_below)), bool(np.all(self.bounded_above))
        return {"both": below and above, "below": below, "above": above}[manner]

    def sample(self, mask=None):
        """Uniform on bounded dims, normal on unbounded, shifted exponential on half-bounded."""
        if mask is not None:
            raise ValueError("Box.sample: masks are not supported")
        rng = self.np_random
        high = self.high if self.dtype.kind == "f" else self.high.astype(np.int64) + 1
        sample = np.empty(self.shape)
        unbounded = ~self.bounded_below & ~self.bounded_above
        upper = ~self.bounded_below & self.bounded_above
        lower = self.bounded_below & ~self.bounded_above
        both = self.bounded_below & self.bounded_above
        sample[unbounded] = rng.normal(size=unbounded[unbounded].shape)
        sample[lower] = rng.exponential(size=lower[lower].shape) + self.low[lower]
        sample[upper] = -rng.exponential(size=upper[upper].shape) + high[upper]
        sample[both] = rng.uniform(low=self.low[both], high=high[both], size=both[both].shape)
        if self.dtype.kind in "iu":
            sample = np.floor(sample)
        return np.clip(sample, self.low, self.high).astype(self.dtype)

    def contains(self, x) -> bool:
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(np.can_cast(x.dtype, self.dtype) and x.shape == self.shape
                    and np.all(x >= self.low) and np.all(x <= self.high))

    def __repr__(self):
        def bound(b):
            return str(b.flat[0]) if np.all(b == b.flat[0]) else str(b)
        return f"Box({bound(self.low)}, {bound(self.high)}, {self.shape}, {self.dtype})"

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and self.dtype == other.dtype
                and np.array_equal(self.low, other.low) and np.array_equal(self.high, other.high))


class MultiDiscrete(Space):
    """A vector of independent discrete values, element i in ``[0, nvec[i])``."""

    def __init__(self, nvec, dtype=np.int64, seed=None):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        if self.nvec.size == 0 or np.any(self.nvec <= 0):
            raise ValueError("MultiDiscrete: nvec must be non-empty and positive")
        super().__init__(self.nvec.shape, dtype, seed)

    def sample(self, mask=None):
        if mask is not None:
            raise ValueError("MultiDiscrete.sample: masks are not supported")
        return (self.np_random.random(self.nvec.shape) * self.nvec).astype(self.dtype)

    def contains(self, x) -> bool:
        if isinstance(x, (list, tuple)):
            x = np.asarray(x)
        if not isinstance(x, np.ndarray) or x.shape != self.shape or x.dtype.kind not in "iu":
            return False
        return bool(np.all(x >= 0) and np.all(x < self.nvec))

    def __repr__(self):
        return f"MultiDiscrete({self.nvec})"

    def __eq__(self, other):
        return isinstance(other, MultiDiscrete) and np.array_equal(self.nvec, other.nvec)


def _gymnasium_spaces():
    try:
        from gymnasium import spaces  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return None
    return spaces


def from_description(d: dict):
    """The space a native description (kind and parameters) stands for: a ``gymnasium.spaces``
    object when Gymnasium is importable, else one of this module's classes."""
    ns = _gymnasium_spaces()
    kinds = ns if ns is not None else globals_namespace
    if d["kind"] == "Discrete":
        return kinds.Discrete(int(d["n"]), start=int(d["start"]))
    if d["kind"] == "Box":
        return kinds.Box(d["low"], d["high"], shape=tuple(d["shape"]), dtype=np.dtype(d["dtype"]))
    if d["kind"] == "MultiDiscrete":
        return kinds.MultiDiscrete(d["nvec"])
    raise ValueError(f"unknown space kind {d['kind']!r}")


class _Namespace:
    Discrete = Discrete
    Box = Box
    MultiDiscrete = MultiDiscrete


globals_namespace = _Namespace
