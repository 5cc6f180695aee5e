"""Time marching: one PINN per time window, each started from the one before."""

from __future__ import annotations

from typing import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.problems.base import PDEProblem, get_problem
from pinnzoo.problems.window import TimeWindow
from pinnzoo.solvers.pinn import PINNSolver


@keras.saving.register_keras_serializable(package="pinnzoo")
class TimeMarchingSolver(keras.Model):
    r"""A piecewise-in-time solution ``u(x, t) = u^{(k)}_Θ(x, t)`` for ``t ∈ [t_k, t_{k+1})``.

    The time interval ``[0, T]`` is split at ``edges`` into ``K`` windows; window
    ``k`` is a :class:`PINNSolver` for :class:`~pinnzoo.problems.window.TimeWindow`
    ``(problem, t_k, t_{k+1})`` whose initial condition is the prediction of
    window ``k - 1`` at ``t_k``. The windows are trained one after the other
    (:func:`pinnzoo.families.pinn.fit.train` does this for presets with ``marching``),
    each with the preset's full schedule. A long horizon with fronts that
    sharpen over time — Allen–Cahn's interfaces, for instance — then never has
    to be represented, nor propagated causally, by a single network: every
    window is a short, well-posed initial-value problem. The price is that
    initial-value errors carry over from window to window.

    The composite behaves like a :class:`PINNSolver` for evaluation and export
    (``call``, ``fields``, ``residual``, ``predict_numpy``, ``problem``):
    each query point is answered by the window that holds its time (a point
    on an interior edge belongs to the later window).

    Papers: C. L. Wight, J. Zhao, "Solving Allen–Cahn and Cahn–Hilliard equations
    using the adaptive physics informed neural networks", Commun. Comput. Phys. 29
    (2021); R. Mattey, S. Ghosh, "A novel sequential method to train physics informed
    neural networks for Allen Cahn and Cahn Hilliard equations", Comput. Methods
    Appl. Mech. Eng. 390 (2022).

    Args:
        problem: the full time-dependent problem.
        priors: one fresh prior network per window.
        edges: ``K + 1`` increasing times from the lower to the upper time bound;
            an integer ``K`` means ``K`` equal windows.
        coordinate: the time coordinate.
        solver: keyword arguments for every window's :class:`PINNSolver`.
    """

    def __init__(self, problem, priors: Sequence, edges, coordinate: str = "t",
                 solver: Mapping | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(problem, Mapping):
            problem = get_problem(problem["name"], **problem.get("params", {}))
        if not isinstance(problem, PDEProblem):
            raise ProblemError(f"problem must be a PDEProblem, got {type(problem).__name__}")
        if coordinate not in problem.inputs:
            raise ProblemError(f"{problem.name} has no coordinate {coordinate!r} to march in")
        if problem.trainable:
            raise ProblemError("time marching is for forward problems; "
                               f"{problem.name} has trainable coefficients {list(problem.trainable)}")
        lo, hi = problem.domain.bounds[coordinate]
        if np.ndim(edges) == 0:
            if int(edges) < 1:
                raise ProblemError(f"need at least one window, got {edges}")
            edges = np.linspace(lo, hi, int(edges) + 1)
        edges = [float(e) for e in edges]
        if len(edges) < 2 or not np.all(np.diff(edges) > 0) or not (np.isclose(edges[0], lo)
                                                                   and np.isclose(edges[-1], hi)):
            raise ProblemError(f"edges must increase from {lo} to {hi}, got {edges}")
        priors = [keras.saving.deserialize_keras_object(p) if isinstance(p, Mapping) else p for p in priors]
        if len(priors) != len(edges) - 1:
            raise ProblemError(f"{len(edges) - 1} windows need as many priors, got {len(priors)}")
        self.problem = problem
        self.coordinate = coordinate
        self.edges = edges
        self.solver_config = dict(solver or {})
        self.windows = []
        previous = None
        for k, prior in enumerate(priors):
            window = TimeWindow(problem, edges[k], edges[k + 1], previous=previous, coordinate=coordinate)
            previous = PINNSolver(window, prior, name=f"window_{k}", **self.solver_config)
            self.windows.append(previous)
        self._column = list(problem.inputs).index(coordinate)
        self.built = True

    @property
    def coefficients(self) -> dict:
        return {}

    def window_index(self, points):
        """Index of the window holding each point's time, ``[N]`` int32."""
        t = points[:, self._column]
        inner = tf.constant(self.edges[1:-1], t.dtype)
        return tf.reduce_sum(tf.cast(t[:, None] >= inner[None, :], tf.int32), axis=1)

    def _select(self, points, per_window):
        index = self.window_index(points)[:, None]
        out = per_window[0]
        for k, value in enumerate(per_window[1:], start=1):
            out = tf.where(index == k, value, out)
        return out

    def parts(self) -> list:
        """The window solvers, trained one after the other."""
        return list(self.windows)

    def call(self, inputs):
        inputs = tf.cast(inputs, self.compute_dtype)
        return self._select(inputs, [w(inputs) for w in self.windows])

    def fields(self, points, requests=()):
        points = tf.cast(points, self.compute_dtype)
        per = [w.fields(points, requests) for w in self.windows]
        return {k: self._select(points, [p[k] for p in per]) for k in per[0]}

    def residual(self, points):
        points = tf.cast(points, self.compute_dtype)
        per = [w.residual(points) for w in self.windows]
        return {k: self._select(points, [p[k] for p in per]) for k in per[0]}

    def predict_numpy(self, points: np.ndarray, batch: int = 65536) -> np.ndarray:
        out = [self(tf.constant(points[i:i + batch], dtype=self.compute_dtype)).numpy()
               for i in range(0, len(points), batch)]
        return np.concatenate(out).astype(np.float64)

    def get_config(self):
        config = super().get_config()
        config.update(problem=self.problem.get_config(),
                      priors=[keras.saving.serialize_keras_object(w.prior) for w in self.windows],
                      edges=list(self.edges), coordinate=self.coordinate, solver=self.solver_config)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
