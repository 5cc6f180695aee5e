"""The optimiser step shared by the solvers whose only trainable weights are their prior's."""

from __future__ import annotations

import keras
import tensorflow as tf


def mean_trackers(*names: str) -> dict:
    """One ``keras.metrics.Mean`` per logged quantity, by name."""
    return {name: keras.metrics.Mean(name=name) for name in names}


def prior_step(solver, trackers: dict, variables=None) -> dict:
    """One step of ``solver.optimizer`` on ``solver.prior``'s weights (or on ``variables``) for
    ``solver.total_loss(solver.loss_terms())``; updates the ``trackers`` of ``loss`` and of the terms they
    name, returns their results (the step's logs)."""
    with tf.GradientTape() as tape:
        terms = solver.loss_terms()
        loss = solver.total_loss(terms)
    variables = solver.prior.trainable_variables if variables is None else variables
    solver.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    for name, value in {**terms, "loss": loss}.items():
        if name in trackers:
            trackers[name].update_state(value)
    return {name: t.result() for name, t in trackers.items()}
