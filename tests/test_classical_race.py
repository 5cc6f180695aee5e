"""The classical solvers of benchmarks/classical_race.py converge at their orders against the problems' own
references (the race is only fair if they are right), and the race table picks the first to each accuracy."""

from pathlib import Path

import numpy as np
import pytest

from pinnzoo.presets import get_preset

pytestmark = pytest.mark.slow  # benchmark solvers: seconds each, kept out of the five-minute tier


@pytest.fixture
def race(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import classical_race, classical_race_tables

    return classical_race, classical_race_tables


def test_leapfrog_is_second_order_on_the_wave_problem(race):
    c, _ = race
    problem = get_preset("wave1d_sota").make_problem()
    _, _, ref = c._grid(problem)
    coarse, fine = (c.relative(c._leapfrog(problem, n), ref) for n in (200, 400))
    assert 3.0 < coarse / fine < 6.0 and fine < 1e-4


def test_the_helmholtz_schemes_are_second_and_fourth_order(race):
    c, _ = race
    k = get_preset("helmholtz2d").make_problem().params["k"]
    x = np.linspace(0, 1, 101)[1:-1]
    exact = np.sin(k * x)[:, None] * np.sin(k * x)[None, :]

    def error(cells, order):
        full = c._helmholtz(k, cells, order)
        s = cells // 100
        return np.linalg.norm(full[s - 1::s, s - 1::s] - exact) / np.linalg.norm(exact)

    assert error(100, 2) / error(200, 2) == pytest.approx(4.0, rel=0.1)
    assert error(100, 4) / error(200, 4) == pytest.approx(16.0, rel=0.15)


def test_the_spectral_burgers_solver_converges_to_the_cole_hopf_reference(race):
    c, _ = race
    problem = get_preset("burgers_sota").make_problem()
    nu = problem.params["nu"]
    points, _, ref = c._grid(problem)
    errors = [c.relative(c._spectral_on_grid(lambda x: -np.sin(np.pi * x), n, lambda k: -nu * k ** 2,
                                             c._dealiased_flux(n), dt, points), ref) for n, dt in ((256, 1e-3), (512, 5e-4))]
    assert errors[1] < errors[0] / 10 and errors[1] < 1e-3


def test_the_race_picks_the_first_to_each_accuracy(race):
    _, t = race
    curves = {"a": ([(10.0, 1e-2), (20.0, 1e-3)], "m"), "b": ([(5.0, 5e-3), (50.0, 1e-4)], "m")}
    assert t.first_pinn(curves, 1e-2) == (5.0, "b") and t.first_pinn(curves, 1e-3) == (20.0, "a")
    assert t.first_pinn(curves, 1e-5) is None
    rows = [{"rel_l2": 1e-3, "cpu_s": 2.0}, {"rel_l2": 1e-5, "cpu_s": 9.0}, {"rel_l2": 1e-4, "cpu_s": 1.0}]
    assert t.first_classical(rows, 1e-3)["cpu_s"] == 1.0 and t.first_classical(rows, 1e-6) is None
