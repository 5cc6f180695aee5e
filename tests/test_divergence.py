"""A fit whose loss becomes NaN/inf rolls back to the last good weights with a smaller learning rate."""

import keras
import numpy as np
import pytest

from conftest import small_preset, tiny_schedule
from pinnzoo.divergence import NaNGuard, ScaledRate, scaled_adam
from pinnzoo.errors import TrainingError


def _tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    model.compile(optimizer=scaled_adam(keras.optimizers.schedules.ExponentialDecay(1e-2, 100, 0.5)), loss="mse")
    x, y = np.random.default_rng(0).normal(size=(32, 2)), np.zeros((32, 1))
    model.fit(x, y, epochs=1, verbose=0)  # builds the optimiser's state
    return model, x, y


def test_a_rollback_restores_weights_and_optimiser_state_and_cuts_the_rate():
    model, _, _ = _tiny_model()
    guard = NaNGuard(rollbacks=2, factor=0.1)
    guard.set_model(model)
    guard.on_train_begin()
    good = [w.copy() for w in model.get_weights()]
    state = [v.numpy().copy() for v in model.optimizer.variables]
    rate = model.optimizer.learning_rate
    for w in model.weights:  # the poisoned step: weights and optimiser state broken
        w.assign(np.full(w.shape, np.nan))
    for v in model.optimizer.variables:
        v.assign(v.numpy() * 0 + 7)
    guard.on_train_batch_end(3, {"loss": float("nan")})
    for a, b in zip(model.get_weights(), good):
        np.testing.assert_array_equal(a, b)
    for v, s in zip(model.optimizer.variables, state):
        np.testing.assert_array_equal(v.numpy(), s)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1 * float(rate), rel=1e-6)
    assert guard.events == [{"at": "batch 3", "learning_rate_scale": pytest.approx(0.1)}] and not guard.triggered
    guard.on_epoch_end(0, {"loss": float("inf")})
    assert len(guard.events) == 2 and not guard.triggered
    guard.on_train_batch_end(0, {"loss": float("nan")})  # the third: bounded, it stops
    assert guard.triggered and guard.at == "batch 0" and model.stop_training


def test_the_scaled_rate_is_read_by_the_compiled_step_and_serialises():
    model, x, y = _tiny_model()
    before = [w.copy() for w in model.get_weights()]
    model.optimizer._learning_rate.scale.assign(0.0)  # a zero rate: the next step must not move anything
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    rate = ScaledRate(keras.optimizers.schedules.ExponentialDecay(1e-2, 100, 0.5), 0.25)
    again = ScaledRate.from_config(rate.get_config())
    assert float(again(50)) == pytest.approx(float(rate(50))) == pytest.approx(0.25 * 1e-2 * 0.5 ** 0.5)


class _Poison(keras.callbacks.Callback):
    """Breaks the weights in the middle of the second epoch (a poisoned batch): once, or at every step after."""

    def __init__(self, always=False):
        super().__init__()
        self.epoch, self.done, self.always = 0, False, always

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch >= 1 and (self.always or not self.done):
            self.done = True
            for w in self.model.trainable_weights:
                w.assign(w * np.inf)


def test_training_survives_a_poisoned_step_and_exports(tmp_path):
    preset = small_preset(schedule=tiny_schedule(epochs=4, steps=50, execution=10, lbfgs=50))
    result = preset.train(out=tmp_path / "m", verbose=0, callbacks=[_Poison()])
    assert np.isfinite(result.metrics["rel_l2"]) and result.metrics["rel_l2"] < 0.5
    events = result.history["rollbacks"]
    assert len(events) == 1 and events[0]["learning_rate_scale"] == pytest.approx(0.1)
    from pinnzoo.export import read_metadata

    assert read_metadata(tmp_path / "m")["training"]["rollbacks"] == events


def test_persistent_divergence_stops_with_the_last_good_weights(tmp_path):
    preset = small_preset(schedule=tiny_schedule(epochs=6, steps=20, execution=10))
    with pytest.raises(TrainingError, match="after 3 rollbacks") as info:
        preset.train(out=tmp_path / "m", verbose=0, callbacks=[_Poison(always=True)])
    assert not (tmp_path / "m").exists()  # a NaN model is never exported
    assert all(np.isfinite(w).all() for w in info.value.solver.get_weights())
