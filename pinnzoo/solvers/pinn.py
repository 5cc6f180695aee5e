"""The physics-informed neural network solver."""

from __future__ import annotations

import dataclasses
from typing import Mapping

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.distribute import multi_worker
from pinnzoo.dtypes import float_type
from pinnzoo.errors import InputError, ProblemError
from pinnzoo.problems.base import PDEProblem, get_problem
from pinnzoo.problems.derivatives import forward_derivatives, tape_derivatives
from pinnzoo.sampling import normal_key
from pinnzoo.solvers.taylor import taylor_derivatives


def _taylor(solver, points, inputs, outputs, requests):
    return taylor_derivatives(solver, points, inputs, outputs, requests)


# Each engine: (solver, points [N, d], input names, output names, requests) -> dict of [N, 1] fields.
DERIVATIVE_ENGINES = {"tape": tape_derivatives, "taylor": _taylor, "forward": forward_derivatives}
# Engines XLA compiles badly: the ForwardAccumulator graph took 2.7 s per Burgers Adam step under XLA on
# this project's CPU, 2.6 ms without it (3×20 MLP, 2,780 points), so it always runs without XLA.
NO_XLA_ENGINES = {"forward"}


def use_xla(solver, jit_compile) -> bool:
    """``jit_compile`` unless the solver's derivative engine is one XLA compiles badly."""
    return bool(jit_compile) and getattr(solver, "derivatives", None) not in NO_XLA_ENGINES


@keras.saving.register_keras_serializable(package="pinnzoo")
class PINNSolver(keras.Model):
    r"""Pairs a :class:`~pinnzoo.problems.base.PDEProblem` with a prior network.

    The solution is ``u_Θ(x) = T(x, P_Θ(s(x)))`` where ``P_Θ`` is the prior
    (an MLP), ``s`` maps the domain box affinely onto ``[-1, 1]^d`` and ``T`` is
    the problem's hard-constraint transform (identity unless
    ``hard_constraints=True``). Training minimises

    .. math::
        L(Θ) = \sum_k w_k \, \mathrm{mean}_{x \in X_k} \big(\mathrm{Op}_k(u_Θ)(x) - g_k(x)\big)^2

    over the residual terms (``Op = N``, ``g = 0`` at collocation points), every
    condition not enforced exactly (initial/boundary values or derivatives on
    faces of the domain) and, when observations are given, a ``data`` term.
    Derivatives come from nested ``tf.GradientTape`` s inside ``train_step``;
    each term is a Keras metric, so it shows in the progress bar and in
    ``History``. PDE coefficients named in ``problem.trainable`` become
    trainable variables (inverse problems; their logarithms are trained, so
    they stay positive and are well scaled) and are logged too.

    ``condition_points`` sets how many points each named condition term draws
    per batch (the problem's ``Condition.n_points`` otherwise), e.g. more initial
    points where the initial data has sharp fronts.

    Training data: ``fit`` takes a dataset whose elements are dicts mapping each
    term to its points (see :func:`pinnzoo.sampling.collocation_dataset`), plus
    ``data_x``/``data_y`` for observations.

    Paper: Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019) 686–707.
    """

    def __init__(self, problem, prior, hard_constraints: bool = False,
                 loss_weights: Mapping[str, float] | None = None, derivatives: str = "tape",
                 initial_params: Mapping[str, float] | None = None, periodic_embedding: bool = False,
                 causal: Mapping | None = None, inner_steps: int = 1,
                 condition_points: Mapping[str, int] | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(problem, Mapping):
            problem = get_problem(problem["name"], **problem.get("params", {}))
        if not isinstance(problem, PDEProblem):
            raise ProblemError(f"problem must be a PDEProblem, got {type(problem).__name__}")
        if isinstance(prior, Mapping):
            prior = keras.saving.deserialize_keras_object(prior)
        if derivatives not in DERIVATIVE_ENGINES:
            raise ProblemError(f"unknown derivative engine {derivatives!r}; use one of {sorted(DERIVATIVE_ENGINES)}")
        self.problem = problem
        self.prior = prior
        self.hard_constraints = bool(hard_constraints)
        self.periodic_embedding = bool(periodic_embedding)
        if self.periodic_embedding and not problem.periodic:
            raise ProblemError(f"{problem.name} declares no periodic coordinates to embed")
        self.causal = dict(causal) if causal else None
        if int(inner_steps) < 1:
            raise ProblemError(f"inner_steps must be >= 1, got {inner_steps}")
        self.inner_steps = int(inner_steps)
        if self.causal and (set(self.causal) != {"coordinate", "chunks", "epsilon"}
                            or self.causal["coordinate"] not in problem.inputs):
            raise ProblemError(f"causal needs {{'coordinate', 'chunks', 'epsilon'}} with a coordinate of "
                               f"{tuple(problem.inputs)}, got {causal}")
        self.derivatives = derivatives
        self._derive = DERIVATIVE_ENGINES[derivatives]
        if self.hard_constraints and not problem.hard_constrained:
            raise ProblemError(f"{problem.name} satisfies no condition exactly here (no hard constraint); "
                               "use hard_constraints=False")
        self.conditions = self._sized_conditions(condition_points)
        self.term_names = list(problem.residual_terms(*self._symbolic_fields()))
        self.term_names += [c.name for c in self.conditions] + ["data"]
        self.term_weights = self._make_term_weights(loss_weights)
        self._log_coefficients = self._make_coefficients(initial_params)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ["loss", *self.term_names]}
        box = problem.domain
        self._center = (box.lower + box.upper) / 2.0
        self._half = (box.upper - box.lower) / 2.0
        self.build((None, len(problem.inputs)))

    def _sized_conditions(self, condition_points):
        """The problem's active conditions, with the point counts of ``condition_points`` (name → count)."""
        conditions = self.problem.active_conditions(self.hard_constraints, self.periodic_embedding)
        names = [c.name for c in conditions]
        try:
            counts = {k: int(v) for k, v in dict(condition_points or {}).items()}
        except (TypeError, ValueError):
            counts = None
        if counts is None or set(counts) - set(names) or any(v < 1 for v in counts.values()):
            raise ProblemError(f"condition_points needs positive counts for conditions among {names}, "
                               f"got {condition_points!r}")
        self.condition_points = counts
        return [dataclasses.replace(c, n_points=counts[c.name]) if c.name in counts else c for c in conditions]

    def _make_term_weights(self, loss_weights):
        """One non-trainable weight per loss term (``loss_weights`` or 1), which balancing callbacks assign."""
        weights = dict(loss_weights or {})
        unknown = set(weights) - set(self.term_names)
        if unknown:
            raise ProblemError(f"loss_weights names unknown terms {sorted(unknown)}; terms: {self.term_names}")
        self.loss_weights_config = {k: float(v) for k, v in weights.items()}
        return {name: self.add_weight(shape=(), name=f"w_{name}", trainable=False,
                                      initializer=keras.initializers.Constant(weights.get(name, 1.0)))
                for name in self.term_names}

    def _make_coefficients(self, initial_params):
        """The problem's trainable coefficients, positive and spanning orders of magnitude: their logarithms
        are trained, starting from ``initial_params`` (or the problem's values)."""
        initial_params = dict(initial_params or {})
        if any(float(v) <= 0 for v in initial_params.values()):
            raise ProblemError(f"initial_params must be positive, got {initial_params}")
        self.initial_params = {k: float(v) for k, v in initial_params.items()}
        return {name: self.add_weight(shape=(), name=f"log_{name}", trainable=True,
                                      initializer=keras.initializers.Constant(
                                          np.log(self.initial_params.get(name, self.problem.params[name]))))
                for name in self.problem.trainable}

    def _symbolic_fields(self):
        # Zero-size stand-ins used once to learn the residual's term names.
        z = tf.zeros((0, 1))
        names = list(self.problem.inputs) + list(self.problem.outputs) + list(self.problem.derivatives)
        return {n: z for n in names}, {k: tf.constant(v) for k, v in self.problem.params.items()}

    # -- the network --------------------------------------------------------------------
    def build(self, input_shape):
        if not self.prior.built:  # a deserialised prior arrives built
            extra = len(self.problem.periodic) if self.periodic_embedding else 0
            self.prior.build((None, len(self.problem.inputs) + extra))
        self.built = True

    def parts(self) -> list:
        """The solvers trained one after the other: this one (time marching has one per window)."""
        return [self]

    def call(self, inputs):
        inputs = tf.cast(inputs, self.compute_dtype)
        raw = self.prior(self.embed(inputs))
        if not self.hard_constraints:
            return raw
        cols = {name: inputs[:, i:i + 1] for i, name in enumerate(self.problem.inputs)}
        return self.problem.hard_constraint(cols, raw)

    def embed(self, inputs):
        """Network input: each coordinate scaled to [-1, 1]; with ``periodic_embedding`` a periodic
        coordinate ``x`` of period ``P`` becomes ``(cos 2πx/P, sin 2πx/P)``, which makes the
        solution and all its derivatives exactly periodic (Dong & Ni, J. Comput. Phys. 435, 2021)."""
        scaled = (inputs - tf.constant(self._center, inputs.dtype)) / tf.constant(self._half, inputs.dtype)
        if not self.periodic_embedding:
            return scaled
        cols = []
        for i, name in enumerate(self.problem.inputs):
            if name in self.problem.periodic:
                angle = (2.0 * np.pi / self.problem.periodic[name]) * inputs[:, i:i + 1]
                cols += [tf.cos(angle), tf.sin(angle)]
            else:
                cols.append(scaled[:, i:i + 1])
        return tf.concat(cols, axis=1)

    def fields(self, points, requests=()):
        """Outputs, coordinates and the requested derivatives at ``points`` (dict of ``[N, 1]``)."""
        points = tf.cast(points, self.compute_dtype)
        return self._derive(self, points, self.problem.inputs, self.problem.outputs, requests)

    @property
    def coefficients(self) -> dict:
        """Identified PDE coefficients (inverse problems): ``name -> exp(log-variable)``."""
        return {k: tf.exp(v) for k, v in self._log_coefficients.items()}

    def set_coefficients(self, values) -> None:
        """Set identified coefficients to ``values`` (name -> positive value, as an export's ``identified_params``)."""
        for name, value in values.items():
            variable = self._log_coefficients[name]
            variable.assign(tf.math.log(tf.cast(value, variable.dtype)))

    def params(self) -> dict:
        """PDE coefficients as tensors: trainable variables or constants."""
        out = {k: tf.constant(v, dtype=self.compute_dtype) for k, v in self.problem.params.items()}
        out.update({k: tf.cast(v, self.compute_dtype) for k, v in self.coefficients.items()})
        return out

    def residual(self, points):
        """Residual terms and the derivatives used, at ``points``: dict of ``[N, 1]`` tensors."""
        f = self.fields(points, self.problem.derivatives)
        out = dict(self.problem.residual_terms(f, self.params()))
        out.update({k: f[k] for k in self.problem.derivatives})
        return out

    # -- the loss -----------------------------------------------------------------------
    def pointwise_residuals(self, batch, only: str | None = None) -> tuple[dict, dict, dict]:
        """``(pde, others, fields)``: the PDE residual terms at ``batch["residual"]``, the condition and data
        residuals at their points (each a tensor of pointwise values, a row per point), and the fields and
        derivatives at the residual points. :meth:`loss_terms` are their mean squares. ``only`` (a key of
        ``batch``: ``"residual"``, a condition's name, or ``"data_x"``) computes that group alone."""
        p = self.params()
        pde, others, f = {}, {}, {}
        if only in (None, "residual"):
            f = self.fields(batch["residual"], self.problem.derivatives)
            pde = dict(self.problem.residual_terms(f, p))
        for c in self.conditions:
            if only not in (None, c.name):
                continue
            requests = [] if c.field in self.problem.outputs else [c.field]
            fc = self.fields(batch[c.name], requests + self._normal_gradients(c))
            fc.update(self._normals(c, batch))
            if c.shift:
                shift = tf.constant(c.shift_vector(self.problem.inputs), self.compute_dtype)
                target = self.fields(tf.cast(batch[c.name], self.compute_dtype) + shift, requests)[c.field]
            else:
                target = c.target_value(fc, p)
            others[c.name] = self._condition_value(c, fc) - target
        if "data_x" in batch and only in (None, "data_x"):
            pred = self(batch["data_x"])
            if self.problem.observed:
                pred = tf.gather(pred, self.problem.observed_columns, axis=1)
            others["data"] = pred - tf.cast(batch["data_y"], pred.dtype)
        return pde, others, f

    def _normal_gradients(self, c) -> list[str]:
        return c.gradient_names(self.problem.domain.spatial_names) if c.normal else []

    def _normals(self, c, batch) -> dict:
        """A boundary-part condition's outward normal components ``n_x, n_y, …`` (targets may read them)."""
        if normal_key(c.name) not in batch:
            return {}
        normals = tf.cast(batch[normal_key(c.name)], self.compute_dtype)
        return {f"n_{x}": normals[:, i:i + 1] for i, x in enumerate(self.problem.domain.names)}

    def _condition_value(self, c, fc):
        """The condition's field at its points, or its outward normal derivative ``Σ nᵢ ∂field/∂xᵢ``."""
        if not c.normal:
            return fc[c.field]
        return tf.add_n([fc[f"n_{x}"] * fc[g] for x, g in zip(self.problem.domain.spatial_names,
                                                              self._normal_gradients(c))])

    def loss_terms(self, batch) -> dict:
        """Mean squared value of every term present in ``batch``."""
        pde, others, f = self.pointwise_residuals(batch)
        terms = {k: self._residual_mean(tf.square(r), f) for k, r in pde.items()}
        terms.update({k: tf.reduce_mean(tf.square(r)) for k, r in others.items()})
        return terms

    def residual_vector(self, batch) -> tuple[tf.Tensor, dict]:
        r"""``(ρ, terms)``: every pointwise residual scaled by ``sqrt(λ_k / N_k)`` (its term's weight over its
        number of values) and stacked, so that ``‖ρ‖² = total_loss(terms)`` — the sum of squares a Gauss–Newton
        method (:class:`~pinnzoo.optimizers.LevenbergMarquardt`) needs.

        Raises:
            InputError: causal weighting is on (its weights are not a fixed sum of squares).
        """
        if self.causal:
            raise InputError("the causally weighted residual is not a plain sum of squares: a least-squares "
                             "method (--optimizer lm) does not apply with causal settings")
        pde, others, _ = self.pointwise_residuals(batch)
        parts, terms = [], {}
        for k, r in {**pde, **others}.items():
            r = tf.reshape(r, [-1])
            count = tf.cast(tf.size(r), r.dtype)
            parts.append(r * tf.sqrt(tf.cast(self.term_weights[k], r.dtype) / count))
            terms[k] = tf.reduce_sum(tf.square(r)) / count
        return tf.concat(parts, axis=0), terms

    def residual_jacobian(self, batch, variables=None) -> tf.Tensor:
        """``∂ρ/∂θ``, ``[M, n]``: the Jacobian of :meth:`residual_vector` (same row order) with respect to
        ``variables`` (default: every trainable weight), flattened in order. Each residual depends on its own point alone, so the rows
        of a group of points are per-point gradients, vectorised over the points by ``tf.vectorized_map``
        (linear in the number of points; ``tape.jacobian`` over the stacked vector grew faster than
        quadratically: 5.2 s against 0.05 s for 1,024 Burgers points)."""
        variables = self.trainable_variables if variables is None else list(variables)
        groups = [k for k in ("residual", *(c.name for c in self.conditions), "data_x") if k in batch]
        blocks = {}
        for key in groups:
            points = {k: batch[k] for k in (key, normal_key(key), "data_y" if key == "data_x" else None) if k in batch}
            count = int(next(iter(points.values())).shape[0])

            def one(point, key=key):
                single = {name: value[None] for name, value in point.items()}
                with tf.GradientTape(persistent=True) as tape:
                    pde, others, _ = self.pointwise_residuals(single, only=key)
                    values = {name: tf.unstack(tf.reshape(r, [-1])) for name, r in {**pde, **others}.items()}
                rows = {}
                for name, components in values.items():  # the gradient of each value at this point
                    grads = [tape.gradient(c, variables) for c in components]
                    rows[name] = tf.stack([tf.concat([tf.reshape(tf.zeros(v.shape, c.dtype) if g is None else g, [-1])
                                                      for g, v in zip(gs, variables)], 0)
                                           for gs, c in zip(grads, components)])
                return rows

            for name, rows in tf.vectorized_map(one, points).items():  # [points, components, n]
                scale = tf.sqrt(tf.cast(self.term_weights[name], rows.dtype) / (count * int(rows.shape[1])))
                blocks[name] = scale * tf.reshape(rows, [-1, rows.shape[-1]])
        return tf.concat(list(blocks.values()), axis=0)  # groups in residual_vector's order: PDE, conditions, data

    def _residual_mean(self, sq, f):
        r"""Mean of squared residuals; with ``causal`` settings, the causally weighted mean

        .. math::  \frac1M \sum_i w_i L_i,\quad w_i = \exp\big(-\varepsilon \textstyle\sum_{j<i} L_j\big),

        where ``L_i`` is the mean squared residual in the ``i``-th of ``M`` time slabs
        and the weights carry no gradient: later times count only once earlier
        ones are resolved (S. Wang, S. Sankaran, P. Perdikaris, "Respecting
        causality for training physics-informed neural networks", Comput.
        Methods Appl. Mech. Eng. 421, 2024).
        """
        if not self.causal:
            return tf.reduce_mean(sq)
        name, chunks, eps = self.causal["coordinate"], int(self.causal["chunks"]), float(self.causal["epsilon"])
        lo, hi = self.problem.domain.bounds[name]
        idx = tf.cast(tf.clip_by_value(tf.floor((f[name][:, 0] - lo) / (hi - lo) * chunks), 0, chunks - 1), tf.int32)
        per_chunk = tf.math.unsorted_segment_mean(sq[:, 0], idx, chunks)
        weights = tf.stop_gradient(tf.exp(-eps * (tf.cumsum(per_chunk) - per_chunk)))
        return tf.reduce_mean(weights * per_chunk)

    def total_loss(self, terms) -> tf.Tensor:
        return tf.add_n([tf.cast(self.term_weights[k], v.dtype) * v for k, v in terms.items()])

    # ``compile`` itself is not overridden (Keras then skips re-compiling on load); the setter that
    # ``compile`` goes through turns XLA off for engines it compiles badly.
    @property
    def jit_compile(self):
        return keras.Model.jit_compile.fget(self)

    @jit_compile.setter
    def jit_compile(self, value):
        keras.Model.jit_compile.fset(self, value if value == "auto" else use_xla(self, value))

    def train_step(self, data):
        """One optimizer step on ``data`` — or, with ``inner_steps = k > 1``, k steps on the same batch in
        one in-graph loop (one compiled call, no per-step executor round trip; the logged terms are the
        last step's)."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync

        def step():
            with tf.GradientTape() as tape:
                terms = self.loss_terms(data)
                loss = self.total_loss(terms)
                scaled = loss / replicas  # gradients are summed over replicas
            grads = tape.gradient(scaled, self.trainable_variables)
            self.optimizer.apply(grads, self.trainable_variables)
            return loss, terms

        if self.inner_steps == 1:
            loss, terms = step()
        else:
            if not self.optimizer.built:
                self.optimizer.build(self.trainable_variables)
            loss, terms = step()

            def body(i, loss, terms):
                return (i + 1, *step())

            _, loss, terms = tf.while_loop(lambda i, *_: i < self.inner_steps, body, (tf.constant(1), loss, terms))
        if replicas > 1:  # log the global means (each replica's are over its shard)
            loss, terms = tf.distribute.get_replica_context().all_reduce("MEAN", (loss, terms))
        logs = self._update_metrics(loss, terms)
        if multi_worker(tf.distribute.get_strategy()):
            # Keras reduces the logs of several workers with strategy.reduce(..., axis=0), which needs an axis
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Keras's hook before ``fit`` under a ``tf.distribute`` strategy builds the model from a batch that it
        reduces across replicas — which ``MultiWorkerMirroredStrategy`` cannot do for a dict of point sets. A
        solver's variables exist from its construction; only the optimiser is built here, in the scope."""
        if getattr(self, "_distribute_strategy", None) is None:  # no strategy: Keras builds when it traces
            return super()._maybe_symbolic_build(iterator, data_batch)
        if self.optimizer is not None and not self.optimizer.built:
            with self.distribute_strategy.scope():
                self.optimizer.build(self.trainable_variables)

    def test_step(self, data):
        terms = self.loss_terms(data)
        return self._update_metrics(self.total_loss(terms), terms)

    def _update_metrics(self, loss, terms):
        self.trackers["loss"].update_state(loss)
        for k, v in terms.items():
            self.trackers[k].update_state(v)
        logs = {k: self.trackers[k].result() for k in ["loss", *terms]}
        logs.update({k: tf.identity(v) for k, v in self.coefficients.items()})
        return logs

    @property
    def metrics(self):
        return list(self.trackers.values())

    # -- serialisation ------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(
            problem=self.problem.get_config(),
            prior=keras.saving.serialize_keras_object(self.prior),
            hard_constraints=self.hard_constraints,
            loss_weights=self.loss_weights_config,
            derivatives=self.derivatives,
            initial_params=self.initial_params,
            periodic_embedding=self.periodic_embedding,
            causal=self.causal,
            inner_steps=self.inner_steps,
            condition_points=self.condition_points,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def recast(self, dtype: str, **changes) -> "PINNSolver":
        """A copy of this solver in float type ``dtype`` with the same weights (cast),
        e.g. to continue a float32 training in float64. ``changes`` override
        constructor arguments (such as ``derivatives``). The copy is not compiled."""
        def without_dtype(obj):  # every layer's config names its float type; let float_type decide
            if isinstance(obj, dict):
                return {k: without_dtype(v) for k, v in obj.items() if k != "dtype"}
            if isinstance(obj, list):
                return [without_dtype(v) for v in obj]
            return obj

        config = without_dtype(self.get_config())
        config["problem"] = self.problem  # the same object: a time window keeps its link to the window before
        config.update(changes)
        with float_type(dtype):
            twin = type(self).from_config(config)
        if [tuple(w.shape) for w in twin.weights] != [tuple(w.shape) for w in self.weights]:
            raise ProblemError("the recast solver's weights do not line up with this solver's")
        for dst, src in zip(twin.weights, self.weights):
            dst.assign(np.asarray(src.numpy()).astype(dtype))
        return twin

    def preview(self) -> dict[str, np.ndarray]:
        """Each output on :meth:`~pinnzoo.problems.PDEProblem.slice_grid` (rows: the first coordinate),
        for :class:`~pinnzoo.run_log.TrainingLog`'s images; nothing for 1-D problems."""
        if len(self.problem.coordinate_inputs) < 2:
            return {}
        points, shape = self.problem.slice_grid()
        values = self.predict_numpy(points)
        return {name: values[:, j].reshape(shape) for j, name in enumerate(self.problem.outputs)}

    def predict_numpy(self, points: np.ndarray, batch: int = 65536) -> np.ndarray:
        """Predictions for a numpy array of points, in chunks, as float64."""
        out = [self(tf.constant(points[i:i + batch], dtype=self.compute_dtype)).numpy()
               for i in range(0, len(points), batch)]
        return np.concatenate(out).astype(np.float64)
