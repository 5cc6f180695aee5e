"""``tf.data`` pipelines of collocation points for :class:`~pinnzoo.solvers.PINNSolver`.

Each element is a dict: ``"residual"`` → interior points ``[n_residual, d]``,
one entry per active condition → points on its face, and optionally
``"data_x"``/``"data_y"`` → observations. With ``resample=True`` every element
is a fresh uniform draw made in-graph from a stateless seed (so the run is
reproducible and never leaves the TensorFlow runtime); otherwise one Sobol'
draw is repeated.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.geometry import Geometry
from pinnzoo.problems.domains import sample_tf


def normal_key(name: str) -> str:
    """The batch key of the outward normals of the boundary-part condition ``name`` (its points: ``name``)."""
    return name + "/normal"


def condition_points(domain, condition, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A condition's points (and, on a boundary part, their outward normals) as batch entries."""
    if condition.on is not None:
        points, normals = domain.sample_boundary(condition.n_points, rng, part=condition.on)
        return {condition.name: points, normal_key(condition.name): normals}
    if isinstance(domain, Geometry):  # a point constraint: every coordinate fixed
        point = [float(np.atleast_1d(condition.fix[n])[0]) for n in domain.names]
        return {condition.name: np.tile(point, (condition.n_points, 1))}
    return {condition.name: domain.sample(condition.n_points, rng, fix=condition.fix, method="uniform")}


def numpy_points(domain, conditions, n_residual: int, rng: np.random.Generator, method: str) -> dict:
    """Residual points and every condition's points, drawn with numpy."""
    batch = {"residual": domain.sample(n_residual, rng, method=method)}
    for c in conditions:
        batch.update(condition_points(domain, c, rng))
    return batch


def fixed_batch(solver, n_residual: int, seed: int = 0, method: str = "sobol", data=None,
                residual_points: np.ndarray | None = None) -> dict:
    """One batch of points (numpy sampling), as a dict of tensors in the solver's dtype.

    ``residual_points`` replaces the interior draw (e.g. RAD points).
    """
    rng = np.random.default_rng(seed)
    domain = solver.problem.domain
    dtype = solver.compute_dtype
    if residual_points is None:
        residual_points = domain.sample(n_residual, rng, method=method)
    batch = {"residual": tf.constant(residual_points, dtype=dtype)}
    for c in solver.conditions:
        batch.update({k: tf.constant(v, dtype=dtype) for k, v in condition_points(domain, c, rng).items()})
    if data is not None:
        batch["data_x"] = tf.constant(data[0], dtype=dtype)
        batch["data_y"] = tf.constant(data[1], dtype=dtype)
    return batch


def collocation_dataset(solver, n_residual: int, seed: int = 0, resample: bool = True,
                        data=None, start: int = 0) -> tf.data.Dataset:
    """An infinite dataset of point batches for ``solver.fit``: batch ``n`` is drawn from ``(seed, n)``
    alone, from ``n = start`` on (a resumed run starts where it stopped)."""
    if not resample:
        return tf.data.Dataset.from_tensors(fixed_batch(solver, n_residual, seed, data=data)).repeat()
    box = solver.problem.domain
    dtype = solver.compute_dtype
    conditions = list(solver.conditions)
    extra = {}
    if data is not None:
        extra = {"data_x": tf.constant(data[0], dtype=dtype), "data_y": tf.constant(data[1], dtype=dtype)}
    if isinstance(box, Geometry):
        return geometry_dataset(box, conditions, n_residual, seed, dtype, extra, start)

    def draw(step):
        base = tf.stack([tf.constant(seed, tf.int64), step])
        batch = {"residual": sample_tf(box, n_residual, base, dtype=dtype)}
        for k, c in enumerate(conditions):
            batch[c.name] = sample_tf(box, c.n_points, base + [0, (k + 1) * 1_000_003_000], fix=c.fix, dtype=dtype)
        batch.update(extra)
        return batch

    return tf.data.Dataset.counter(start=int(start)).map(draw, num_parallel_calls=1).prefetch(4)


def geometry_dataset(domain, conditions, n_residual: int, seed: int, dtype, extra: dict, start: int) -> tf.data.Dataset:
    """Fresh points every batch on a geometry (rejection sampling, in numpy): batch ``n`` from ``(seed, n)``."""
    shapes = {k: v.shape for k, v in numpy_points(domain, conditions, n_residual, np.random.default_rng(0),
                                                  "uniform").items()}
    keys = list(shapes)
    tf_dtype = tf.as_dtype(dtype)

    def draw(step):
        batch = numpy_points(domain, conditions, n_residual, np.random.default_rng([seed, int(step)]), "uniform")
        return [batch[k].astype(tf_dtype.as_numpy_dtype) for k in keys]

    def to_dict(step):
        values = tf.numpy_function(draw, [step], [tf_dtype] * len(keys), stateful=False)
        batch = {k: tf.ensure_shape(v, shapes[k]) for k, v in zip(keys, values)}  # static: XLA needs them
        return {**batch, **extra}

    return tf.data.Dataset.counter(start=int(start)).map(to_dict, num_parallel_calls=1).prefetch(4)


def residual_adaptive_points(solver, n: int, seed: int = 0, k: float = 1.0, c: float = 1.0,
                             candidates: int = 65536, chunk: int = 16384) -> np.ndarray:
    r"""Residual-based adaptive distribution (RAD) of collocation points.

    Draws ``candidates`` uniform points, evaluates the PDE residual there and
    keeps ``n`` of them without replacement with probability

    .. math::  p(x) \propto \frac{|r(x)|^k}{\mathrm{mean}\,|r|^k} + c,

    so a share of points follows the residual (steep fronts, shocks) while
    ``c`` keeps the rest of the domain covered. ``k = 0`` is uniform sampling.

    Paper: C. Wu, M. Zhu, Q. Tan, Y. Kartha, L. Lu, "A comprehensive study of
    non-adaptive and residual-based adaptive sampling for physics-informed
    neural networks", Comput. Methods Appl. Mech. Eng. 403 (2023) 115671.
    """
    if n > candidates:
        raise ValueError(f"need candidates >= n, got {candidates} < {n}")
    rng = np.random.default_rng(seed)
    pts = solver.problem.domain.sample(candidates, rng)
    total = np.zeros(candidates)
    for i in range(0, candidates, chunk):
        terms = solver.problem.residual_terms(
            solver.fields(pts[i:i + chunk], solver.problem.derivatives), solver.params())
        total[i:i + chunk] = sum(np.abs(v.numpy()[:, 0]).astype(np.float64) for v in terms.values())
    weight = total ** k
    density = weight / max(weight.mean(), 1e-300) + c
    density = np.where(np.isfinite(density), density, c)
    keep = rng.choice(candidates, size=n, replace=False, p=density / density.sum())
    return pts[keep]
