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

from pinnzoo.distribute import shard
from pinnzoo.errors import InputError
from pinnzoo.optimizers import LeastSquaresMethod, get_method
from pinnzoo.solvers.pinn import use_xla


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


def flat_residuals(solver, batch, variables=None):
    """``residuals(flat, jacobian) -> (ρ, J or None, terms)``: the solver's stacked residual vector
    (:meth:`~pinnzoo.solvers.PINNSolver.residual_vector`, ``‖ρ‖²`` = the total loss) on ``batch`` as a function
    of ``variables`` (default: all its trainable weights) in one vector, with its Jacobian ``[M, n]``
    (:meth:`~pinnzoo.solvers.PINNSolver.residual_jacobian`) when asked; what a least-squares method drives."""
    variables = solver.trainable_variables if variables is None else list(variables)
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
        return tf.cast(rho, tf.float64), tf.cast(solver.residual_jacobian(batch, variables), tf.float64), terms

    def residuals(flat, jacobian: bool):
        if jacobian:
            return with_jacobian(flat)
        rho, terms = value(flat)
        return rho, None, terms

    return residuals


class _Progress:
    """The run's bookkeeping: the best point seen, the last accepted logs, and the Keras callbacks that see one
    "epoch" every ``log_every`` iterations (a callback setting ``solver.stop_training`` ends the run)."""

    def __init__(self, solver, callbacks, maxiter: int, log_every: int, x0):
        self.solver, self.callbacks, self.maxiter, self.log_every = solver, callbacks, maxiter, log_every
        self.it, self.epoch, self.open = 0, 0, False
        self.best, self.best_x, self.last = np.inf, np.array(x0), {}

    def record(self, x, loss: float, terms, accepted: bool = True) -> None:
        """A finite evaluation at ``x``: kept if it is the best so far; its logs if it is an accepted point."""
        if np.isfinite(loss) and loss < self.best:
            self.best, self.best_x = loss, np.array(x)
        if accepted:
            self.last = {"loss": loss, **{k: float(v) for k, v in terms.items()}}
            self.last.update({k: float(v.numpy()) for k, v in self.solver.coefficients.items()})

    def step_end(self, xk) -> None:
        """One iteration done: batch logs, and an epoch's begin/end at its bounds."""
        self.it += 1
        within = (self.it - 1) % self.log_every
        if within == 0:
            self.callbacks.on_epoch_begin(self.epoch)
            self.open = True
        self.callbacks.on_train_batch_end(within, dict(self.last))
        if within == self.log_every - 1 or self.it == self.maxiter:
            self.close_epoch()
        if self.solver.stop_training:
            raise StopIteration

    def close_epoch(self) -> None:
        if self.open:
            self.callbacks.on_epoch_end(self.epoch, dict(self.last))
            self.epoch += 1
            self.open = False


def _least_squares(method, solver, batch, x0, progress: _Progress, maxiter, dtype):
    """Run a :class:`~pinnzoo.optimizers.LeastSquaresMethod` on the solver's residuals from ``x0``."""
    residual_fun = flat_residuals(solver, batch)

    def residuals(x, jacobian):
        rho, jac, terms = residual_fun(tf.constant(x, dtype=dtype), jacobian)
        rho = rho.numpy()
        progress.record(x, float(rho @ rho), terms, accepted=jacobian)  # a Jacobian is asked at accepted points
        return (rho, jac.numpy()) if jacobian else rho

    return method.minimize_residuals(residuals, x0, maxiter, progress.step_end)


def _quasi_newton(method, value_and_grad, x0, progress: _Progress, maxiter, dtype):
    """Run a :class:`~pinnzoo.optimizers.QuasiNewtonMethod` on the solver's loss from ``x0``; a non-finite loss
    or gradient counts as +inf (the line search backs off)."""

    def fun(x):
        loss, grad, terms = value_and_grad(tf.constant(x, dtype=dtype))
        loss = float(loss)
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(x)
        progress.record(x, loss, terms)
        return loss, grad.numpy()

    with threadpool_limits(limits=1, user_api="blas"):
        return method.minimize(fun, x0, maxiter, progress.step_end)


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
    method = get_method(method)
    if isinstance(method, LeastSquaresMethod) and gather:
        raise InputError(f"{method.name} evaluates the Jacobian on one device; gather=True does not apply to it")
    value_and_grad, get_flat = objective or flat_value_and_gradient(solver, batch, use_xla(solver, jit_compile), gather)
    history = history or keras.callbacks.History()
    cbs = keras.callbacks.CallbackList(list(callbacks or []) + [history], add_history=False,
                                       add_progbar=bool(verbose), model=solver, verbose=verbose,
                                       epochs=max(1, math.ceil(maxiter / log_every)), steps=log_every, phase="lbfgs")
    dtype = solver.trainable_variables[0].dtype
    x0 = get_flat()
    progress = _Progress(solver, cbs, maxiter, log_every, x0)
    solver.stop_training = False
    cbs.on_train_begin()
    try:
        if isinstance(method, LeastSquaresMethod):  # its linear algebra is the work: BLAS keeps its threads
            result = _least_squares(method, solver, batch, x0, progress, maxiter, dtype)
        else:
            result = _quasi_newton(method, value_and_grad, x0, progress, maxiter, dtype)
    except KeyboardInterrupt:
        value_and_grad(tf.constant(progress.best_x, dtype=dtype))  # not a line-search trial point
        raise
    progress.close_epoch()  # stopped within an epoch
    value_and_grad(tf.constant(progress.best_x, dtype=dtype))  # leave the best weights in place
    history.lbfgs = {"iterations": progress.it, "evaluations": result.evaluations, "method": method.name,
                     "message": result.message, "best_loss": float(progress.best)}
    cbs.on_train_end(dict(progress.last))
    return history
