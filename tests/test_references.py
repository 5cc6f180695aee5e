"""Reference solutions satisfy their PDE and conditions, and agree with published fields."""

import numpy as np
import scipy.io

from conftest import shared_file
from pinnzoo.problems import Burgers
from pinnzoo.references import burgers_cole_hopf

NU = 0.01 / np.pi


def _fd_terms(u, x, t):
    """Central differences on a grid ``u[i, j] = u(x_i, t_j)``: (u, u_t, u_x, u_xx) at inner nodes."""
    dx, dt = x[1] - x[0], t[1] - t[0]
    u_t = (u[1:-1, 2:] - u[1:-1, :-2]) / (2 * dt)
    u_x = (u[2:, 1:-1] - u[:-2, 1:-1]) / (2 * dx)
    u_xx = (u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[:-2, 1:-1]) / dx ** 2
    return u[1:-1, 1:-1], u_t, u_x, u_xx


def _burgers_residual(u, x, t):
    v, u_t, u_x, u_xx = _fd_terms(u, x, t)
    return u_t + v * u_x - NU * u_xx, u_t, v * u_x


def _grid(x, t):
    X, T = np.meshgrid(x, t, indexing="ij")
    return burgers_cole_hopf(X, T, NU)


def test_cole_hopf_satisfies_burgers_by_finite_differences():
    # Smooth region: t <= 0.2, before the front steepens.
    x, t = np.linspace(-1, 1, 801), np.linspace(0.05, 0.2, 61)
    u = _grid(x, t)
    r, u_t, _ = _burgers_residual(u, x, t)
    assert np.abs(r).max() < 1e-3 * np.abs(u_t).max(), np.abs(r).max()
    # The check can fail: a field 1 % off is not a solution (u u_x scales by 1.0201, the rest by 1.01).
    r_wrong, _, _ = _burgers_residual(1.01 * u, x, t)
    assert np.abs(r_wrong).max() > 10 * np.abs(r).max()


def test_cole_hopf_through_the_shock_with_a_fine_grid():
    x, t = np.linspace(-0.1, 0.1, 2001), np.linspace(0.6, 0.7, 21)
    r, _, advection = _burgers_residual(_grid(x, t), x, t)
    # |u u_x| reaches ~ 1e2 at the front; the residual is small relative to it.
    assert np.abs(r).max() < 1e-3 * np.abs(advection).max()


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


def test_etdrk4_allen_cahn_matches_published_field():
    from pinnzoo.problems import AllenCahn

    data = scipy.io.loadmat(shared_file("AC.mat"))
    problem = AllenCahn()
    pts, shape = problem.scoring_grid()
    assert np.allclose(pts[:, 0].reshape(shape)[:, 0], data["x"].ravel())
    assert np.allclose(pts[:, 1].reshape(shape)[0], data["tt"].ravel())
    u = problem.reference(pts).reshape(shape)
    assert np.linalg.norm(u - data["uu"]) / np.linalg.norm(data["uu"]) < 1e-9


def test_etdrk4_schrodinger_matches_published_field():
    from pinnzoo.problems import Schrodinger

    data = scipy.io.loadmat(shared_file("NLS.mat"))
    problem = Schrodinger()
    pts, shape = problem.scoring_grid()
    assert np.allclose(pts[:, 1].reshape(shape)[0], data["tt"].ravel())
    ref = problem.reference(pts)
    h = (ref[:, 0] + 1j * ref[:, 1]).reshape(shape)
    assert np.linalg.norm(h - data["uu"]) / np.linalg.norm(data["uu"]) < 1e-6


def test_schrodinger_reference_conserves_mass_and_energy():
    """|h|^2 and the Hamiltonian  ∫ ½|h_x|^2 - ½|h|^4 dx  are invariants of the NLS flow."""
    from pinnzoo.problems.schrodinger import _reference

    ref = _reference()
    k = 2 * np.pi * np.fft.fftfreq(ref.n, d=ref.length / ref.n)
    dx = ref.length / ref.n
    mass = np.sum(np.abs(ref.values) ** 2, axis=1) * dx
    hx = np.fft.ifft(1j * k * np.fft.fft(ref.values, axis=1), axis=1)
    energy = np.sum(0.5 * np.abs(hx) ** 2 - 0.5 * np.abs(ref.values) ** 4, axis=1) * dx
    assert np.ptp(mass) / mass[0] < 1e-10
    assert np.ptp(energy) / abs(energy[0]) < 1e-6
    assert np.abs(ref.values).max() > 3.5  # the breather focuses (|h| ≈ 3.8 at t ≈ 0.79)


def test_etdrk4_solves_a_linear_problem_exactly():
    """Heat equation with a two-mode initial value: exact in time for linear problems."""
    from pinnzoo.references import etdrk4

    x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    out = etdrk4(np.sin(x) + np.cos(3 * x), 2 * np.pi, lambda k: -0.1 * k ** 2, lambda u: 0 * u,
                 np.array([0.0, 0.5, 1.0]), dt=0.1)
    for i, t in enumerate([0.0, 0.5, 1.0]):
        np.testing.assert_allclose(out[i], np.exp(-0.1 * t) * np.sin(x) + np.exp(-0.9 * t) * np.cos(3 * x),
                                   atol=1e-12)
