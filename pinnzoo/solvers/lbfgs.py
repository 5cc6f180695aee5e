"""Quasi-Newton refinement of a solver's weights: scipy's L-BFGS-B, or a dense method of :mod:`pinnzoo.optimizers`.

Adam finds the basin; a quasi-Newton method then drives a PINN loss down by
orders of magnitude (Raissi et al. 2019 train with L-BFGS alone). The loss and
its gradient over *all* trainable variables are evaluated by one compiled
function on a fixed batch of points; the method (``method``: a name of
:data:`~pinnzoo.optimizers.QUASI_NEWTON` — ``lbfgs``, ``bfgs``, ``ssbfgs``,
``ssbroyden`` — or a :class:`~pinnzoo.optimizers.QuasiNewtonMethod`) drives it
in float64 on the host. Progress goes through Keras
callbacks: every ``log_every`` iterations is an "epoch" whose logs (total loss,
each term, trainable coefficients) reach ``History``, ``ProgbarLogger`` and
any user callback; a callback setting ``model.stop_training`` ends the run.
The weights with the lowest finite loss seen are the ones left in the model.

scipy's BLAS threads are limited to one while it runs: their busy-waiting
otherwise competes with TensorFlow's threads and, on a 2-core machine, made
each evaluation about 1.7× slower (29 ms vs 17 ms on the Burgers preset).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from threadpoolctl import threadpool_limits

from pinnzoo.optimizers import get_method


def flat_value_and_gradient(solver, batch, jit_compile: bool, gather: bool = False):
    """``(value_and_grad(flat) -> (loss, flat gradient), get_flat() -> flat weights)``: the solver's total loss
    on ``batch`` as a function of all its trainable weights in one vector (what L-BFGS-B drives).

    Built under a ``tf.distribute`` strategy of several replicas, the evaluation runs in the cross-replica
    context, on one device and the whole batch; with ``gather=True`` the batch is cut into one equal shard per
    replica instead, each replica evaluates its shard's loss and gradient, and the two are summed across
    replicas (:func:`replica_loss_and_gradients`)."""
    variables = solver.trainable_variables
    shapes = [tuple(v.shape) for v in variables]
    sizes = [int(np.prod(s)) for s in shapes]
    loss_and_gradients = _local_loss_and_gradients
    if gather and solver.distribute_strategy.num_replicas_in_sync > 1:
        loss_and_gradients = replica_loss_and_gradients(solver, batch)

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def value_and_grad(flat):
        for v, piece, shape in zip(variables, tf.split(flat, sizes), shapes):
            v.assign(tf.reshape(tf.cast(piece, v.dtype), shape))
        loss, grads, terms = loss_and_gradients(solver, batch, variables)
        flat_grad = tf.concat([tf.reshape(tf.cast(g, tf.float64), [-1]) for g in grads], axis=0)
        return tf.cast(loss, tf.float64), flat_grad, terms

    def get_flat():
        return np.concatenate([np.asarray(v.numpy(), dtype=np.float64).ravel() for v in variables])

    return value_and_grad, get_flat


def _local_loss_and_gradients(solver, batch, variables):
    with tf.GradientTape() as tape:
        terms = solver.loss_terms(batch)
        loss = solver.total_loss(terms)
    return loss, tape.gradient(loss, variables), terms


def replica_loss_and_gradients(solver, batch: dict):
    """A function ``(solver, batch, variables) -> (loss, gradients, terms)`` that evaluates one equal shard
    of ``batch`` per replica of the solver's strategy (:func:`~pinnzoo.distribute.shard`) and sums
    ``loss / n``, its gradients and ``terms / n`` across the ``n`` replicas: the global mean's value and
    gradient, each term a mean over equal shards. Every tensor of ``batch`` must split evenly."""
    from pinnzoo.distribute import shard

    strategy = solver.distribute_strategy
    count = strategy.num_replicas_in_sync
    shards = [shard(batch, i, count) for i in range(count)]
    per_replica = strategy.experimental_distribute_values_from_function(
        lambda context: shards[context.replica_id_in_sync_group])

    def evaluate(solver, batch, variables):
        def replica(part):
            loss, grads, terms = _local_loss_and_gradients(solver, part, variables)
            return loss / count, [g / count for g in grads], {k: v / count for k, v in terms.items()}

        loss, grads, terms = strategy.run(replica, args=(per_replica,))

        def total(value):
            return strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)

        return total(loss), [total(g) for g in grads], {k: total(v) for k, v in terms.items()}

    return evaluate


def flat_residuals(solver, batch):
    """``residuals(flat, jacobian) -> (ρ, J or None, terms)``: the solver's stacked residual vector
    (:meth:`~pinnzoo.solvers.PINNSolver.residual_vector`, ``‖ρ‖²`` = the total loss) on ``batch`` as a function
    of all its trainable weights in one vector, with its Jacobian ``[M, n]``
    (:meth:`~pinnzoo.solvers.PINNSolver.residual_jacobian`) when asked; what a least-squares method drives."""
    variables = solver.trainable_variables
    shapes = [tuple(v.shape) for v in variables]
    sizes = [int(np.prod(s)) for s in shapes]

    def assign(flat):
        for v, piece, shape in zip(variables, tf.split(flat, sizes), shapes):
            v.assign(tf.reshape(tf.cast(piece, v.dtype), shape))

    @tf.function(reduce_retracing=True)
    def value(flat):
        assign(flat)
        rho, terms = solver.residual_vector(batch)
        return tf.cast(rho, tf.float64), terms

    @tf.function(reduce_retracing=True)
    def with_jacobian(flat):
        assign(flat)
        rho, terms = solver.residual_vector(batch)
        return tf.cast(rho, tf.float64), tf.cast(solver.residual_jacobian(batch), tf.float64), terms

    def residuals(flat, jacobian: bool):
        if jacobian:
            return with_jacobian(flat)
        rho, terms = value(flat)
        return rho, None, terms

    return residuals


def _least_squares(method, solver, batch, get_flat, state, step_end, maxiter, dtype):
    """Run a :class:`~pinnzoo.optimizers.LeastSquaresMethod` on the solver's residuals (``state`` as in
    :func:`lbfgs_refine`: the best point, the last logs)."""
    residual_fun = flat_residuals(solver, batch)

    def residuals(x, jacobian):
        rho, jac, terms = residual_fun(tf.constant(x, dtype=dtype), jacobian)
        rho = rho.numpy()
        loss = float(rho @ rho)
        if np.isfinite(loss) and loss < state["best"]:
            state["best"], state["best_x"] = loss, np.array(x)
        if jacobian:  # an accepted point: its logs
            state["last"] = {"loss": loss, **{k: float(v) for k, v in terms.items()}}
            state["last"].update({k: float(v.numpy()) for k, v in solver.coefficients.items()})
            return rho, jac.numpy()
        return rho

    return method.minimize_residuals(residuals, get_flat(), maxiter, step_end)


def lbfgs_refine(solver, batch: dict, maxiter: int = 5000, log_every: int = 100, callbacks=None,
                 verbose: int = 1, jit_compile: bool = True, history=None, objective=None,
                 method="lbfgs", gather: bool = False) -> keras.callbacks.History:
    """Refine ``solver`` in place with a quasi-Newton ``method`` (default L-BFGS-B) on the fixed ``batch`` of points.

    Args:
        solver: a :class:`~pinnzoo.solvers.PINNSolver` (or any model with
            ``loss_terms``/``total_loss``).
        batch: dict of point tensors, as for one ``train_step``.
        maxiter: iteration budget.
        log_every: iterations per logged "epoch".
        callbacks: Keras callbacks.
        verbose: 1 shows a Keras progress bar.
        objective: the pair :func:`flat_value_and_gradient` returned for this solver and batch, to reuse
            its compiled function across calls (a solver refined many times, e.g. once per time step,
            whose data live in variables); built afresh when ``None``.
        method: the :class:`~pinnzoo.optimizers.QuasiNewtonMethod` or its registered name.
        gather: under a strategy of several replicas, evaluate one shard of ``batch`` per replica and sum
            the gradients across them (:func:`flat_value_and_gradient`); otherwise one device, whole batch.
    Returns:
        The ``History`` of the run (``history.history["loss"]`` etc.).
    """
    from pinnzoo.solvers.pinn import use_xla

    from pinnzoo.errors import InputError
    from pinnzoo.optimizers import LeastSquaresMethod

    method = get_method(method)
    if isinstance(method, LeastSquaresMethod) and gather:
        raise InputError(f"{method.name} evaluates the Jacobian on one device; gather=True does not apply to it")
    value_and_grad, get_flat = objective or flat_value_and_gradient(solver, batch, use_xla(solver, jit_compile), gather)
    epochs = max(1, math.ceil(maxiter / log_every))
    history = history or keras.callbacks.History()
    cbs = keras.callbacks.CallbackList(list(callbacks or []) + [history], add_history=False,
                                       add_progbar=bool(verbose), model=solver, verbose=verbose,
                                       epochs=epochs, steps=log_every, phase="lbfgs")
    dtype = solver.trainable_variables[0].dtype
    state = {"it": 0, "best": np.inf, "best_x": get_flat(), "last": {}, "epoch": 0}

    def fun(x):
        loss, grad, terms = value_and_grad(tf.constant(x, dtype=dtype))
        loss = float(loss)
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(x)
        if loss < state["best"]:
            state["best"], state["best_x"] = loss, np.array(x)
        state["last"] = {"loss": loss, **{k: float(v) for k, v in terms.items()}}
        state["last"].update({k: float(v.numpy()) for k, v in solver.coefficients.items()})
        return loss, grad.numpy()

    def step_end(xk):
        state["it"] += 1
        it = state["it"]
        within = (it - 1) % log_every
        if within == 0:
            cbs.on_epoch_begin(state["epoch"])
            state["open"] = True
        cbs.on_train_batch_end(within, dict(state["last"]))
        if within == log_every - 1 or it == maxiter:
            cbs.on_epoch_end(state["epoch"], dict(state["last"]))
            state["epoch"] += 1
            state["open"] = False
        if solver.stop_training:
            raise StopIteration

    solver.stop_training = False
    cbs.on_train_begin()
    try:
        if isinstance(method, LeastSquaresMethod):  # its linear algebra is the work: BLAS keeps its threads
            result = _least_squares(method, solver, batch, get_flat, state, step_end, maxiter, dtype)
        else:
            with threadpool_limits(limits=1, user_api="blas"):
                result = method.minimize(fun, get_flat(), maxiter, step_end)
    except KeyboardInterrupt:
        value_and_grad(tf.constant(state["best_x"], dtype=dtype))  # not a line-search trial point
        raise
    if state.get("open"):  # stopped within an epoch
        cbs.on_epoch_end(state["epoch"], dict(state["last"]))
    value_and_grad(tf.constant(state["best_x"], dtype=dtype))  # leave the best weights in place
    history.lbfgs = {"iterations": state["it"], "evaluations": result.evaluations, "method": method.name,
                     "message": result.message, "best_loss": float(state["best"])}
    cbs.on_train_end(dict(state["last"]))
    return history
