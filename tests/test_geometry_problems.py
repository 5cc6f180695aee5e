"""PDE problems on geometries: conditions on named boundary parts (Dirichlet, Neumann, Robin, a point), their
points and normals in the solver's batches, the exact solution making every term vanish, and exports that
record the geometry and warn for points in a hole."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.cli import _check_domain
from pinnzoo.dtypes import float_type
from pinnzoo.errors import InputError, ProblemError
from pinnzoo.geometry import Disk, Rectangle, SpaceTime, region_of
from pinnzoo.problems import Box, Condition, PDEProblem, dirichlet, neumann, robin
from pinnzoo.sampling import collocation_dataset, fixed_batch, normal_key
from pinnzoo.solvers import PINNSolver

PLATE = Rectangle([-0.5, -0.5], [0.5, 0.5], label="square", face_labels={"y_max": "lid"}) - (
    Disk([0.2, 0.1], 0.15, label="circles") | Disk([-0.2, -0.2], 0.1, label="circles"))


def exact(x, y, t=0.0, np_=tf):
    """u = e^{-t/2} sin(2x + 1) cosh(y): Δu = -3u, u_t = -u/2."""
    decay = np.exp(-t / 2) if isinstance(t, float) else np_.exp(-t / 2)
    return decay * np_.sin(2 * x + 1) * np_.cosh(y)


class Plate(PDEProblem):
    """-Δu = 3 sin(2x + 1) cosh(y) on the plate; u on the lid, ∂u/∂n on the other edges, Robin on the circles,
    a point value at the origin — every kind of condition, with the exact solution above."""

    name, inputs, outputs, derivatives = "test_plate", ("x", "y"), ("u",), ("u_xx", "u_yy")
    domain = PLATE
    flux_sign = 1.0

    def residual(self, f, p):
        return -(f["u_xx"] + f["u_yy"]) - 3 * tf.sin(2 * f["x"] + 1) * tf.cosh(f["y"])

    def conditions(self):
        def du_dn(f, p):
            return self.flux_sign * (f["n_x"] * 2 * tf.cos(2 * f["x"] + 1) * tf.cosh(f["y"])
                                     + f["n_y"] * tf.sin(2 * f["x"] + 1) * tf.sinh(f["y"]))
        return [dirichlet("lid", lambda f, p: exact(f["x"], f["y"])), neumann("square", du_dn),
                robin("circles", 2.0, lambda f, p: du_dn(f, p) + 2.0 * exact(f["x"], f["y"])),
                Condition("pin", {"x": 0.0, "y": -0.4}, "u", float(exact(0.0, -0.4, np_=np)), n_points=1)]

    def reference(self, pts):
        return exact(pts[:, 0], pts[:, 1], np_=np)[:, None]


class WrongFlux(Plate):
    flux_sign = -1.0


class HeatOnADisk(PDEProblem):
    """u_t = Δu + 2.5 e^{-t/2} sin(2x + 1) cosh y on a disk × [0, 1]; u(·, 0) given, ∂u/∂n on the rim."""

    name, inputs, outputs, derivatives = "test_heat_disk", ("x", "y", "t"), ("u",), ("u_t", "u_xx", "u_yy")
    domain = SpaceTime(Disk([0.0, 0.0], 1.0, label="rim"), (0.0, 1.0))

    def residual(self, f, p):
        return f["u_t"] - (f["u_xx"] + f["u_yy"]) - 2.5 * exact(f["x"], f["y"], f["t"])

    def conditions(self):
        def du_dn(f, p):
            return tf.exp(-f["t"] / 2) * (f["n_x"] * 2 * tf.cos(2 * f["x"] + 1) * tf.cosh(f["y"])
                                          + f["n_y"] * tf.sin(2 * f["x"] + 1) * tf.sinh(f["y"]))
        return [dirichlet("initial", lambda f, p: exact(f["x"], f["y"], f["t"])), neumann("rim", du_dn)]

    def reference(self, pts):
        return exact(pts[:, 0], pts[:, 1], pts[:, 2], np_=np)[:, None]


class ExactPrior(keras.layers.Layer):
    """A 'network' that is the exact solution (of the unscaled coordinates the solver scales to [-1, 1])."""

    def __init__(self, problem, **kwargs):
        super().__init__(**kwargs)
        self.problem = problem
        self.w = self.add_weight(shape=(), initializer="ones")  # something to differentiate

    def call(self, scaled):
        box = self.problem.domain
        x = (box.lower + box.upper) / 2 + scaled * (box.upper - box.lower) / 2
        columns = [x[:, i] for i in range(x.shape[1])]
        return self.w * exact(*columns)[:, None]


def solver_for(problem, engine="tape"):
    with float_type("float64"):
        return PINNSolver(problem, ExactPrior(problem), derivatives=engine)


@pytest.mark.parametrize("engine", ["tape", "forward"])
@pytest.mark.parametrize("problem", [Plate, HeatOnADisk], ids=["plate", "heat-disk"])
def test_the_exact_solution_makes_every_term_vanish(problem, engine):
    solver = solver_for(problem(), engine)
    terms = solver.loss_terms(fixed_batch(solver, 512, seed=1))
    assert set(terms) == {"residual", *(c.name for c in problem().conditions())}
    assert max(float(v) for v in terms.values()) < 1e-20, terms


def test_a_wrong_normal_derivative_is_seen():
    terms = solver_for(WrongFlux()).loss_terms(fixed_batch(solver_for(WrongFlux()), 256))
    assert terms["square_u_n"] > 0.1 and terms["circles_u_robin"] > 0.1 and terms["residual"] < 1e-20


def test_batches_hold_points_on_the_parts_and_their_normals():
    solver = solver_for(Plate())
    batch = next(iter(collocation_dataset(solver, 300, seed=3)))
    again = next(iter(collocation_dataset(solver, 300, seed=3)))
    assert all(np.array_equal(batch[k], again[k]) for k in batch)  # (seed, step) decides the points
    assert batch["residual"].shape == (300, 2) and PLATE.inside(batch["residual"].numpy()).all()
    lid = batch["lid_u"].numpy()
    assert np.all(lid[:, 1] == 0.5) and np.allclose(batch[normal_key("lid_u")], [0, 1])
    circles, normals = batch["circles_u_robin"].numpy(), batch[normal_key("circles_u_robin")].numpy()
    assert np.abs(PLATE.sdf(circles)).max() < 1e-12
    grad = np.stack([(PLATE.sdf(circles + 1e-6 * e) - PLATE.sdf(circles - 1e-6 * e)) / 2e-6 for e in np.eye(2)], 1)
    assert np.allclose(grad, normals, atol=1e-5)
    assert np.all(batch["pin"].numpy() == [0.0, -0.4])
    second = list(collocation_dataset(solver, 300, seed=3).take(2))[1]
    assert not np.array_equal(second["residual"], batch["residual"])


def test_the_jacobian_rows_of_boundary_parts_are_the_residual_vector_s():
    solver = solver_for(WrongFlux())
    batch = fixed_batch(solver, 16, seed=2)
    batch = {k: v[:8] for k, v in batch.items()}
    rho, _ = solver.residual_vector(batch)
    with tf.GradientTape() as tape:
        rho_again, _ = solver.residual_vector(batch)
    direct = tape.jacobian(rho_again, solver.trainable_variables)[0]
    assert np.allclose(solver.residual_jacobian(batch)[:, 0], direct, rtol=1e-10, atol=1e-12)
    assert rho.shape[0] == 8 * 4 + 1  # 8 residual points, 8 on each of the three parts, the pin's one


@pytest.mark.parametrize("make, message", [
    (lambda: type("P", (Plate,), {"domain": Box({"x": (0, 1), "y": (0, 1)})})(), "not a geometry"),
    (lambda: type("P", (Plate,), {"conditions": lambda self: [dirichlet("holes")]})(), "no boundary part 'holes'"),
    (lambda: type("P", (Plate,), {"conditions": lambda self: [Condition("c", {"x": 0.0}, "u")]})(), "a point"),
    (lambda: type("P", (Plate,), {"conditions": lambda self: [Condition("c", None, "u", normal=True)]})(),
     "normal derivative"),
])
def test_conditions_that_do_not_fit_the_domain_raise_a_named_error(make, message):
    with pytest.raises(ProblemError, match=message):
        make()


def test_the_scoring_grid_lies_inside_the_geometry():
    points, shape = Plate().scoring_grid()
    assert shape == (len(points),) and PLATE.inside(points).all()
    assert len(points) / 101 ** 2 == pytest.approx(PLATE.measure, abs=0.01)


def test_predict_warns_for_a_point_in_a_hole(capsys):
    meta = {"inputs": ["x", "y"], "domain": PLATE.get_config()}
    assert region_of(meta["domain"]).get_config() == PLATE.get_config()
    _check_domain(np.array([[0.0, -0.4], [0.2, 0.1]]), meta, strict=False)
    assert "1 of 2 points lie outside the domain (Difference with boundary parts" in capsys.readouterr().err
    with pytest.raises(InputError, match="first at row 1"):
        _check_domain(np.array([[0.0, -0.4], [0.2, 0.1]]), meta, strict=True)
