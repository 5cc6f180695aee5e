"""Geometries for PDE problems: shapes, set operations and time × space (:mod:`pinnzoo.geometry.base`).

    >>> square = Rectangle([-0.5, -0.5], [0.5, 0.5], label="square")
    >>> holes = Disk([0.3, 0.3], 0.1, label="circles") | Disk([-0.3, 0.3], 0.1, label="circles")
    >>> plate = square - holes
    >>> points, normals = plate.sample_boundary(100, np.random.default_rng(0), part="circles")
"""

from pinnzoo.geometry.base import (GEOMETRIES, Difference, Face, Geometry, Intersection, Union, from_config,
                                   register_geometry)
from pinnzoo.geometry.shapes import Disk, Hypercube, Hypersphere, Interval, Polygon, Rectangle, region_of
from pinnzoo.geometry.spacetime import SpaceTime

__all__ = ["GEOMETRIES", "Difference", "Disk", "Face", "Geometry", "Hypercube", "Hypersphere", "Intersection",
           "Interval", "Polygon", "Rectangle", "SpaceTime", "Union", "from_config", "region_of", "register_geometry"]
