"""The discrepancy principle for inverse PINNs: the noise variance a problem's observations carry, and a preset's
``observations["discrepancy"]`` stopping both phases once the data term reaches it."""

import dataclasses

import numpy as np
import pytest

from pinnzoo.callbacks import DiscrepancyStopping
from pinnzoo.errors import TrainingError
from pinnzoo.family import get_preset
from pinnzoo.problems import get_problem


@pytest.mark.parametrize("name, noise", [("heat_inverse", 0.05), ("poisson_inverse2d", 0.1)])
def test_the_noise_variance_is_that_of_the_observations(name, noise):
    problem = get_problem(name)
    x, y = problem.observations(2500, noise=noise, seed=5)
    clean = problem.reference(x)[:, problem.observed_columns]
    measured = float(np.mean((y - clean) ** 2))
    assert problem.noise_variance(noise, x) == pytest.approx(measured, rel=0.1)  # 2,500 draws: ±3 % (1σ)
    assert problem.noise_variance(2 * noise, x) == pytest.approx(4 * problem.noise_variance(noise, x))


class _Model:
    stop_training = False


def test_the_stop_fires_at_the_first_step_at_or_below_the_threshold():
    stop = DiscrepancyStopping(0.5, monitor="data", every_step=True)
    stop.set_model(_Model())
    for step, value in enumerate([2.0, 0.9, 0.5, 0.1]):
        stop.on_train_batch_end(step, {"data": value})
    assert stop.stopped_at == 3 and stop.model.stop_training
    per_epoch = DiscrepancyStopping(0.5, monitor="data")
    per_epoch.set_model(_Model())
    per_epoch.on_train_batch_end(0, {"data": 0.1})  # steps are not looked at without every_step
    assert per_epoch.stopped_at is None


def _with_stop(tau):
    preset = get_preset("heat_inverse")
    return dataclasses.replace(preset, observations={**preset.observations, "discrepancy": tau})


@pytest.mark.slow  # two quick trainings
def test_a_fired_stop_ends_adam_and_skips_the_quasi_newton_phase():
    result = _with_stop(1e6).train(quick=True, verbose=0, seed=0)  # any misfit is below 1e6 σ²
    assert result.history["discrepancy"]["stopped_at"] == 1 and result.lbfgs_iterations == 0
    assert len(result.history["adam"]["loss"]) == 1
    never = _with_stop(1e-12).train(quick=True, verbose=0, seed=0)
    assert never.history["discrepancy"]["stopped_at"] is None and never.lbfgs_iterations > 0


def test_the_stop_needs_noisy_observations():
    preset = _with_stop(1.0)
    with pytest.raises(TrainingError, match="discrepancy"):
        dataclasses.replace(preset, observations={**preset.observations, "noise": 0.0}).train(quick=True, verbose=0)


def test_a_noise_seed_fixes_the_draw_apart_from_the_network_seed():
    from pinnzoo.families.pinn.fit import observed_data

    preset = get_preset("poisson_inverse2d")
    problem = preset.make_problem()
    fixed = dataclasses.replace(preset, observations={**preset.observations, "noise_seed": 7})
    a, b = observed_data(fixed, problem, seed=0), observed_data(fixed, problem, seed=3)
    np.testing.assert_array_equal(a[1], b[1])
    other = observed_data(dataclasses.replace(preset, observations={**preset.observations, "noise_seed": 8}), problem, 0)
    assert np.std(other[1] - a[1]) == pytest.approx(2 ** 0.5 * preset.observations["noise"], rel=0.1)
    np.testing.assert_array_equal(observed_data(preset, problem, seed=3)[1],
                                  problem.observations(preset.observations["n"], preset.observations["noise"], seed=1003)[1])
    assert observed_data(get_preset("burgers"), problem, seed=0) is None
