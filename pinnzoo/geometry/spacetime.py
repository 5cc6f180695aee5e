"""Time × space: a spatial geometry swept over a time interval."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pinnzoo.errors import ProblemError
from pinnzoo.geometry.base import Face, Geometry, check_points, from_config, register_geometry, unit_points


@register_geometry
class SpaceTime(Geometry):
    r"""Ω × [t₀, t₁] with the time coordinate last (``(x, y, t)``).

    Faces: ``initial`` (t = t₀, normal −e_t), ``final`` (t = t₁, normal +e_t) and every spatial face swept over
    time under its own label (normal (n, 0)), so a condition on ``"circles"`` holds at all times. Signed distance
    max(d_Ω(x), d_[t₀,t₁](t)); the spatial part alone is :meth:`space_sdf` (what a hard boundary embedding of the
    spatial conditions multiplies by).
    """

    def __init__(self, space: Geometry, t: Sequence[float] = (0.0, 1.0), name: str = "t"):
        t0, t1 = (float(v) for v in t)
        if not isinstance(space, Geometry) or not (np.isfinite([t0, t1]).all() and t0 < t1):
            raise ProblemError(f"SpaceTime needs a geometry and finite t0 < t1, got {space!r}, {t}")
        if name in space.names:
            raise ProblemError(f"the time coordinate {name!r} is already a coordinate of the space {space.names}")
        self.space, self.t, self.time_name = space, (t0, t1), str(name)
        self.names = (*space.names, self.time_name)

    lower = property(lambda self: np.append(self.space.lower, self.t[0]))
    upper = property(lambda self: np.append(self.space.upper, self.t[1]))

    @property
    def measure(self) -> float:
        return self.space.measure * (self.t[1] - self.t[0])

    @property
    def spatial_names(self) -> tuple[str, ...]:
        return self.space.names

    def space_sdf(self, points) -> np.ndarray:
        return self.space.sdf(check_points(points, self.dim)[:, :-1])

    def sdf(self, points) -> np.ndarray:
        points = check_points(points, self.dim)
        t0, t1 = self.t
        time = np.abs(points[:, -1] - (t0 + t1) / 2) - (t1 - t0) / 2
        return np.maximum(self.space.sdf(points[:, :-1]), time)

    def _times(self, n, rng, method="uniform"):
        return self.t[0] + unit_points(n, 1, rng, method) * (self.t[1] - self.t[0])

    def sample_exact(self, n, rng, method):
        return np.concatenate([self.space.sample_interior(n, rng, method), self._times(n, rng, method)], axis=1)

    def faces(self) -> list[Face]:
        out = [Face("initial", self.space.measure, self._slice(self.t[0], -1.0)),
               Face("final", self.space.measure, self._slice(self.t[1], 1.0))]
        for face in self.space.faces():
            keep = None if face.keep is None else (lambda p, k=face.keep: k(p[:, :-1]))
            out.append(Face(face.label, face.measure * (self.t[1] - self.t[0]), self._swept(face), keep))
        return out

    def _slice(self, value: float, sign: float):
        def sample(n, rng):
            points = np.concatenate([self.space.sample_interior(n, rng), np.full((n, 1), value)], axis=1)
            normals = np.zeros_like(points)
            normals[:, -1] = sign
            return points, normals
        return sample

    def _swept(self, face: Face):
        def sample(n, rng):
            points, normals = face.sample(n, rng)
            return (np.concatenate([points, self._times(n, rng)], axis=1),
                    np.concatenate([normals, np.zeros((n, 1))], axis=1))
        return sample

    def get_config(self) -> dict:
        return {"type": type(self).__name__, "space": self.space.get_config(), "t": list(self.t),
                "name": self.time_name}

    @classmethod
    def from_config(cls, config: dict) -> "SpaceTime":
        return cls(from_config(config["space"]), config["t"], config.get("name", "t"))
