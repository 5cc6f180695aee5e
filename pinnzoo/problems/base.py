"""The problem abstraction: what to solve, with no weights.

A :class:`PDEProblem` declares

* ``inputs`` / ``outputs``: coordinate and solution names (``("x", "t")``, ``("u",)``);
* ``domain``: a :class:`~pinnzoo.problems.domains.Box`, or any :class:`~pinnzoo.geometry.Geometry` (disks,
  polygons, set operations, time × space) whose named boundary parts conditions refer to (``on=``);
* ``params``: PDE coefficients, declared by their defaults ``default_params``
  (``{"nu": 0.01/π}``) and the ranges ``param_ranges`` in which the problem and
  its reference are valid (:meth:`parameters`; set by ``--set nu=0.005``); those
  listed in ``trainable`` become trainable variables of the solver (inverse problems);
* ``derivatives``: the derivative names the residual reads (``"u_t"``, ``"u_xx"``);
* :meth:`residual`: the PDE residual ``N(u) - f`` from a dict of fields, a tensor
  or a dict of named tensors for systems;
* :meth:`conditions`: initial/boundary :class:`Condition` s, each a penalty term
  ``mean (field - target)^2`` on points drawn from a face of the domain;
* :meth:`reference`: the reference solution, computed by pinnzoo's own code,
  and :meth:`scoring_grid`, the grid on which errors are reported;
* optionally :meth:`hard_constraint`: an output transform that satisfies some
  conditions exactly (those named in ``hard_constrained``).

The loss every solver minimises is ``Σ_k w_k mean (Op_k(u_Θ) - target_k)^2``:
here the operators are the residual and the conditions.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.geometry import Geometry
from pinnzoo.metrics import field_errors
from pinnzoo.parameters import Parameter, resolve
from pinnzoo.problems.derivatives import parse_derivative
from pinnzoo.problems.domains import Box
from pinnzoo.registry import Registry

#: name -> problem class; unknown names raise ProblemError with the closest match
PROBLEMS: Registry = Registry("problem", ProblemError)


def register_problem(cls):
    """Class decorator: make a problem constructible by name (needed to reload ``.keras`` files)."""
    if not getattr(cls, "name", None):
        raise ProblemError(f"{cls.__name__} needs a class attribute 'name' to be registered")
    PROBLEMS.register(cls.name, cls, replace=True)
    return cls


def get_problem(name: str, **params) -> "PDEProblem":
    return PROBLEMS.get(name)(**params)


def problem_names() -> list[str]:
    return PROBLEMS.names()


@dataclasses.dataclass(frozen=True)
class Condition:
    """A penalty ``mean (fields[field] - target(fields, params))^2`` on sampled points.

    Args:
        name: loss-term name shown in logs (``"initial"``, ``"boundary"``).
        fix: which face of a :class:`Box` to sample, passed to :meth:`Box.sample` (``{"t": 0.0}``); on a
            :class:`~pinnzoo.geometry.Geometry` domain only a point (every coordinate fixed: a pressure pin).
        field: an output or derivative name (``"u"``, ``"u_t"`` for a velocity condition).
        target: ``fn(fields, params) -> tensor [N, 1]`` or a constant; on a boundary part ``fields`` also holds
            the outward normal's components ``n_x``, ``n_y``, …
        n_points: how many points per training batch.
        shift: for periodicity, compare with the same field at the shifted
            points instead of a target: ``{"x": 2.0}`` imposes ``u(x) = u(x + 2)``.
        on: a boundary part of a geometry domain (``"circles"``, ``"lid"``), sampled uniformly by length/area
            with its outward normals, instead of ``fix``.
        normal: the term is the outward normal derivative ``∂field/∂n = Σ nᵢ ∂field/∂xᵢ`` (Neumann; with a
            ``target`` that reads ``fields[field]`` it is a Robin condition) — needs ``on``.
    """

    name: str
    fix: Mapping[str, object] | None
    field: str
    target: Callable | float = 0.0
    n_points: int = 256
    shift: Mapping[str, float] | None = None
    on: str | None = None
    normal: bool = False

    def shift_vector(self, inputs) -> np.ndarray:
        return np.array([float((self.shift or {}).get(n, 0.0)) for n in inputs])

    def target_value(self, fields, params):
        if callable(self.target):
            return self.target(fields, params)
        return tf.zeros_like(fields[self.field]) + self.target

    def gradient_names(self, spatial: Sequence[str]) -> list[str]:
        """The derivatives a normal-derivative term reads (``u_x``, ``u_y``); none for a value term."""
        return [f"{self.field}_{x}" for x in spatial] if self.normal else []


def dirichlet(part: str, value: Callable | float = 0.0, field: str = "u", n_points: int = 256,
              name: str | None = None) -> Condition:
    """``field = value`` on the boundary part ``part`` of a geometry domain."""
    return Condition(name or f"{part}_{field}", None, field, value, n_points, on=part)


def neumann(part: str, value: Callable | float = 0.0, field: str = "u", n_points: int = 256,
            name: str | None = None) -> Condition:
    """``∂field/∂n = value`` (outward normal) on the boundary part ``part``."""
    return Condition(name or f"{part}_{field}_n", None, field, value, n_points, on=part, normal=True)


def robin(part: str, alpha: float, value: Callable | float = 0.0, field: str = "u", n_points: int = 256,
          name: str | None = None) -> Condition:
    """``∂field/∂n + alpha·field = value`` on the boundary part ``part``."""
    def target(f, p):
        g = value(f, p) if callable(value) else value
        return g - alpha * f[field]
    return Condition(name or f"{part}_{field}_robin", None, field, target, n_points, on=part, normal=True)


class PDEProblem:
    """Base class of declarative PDE problems (see the module docstring)."""

    name: str = ""
    inputs: Sequence[str] = ()
    outputs: Sequence[str] = ("u",)
    derivatives: Sequence[str] = ()
    default_params: Mapping[str, float] = {}
    param_ranges: Mapping[str, tuple[float, float]] = {}  # closed [low, high]; absent: any finite value
    trainable: Sequence[str] = ()
    hard_constrained: Sequence[str] = ()
    periodic: Mapping[str, float] = {}  # coordinate -> period, satisfied exactly by a periodic embedding
    #: inputs that are problem parameters (a parametric solver): exports take them as separate tensors
    parameter_inputs: Sequence[str] = ()
    #: the outputs that observations measure (inverse problems with an unmeasured field); empty: all of them
    observed: Sequence[str] = ()
    title: str = ""
    paper: str = ""

    def __init__(self, **params):
        self.params = {k: float(v) for k, v in resolve(self.name, self.parameters(), params).items()}
        self.check_params()
        if any(self.params[k] <= 0 for k in self.trainable):
            raise ProblemError(f"{self.name}: trainable coefficients must be positive, got {self.params}")
        for name in self.outputs:
            if "_" in name:
                raise ProblemError(f"output name {name!r} must not contain '_'")
        for d in self.all_derivatives():
            parse_derivative(d, self.inputs, self.outputs)
        if not set(self.observed) <= set(self.outputs):
            raise ProblemError(f"{self.name}: observed outputs {tuple(self.observed)} are not all outputs "
                               f"{tuple(self.outputs)}")
        self.check_conditions()

    def check_conditions(self) -> None:
        """Conditions on boundary parts need a geometry that has them; a ``fix`` on a geometry is a point."""
        domain = self.domain
        for c in self.conditions():
            if c.normal and not c.on:
                raise ProblemError(f"{self.name}: condition {c.name!r} is a normal derivative: it needs a boundary part (on=)")
            if c.on is not None:
                if not isinstance(domain, Geometry):
                    raise ProblemError(f"{self.name}: condition {c.name!r} is on part {c.on!r}, but the domain is "
                                       f"not a geometry with named boundary parts")
                domain.part_faces(c.on)  # unknown parts: a named error listing the parts
            elif isinstance(domain, Geometry) and set(c.fix or {}) != set(domain.names):
                raise ProblemError(f"{self.name}: condition {c.name!r} on a geometry needs a boundary part (on=) "
                                   f"or a point (fix= every coordinate)")

    # -- declarations -------------------------------------------------------------------
    @classmethod
    def parameters(cls) -> tuple[Parameter, ...]:
        """The declared parameters: ``default_params`` with their ``param_ranges``."""
        return tuple(Parameter(k, float(v), *cls.param_ranges.get(k, (-np.inf, np.inf)))
                     for k, v in cls.default_params.items())

    def check_params(self) -> None:
        """Constraints between or beyond the ranges (raise :class:`~pinnzoo.parameters.ParameterError`)."""

    @property
    def domain(self) -> Box:
        raise NotImplementedError(f"{type(self).__name__} must define its domain")

    def residual(self, f: Mapping[str, tf.Tensor], p: Mapping[str, tf.Tensor]):
        raise NotImplementedError(f"{type(self).__name__} must define its residual")

    def conditions(self) -> list[Condition]:
        return []

    def reference(self, points: np.ndarray) -> np.ndarray:
        """Reference solution at ``points [N, d]`` as ``[N, len(outputs)]`` (numpy, float64)."""
        raise NotImplementedError(f"{type(self).__name__} has no reference solution")

    def scoring_grid(self) -> tuple[np.ndarray, tuple[int, ...]]:
        """Where errors are reported: the domain's grid (101 per coordinate); on a geometry the nodes of that grid
        inside it, or above two dimensions 32,768 Sobol' points of its interior (seed 0), as a flat list."""
        if not isinstance(self.domain, Geometry):
            return self.domain.grid()
        if self.domain.dim > 2:
            points = self.domain.sample_interior(1 << 15, np.random.default_rng(0), "sobol")
        else:
            points, _ = self.domain.grid()
            points = points[self.domain.inside(points)]
        return points, (len(points),)

    def observations(self, n: int, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Synthetic measurements for inverse problems: ``n`` uniform points of the domain and
        the reference there, plus Gaussian noise of ``noise`` times the values' standard deviation
        (Raissi et al.'s convention)."""
        if n < 1 or noise < 0:
            raise ProblemError(f"observations need n >= 1 and noise >= 0, got n={n}, noise={noise}")
        rng = np.random.default_rng(seed)
        x = self.domain.sample(n, rng)
        y = self.reference(x)[:, self.observed_columns]
        y = y + noise * y.std(axis=0, keepdims=True) * rng.standard_normal(y.shape)
        return x, y

    def noise_variance(self, noise: float, x: np.ndarray) -> float:
        """The mean variance of the noise :meth:`observations` adds at ``x`` with level ``noise`` (here relative:
        ``(noise · std of the values)²``, averaged over the measured outputs) — the σ² of the discrepancy principle."""
        y = self.reference(x)[:, self.observed_columns]
        return float(np.mean((noise * y.std(axis=0)) ** 2))

    @property
    def observed_columns(self) -> list[int]:
        """The columns of the outputs that observations measure (:attr:`observed`, all when it is empty)."""
        return [self.outputs.index(o) for o in self.observed] if self.observed else list(range(len(self.outputs)))

    def hard_constraint(self, x: Mapping[str, tf.Tensor], raw: tf.Tensor) -> tf.Tensor:
        """Map raw network outputs to outputs that satisfy ``hard_constrained`` exactly."""
        raise ProblemError(f"{self.name} defines no hard constraint")

    # -- derived ------------------------------------------------------------------------
    @property
    def coordinate_inputs(self) -> list[str]:
        """The inputs that are coordinates (all but the ``parameter_inputs``)."""
        return [n for n in self.inputs if n not in self.parameter_inputs]

    def slice_grid(self, size: int = 64) -> tuple[np.ndarray, tuple[int, int]]:
        """``(points [size², n_inputs], (size, size))``: a grid over the first two coordinates, every
        other input at the middle of its range (an image of the solution: TensorBoard, ``pinnzoo plot``)."""
        first, second = self.coordinate_inputs[:2]
        axes = {n: [float(np.mean(self.domain.bounds[n]))] for n in self.domain.names if n not in (first, second)}
        points, shape = self.domain.grid(counts={first: size, second: size}, axes=axes)
        return points, (size, size)

    def all_derivatives(self) -> list[str]:
        names = list(self.derivatives)
        spatial = getattr(self.domain, "spatial_names", ()) if any(c.normal for c in self.conditions()) else ()
        for c in self.conditions():
            for d in [c.field] * (c.field not in self.outputs) + c.gradient_names(spatial):
                if d not in names:
                    names.append(d)
        return names

    def active_conditions(self, hard: bool, periodic_embedding: bool = False) -> list[Condition]:
        """Conditions left as loss terms: those not enforced exactly by the hard constraint
        and, with a periodic embedding, not the ``periodic*`` ones."""
        return [c for c in self.conditions() if not (hard and c.name in self.hard_constrained)
                and not (periodic_embedding and c.name.startswith("periodic"))]

    def score(self, pred: np.ndarray, ref: np.ndarray) -> dict:
        """Error metrics on the scoring grid; ``rel_l2`` is the one targets refer to."""
        return field_errors(pred, ref, self.outputs)

    def residual_terms(self, f, p) -> dict[str, tf.Tensor]:
        """The residual as a dict ``term name -> [N, 1] tensor``."""
        r = self.residual(f, p)
        if isinstance(r, Mapping):
            return {f"residual_{k}": v for k, v in r.items()}
        return {"residual": r}

    def get_config(self) -> dict:
        return {"name": self.name, "params": dict(self.params)}

    def describe(self) -> dict:
        """Metadata written beside exports."""
        changed = {k: v for k, v in self.params.items() if v != self.default_params.get(k)}
        title = self.title + (" [" + ", ".join(f"{k} = {v:.6g}" for k, v in changed.items()) + "]" if changed else "")
        return {
            "problem": self.name,
            "title": title,
            "paper": self.paper,
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "domain": self.domain.get_config(),
            "params": dict(self.params),
            "trainable_params": list(self.trainable),
        }
