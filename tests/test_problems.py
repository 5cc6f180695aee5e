"""Every registered problem: its reference satisfies the PDE and the conditions, and its
hard constraint satisfies the conditions it claims, whatever the network outputs."""

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.problems import get_problem, parse_derivative, problem_names

PROBLEMS = [n for n in problem_names() if not n.startswith("_")]
# Where finite differences of the reference are meaningful (Burgers: before the front steepens).
# Allen-Cahn: the interpolated (off-grid) reference is checked after the fast initial transient.
# Schroedinger: 2 sech(x) is not smoothly periodic on [-5, 5]; the tiny high-wavenumber waves this
# seeds travel at frequency k^2/2 and dominate any finite-difference time derivative (the spectral
# solution itself agrees with the published field to 3e-8; see test_references.py).
TOLERANCE = {"schrodinger": 1e-2}
REGION = {"burgers": {"t": (0.05, 0.2)}, "burgers_inverse": {"t": (0.05, 0.2)}, "allen_cahn": {"t": (0.05, 0.95)}}


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
    box = problem.domain
    lo, hi = box.lower.copy(), box.upper.copy()
    for name, (a, b) in REGION.get(problem.name, {}).items():
        i = box.names.index(name)
        lo[i], hi[i] = a, b
    margin = 0.02 * (hi - lo)
    return rng.uniform(lo + margin, hi - margin, (n, box.dim))


@pytest.mark.parametrize("name", PROBLEMS)
def test_reference_satisfies_the_pde(name, rng):
    problem = get_problem(name)
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
    p = {k: tf.constant(v, tf.float64) for k, v in problem.params.items()}
    for c in problem.conditions():
        pts = problem.domain.sample(100, rng, fix=c.fix)
        f = _fields(problem, pts, [c.field] if c.field not in problem.outputs else [], h=1e-4)
        if c.shift:
            target = _fields(problem, pts + c.shift_vector(problem.inputs),
                             [c.field] if c.field not in problem.outputs else [], h=1e-4)[c.field]
        else:
            target = c.target_value(f, p)
        err = np.abs((f[c.field] - target).numpy()).max()
        assert err < 1e-6, (c.name, err)


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
        pts = problem.domain.sample(64, rng, fix=c.fix)
        f = solver.fields(pts, [] if c.field in problem.outputs else [c.field])
        if c.shift:
            target = solver.fields(pts + c.shift_vector(problem.inputs),
                                   [] if c.field in problem.outputs else [c.field])[c.field].numpy()
        else:
            target = c.target_value(f, p).numpy()
        np.testing.assert_allclose(f[c.field].numpy(), target, atol=1e-10, err_msg=c.name)
        checked.add(c.name)
    assert checked == claimed
    assert solver.conditions == []


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
    with pytest.raises(ProblemError, match="unknown parameters"):
        get_problem("burgers", mu=1.0)
    with pytest.raises(ProblemError, match="finite"):
        get_problem("burgers", nu=float("nan"))


def test_observations_are_noisy_reference_values():
    problem = get_problem("heat1d")
    x, y = problem.observations(2000, noise=0.01, seed=0)
    clean = problem.reference(x)
    rel = np.std(y - clean) / np.std(clean)
    assert x.shape == (2000, 2) and problem.domain.contains(x).all()
    assert 0.008 < rel < 0.012
