"""Every registered problem: its reference satisfies the PDE and the conditions, and its
hard constraint satisfies the conditions it claims, whatever the network outputs."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from conftest import coarse_reference
from pinnzoo.errors import ProblemError
from pinnzoo.parameters import ParameterError, parse_assignments, resolve, Parameter
from pinnzoo.geometry import Geometry
from pinnzoo.problems import get_problem, parse_derivative, problem_names
from pinnzoo.sampling import condition_points, normal_key

PROBLEMS = [n for n in problem_names() if not n.startswith("_")]
# References that are piecewise polynomials (finite elements): finite differences of them do not converge to
# the PDE's derivatives; their refinement studies and manufactured solutions check them (tests/test_fem.py).
# Long spectral solves (heat2d_longtime: ~45 s) are checked by manufactured solutions of their solver instead
# (tests/test_pinnacle_problems.py), on a coarse grid here.
SMOOTH = [n for n in PROBLEMS if getattr(get_problem(n), "reference_method", "") not in ("fem", "spectral")]
# Where finite differences of the reference are meaningful (Burgers: before the front steepens).
# Allen-Cahn: the interpolated (off-grid) reference is checked after the fast initial transient.
# Schroedinger: 2 sech(x) is not smoothly periodic on [-5, 5]; the tiny high-wavenumber waves this
# seeds travel at frequency k^2/2 and dominate any finite-difference time derivative (the spectral
# solution itself agrees with the published field to 3e-8; see test_references.py).
TOLERANCE = {"schrodinger": 1e-2}
REGION = {"burgers": {"t": (0.05, 0.2)}, "burgers_inverse": {"t": (0.05, 0.2)}, "burgers_parametric": {"t": (0.05, 0.2)},
          "allen_cahn": {"t": (0.05, 0.95)}}


def _fd(fn, pts, wrt, names, h):
    if not wrt:
        return fn(pts)
    e = np.zeros(pts.shape[1])
    e[names.index(wrt[-1])] = h
    return (_fd(fn, pts + e, wrt[:-1], names, h) - _fd(fn, pts - e, wrt[:-1], names, h)) / (2 * h)


def _fields(problem, pts, names, h=5e-5):
    ref = problem.reference(pts)
    f = {n: tf.constant(pts[:, i:i + 1]) for i, n in enumerate(problem.inputs)}
    f.update({n: tf.constant(ref[:, j:j + 1]) for j, n in enumerate(problem.outputs)})
    for name in names:
        out, wrt = parse_derivative(name, problem.inputs, problem.outputs)
        j = problem.outputs.index(out)
        f[name] = tf.constant(_fd(lambda p: problem.reference(p)[:, j:j + 1], pts, wrt, list(problem.inputs), h))
    return f


def _interior(problem, n, rng):
    if isinstance(problem.domain, Geometry):
        points = problem.domain.sample_interior(4 * n, rng)
        return points[problem.domain.sdf(points) < -0.02][:n]
    box = problem.domain
    lo, hi = box.lower.copy(), box.upper.copy()
    for name, (a, b) in REGION.get(problem.name, {}).items():
        i = box.names.index(name)
        lo[i], hi[i] = a, b
    margin = 0.02 * (hi - lo)
    return rng.uniform(lo + margin, hi - margin, (n, box.dim))


def _off_default(name) -> dict:
    """Every declared parameter moved off its default, inside its range (the reference must follow)."""
    values = {}
    for p in get_problem(name).parameters():
        lo, hi = max(p.low, p.default / 2), min(p.high, p.default * 2)
        values[p.name] = hi if hi > p.default * 1.2 else lo  # upwards where the range allows
    return values


# the exact solution in the residual at parameters other than the defaults
NON_DEFAULT = [(n, _off_default(n)) for n in SMOOTH if get_problem(n).parameters()]
NON_DEFAULT += [("burgers", {"nu": 0.5 * 0.01 / np.pi}), ("helmholtz2d", {"k": 2 * np.pi}),
                ("helmholtz2d", {"k": 6 * np.pi})]


def _case(name, params):
    """The parametric Burgers' reference away from its defaults is the slowest case (seconds): slow tier."""
    return pytest.param(name, params, marks=pytest.mark.slow) if name == "burgers_parametric" and params else (name, params)


@pytest.mark.parametrize("name,params", [(n, {}) for n in SMOOTH] + [_case(n, p) for n, p in NON_DEFAULT],
                         ids=[n for n in SMOOTH] + [f"{n}-{p}" for n, p in NON_DEFAULT])
def test_reference_satisfies_the_pde(name, params, rng):
    problem = get_problem(name, **params)
    assert all(np.isclose(problem.params[k], v) for k, v in params.items())
    pts = _interior(problem, 300, rng)
    f = _fields(problem, pts, problem.derivatives)
    p = {k: tf.constant(v, tf.float64) for k, v in problem.params.items()}
    first = problem.derivatives[0]
    scale = float(np.abs(f[first].numpy()).max())
    worst_exact = max(np.abs(r.numpy()).max() for r in problem.residual_terms(f, p).values())
    assert worst_exact < TOLERANCE.get(name, 2e-5) * scale, (worst_exact, scale)
    # The check can fail: a 5 % error in one derivative breaks the PDE.
    wrong = {**f, first: f[first] * 1.05}
    worst = max(np.abs(r.numpy()).max() for r in problem.residual_terms(wrong, p).values())
    assert worst > 1e-2 * scale and worst > 3 * worst_exact


@pytest.mark.parametrize("name", PROBLEMS)
def test_reference_satisfies_the_conditions(name, rng):
    problem = get_problem(name)
    tolerance = 1e-6
    if name not in SMOOTH:  # quick, on a coarse mesh (its curved edges follow the circles to O(h³), not exactly)
        problem.reference = coarse_reference(problem)
        tolerance = 1e-4
    p = {k: tf.constant(v, tf.float64) for k, v in problem.params.items()}
    for c in problem.conditions():
        batch = condition_points(problem.domain, dataclasses.replace(c, n_points=100), rng)
        pts = batch[c.name]
        gradient = c.gradient_names(getattr(problem.domain, "spatial_names", ()))
        f = _fields(problem, pts, ([c.field] if c.field not in problem.outputs else []) + gradient, h=1e-4)
        if normal_key(c.name) in batch:  # a boundary part: targets may read the outward normal
            f.update({f"n_{x}": tf.constant(batch[normal_key(c.name)][:, i:i + 1])
                      for i, x in enumerate(problem.domain.names)})
        value = sum(f[f"n_{x}"] * f[g] for x, g in zip(problem.domain.spatial_names, gradient)) if c.normal else f[c.field]
        if c.shift:
            target = _fields(problem, pts + c.shift_vector(problem.inputs),
                             [c.field] if c.field not in problem.outputs else [], h=1e-4)[c.field]
        else:
            target = c.target_value(f, p)
        err = np.abs((value - target).numpy()).max()
        assert err < tolerance * (1e3 if c.normal else 1), (c.name, err)  # a normal derivative by differences


@pytest.mark.parametrize("name", [n for n in PROBLEMS if get_problem(n).hard_constrained])
def test_hard_constraint_satisfies_its_conditions(name, rng):
    from conftest import small_solver

    problem = get_problem(name)
    solver = small_solver(problem, widths=(8,), hard=True, dtype="float64", seed=3)
    p = solver.params()
    claimed = set(problem.hard_constrained)
    checked = set()
    for c in problem.conditions():
        if c.name not in claimed:
            continue
        pts = condition_points(problem.domain, dataclasses.replace(c, n_points=64), rng)[c.name]
        f = solver.fields(pts, [] if c.field in problem.outputs else [c.field])
        if c.shift:
            target = solver.fields(pts + c.shift_vector(problem.inputs),
                                   [] if c.field in problem.outputs else [c.field])[c.field].numpy()
        else:
            target = c.target_value(f, p).numpy()
        np.testing.assert_allclose(f[c.field].numpy(), target, atol=1e-10, err_msg=c.name)
        checked.add(c.name)
    assert checked == claimed
    assert {c.name for c in solver.conditions} == {c.name for c in problem.conditions()} - claimed


@pytest.mark.parametrize("name", [n for n in PROBLEMS if get_problem(n).periodic])
def test_periodic_embedding_makes_periodic_conditions_exact(name, rng):
    from conftest import small_solver

    problem = get_problem(name)
    solver = small_solver(problem, widths=(8, 8), dtype="float64", seed=3, periodic_embedding=True)
    periodic = [c for c in problem.conditions() if c.shift]
    assert periodic and not any(c.shift for c in solver.conditions)
    for c in periodic:
        pts = problem.domain.sample(64, rng, fix=c.fix)
        req = [] if c.field in problem.outputs else [c.field]
        a = solver.fields(pts, req)[c.field].numpy()
        b = solver.fields(pts + c.shift_vector(problem.inputs), req)[c.field].numpy()
        np.testing.assert_allclose(a, b, atol=1e-10, err_msg=c.name)
    plain = small_solver(problem, widths=(8, 8), dtype="float64", seed=3)
    assert {c.name for c in periodic} <= {c.name for c in plain.conditions}


def test_unknown_problem_and_bad_params():
    with pytest.raises(ProblemError, match="unknown problem .nope.; available problems: .*allen_cahn"):
        get_problem("nope")
    with pytest.raises(ParameterError, match="burgers has no parameter 'mu' .did you mean 'nu'.."):
        get_problem("burgers", mu=1.0)
    with pytest.raises(ParameterError, match="finite"):
        get_problem("burgers", nu=float("nan"))
    with pytest.raises(ParameterError, match=r"out of range; nu must lie in \[0.0005, 1\]"):
        get_problem("burgers", nu=1e-5)
    with pytest.raises(ParameterError, match="must be a real number"):
        get_problem("heat1d", a="fast")
    with pytest.raises(ParameterError, match="multiple of pi"):
        get_problem("helmholtz2d", k=10.0)
    assert get_problem("helmholtz2d", k=12.566).params["k"] == 4 * np.pi  # 0.1 % off 4π: taken as 4π


def _trapezoid_cole_hopf(x, t, nu):
    """An independent quadrature of the Cole-Hopf integral: the trapezoid rule over a window wide enough that
    both the heat kernel and the peaks of exp(-cos(πy)/2πν) it meets are inside, 20 points per feature."""
    zmax = 8.0 + np.sqrt(1.0 / (np.pi * nu))
    dz = min(1.0, 1.0 / np.sqrt(2 * np.pi * t)) / 20
    z = np.arange(-zmax, zmax + dz, dz)
    y = x[:, None] - np.sqrt(4 * nu * t) * z[None, :]
    g = -np.cos(np.pi * y) / (2 * np.pi * nu) - z[None, :] ** 2
    e = np.exp(g - g.max(axis=1, keepdims=True))
    return -np.sum(np.sin(np.pi * y) * e, axis=1) / np.sum(e, axis=1)


@pytest.mark.parametrize("nu", [5e-4, 0.5 * 0.01 / np.pi, 2 * 0.01 / np.pi, 1.0])
def test_burgers_reference_follows_nu_over_its_range(nu):
    """Over the declared range of nu (its ends included) the Gauss-Hermite reference equals another quadrature."""
    problem = get_problem("burgers", nu=nu)
    x = np.linspace(-1, 1, 401)
    for t in (0.1, 0.5, 1.0):
        ref = problem.reference(np.stack([x, np.full_like(x, t)], axis=1))[:, 0]
        assert np.abs(ref - _trapezoid_cole_hopf(x, t, nu)).max() < 1e-8, (nu, t)
    # the check can fail: just below the range, 200 Gauss-Hermite nodes miss the sharp peaks
    x, t = np.linspace(-1, 1, 401), 1.0
    low = get_problem("burgers", nu=5e-4)
    low.params["nu"] = 1e-4
    assert np.abs(low.reference(np.stack([x, np.full_like(x, t)], axis=1))[:, 0] - _trapezoid_cole_hopf(x, t, 1e-4)).max() > 0.1


def test_observations_are_noisy_reference_values():
    problem = get_problem("heat1d")
    x, y = problem.observations(2000, noise=0.01, seed=0)
    clean = problem.reference(x)
    rel = np.std(y - clean) / np.std(clean)
    assert x.shape == (2000, 2) and problem.domain.contains(x).all()
    assert 0.008 < rel < 0.012


def test_noisy_initial_data_lies_on_the_initial_line():
    problem = get_problem("heat1d_noisy_initial")
    x, y = problem.observations(4000, noise=0.05, seed=3)
    assert np.all(x[:, 1] == 0.0) and problem.domain.contains(x).all()
    noise = y[:, 0] - np.sin(np.pi * x[:, 0])
    assert 0.045 < np.std(noise) / np.std(np.sin(np.pi * x[:, 0])) < 0.055
    assert [c.name for c in problem.conditions()] == ["boundary"]  # the initial values come only from the data


def test_parameter_declarations_and_assignments():
    declared = [Parameter("m", 64, 8, 512, integer=True), Parameter("nu", 0.1, 0.0, 1.0)]
    assert resolve("p", declared, {"m": "32"}) == {"m": 32, "nu": 0.1}
    assert isinstance(resolve("p", declared, {"m": 32.0})["m"], int)
    with pytest.raises(ParameterError, match="m must be an integer, got '3.5'"):
        resolve("p", declared, {"m": "3.5"})
    with pytest.raises(ParameterError, match=r"m = 4 is out of range; m must lie in \[8, 512\]"):
        resolve("p", declared, {"m": 4})
    with pytest.raises(ParameterError, match="must be a number"):
        resolve("p", declared, {"nu": True})
    assert parse_assignments(["nu=0.005", " k = 12.566 "]) == {"nu": "0.005", "k": "12.566"}
    for bad in (["nu"], ["=3"], ["nu="], ["nu=1", "nu=2"]):
        with pytest.raises(ParameterError):
            parse_assignments(bad)
