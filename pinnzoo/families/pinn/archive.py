"""The PINN family's SavedModel: ``serving_default`` (points), ``coordinates`` (one tensor per coordinate),
``residual`` and, for inverse problems, ``coefficients`` (:mod:`pinnzoo.export` writes it atomically)."""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from pinnzoo.export import FORMAT_VERSION, prior_record, versions, write_atomically


def _cast_out(d):
    return {k: tf.cast(v, tf.float32) for k, v in d.items()}


def _archive(solver) -> keras.export.ExportArchive:
    problem = solver.problem
    n_in = len(problem.inputs)
    dtype = solver.compute_dtype
    archive = keras.export.ExportArchive()
    # The endpoints capture every variable they use; track() would store each one a second time.

    def split(y):
        return {name: y[:, j:j + 1] for j, name in enumerate(problem.outputs)}

    @tf.function(input_signature=[tf.TensorSpec([None, n_in], tf.float32, name="inputs")])
    def points(inputs):
        return _cast_out(split(solver(tf.cast(inputs, dtype))))

    coords = problem.coordinate_inputs
    if problem.parameter_inputs:  # serving_default(inputs [batch, coordinates], one [batch, 1] per parameter)
        @tf.function(input_signature=[tf.TensorSpec([None, len(coords)], tf.float32, name="inputs")]
                     + [tf.TensorSpec([None, 1], tf.float32, name=n) for n in problem.parameter_inputs])
        def serve(inputs, *params):
            given = {n: inputs[:, i:i + 1] for i, n in enumerate(coords)}
            given.update(zip(problem.parameter_inputs, params))
            return points(tf.concat([given[n] for n in problem.inputs], axis=1))

        archive.add_endpoint("points", points)
    else:
        serve = points

    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32, name=n) for n in problem.inputs])
    def coordinates(*cols):
        return _cast_out(split(solver(tf.cast(tf.concat(cols, axis=1), dtype))))

    @tf.function(input_signature=[tf.TensorSpec([None, n_in], tf.float32, name="inputs")])
    def residual(inputs):
        return _cast_out(solver.residual(tf.cast(inputs, dtype)))

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("coordinates", coordinates)
    archive.add_endpoint("residual", residual)
    if solver.coefficients:
        @tf.function(input_signature=[])
        def coefficients():
            return {k: tf.cast(v, tf.float32) for k, v in solver.coefficients.items()}

        archive.add_endpoint("coefficients", coefficients)
    return archive


def export_solver(solver, directory, metadata: dict, files=None) -> Path:
    """Write ``solver`` as a SavedModel with ``pinnzoo.json`` (and ``files``, name → bytes) at ``directory``
    (atomically)."""
    problem = solver.problem
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": "pinn",
        **problem.describe(),
        "signatures": {
            "serving_default": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                                "outputs": list(problem.outputs)},
            "coordinates": {"inputs": list(problem.inputs), "outputs": list(problem.outputs)},
            "residual": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                         "outputs": sorted(solver.residual(tf.zeros((1, len(problem.inputs)))).keys())},
        },
        "identified_params": {k: float(v.numpy()) for k, v in solver.coefficients.items()},
        "prior": prior_record(solver.parts()[0].prior),
        "versions": versions(),
        **metadata,
    }
    if problem.parameter_inputs:  # a parametric solver: the parameters are served as separate tensors
        coords = problem.coordinate_inputs
        meta["signatures"]["serving_default"] = {
            "inputs": f"inputs [batch, {len(coords)}] float32 ({', '.join(coords)}); "
            + "; ".join(f"{n} [batch, 1] float32" for n in problem.parameter_inputs), "outputs": list(problem.outputs)}
        meta["signatures"]["points"] = {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                                        "outputs": list(problem.outputs)}
        meta["point_signature"] = "points"
    return write_atomically(directory, _archive(solver), meta, [part.prior for part in solver.parts()], files)
