"""Rectangular space-time domains and the point samplers drawn from them.

A :class:`Box` is an axis-aligned product of intervals, one per named input
coordinate (``x``, ``y``, ``t``...). It samples interior collocation points and
points on faces (``t = 0`` for an initial condition, ``x = ±1`` for a boundary)
and builds tensor-product scoring grids. Everything here is plain numpy: the
samplers feed ``tf.data`` pipelines and the reference solvers alike.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import tensorflow as tf
from scipy.stats import qmc

from pinnzoo.errors import ProblemError


class Box:
    """Axis-aligned box ``Π_i [lo_i, hi_i]`` with named coordinates.

    Args:
        bounds: mapping ``name -> (lo, hi)``; its order is the order of the
            columns of every point array this box produces.
    """

    def __init__(self, bounds: Mapping[str, Sequence[float]]):
        if not bounds:
            raise ProblemError("a Box needs at least one coordinate")
        self.bounds = {}
        for name, pair in bounds.items():
            lo, hi = (float(v) for v in pair)
            if not np.isfinite([lo, hi]).all() or not lo < hi:
                raise ProblemError(f"bounds of {name!r} must be finite with lo < hi, got {pair}")
            self.bounds[str(name)] = (lo, hi)
        self.names = tuple(self.bounds)

    @property
    def dim(self) -> int:
        return len(self.names)

    @property
    def lower(self) -> np.ndarray:
        return np.array([lo for lo, _ in self.bounds.values()])

    @property
    def upper(self) -> np.ndarray:
        return np.array([hi for _, hi in self.bounds.values()])

    def sample(self, n: int, rng: np.random.Generator, fix: Mapping | None = None,
               method: str = "uniform") -> np.ndarray:
        """Draw ``n`` points, shape ``[n, dim]``.

        ``fix`` pins coordinates: ``{"t": 0.0}`` samples the initial slice,
        ``{"x": (-1.0, 1.0)}`` samples both faces ``x = -1`` and ``x = 1``
        (each point picks one of the listed values, in equal shares).
        ``method`` is ``"uniform"`` (i.i.d.) or ``"sobol"`` (scrambled Sobol').
        """
        fix = dict(fix or {})
        unknown = set(fix) - set(self.names)
        if unknown:
            raise ProblemError(f"cannot fix unknown coordinates {sorted(unknown)}; box has {self.names}")
        if method == "uniform":
            unit = rng.random((n, self.dim))
        elif method == "sobol":
            unit = qmc.Sobol(self.dim, scramble=True, seed=rng).random(n)
        else:
            raise ProblemError(f"unknown sampling method {method!r} (use 'uniform' or 'sobol')")
        pts = self.lower + unit * (self.upper - self.lower)
        for name, value in fix.items():
            values = np.atleast_1d(np.asarray(value, dtype=float))
            col = self.names.index(name)
            pts[:, col] = values[np.arange(n) % len(values)]
        return pts

    def grid(self, counts: Mapping[str, int] | None = None,
             axes: Mapping[str, np.ndarray] | None = None) -> tuple[np.ndarray, tuple[int, ...]]:
        """Tensor-product grid (``indexing="ij"`` in the box's coordinate order).

        Returns ``(points [N, dim], shape)``; ``shape`` has one entry per
        coordinate so that ``values.reshape(shape)`` gives the field.
        """
        axes = dict(axes or {})
        for name in self.names:
            if name not in axes:
                lo, hi = self.bounds[name]
                axes[name] = np.linspace(lo, hi, int((counts or {}).get(name, 101)))
        mesh = np.meshgrid(*[np.asarray(axes[n], dtype=float) for n in self.names], indexing="ij")
        shape = mesh[0].shape
        return np.stack([m.ravel() for m in mesh], axis=1), shape

    def contains(self, points: np.ndarray, atol: float = 1e-9) -> np.ndarray:
        return np.all((points >= self.lower - atol) & (points <= self.upper + atol), axis=1)

    def get_config(self) -> dict:
        return {name: list(pair) for name, pair in self.bounds.items()}


def sample_tf(box: Box, n: int, seed, fix: Mapping | None = None, dtype="float32"):
    """In-graph twin of :meth:`Box.sample` (uniform only) with a stateless seed ``[2]``.

    Used by ``tf.data`` pipelines that draw fresh collocation points every step
    without leaving the TensorFlow runtime.
    """
    fix = dict(fix or {})
    unit = tf.random.stateless_uniform((n, box.dim), seed=seed, dtype=dtype)
    cols = []
    for i, name in enumerate(box.names):
        lo, hi = box.bounds[name]
        if name in fix:
            values = tf.constant(np.atleast_1d(np.asarray(fix[name], dtype=float)), dtype=dtype)
            cols.append(tf.gather(values, tf.range(n) % tf.shape(values)[0])[:, None])
        else:
            cols.append(lo + unit[:, i:i + 1] * (hi - lo))
    return tf.concat(cols, axis=1)
