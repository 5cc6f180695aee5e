"""The finite-element references: meshes of pinnzoo's geometries, O(h³) convergence to a manufactured solution,
the plate-with-holes reference's refinement study, maximum principle and distance to PINNacle's COMSOL nodes."""

from pathlib import Path

import numpy as np
import pytest

from pinnzoo.errors import ProblemError
from pinnzoo.geometry import Disk, Polygon, Rectangle, SpaceTime
from pinnzoo.problems import get_problem
from pinnzoo.references.fem import curved, refinement_study, solve_elliptic, triangulate

PINNACLE = Path(__file__).resolve().parents[2] / "shared" / "pinnacle"
PLATE = get_problem("poisson2d_holes").domain


def exact(x, y):
    return np.sin(2 * x + 1) * np.cosh(y)  # -Δu = 3u


def relative(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2) / np.mean(b ** 2)))


@pytest.mark.parametrize("geometry", [PLATE, Polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]),
                                      Disk([0, 0], 1) | Disk([1, 0], 0.6)], ids=["plate", "L", "two-disks"])
def test_the_curved_mesh_has_the_geometry_s_area_and_boundary(geometry):
    from skfem import Basis, ElementTriP2, Functional

    mesh = curved(triangulate(geometry, 0.05), geometry)
    area = Functional(lambda w: 1.0 + 0 * w.x[0]).assemble(Basis(mesh, ElementTriP2()))
    assert area == pytest.approx(geometry.measure, rel=2e-3)  # the Monte Carlo measure's own error
    boundary = mesh.doflocs[:, np.unique(mesh.facets[:, mesh.boundary_facets()])]
    assert np.abs(geometry.sdf(boundary.T)).max() < 1e-12


def test_p2_on_curved_meshes_converges_as_h_cubed():
    points = PLATE.sample_interior(2000, np.random.default_rng(0))
    errors = [relative(solve_elliptic(PLATE, h, exact, source=lambda x, y: 3 * exact(x, y))(points), exact(*points.T))
              for h in (0.04, 0.02, 0.01)]
    assert errors[-1] < 1e-7
    assert errors[0] / errors[1] > 6 and errors[1] / errors[2] > 6  # O(h³): 8 per halving


def test_a_variable_coefficient_and_a_reaction_term():
    """-∇·(a∇u) + 2u = f with a = 1 + x² and the same exact u: f = a·3u - 2x u_x + 2u."""
    points = PLATE.sample_interior(1000, np.random.default_rng(1))
    u_x = lambda x, y: 2 * np.cos(2 * x + 1) * np.cosh(y)  # noqa: E731
    source = lambda x, y: (1 + x ** 2) * 3 * exact(x, y) - 2 * x * u_x(x, y) + 2 * exact(x, y)  # noqa: E731
    solution = solve_elliptic(PLATE, 0.02, exact, source=source, diffusion=lambda x, y: 1 + x ** 2, reaction=2.0)
    assert relative(solution(points), exact(*points.T)) < 1e-6


def test_the_plate_reference_converges_and_keeps_the_maximum_principle():
    problem = get_problem("poisson2d_holes")
    points = PLATE.sample_interior(2000, np.random.default_rng(2))
    study = refinement_study(problem.fem_solve, [0.04, 0.02, 0.01], points)
    assert study[1]["change"] / study[2]["change"] > 5 and study[2]["change"] < 1e-4
    values = problem.fem(0.01)(points)
    assert values.min() > 0 and values.max() < 1


@pytest.mark.skipif(not (PINNACLE / "poisson1_cg_data.dat").exists(), reason="PINNacle's data is not here")
def test_pinnacle_s_nodes_agree_with_our_reference():
    data = np.loadtxt(PINNACLE / "poisson1_cg_data.dat", comments="%")
    ours = get_problem("poisson2d_holes").fem(0.01)(data[:, :2])
    assert relative(ours, data[:, 2]) < 1e-4  # COMSOL's own mesh error; measured 3.0e-5


def test_shapes_without_a_mesh_raise_a_named_error():
    with pytest.raises(ProblemError, match="no finite-element mesh for a SpaceTime"):
        triangulate(SpaceTime(Rectangle([0, 0], [1, 1])), 0.1)
