"""Geometries: measures against formulas, normals against the signed distance's gradient, set operations that
keep what they say, uniform samplers, configs that rebuild the shape, and named errors."""

from math import acos, gamma, pi, sqrt

import numpy as np
import pytest

from pinnzoo.errors import ProblemError
from pinnzoo.geometry import (Difference, Disk, Hypercube, Hypersphere, Intersection, Interval, Polygon, Rectangle,
                              SpaceTime, Union, from_config)


def rng(seed=0):
    return np.random.default_rng(seed)


def plate_with_holes():
    """PINNacle's Poisson 2d-C domain: [-0.5, 0.5]² minus four disks of radius 0.1 at (±0.3, ±0.3)."""
    holes = [Disk([sx * 0.3, sy * 0.3], 0.1, label="circles") for sx in (-1, 1) for sy in (-1, 1)]
    union = holes[0] | holes[1] | holes[2] | holes[3]
    return Rectangle([-0.5, -0.5], [0.5, 0.5], label="square") - union, union


def lens_area(r, d):
    """Area of the intersection of two disks of radius r whose centres are d apart."""
    return 2 * r * r * acos(d / (2 * r)) - d / 2 * sqrt(4 * r * r - d * d)


L_SHAPE = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]


@pytest.mark.parametrize("geometry, exact", [
    (plate_with_holes()[0], 1 - 4 * pi * 0.01),
    (Polygon(L_SHAPE), 3.0),
    (Disk([0, 0], 1) | Disk([1, 0], 1), 2 * pi - lens_area(1, 1)),
    (Disk([0, 0], 1) & Disk([1, 0], 1), lens_area(1, 1)),
    (Disk([0, 0], 1) & Rectangle([0, 0], [2, 2]), pi / 4),
    (Hypercube(np.zeros(5), np.ones(5)) - Hypersphere(np.zeros(5), 1.0), 1 - pi ** 2.5 / gamma(3.5) / 32),
])
def test_measure_by_sampling_is_the_exact_area_or_volume(geometry, exact):
    """The Monte Carlo measure (what set operations report) and the share of bounding-box samples inside."""
    assert geometry.measure == pytest.approx(exact, rel=2e-3)
    box = np.prod(geometry.upper - geometry.lower)
    points = geometry.lower + rng(1).random((200_000, geometry.dim)) * (geometry.upper - geometry.lower)
    share = geometry.inside(points).mean()
    assert box * share == pytest.approx(exact, abs=4 * box * sqrt(share * (1 - share) / 200_000))


@pytest.mark.parametrize("geometry, exact", [
    (Hypersphere(np.zeros(5), 1.0), pi ** 2.5 / gamma(3.5)),
    (Disk([1, 2], 0.5), pi / 4),
    (Hypercube([0, 0, 0], [1, 2, 3]), 6.0),
    (Interval(-1, 3), 4.0),
    (SpaceTime(Disk([0, 0], 1), (0, 2)), 2 * pi),
])
def test_exact_measures_of_the_primitives(geometry, exact):
    assert geometry.measure == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("geometry, part, exact", [
    (plate_with_holes()[0], None, 4 + 0.8 * pi),
    (plate_with_holes()[0], "circles", 0.8 * pi),
    (plate_with_holes()[0], "square", 4.0),
    (Disk([0, 0], 1) | Disk([1, 0], 1), None, 2 * (2 * pi - 2 * acos(0.5))),  # each circle less its arc in the other
    (Polygon(L_SHAPE), None, 8.0),
    (Hypersphere(np.zeros(5), 1.0), None, 2 * pi ** 2.5 / gamma(2.5)),
    (SpaceTime(Disk([0, 0], 1), (0, 2)), "disk", 4 * pi),
])
def test_boundary_measure(geometry, part, exact):
    assert geometry.boundary_measure(part) == pytest.approx(exact, rel=1e-2)


def sdf_gradient(geometry, points, h=1e-6):
    return np.stack([(geometry.sdf(points + h * e) - geometry.sdf(points - h * e)) / (2 * h)
                     for e in np.eye(geometry.dim)], axis=1)


@pytest.mark.parametrize("geometry", [
    plate_with_holes()[0], Polygon(L_SHAPE), Polygon(L_SHAPE[::-1]), Disk([0, 0], 1) | Disk([1, 0], 1),
    Disk([0, 0], 1) & Rectangle([0, 0], [2, 2]), Hypersphere(np.zeros(5), 1.0),
    Hypercube(np.zeros(5), np.ones(5)) - Hypersphere(np.zeros(5), 1.0),
    SpaceTime(plate_with_holes()[0], (0, 1)),
], ids=["plate", "L", "L-clockwise", "union", "intersection", "ball5", "cube-ball5", "spacetime"])
def test_normals_are_unit_outward_and_the_gradient_of_the_distance(geometry):
    points, normals = geometry.sample_boundary(2000, rng(2))
    assert np.abs(geometry.sdf(points)).max() < 1e-12
    assert np.allclose(np.linalg.norm(normals, axis=1), 1.0)
    grad = sdf_gradient(geometry, points)
    smooth = np.abs(np.linalg.norm(grad, axis=1) - 1) < 1e-4  # away from corners and edges, where d has no gradient
    assert smooth.mean() > 0.95
    assert np.allclose(grad[smooth], normals[smooth], atol=1e-5)
    assert (geometry.sdf(points + 1e-4 * normals) > 0).all() and (geometry.sdf(points - 1e-4 * normals) < 0)[smooth].all()


def test_every_sample_of_a_difference_is_outside_the_removed_parts():
    plate, holes = plate_with_holes()
    inner = plate.sample_interior(20_000, rng(3))
    assert (holes.sdf(inner) > 0).all() and plate.inside(inner).all()
    points, _ = plate.sample_boundary(20_000, rng(4), part="square")
    assert (holes.sdf(points) > 0).all()
    circles, normals = plate.sample_boundary(20_000, rng(5), part="circles")
    assert np.abs(holes.sdf(circles)).max() < 1e-12
    assert np.abs(circles).max() < 0.5  # inside the square
    centres = np.sign(circles) * 0.3
    assert np.allclose(normals, (centres - circles) / 0.1)  # into the hole: out of the plate


def test_boundary_samples_are_uniform_by_length():
    plate, _ = plate_with_holes()
    points, _ = plate.sample_boundary(40_000, rng(6))
    on_circles = (np.abs(points) < 0.5 - 1e-12).all(axis=1).mean()
    share = 0.8 * pi / (4 + 0.8 * pi)
    assert on_circles == pytest.approx(share, abs=4 * sqrt(share * (1 - share) / 40_000))
    angles = np.arctan2(*(points[np.abs(points).max(axis=1) < 0.5] - 0.3 * np.sign(points[np.abs(points).max(axis=1) < 0.5])).T[::-1])
    counts, _ = np.histogram(angles, bins=8, range=(-pi, pi))
    assert counts.min() > 0.85 * counts.mean()


@pytest.mark.parametrize("method", ["uniform", "sobol"])
@pytest.mark.parametrize("geometry", [Hypersphere(np.zeros(5), 1.0), Polygon(L_SHAPE), plate_with_holes()[0],
                                      SpaceTime(Disk([0, 0], 1), (0, 2))], ids=["ball5", "L", "plate", "spacetime"])
def test_interior_samples_are_inside_and_uniform(geometry, method):
    points = geometry.sample_interior(4096, rng(7), method)
    assert points.shape == (4096, geometry.dim) and geometry.inside(points).all()
    # the share in the lower half (by the first coordinate's median of the region) matches its measure share
    cut = np.median(geometry.sample_interior(100_000, rng(8)), axis=0)[0]
    half = Hypercube(geometry.lower - 1, np.r_[cut, geometry.upper[1:] + 1], names=geometry.names)
    share = (geometry & half).measure / geometry.measure
    assert (points[:, 0] <= cut).mean() == pytest.approx(share, abs=0.03)


def test_a_ball_samples_its_radius_as_r_to_the_d():
    points = Hypersphere(np.zeros(5), 2.0).sample_interior(50_000, rng(9))
    radius = np.linalg.norm(points, axis=1) / 2
    assert np.quantile(radius, [0.25, 0.5, 0.75]) == pytest.approx([0.25 ** 0.2, 0.5 ** 0.2, 0.75 ** 0.2], abs=5e-3)


def test_named_parts_and_relabelled_faces():
    cavity = Rectangle([0, 0], [1, 1], label="wall", face_labels={"y_max": "lid"})
    assert cavity.parts() == ["wall.x_min", "wall.x_max", "wall.y_min", "lid"]
    lid, normals = cavity.sample_boundary(100, rng(), part="lid")
    assert np.all(lid[:, 1] == 1) and np.all(normals == [0, 1])
    walls, _ = cavity.sample_boundary(300, rng(), part="wall")
    assert np.all(walls[:, 1] < 1)
    inlet = Polygon([[0, 0], [1, 0], [1, 1], [0, 1]], edge_labels={3: "inlet"})
    points, normals = inlet.sample_boundary(50, rng(), part="inlet")
    assert np.all(points[:, 0] == 0) and np.allclose(normals, [-1, 0])


def test_space_time_parts():
    domain = SpaceTime(Interval(-1, 1), (0, 1))
    assert domain.names == ("x", "t") and domain.parts() == ["initial", "final", "interval.x_min", "interval.x_max"]
    points, normals = domain.sample_boundary(200, rng(), part="interval")
    assert set(np.abs(points[:, 0])) == {1.0} and np.allclose(normals[:, 0], np.sign(points[:, 0]))
    assert np.all(normals[:, 1] == 0) and 0 <= points[:, 1].min() and points[:, 1].max() <= 1
    start, _ = domain.sample_boundary(50, rng(), part="initial")
    assert np.all(start[:, 1] == 0)


@pytest.mark.parametrize("geometry", [
    plate_with_holes()[0], Polygon(L_SHAPE, edge_labels={1: "outlet"}), Interval(0, 2, names=("t",)),
    SpaceTime(Disk([0, 0], 1) & Rectangle([0, 0], [2, 2], face_labels={"x_min": "axis"}), (0, 3)),
    Hypercube(np.zeros(5), np.ones(5)) - Hypersphere(np.zeros(5), 1.0),
])
def test_config_rebuilds_the_same_geometry(geometry):
    rebuilt = from_config(geometry.get_config())
    assert type(rebuilt) is type(geometry) and rebuilt.get_config() == geometry.get_config()
    points = geometry.lower + rng(10).random((500, geometry.dim)) * (geometry.upper - geometry.lower)
    assert np.array_equal(rebuilt.sdf(points), geometry.sdf(points))
    assert rebuilt.parts() == geometry.parts()


@pytest.mark.parametrize("make, message", [
    (lambda: Rectangle([0, 0], [1, 0]), "lower < upper"),
    (lambda: Disk([0, 0, 0], 1), "two coordinates"),
    (lambda: Hypersphere([0, 0], -1), "radius > 0"),
    (lambda: Polygon([[0, 0], [1, 1]]), "at least 3"),
    (lambda: Polygon([[0, 0], [1, 0], [2, 0]]), "non-zero area"),
    (lambda: Disk([0, 0], 1) - Interval(0, 1), "same coordinates"),
    (lambda: Rectangle([0, 0], [1, 1], face_labels={"z_max": "lid"}), "unknown faces"),
    (lambda: SpaceTime(Interval(0, 1, names=("t",))), "already a coordinate"),
    (lambda: Disk([0, 0], 1).sample_boundary(5, rng(), part="lid"), "no boundary part 'lid'; parts: disk"),
    (lambda: Disk([0, 0], 1).sample_interior(5, rng(), "halton"), "unknown sampling method"),
    (lambda: Disk([0, 0], 1).sdf(np.zeros((3, 3))), r"shape \[N, 2\]"),
    (lambda: from_config({"type": "Circel"}), "unknown geometry 'Circel'"),
])
def test_bad_geometries_raise_a_named_error(make, message):
    with pytest.raises(ProblemError, match=message):
        make()


def test_set_operators_are_the_classes():
    a, b = Disk([0, 0], 1), Disk([1, 0], 1)
    assert isinstance(a | b, Union) and isinstance(a & b, Intersection) and isinstance(a - b, Difference)
