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

from pinnzoo.problems.domains import sample_tf


def fixed_batch(solver, n_residual: int, seed: int = 0, method: str = "sobol", data=None) -> dict:
    """One batch of points (numpy sampling), as a dict of tensors in the solver's dtype."""
    rng = np.random.default_rng(seed)
    box = solver.problem.domain
    dtype = solver.compute_dtype
    batch = {"residual": tf.constant(box.sample(n_residual, rng, method=method), dtype=dtype)}
    for c in solver.conditions:
        batch[c.name] = tf.constant(box.sample(c.n_points, rng, fix=c.fix, method="uniform"), dtype=dtype)
    if data is not None:
        batch["data_x"] = tf.constant(data[0], dtype=dtype)
        batch["data_y"] = tf.constant(data[1], dtype=dtype)
    return batch


def collocation_dataset(solver, n_residual: int, seed: int = 0, resample: bool = True,
                        data=None) -> tf.data.Dataset:
    """An infinite dataset of point batches for ``solver.fit``."""
    if not resample:
        return tf.data.Dataset.from_tensors(fixed_batch(solver, n_residual, seed, data=data)).repeat()
    box = solver.problem.domain
    dtype = solver.compute_dtype
    conditions = list(solver.conditions)
    extra = {}
    if data is not None:
        extra = {"data_x": tf.constant(data[0], dtype=dtype), "data_y": tf.constant(data[1], dtype=dtype)}

    def draw(step):
        base = tf.stack([tf.constant(seed, tf.int64), step])
        batch = {"residual": sample_tf(box, n_residual, base, dtype=dtype)}
        for k, c in enumerate(conditions):
            batch[c.name] = sample_tf(box, c.n_points, base + [0, (k + 1) * 1_000_003_000], fix=c.fix, dtype=dtype)
        batch.update(extra)
        return batch

    return tf.data.Dataset.counter().map(draw, num_parallel_calls=1).prefetch(4)
