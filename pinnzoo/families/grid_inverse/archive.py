"""The grid-inverse family's SavedModel: the recovered coefficient ``a`` and the PDE solution ``u`` it gives."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.export import FORMAT_VERSION, prior_record, versions, write_atomically


class _StoredArrays(keras.layers.Layer):
    """Named fixed arrays, as non-trainable weights."""

    def __init__(self, arrays: dict, **kwargs):
        super().__init__(**kwargs)
        self.arrays = {k: self.add_weight(shape=v.shape, name=k, trainable=False,
                                          initializer=keras.initializers.Constant(v)) for k, v in arrays.items()}
        self.built = True


def export_coefficient_solver(solver, directory, metadata: dict, family: str = "grid_inverse", files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.CoefficientSolver`'s recovered coefficient ``a`` and the PDE
    solution ``u`` it gives as a SavedModel (``serving_default`` → ``a``, ``u`` ``[m, m]``, ``x``, ``y``)."""
    problem = solver.problem
    xy = problem.coordinates()
    stored = _StoredArrays({"a": solver.solution().astype(np.float32), "u": solver.state().astype(np.float32),
                            "x": xy[0, :, 0].astype(np.float32), "y": xy[:, 0, 1].astype(np.float32)},
                           name="stored_coefficient")

    @tf.function(input_signature=[])
    def serve():
        return {k: tf.identity(v) for k, v in stored.arrays.items()}

    archive = keras.export.ExportArchive()
    archive.track(stored)
    archive.add_endpoint("serving_default", serve)
    meta = {
        "format": "pinnzoo-savedmodel", "format_version": FORMAT_VERSION, "family": family,
        "problem": problem.name, "title": problem.title, "params": problem.params,
        "grid_shape": list(solver.grid_shape), "outputs": ["a", "u"],
        "prior": prior_record(solver.prior),
        "loss": solver.loss_name,
        "signatures": {"serving_default": {"inputs": [], "outputs": ["a [m, m]", "u [m, m]", "x [m]", "y [m]"]}},
        "versions": versions(),
        **metadata,
    }
    return write_atomically(directory, archive, meta, [solver.prior], files)
