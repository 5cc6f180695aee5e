"""Every preset builds, trains one quick step, and its problem is consistent."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import coarse_reference
from pinnzoo.errors import PresetError
from pinnzoo.parameters import ParameterError
from pinnzoo.presets import (FAMILIES, PRESETS, GridInversePreset, GridPreset, ImagePreset, PINNPreset, Preset,
                             get_preset)
from pinnzoo.sampling import fixed_batch
from pinnzoo.families.pinn.fit import build_solver

PDE_PRESETS = [n for n, p in PRESETS.items() if isinstance(p, PINNPreset)]
IMAGE_PRESETS = [n for n, p in PRESETS.items() if isinstance(p, ImagePreset)]
GRID_PRESETS = [n for n, p in PRESETS.items() if isinstance(p, GridPreset)]
INVERSE_PRESETS = [n for n, p in PRESETS.items() if isinstance(p, GridInversePreset)]


def test_every_preset_is_a_preset_of_a_registered_family():
    assert len(PDE_PRESETS) + len(IMAGE_PRESETS) + len(GRID_PRESETS) + len(INVERSE_PRESETS) == len(PRESETS)
    assert IMAGE_PRESETS and PDE_PRESETS and GRID_PRESETS and INVERSE_PRESETS
    for preset in PRESETS.values():
        assert isinstance(preset, Preset) and FAMILIES.get(preset.family) is type(preset)
        assert preset.description and preset.target_text() and type(preset.quick()) is type(preset)


#: presets whose build-and-step check takes the longest (about ten seconds): the slow tier keeps them
SLOW_STEP = {"ns2d_backstep"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_STEP else n for n in PDE_PRESETS])
def test_preset_builds_and_steps(name):
    preset = get_preset(name)
    schedule = preset.schedule.quick()
    solver = build_solver(preset, schedule, seed=0)
    problem = solver.problem
    if preset.marching:  # time marching: check the last window, whose initial data come from the one before
        solver = solver.windows[-1]
    batch = fixed_batch(solver, 256, seed=0)
    before = {k: float(v) for k, v in solver.loss_terms(batch).items()}
    assert all(np.isfinite(v) for v in before.values())
    logs = solver.train_step(batch)
    assert np.isfinite(float(logs["loss"]))
    assert coarse_reference(problem)(problem.scoring_grid()[0][:10]).shape == (10, len(problem.outputs))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(PresetError, match=r"unknown preset 'burger' \(did you mean 'burgers'\?\); available presets: .*burgers"):
        get_preset("burger")
    with pytest.raises(PresetError, match="already registered"):
        from pinnzoo.presets import register_preset

        register_preset(get_preset("burgers"))


@pytest.mark.slow
@pytest.mark.parametrize("name", IMAGE_PRESETS)
def test_image_preset_degrades_and_fits(name):
    """A quick version (64×64, 20 steps) of every image preset runs end to end with its baselines."""
    preset = get_preset(name)
    clean, y, op = preset.quick().degrade()
    assert clean.shape == (64, 64, 1) and y.shape[2] == 1
    assert op.A(clean[None]).shape[1:3] == y.shape[:2]
    result = preset.train(quick=True, verbose=0)
    meta = result.metadata
    against = preset.target_baseline(meta["baselines"])
    assert meta["baselines"] and meta["target_psnr"] == against["psnr"] + preset.margin
    assert against == (meta["baselines"][0] if not preset.target_methods else
                       max((b for b in meta["baselines"] if b["method"].startswith(preset.target_methods)),
                           key=lambda b: b["psnr"]))
    assert np.isfinite(meta["metrics"]["psnr"]) and result.steps <= 20


def test_a_new_family_is_one_subclass_and_the_cli_uses_its_methods(tmp_path, capsys):
    """A preset family the rest of pinnzoo has never heard of: registered, it trains, lists and evaluates
    through its own methods (nothing branches on the family)."""
    import dataclasses

    from pinnzoo import cli
    from pinnzoo.presets import RunResult

    @dataclasses.dataclass
    class Done(RunResult):
        solver: object = None
        export_dir: object = None

        def summary(self):
            return "constant: done"

    @dataclasses.dataclass(frozen=True)
    class Constant(Preset):
        family = "_constant"
        name: str = "_constant"
        description: str = "a family for the test"

        def train(self, *, seed=0, quick=False, out=None, verbose=1, callbacks=(), checkpoint=None, resume=False,
                  strategy=None):
            return Done()

        def quick(self):
            return self

        def target_text(self):
            return "no target"

        @classmethod
        def evaluate_export(cls, directory, model, meta):
            return {"family": cls.family}

        @classmethod
        def evaluation_line(cls, result):
            return "constant: evaluated"

        @classmethod
        def headline(cls, meta):
            return {"problem": "none", "result": "done", "target": "none", "met": True, "time_s": 0.0}

    with FAMILIES.temporarily("_constant", Constant), PRESETS.temporarily("_constant", Constant()):
        assert cli.main(["list"]) == 0 and "a family for the test  [no target]" in capsys.readouterr().out
        assert cli.main(["train", "_constant", "--quiet"]) == 0 and "constant: done" in capsys.readouterr().out
    assert "_constant" not in PRESETS and "_constant" not in FAMILIES


def test_parameters_reach_the_residual_and_the_reference(rng):
    """``build(params=...)``: the solver's residual reads the new ν, and the exact solution at that ν satisfies it."""
    from test_problems import _fields

    preset = get_preset("burgers")
    assert {p.name: p.default for p in preset.parameters()} == {"nu": 0.01 / np.pi}
    solver = preset.build(params={"nu": 0.005})
    problem = solver.problem
    assert problem.params == {"nu": 0.005} and np.isclose(float(solver.params()["nu"]), 0.005, rtol=1e-6)
    pts = np.column_stack([rng.uniform(-0.9, 0.9, 200), rng.uniform(0.05, 0.2, 200)])
    f = _fields(problem, pts, problem.derivatives)
    def residual(params):  # the solver's coefficients (float32) in the float64 residual of the exact fields
        p = {k: tf.constant(float(v.numpy()), tf.float64) for k, v in params.items()}
        return np.abs(problem.residual_terms(f, p)["residual"].numpy()).max()

    exact, default = residual(solver.params()), residual(preset.build().params())
    assert exact < 2e-5 * np.abs(f["u_t"].numpy()).max() < default / 10  # the default ν's residual is not ~0
    assert preset.with_params({"nu": "0.005"}).parameters()[0].default == 0.005


def test_grid_parameters_give_a_new_instance_scored_against_its_own_solve():
    preset = get_preset("darcy_grid").with_params({"seed": 3, "m": 16})
    problem = preset.build_problem()
    assert problem.params == {"m": 16, "seed": 3}
    u = problem.discrete_solution()
    assert np.abs(problem.residual(u[None, :, :, None]).numpy()).max() < 1e-9
    other = get_preset("darcy_grid").with_params({"m": 16}).build_problem()
    assert np.abs(other.coefficient - problem.coefficient).max() > 1  # another draw of the two phases
    with pytest.raises(ParameterError, match="did you mean 'seed'"):
        get_preset("darcy_grid").with_params({"sed": 1})
    with pytest.raises(ParameterError, match="declares no parameters|has no parameters"):
        get_preset("poisson2d").with_params({"k": 1})
