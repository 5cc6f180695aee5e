"""The geometry contract: an inside test, a signed distance, interior and boundary samplers with outward normals.

A :class:`Geometry` is a bounded region Ω ⊂ Rᵈ with named coordinates. Its boundary ∂Ω is a list of
:class:`Face` s, each with a label: the boundary *parts* that conditions refer to ("circles", "lid",
"inlet") are the faces whose label is the part's name or starts with it and a dot (the square's edge
``"square.x_min"`` belongs to the part ``"square"``).

* :meth:`Geometry.sdf` is a signed distance, negative inside: exact for the primitives, the usual min/max
  combination for set operations (exact on the boundary and of the right sign everywhere, a bound on the
  distance elsewhere) — what an exact (hard) boundary embedding needs.
* Interior points are drawn uniformly (i.i.d. or scrambled Sobol') by rejection from the bounding box unless a
  shape knows an exact sampler. Boundary points are drawn uniformly with respect to length/area: every
  candidate face is drawn in proportion to its measure and set operations reject what is not on their
  boundary — rejection keeps the distribution uniform.

Everything is numpy (float64): the samplers feed ``tf.data`` pipelines and the reference solvers alike.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
from scipy.stats import qmc

from pinnzoo.errors import ProblemError
from pinnzoo.registry import Registry

#: type name -> geometry class (rebuilds a geometry from :meth:`Geometry.get_config`)
GEOMETRIES: Registry = Registry("geometry", ProblemError, "geometries")
SAMPLING_METHODS = ("uniform", "sobol")
#: Monte Carlo points behind a measure no formula gives (set operations); its error is ~ 1/sqrt of it
MEASURE_SAMPLES = 1 << 18


def register_geometry(cls):
    """Class decorator: make a geometry rebuildable from its config (by its class name)."""
    GEOMETRIES.register(cls.__name__, cls, replace=True)
    return cls


def default_names(dim: int) -> tuple[str, ...]:
    """``x``, ``(x, y)``, ``(x, y, z)``, and ``x1 … xd`` from four dimensions on."""
    if dim < 1:
        raise ProblemError(f"a geometry needs at least one dimension, got {dim}")
    return ("x", "y", "z")[:dim] if dim <= 3 else tuple(f"x{i + 1}" for i in range(dim))


def unit_points(n: int, dim: int, rng: np.random.Generator, method: str) -> np.ndarray:
    """``n`` points of the unit cube ``[0, 1)^dim``, i.i.d. uniform or scrambled Sobol'."""
    if method == "uniform":
        return rng.random((n, dim))
    if method == "sobol":
        return qmc.Sobol(dim, scramble=True, seed=rng).random(n)
    raise ProblemError(f"unknown sampling method {method!r} (use one of {', '.join(SAMPLING_METHODS)})")


@dataclasses.dataclass(frozen=True)
class Face:
    """One smooth piece of a boundary: its label, its measure (length, area; 1 for an end point) and a sampler
    ``sample(n, rng) -> (points [n, d], outward normals [n, d])`` uniform over it."""

    label: str
    measure: float
    sample: Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    #: points of the face that belong to the region's boundary (set operations cut faces); None: all
    keep: Callable[[np.ndarray], np.ndarray] | None = None

    def belongs_to(self, part: str | None) -> bool:
        return part is None or self.label == part or self.label.startswith(part + ".")


def check_points(points, dim: int) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != dim:
        raise ProblemError(f"points must have shape [N, {dim}], got {points.shape}")
    return points


class Geometry:
    """A bounded region with named coordinates (see the module docstring).

    Subclasses give ``names``, :attr:`lower`/:attr:`upper` (the bounding box), :meth:`sdf`, :meth:`faces`,
    :meth:`get_config` and, where a formula exists, :attr:`measure` and :meth:`sample_exact`.
    """

    names: tuple[str, ...] = ()

    # -- what a shape defines -----------------------------------------------------------
    @property
    def lower(self) -> np.ndarray:
        raise NotImplementedError

    @property
    def upper(self) -> np.ndarray:
        raise NotImplementedError

    def sdf(self, points) -> np.ndarray:
        """Signed distance to the boundary at ``points [N, d]``, negative inside, shape ``[N]``."""
        raise NotImplementedError

    def faces(self) -> list[Face]:
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: dict) -> "Geometry":
        return cls(**config)

    def sample_exact(self, n: int, rng: np.random.Generator, method: str) -> np.ndarray | None:
        """Uniform interior points by a direct formula, or None (rejection from the bounding box)."""
        return None

    # -- derived ------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return len(self.names)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """The bounding box as ``name -> (lo, hi)`` (what a :class:`~pinnzoo.problems.domains.Box` gives)."""
        return {n: (float(lo), float(hi)) for n, lo, hi in zip(self.names, self.lower, self.upper)}

    @property
    def measure(self) -> float:
        """Length/area/volume; a Monte Carlo estimate (:data:`MEASURE_SAMPLES` Sobol' points) where no formula is
        known."""
        box = np.prod(self.upper - self.lower)
        unit = unit_points(MEASURE_SAMPLES, self.dim, np.random.default_rng(0), "sobol")
        return float(box * self.inside(self.lower + unit * (self.upper - self.lower)).mean())

    def inside(self, points, atol: float = 0.0) -> np.ndarray:
        """Whether each point lies in the closed region (within ``atol``)."""
        return self.sdf(check_points(points, self.dim)) <= atol

    contains = inside

    def on_boundary(self, points, atol: float = 1e-9) -> np.ndarray:
        return np.abs(self.sdf(check_points(points, self.dim))) <= atol

    def parts(self) -> list[str]:
        """The boundary's labels, in order (each a part; so is every dotted prefix of one)."""
        return list(dict.fromkeys(f.label for f in self.faces()))

    def boundary_measure(self, part: str | None = None, samples: int = 1 << 16) -> float:
        """Length/area of the boundary part (exact for uncut faces, estimated by rejection for cut ones)."""
        total = 0.0
        for face in self.part_faces(part):
            if face.keep is None:
                total += face.measure
            else:
                points, _ = face.sample(samples, np.random.default_rng(0))
                total += face.measure * float(face.keep(points).mean())
        return total

    def part_faces(self, part: str | None) -> list[Face]:
        faces = [f for f in self.faces() if f.belongs_to(part)]
        if not faces:
            raise ProblemError(f"the geometry has no boundary part {part!r}; parts: {', '.join(self.parts())}")
        return faces

    # -- samplers -----------------------------------------------------------------------
    def sample_interior(self, n: int, rng: np.random.Generator, method: str = "uniform") -> np.ndarray:
        """``n`` points uniformly in the region, shape ``[n, d]``."""
        exact = self.sample_exact(n, rng, method)
        if exact is not None:
            return exact
        return self._reject(n, rng, method)

    def _reject(self, n: int, rng: np.random.Generator, method: str) -> np.ndarray:
        kept, total, rate = [], 0, 1.0
        while total < n:
            m = int(min(max(64, 1.2 * (n - total) / rate), 1 << 22))
            m = 1 << int(np.ceil(np.log2(m))) if method == "sobol" else m  # Sobol' balance wants powers of 2
            pts = self.lower + unit_points(m, self.dim, rng, method) * (self.upper - self.lower)
            pts = pts[self.inside(pts)]
            rate = max(len(pts) / m, 1e-4)
            kept.append(pts)
            total += len(pts)
        return np.concatenate(kept)[:n]

    def sample_boundary(self, n: int, rng: np.random.Generator, part: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniformly (by length/area) on the boundary part ``part`` (None: the whole boundary) and the
        outward unit normals there: ``(points [n, d], normals [n, d])``."""
        faces = self.part_faces(part)
        weights = np.array([f.measure for f in faces], dtype=float)
        weights = weights / weights.sum()
        points, normals, total, rate = [], [], 0, 1.0
        while total < n:
            m = int(max(16, 1.2 * (n - total) / rate))
            counts = rng.multinomial(m, weights)
            for face, k in zip(faces, counts):
                if k:
                    p, q = face.sample(int(k), rng)
                    keep = np.ones(len(p), bool) if face.keep is None else face.keep(p)
                    points.append(p[keep])
                    normals.append(q[keep])
                    total += int(keep.sum())
            rate = max(total / m, 1e-3) if total else rate / 10
        order = rng.permutation(total)[:n]
        return np.concatenate(points)[order], np.concatenate(normals)[order]

    def sample(self, n: int, rng: np.random.Generator, method: str = "uniform") -> np.ndarray:
        """Interior points (the name a :class:`~pinnzoo.problems.domains.Box` uses)."""
        return self.sample_interior(n, rng, method)

    @property
    def spatial_names(self) -> tuple[str, ...]:
        """The coordinates a normal derivative differentiates along (all here; not the time of a space-time)."""
        return self.names

    def grid(self, counts: dict | None = None, axes: dict | None = None) -> tuple[np.ndarray, tuple[int, ...]]:
        """A tensor-product grid over the bounding box, ``(points [N, d], shape)`` (``counts`` points per
        coordinate, 101 by default, or given ``axes``); :meth:`inside` masks it."""
        axes = dict(axes or {})
        lines = [np.asarray(axes[n], dtype=float) if n in axes else np.linspace(lo, hi, int((counts or {}).get(n, 101)))
                 for n, (lo, hi) in self.bounds.items()]
        mesh = np.meshgrid(*lines, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1), mesh[0].shape

    # -- set operations -----------------------------------------------------------------
    def __or__(self, other: "Geometry") -> "Geometry":
        return Union(self, other)

    def __and__(self, other: "Geometry") -> "Geometry":
        return Intersection(self, other)

    def __sub__(self, other: "Geometry") -> "Geometry":
        return Difference(self, other)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


def from_config(config: dict) -> Geometry:
    """Rebuild a geometry from :meth:`Geometry.get_config` (exports record their geometry this way)."""
    config = dict(config)
    cls = GEOMETRIES.get(config.pop("type", None))
    return cls.from_config(config)


def cut(face: Face, keep: Callable[[np.ndarray], np.ndarray], flip: bool = False) -> Face:
    """``face`` restricted to the points where ``keep`` holds (and where its own cut keeps), normals
    reversed if ``flip`` (a hole's boundary faces into the hole)."""
    both = keep if face.keep is None else (lambda p: face.keep(p) & keep(p))
    if not flip:
        return dataclasses.replace(face, keep=both)

    def sample(n, rng):
        points, normals = face.sample(n, rng)
        return points, -normals
    return Face(face.label, face.measure, sample, both)


class SetOperation(Geometry):
    """A set operation of two geometries on the same coordinates; its config nests theirs."""

    def __init__(self, a: Geometry, b: Geometry):
        if not (isinstance(a, Geometry) and isinstance(b, Geometry)):
            raise ProblemError(f"set operations combine geometries, got {type(a).__name__} and {type(b).__name__}")
        if a.names != b.names:
            raise ProblemError(f"set operations need the same coordinates, got {a.names} and {b.names}")
        self.a, self.b, self.names = a, b, a.names

    def get_config(self) -> dict:
        return {"type": type(self).__name__, "a": self.a.get_config(), "b": self.b.get_config()}

    @classmethod
    def from_config(cls, config: dict) -> "SetOperation":
        return cls(from_config(config["a"]), from_config(config["b"]))


@register_geometry
class Union(SetOperation):
    """A ∪ B: signed distance min(d_A, d_B); boundary: the faces of each outside the other."""

    lower = property(lambda self: np.minimum(self.a.lower, self.b.lower))
    upper = property(lambda self: np.maximum(self.a.upper, self.b.upper))

    def sdf(self, points) -> np.ndarray:
        return np.minimum(self.a.sdf(points), self.b.sdf(points))

    def faces(self) -> list[Face]:
        return ([cut(f, lambda p: self.b.sdf(p) > 0) for f in self.a.faces()]
                + [cut(f, lambda p: self.a.sdf(p) > 0) for f in self.b.faces()])


@register_geometry
class Intersection(SetOperation):
    """A ∩ B: signed distance max(d_A, d_B); boundary: the faces of each inside the other."""

    lower = property(lambda self: np.maximum(self.a.lower, self.b.lower))
    upper = property(lambda self: np.minimum(self.a.upper, self.b.upper))

    def sdf(self, points) -> np.ndarray:
        return np.maximum(self.a.sdf(points), self.b.sdf(points))

    def faces(self) -> list[Face]:
        return ([cut(f, lambda p: self.b.sdf(p) < 0) for f in self.a.faces()]
                + [cut(f, lambda p: self.a.sdf(p) < 0) for f in self.b.faces()])


@register_geometry
class Difference(SetOperation):
    """A − B (A with B removed, e.g. a plate with holes): signed distance max(d_A, −d_B); boundary: A's faces
    outside B, and B's faces inside A with their normals reversed (pointing into the hole, out of A − B)."""

    lower = property(lambda self: self.a.lower)
    upper = property(lambda self: self.a.upper)

    def sdf(self, points) -> np.ndarray:
        return np.maximum(self.a.sdf(points), -self.b.sdf(points))

    def faces(self) -> list[Face]:
        return ([cut(f, lambda p: self.b.sdf(p) > 0) for f in self.a.faces()]
                + [cut(f, lambda p: self.a.sdf(p) < 0, flip=True) for f in self.b.faces()])
