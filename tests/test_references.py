"""Reference solutions satisfy their PDE and conditions, and agree with published fields."""

import numpy as np
import scipy.io

from conftest import shared_file
from pinnzoo.problems import Burgers
from pinnzoo.references import burgers_cole_hopf

NU = 0.01 / np.pi


def test_cole_hopf_satisfies_burgers_by_finite_differences():
    # Smooth region (t <= 0.2, before the front steepens) and the whole line at later times with a fine grid.
    x = np.linspace(-1, 1, 801)
    t = np.linspace(0.05, 0.2, 61)
    X, T = np.meshgrid(x, t, indexing="ij")
    u = burgers_cole_hopf(X, T, NU)
    dx, dt = x[1] - x[0], t[1] - t[0]
    u_t = (u[1:-1, 2:] - u[1:-1, :-2]) / (2 * dt)
    u_x = (u[2:, 1:-1] - u[:-2, 1:-1]) / (2 * dx)
    u_xx = (u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[:-2, 1:-1]) / dx ** 2
    r = u_t[:, :] + u[1:-1, 1:-1] * u_x - NU * u_xx
    scale = np.abs(u_t).max()
    assert np.abs(r).max() < 1e-3 * scale, np.abs(r).max()
    # A random residual of a *wrong* solution is not small: the check can fail.
    wrong = u * 1.01
    r_wrong = (wrong[1:-1, 2:] - wrong[1:-1, :-2]) / (2 * dt) + wrong[1:-1, 1:-1] * (
        wrong[2:, 1:-1] - wrong[:-2, 1:-1]) / (2 * dx) - NU * u_xx * 1.01
    assert np.abs(r_wrong).max() > 10 * np.abs(r).max()


def test_cole_hopf_through_the_shock_with_a_fine_grid():
    x = np.linspace(-0.1, 0.1, 2001)
    t = np.linspace(0.6, 0.7, 21)
    X, T = np.meshgrid(x, t, indexing="ij")
    u = burgers_cole_hopf(X, T, NU)
    dx, dt = x[1] - x[0], t[1] - t[0]
    u_t = (u[1:-1, 2:] - u[1:-1, :-2]) / (2 * dt)
    u_x = (u[2:, 1:-1] - u[:-2, 1:-1]) / (2 * dx)
    u_xx = (u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[:-2, 1:-1]) / dx ** 2
    r = u_t + u[1:-1, 1:-1] * u_x - NU * u_xx
    # |u u_x| reaches ~ 1e2 at the front; the residual is small relative to it.
    assert np.abs(r).max() < 1e-3 * np.abs(u[1:-1, 1:-1] * u_x).max()


def test_cole_hopf_conditions():
    x = np.linspace(-1, 1, 101)
    assert np.allclose(burgers_cole_hopf(x, 0 * x, NU), -np.sin(np.pi * x), atol=1e-14)
    assert np.allclose(burgers_cole_hopf(x, 1e-6 + 0 * x, NU), -np.sin(np.pi * x), atol=1e-4)
    t = np.linspace(0, 1, 51)
    assert np.abs(burgers_cole_hopf(-1 + 0 * t, t, NU)).max() < 1e-12
    assert np.abs(burgers_cole_hopf(1 + 0 * t, t, NU)).max() < 1e-12


def test_burgers_reference_matches_published_field():
    data = scipy.io.loadmat(shared_file("burgers_shock.mat"))
    problem = Burgers()
    pts, shape = problem.scoring_grid()
    assert np.allclose(pts[:, 0].reshape(shape)[:, 0], data["x"].ravel())
    assert np.allclose(pts[:, 1].reshape(shape)[0], data["t"].ravel())
    u = problem.reference(pts).reshape(shape)
    err = np.linalg.norm(u - data["usol"]) / np.linalg.norm(data["usol"])
    assert err < 1e-9, err
