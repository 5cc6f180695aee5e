"""A Keras callback that times every step of a ``fit`` on its own (shared by the step-time benchmarks)."""

from __future__ import annotations

import time

import keras


class StepTimer(keras.callbacks.Callback):
    """Milliseconds of every step of a ``fit`` (from a batch's start to its end: what ``fit`` adds between
    calls is left out, as it is in a long training run). On the shared 2-core machine, timing whole short
    ``fit`` calls instead gave times in multiples of about 128 ms."""

    def __init__(self):
        super().__init__()
        self.ms: list[float] = []

    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.ms.append(1000 * (time.perf_counter() - self.start))
