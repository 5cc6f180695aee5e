"""Shared test helpers: small solvers, float64 scopes, the shared reference data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference-data"


def small_solver(problem=None, widths=(16, 16), hard=False, dtype="float32", seed=0, **kwargs):
    """A small PINN solver (default: Burgers) built in the given float type."""
    from pinnzoo.dtypes import float_type
    from pinnzoo.priors import MLP
    from pinnzoo.problems import Burgers
    from pinnzoo.solvers import PINNSolver

    problem = problem or Burgers()
    keras.utils.set_random_seed(seed)
    with float_type(dtype):
        return PINNSolver(problem, MLP(widths, out_dim=len(problem.outputs)), hard_constraints=hard, **kwargs)


def shared_file(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared reference data {name} not present")
    return path


def call_cli(*args, cwd=None):
    """``pinnzoo ARGS`` in this process (:func:`pinnzoo.cli.main`, its output captured): a CompletedProcess with the
    exit status and the text of stdout and stderr. For what needs no fresh process; :func:`run_cli` starts one."""
    import contextlib
    import io

    from pinnzoo import cli

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main([str(a) for a in args])
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["pinnzoo", *map(str, args)], code, out.getvalue(), err.getvalue())


def run_cli(*args, cwd=None, timeout=600):
    """Run the installed ``pinnzoo`` console script in a new process; returns the CompletedProcess."""
    exe = Path(sys.executable).with_name("pinnzoo")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pinnzoo.cli"]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def quick_export(tmp_path_factory):
    """A ``--quick`` Burgers run exported once per session: (directory, TrainResult)."""
    from pinnzoo import train

    out = tmp_path_factory.mktemp("export") / "burgers"
    result = train("burgers", quick=True, out=out, verbose=0, seed=3)
    return out, result


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def tiny_schedule(epochs=1, steps=50, points=256, lbfgs=0, lbfgs_points=256, log_every=500, execution=25,
                  learning_rate=1e-3, balance_every=0, **lbfgs_extra):
    """A short :class:`~pinnzoo.presets.Schedule` for tests (``lbfgs_extra``: more ``LBFGSPhase`` fields)."""
    from pinnzoo.presets import AdamPhase, Balancing, Collocation, LBFGSPhase, Schedule

    return Schedule(adam=AdamPhase(epochs=epochs, steps_per_epoch=steps, steps_per_execution=execution,
                                   learning_rate=learning_rate),
                    collocation=Collocation(points),
                    lbfgs=LBFGSPhase(maxiter=lbfgs, points=lbfgs_points, log_every=log_every, **lbfgs_extra),
                    balancing=Balancing(every=balance_every))


def small_preset(name="_heat_small", problem="heat1d", widths=(8, 8), schedule=None, **fields):
    """A PINN preset of a small MLP on a registered problem (not registered itself)."""
    from pinnzoo.presets import PINNPreset
    from pinnzoo.priors import PriorSpec

    return PINNPreset(name=name, description=f"test: {problem}, MLP {widths}", problem=problem,
                      prior=PriorSpec("mlp", {"widths": tuple(widths)}), schedule=schedule or tiny_schedule(),
                      **fields)


def coarse_reference(problem):
    """The problem's reference, from a coarse solve where the real one takes up to a minute (finite elements at
    h = 0.04, the sine series on 32² with step 0.1): ``points [N, d] -> [N, outputs]``."""
    method = getattr(problem, "reference_method", "")
    if method not in ("fem", "spectral"):
        return problem.reference
    coarse = problem.fem(0.04) if method == "fem" else problem.spectral(32, 0.1)
    return lambda pts: coarse(pts).reshape(len(pts), -1)
