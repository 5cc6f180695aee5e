"""Surviving a diverging fit: roll back to the last good weights and go on with a smaller learning rate.

:class:`NaNGuard` watches the loss of every ``fit`` (Adam phases of every family). When it
becomes NaN/inf, the model's weights and the optimiser's state go back to their values at
the end of the last epoch whose loss was finite, the learning rate is multiplied by
``factor`` (through the :class:`ScaledRate` every preset's optimiser is built with) and
training continues. After ``rollbacks`` such events it stops, keeps the last good weights
and sets ``triggered``: the caller then exports nothing (``pinnzoo train`` exits with 3 and
saves those weights to ``OUT.nan-recovery.keras``). L-BFGS needs none of this: a NaN trial
point is rejected by its line search (:func:`~pinnzoo.solvers.lbfgs_refine`).
"""

from __future__ import annotations

import keras
import numpy as np


@keras.saving.register_keras_serializable("pinnzoo")
class ScaledRate(keras.optimizers.schedules.LearningRateSchedule):
    """``rate(step) × scale``: any learning rate (a number or a schedule) with a factor that can be cut
    while training runs (a variable, read inside the compiled step, so nothing is retraced)."""

    def __init__(self, rate, scale: float = 1.0):
        self.rate = rate
        self.scale = keras.Variable(float(scale), trainable=False, dtype="float32", name="learning_rate_scale")

    def __call__(self, step):
        base = self.rate(step) if callable(self.rate) else self.rate
        return keras.ops.cast(base, "float32") * self.scale

    def get_config(self):
        rate = keras.saving.serialize_keras_object(self.rate) if callable(self.rate) else float(self.rate)
        return {"rate": rate, "scale": float(self.scale.numpy())}

    @classmethod
    def from_config(cls, config):
        rate = config["rate"]
        return cls(rate if isinstance(rate, (int, float)) else keras.saving.deserialize_keras_object(rate),
                   config["scale"])


def scaled_adam(rate) -> keras.optimizers.Adam:
    """Adam whose learning rate ``rate`` (number or schedule) :class:`NaNGuard` can cut."""
    return keras.optimizers.Adam(ScaledRate(rate))


def _schedule(optimizer):
    # Keras keeps an optimiser's schedule object in _learning_rate (its learning_rate property evaluates it)
    rate = getattr(optimizer, "_learning_rate", None)
    return rate if isinstance(rate, ScaledRate) else None


class NaNGuard(keras.callbacks.Callback):
    """Roll back a fit whose loss became NaN/inf, cut its learning rate, continue; stop after ``rollbacks``.

    ``self.events`` lists each rollback (where it happened, the learning-rate scale after it);
    ``self.triggered`` and ``self.at`` say that (and where) the fit was stopped for good, with the
    last good weights in place.
    """

    def __init__(self, rollbacks: int = 3, factor: float = 0.1):
        super().__init__()
        if int(rollbacks) < 0 or not 0.0 < factor < 1.0:
            raise ValueError("rollbacks must be >= 0 and factor in (0, 1)")
        self.rollbacks, self.factor = int(rollbacks), float(factor)
        self.triggered, self.at = False, None
        self.events: list[dict] = []
        self._good = None

    def on_train_begin(self, logs=None):
        self._snapshot()

    def _snapshot(self):
        optimizer = getattr(self.model, "optimizer", None)
        state = [v.numpy() for v in optimizer.variables] if optimizer is not None and optimizer.built else None
        self._good = (self.model.get_weights(), state)

    def _restore(self):
        weights, state = self._good
        self.model.set_weights(weights)
        optimizer = getattr(self.model, "optimizer", None)
        if state is not None and optimizer is not None and len(optimizer.variables) == len(state):
            for v, value in zip(optimizer.variables, state):
                v.assign(value)
        self.model.reset_metrics()  # the epoch's running means hold the NaN

    def _finite(self, logs) -> bool:
        loss = (logs or {}).get("loss")
        return loss is None or bool(np.isfinite(float(loss)))

    def _diverged(self, where: str):
        self._restore()
        if len(self.events) >= self.rollbacks:
            self.triggered, self.at = True, where
            self.model.stop_training = True
            return
        rate = _schedule(getattr(self.model, "optimizer", None))
        scale = None
        if rate is not None:
            rate.scale.assign(rate.scale.numpy() * self.factor)
            scale = float(rate.scale.numpy())
        self.events.append({"at": where, "learning_rate_scale": scale})
        print(f"\nthe loss became NaN/inf at {where}: rolled back to the last good weights"
              + (f", learning rate x{scale:g}" if scale is not None else "")
              + f" ({len(self.events)} of {self.rollbacks} rollbacks)", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        if not self.triggered and not self._finite(logs):
            self._diverged(f"batch {batch}")

    def on_epoch_end(self, epoch, logs=None):
        if self.triggered:
            return
        if self._finite(logs):
            self._snapshot()
        else:
            self._diverged(f"epoch {epoch + 1}")
