"""The primitive shapes: hypercubes (interval, rectangle, box), hyperspheres (disk, ball) and polygons.

Each has an exact signed distance, exact measures, exact uniform samplers of its faces and outward normals;
hypercubes and hyperspheres also sample their interior directly.
"""

from __future__ import annotations

from math import gamma, pi
from typing import Mapping, Sequence

import numpy as np

from pinnzoo.errors import ProblemError
from pinnzoo.geometry.base import (Face, Geometry, check_points, default_names, from_config, register_geometry,
                                   unit_points)


def _names(names, dim: int) -> tuple[str, ...]:
    names = default_names(dim) if names is None else tuple(str(n) for n in names)
    if len(names) != dim or len(set(names)) != dim:
        raise ProblemError(f"need {dim} distinct coordinate names, got {names}")
    return names


@register_geometry
class Hypercube(Geometry):
    r"""The box :math:`\prod_i [\ell_i, u_i]` in any dimension (an interval, a rectangle, a 5-cube).

    Signed distance: with :math:`q = |x - c| - h` (centre c, half widths h),
    :math:`d(x) = \|\max(q, 0)\| + \min(\max_i q_i, 0)`. Faces ``LABEL.NAME_min`` / ``LABEL.NAME_max``
    (``box.y_max``), renamed by ``face_labels`` (``{"y_max": "lid"}``).
    """

    def __init__(self, lower: Sequence[float], upper: Sequence[float], names: Sequence[str] | None = None,
                 label: str = "box", face_labels: Mapping[str, str] | None = None):
        lo, hi = np.asarray(lower, dtype=float).ravel(), np.asarray(upper, dtype=float).ravel()
        if lo.shape != hi.shape or not np.isfinite([*lo, *hi]).all() or not (lo < hi).all():
            raise ProblemError(f"a hypercube needs finite lower < upper of one length, got {lower}, {upper}")
        self._lower, self._upper, self.names = lo, hi, _names(names, lo.size)
        self.label, self.face_labels = str(label), dict(face_labels or {})
        unknown = set(self.face_labels) - {f"{n}_{s}" for n in self.names for s in ("min", "max")}
        if unknown:
            raise ProblemError(f"unknown faces {sorted(unknown)}; a hypercube's faces are NAME_min and NAME_max")

    lower = property(lambda self: self._lower.copy())
    upper = property(lambda self: self._upper.copy())

    @property
    def measure(self) -> float:
        return float(np.prod(self._upper - self._lower))

    def sdf(self, points) -> np.ndarray:
        points = check_points(points, self.dim)
        q = np.abs(points - (self._lower + self._upper) / 2) - (self._upper - self._lower) / 2
        return np.linalg.norm(np.maximum(q, 0), axis=1) + np.minimum(q.max(axis=1), 0)

    def sample_exact(self, n, rng, method):
        return self._lower + unit_points(n, self.dim, rng, method) * (self._upper - self._lower)

    def faces(self) -> list[Face]:
        widths = self._upper - self._lower
        out = []
        for i, name in enumerate(self.names):
            area = float(np.prod(np.delete(widths, i)))  # 1 for the end points of an interval
            for side, value, sign in (("min", self._lower[i], -1.0), ("max", self._upper[i], 1.0)):
                key = f"{name}_{side}"
                out.append(Face(self.face_labels.get(key, f"{self.label}.{key}"), area,
                                self._face_sampler(i, value, sign)))
        return out

    def _face_sampler(self, i: int, value: float, sign: float):
        def sample(n, rng):
            points = self.sample_exact(n, rng, "uniform")
            points[:, i] = value
            normals = np.zeros_like(points)
            normals[:, i] = sign
            return points, normals
        return sample

    def get_config(self) -> dict:
        return {"type": type(self).__name__, "lower": self._lower.tolist(), "upper": self._upper.tolist(),
                "names": list(self.names), "label": self.label, "face_labels": dict(self.face_labels)}


@register_geometry
class Rectangle(Hypercube):
    """A hypercube in two dimensions, coordinates ``(x, y)`` unless named."""

    def __init__(self, lower, upper, names=None, label: str = "rectangle", face_labels=None):
        super().__init__(lower, upper, names, label, face_labels)
        if self.dim != 2:
            raise ProblemError(f"a rectangle has two coordinates, got {self.dim}")


@register_geometry
class Interval(Hypercube):
    """``[lo, hi]`` on one coordinate; its two faces are the end points (measure 1 each)."""

    def __init__(self, lower: float, upper: float, names=("x",), label: str = "interval", face_labels=None):
        super().__init__(np.ravel(lower), np.ravel(upper), names, label, face_labels)
        if self.dim != 1:
            raise ProblemError(f"an interval has one coordinate, got {self.dim}")

    def get_config(self) -> dict:
        return {**super().get_config(), "lower": float(self._lower[0]), "upper": float(self._upper[0])}


@register_geometry
class Hypersphere(Geometry):
    r"""The ball :math:`\{x : \|x - c\| \le r\}` in any dimension (a disk, the unit ball of R⁵).

    Signed distance :math:`\|x - c\| - r`; volume :math:`\pi^{d/2} r^d / \Gamma(d/2 + 1)`; sphere area
    :math:`2\pi^{d/2} r^{d-1} / \Gamma(d/2)`. Uniform interior points: a uniform direction (normalised Gaussian)
    times :math:`r\,U^{1/d}`. One face, labelled ``label``.
    """

    def __init__(self, center: Sequence[float], radius: float, names: Sequence[str] | None = None,
                 label: str = "ball"):
        self.center = np.asarray(center, dtype=float).ravel()
        self.radius = float(radius)
        if not np.isfinite(self.center).all() or not (np.isfinite(self.radius) and self.radius > 0):
            raise ProblemError(f"a hypersphere needs a finite centre and radius > 0, got {center}, {radius}")
        self.names, self.label = _names(names, self.center.size), str(label)

    lower = property(lambda self: self.center - self.radius)
    upper = property(lambda self: self.center + self.radius)

    @property
    def measure(self) -> float:
        d = self.dim
        return float(pi ** (d / 2) * self.radius ** d / gamma(d / 2 + 1))

    def sdf(self, points) -> np.ndarray:
        return np.linalg.norm(check_points(points, self.dim) - self.center, axis=1) - self.radius

    def _directions(self, n, rng):
        v = rng.standard_normal((n, self.dim))
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def sample_exact(self, n, rng, method):
        if method != "uniform":
            return None  # Sobol' points: by rejection, which keeps their low discrepancy
        return self.center + self._directions(n, rng) * self.radius * rng.random((n, 1)) ** (1 / self.dim)

    def faces(self) -> list[Face]:
        d = self.dim
        area = float(2 * pi ** (d / 2) * self.radius ** (d - 1) / gamma(d / 2))

        def sample(n, rng):
            u = self._directions(n, rng)
            return self.center + self.radius * u, u
        return [Face(self.label, area, sample)]

    def get_config(self) -> dict:
        return {"type": type(self).__name__, "center": self.center.tolist(), "radius": self.radius,
                "names": list(self.names), "label": self.label}


@register_geometry
class Disk(Hypersphere):
    """A hypersphere in two dimensions, coordinates ``(x, y)`` unless named."""

    def __init__(self, center, radius, names=None, label: str = "disk"):
        super().__init__(center, radius, names, label)
        if self.dim != 2:
            raise ProblemError(f"a disk has two coordinates, got {self.dim}")


@register_geometry
class Polygon(Geometry):
    """A simple polygon from its vertices (either orientation; not self-intersecting).

    Signed distance: the distance to the nearest edge, negative where the even–odd rule says inside. Edges are
    faces ``LABEL.edgeK`` (K from 0, edge K from vertex K to K + 1), renamed by ``edge_labels`` (``{0: "inlet"}``);
    outward normals from the orientation (signed area).
    """

    def __init__(self, vertices: Sequence[Sequence[float]], names: Sequence[str] | None = None,
                 label: str = "polygon", edge_labels: Mapping[int, str] | None = None):
        v = np.asarray(vertices, dtype=float)
        if v.ndim != 2 or v.shape[1] != 2 or len(v) < 3 or not np.isfinite(v).all():
            raise ProblemError(f"a polygon needs at least 3 finite 2-D vertices, got shape {v.shape}")
        self.vertices, self.names, self.label = v, _names(names, 2), str(label)
        self.edge_labels = {int(k): str(t) for k, t in (edge_labels or {}).items()}
        self.edges = np.roll(v, -1, axis=0) - v
        lengths = np.linalg.norm(self.edges, axis=1)
        area = 0.5 * np.sum(v[:, 0] * np.roll(v[:, 1], -1) - np.roll(v[:, 0], -1) * v[:, 1])
        if (lengths == 0).any() or abs(area) == 0:
            raise ProblemError("a polygon needs distinct consecutive vertices and a non-zero area")
        if set(self.edge_labels) - set(range(len(v))):
            raise ProblemError(f"edge_labels refer to edges 0..{len(v) - 1}, got {sorted(self.edge_labels)}")
        self.lengths, self.area = lengths, abs(float(area))
        turn = 1.0 if area > 0 else -1.0  # counter-clockwise: the outward normal of (dx, dy) is (dy, -dx)
        self.normals = turn * np.stack([self.edges[:, 1], -self.edges[:, 0]], axis=1) / lengths[:, None]

    lower = property(lambda self: self.vertices.min(axis=0))
    upper = property(lambda self: self.vertices.max(axis=0))
    measure = property(lambda self: self.area)

    def sdf(self, points) -> np.ndarray:
        p = check_points(points, 2)[:, None, :]
        a, e = self.vertices[None], self.edges[None]
        t = np.clip(np.sum((p - a) * e, axis=2) / np.sum(e * e, axis=2), 0, 1)
        distance = np.linalg.norm(p - a - t[..., None] * e, axis=2).min(axis=1)
        y, ay, by = p[..., 1], a[..., 1], a[..., 1] + e[..., 1]
        crosses = (ay > y) != (by > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = a[..., 0] + (y - ay) / e[..., 1] * e[..., 0]
        inside = np.sum(crosses & (p[..., 0] < x_at), axis=1) % 2 == 1
        return np.where(inside, -distance, distance)

    def faces(self) -> list[Face]:
        return [Face(self.edge_labels.get(k, f"{self.label}.edge{k}"), float(self.lengths[k]), self._edge_sampler(k))
                for k in range(len(self.vertices))]

    def _edge_sampler(self, k: int):
        def sample(n, rng):
            points = self.vertices[k] + rng.random((n, 1)) * self.edges[k]
            return points, np.repeat(self.normals[k][None], n, axis=0)
        return sample

    def get_config(self) -> dict:
        return {"type": type(self).__name__, "vertices": self.vertices.tolist(), "names": list(self.names),
                "label": self.label, "edge_labels": {str(k): t for k, t in self.edge_labels.items()}}


def region_of(config: dict) -> Geometry:
    """The region an export's ``domain`` record describes: a geometry config, or a box as ``name -> [lo, hi]``."""
    if "type" in config:
        return from_config(config)
    return Hypercube([lo for lo, _ in config.values()], [hi for _, hi in config.values()], names=list(config))
