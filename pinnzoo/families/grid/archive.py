"""The grid families' SavedModel: the solved field (``serving_default``), values anywhere by bilinear
interpolation (``query``) and, for a marching solve, every step (``trajectory``)."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.export import FORMAT_VERSION, prior_record, versions, write_atomically
from pinnzoo.grids.interpolation import bilinear


class _StoredField(keras.layers.Layer):
    """The solved grid field with its zero boundary values and the axes it lives on, as weights."""

    def __init__(self, padded, xs, ys, **kwargs):
        super().__init__(**kwargs)
        self.padded = self.add_weight(shape=padded.shape, name="field", trainable=False,
                                      initializer=keras.initializers.Constant(padded))
        self.xs = self.add_weight(shape=xs.shape, name="x", trainable=False, initializer=keras.initializers.Constant(xs))
        self.ys = self.add_weight(shape=ys.shape, name="y", trainable=False, initializer=keras.initializers.Constant(ys))
        self.built = True


class _StoredTrajectory(keras.layers.Layer):
    """The fields after every time step, as one weight."""

    def __init__(self, fields, **kwargs):
        super().__init__(**kwargs)
        self.fields = self.add_weight(shape=fields.shape, name="trajectory", trainable=False,
                                      initializer=keras.initializers.Constant(fields))
        self.built = True


def _grid_archive(problem, field, trajectory=None) -> keras.export.ExportArchive:
    xs, ys = problem.extended_axes()
    padded = np.pad(field, 1).astype(np.float32)
    stored = _StoredField(padded, xs.astype(np.float32), ys.astype(np.float32), name="stored_field")
    archive = keras.export.ExportArchive()
    if trajectory is not None:
        steps = _StoredTrajectory(np.asarray(trajectory, np.float32), name="stored_trajectory")

        @tf.function(input_signature=[])
        def fields():
            return {"u": tf.identity(steps.fields)}

        archive.add_endpoint("trajectory", fields)

    @tf.function(input_signature=[])
    def serve():
        return {"u": tf.identity(stored.padded[1:-1, 1:-1]), "x": stored.xs[1:-1], "y": stored.ys[1:-1]}

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="inputs")])
    def query(inputs):
        return {"u": bilinear(stored.padded, stored.xs, stored.ys, inputs)[:, None]}

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("query", query)
    return archive


def export_grid_solver(solver, directory, metadata: dict, trajectory=None, family: str = "grid", files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.GridSolver`'s field as a SavedModel with ``pinnzoo.json``
    (with ``trajectory [steps, ny, nx]``, the fields after every time step of a marching solve, also served)."""
    problem = solver.problem
    signatures = {"serving_default": {"inputs": [], "outputs": ["u [ny, nx]", "x [nx]", "y [ny]"]},
                  "query": {"inputs": "inputs [batch, 2] float32 (x, y)", "outputs": ["u"]}}
    if trajectory is not None:
        signatures["trajectory"] = {"inputs": [], "outputs": ["u [steps, ny, nx]"]}
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": family,
        "problem": problem.name, "title": problem.title, "params": problem.params,
        "grid_shape": list(solver.grid_shape), "inputs": ["x", "y"], "outputs": ["u"],
        "point_signature": "query",
        "prior": prior_record(solver.prior),
        "loss": solver.loss_name,
        "signatures": signatures,
        "versions": versions(),
        **metadata,
    }
    return write_atomically(directory, _grid_archive(problem, solver.solution(), trajectory), meta, [solver.prior],
                             files)
