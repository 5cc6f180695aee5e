"""What a run logged, on one step axis across its phases: TensorBoard summaries and a CSV history.

:class:`TrainingLog` is a Keras callback. Given to ``model.fit`` it records, at the end
of every epoch, every number in the logs (each loss term, the error against the
reference where a reference logger put one there, PSNR/SSIM, the image priors'
variance statistic, identified coefficients) and the learning rate; given to
:func:`~pinnzoo.solvers.lbfgs_refine` as well, the L-BFGS iterations continue the same
step axis. Every preset's ``train`` keeps one (so the export holds ``history.csv``);
``pinnzoo train --logdir DIR`` also writes TensorBoard event files there::

    tensorboard --logdir DIR        # pip install tensorboard

The CSV is in long form, one value per line, so phases that log different names
share one file and a resumed run appends to it::

    step,phase,time_s,name,value
    100,adam,1.92,loss,0.0733
    100,adam,1.92,rel_l2,0.412
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

import keras
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import summary_pb2

HISTORY_FILE = "history.csv"
COLUMNS = ("step", "phase", "time_s", "name", "value")


@runtime_checkable
class Previews(Protocol):
    """A solver that can show its current solution as images (for TensorBoard and ``pinnzoo plot``)."""

    def preview(self) -> dict[str, np.ndarray]:
        """``{name: array [H, W] or [H, W, C]}``: the current solution (restored image, field, ...)."""


# TensorBoard's summary formats, written with tf.summary.write so that logging needs TensorFlow only
# (TensorBoard, to view them, is a separate install): a float32 scalar with the "scalars" plugin's
# metadata; for images a string vector [width, height, PNG] with the "images" plugin's.
def _SCALAR():
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"),
                                       data_class=summary_pb2.DATA_CLASS_SCALAR)


def _IMAGE():
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="images"),
                                       data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE)


def _png_record(a: np.ndarray):
    """``[width, height, PNG bytes]`` of ``a`` (``[H, W]`` or ``[H, W, C]``, min–max scaled to 8 bits)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2:
        a = a[..., None]
    lo, hi = np.nanmin(a), np.nanmax(a)
    a = np.nan_to_num((a - lo) / (hi - lo) if hi > lo else np.zeros_like(a))
    png = tf.io.encode_png(tf.constant(np.round(255 * a).astype(np.uint8)))
    return tf.stack([tf.as_string(a.shape[1]), tf.as_string(a.shape[0]), png])


class TrainingLog(keras.callbacks.Callback):
    """Record every logged number of a run: in memory, to a CSV file and (with ``logdir``) to TensorBoard.

    Args:
        logdir: TensorBoard log directory (scalars under their log names, plus
            ``learning_rate``; images of :meth:`Previews.preview` as ``solution/NAME``).
        csv_path: stream the history to this file as it grows (flushed every epoch, so
            a crash keeps what was logged); :meth:`csv_bytes` gives it at any time.
        images_every: write snapshot images every this many logged epochs; they are always
            written at the end of every phase (with ``logdir``).
        append: continue an existing ``csv_path`` (a resumed run): the step axis goes on
            from its last step.

    The step axis counts training steps across phases and models (Adam steps, L-BFGS
    iterations, the windows of a time-marching solve one after the other); ``phase`` is
    ``"lbfgs"`` inside :func:`~pinnzoo.solvers.lbfgs_refine` and ``"adam"`` in ``fit``.
    """

    def __init__(self, logdir=None, csv_path=None, images_every: int = 10, append: bool = False):
        super().__init__()
        self.logdir = None if logdir is None else Path(logdir)
        self.csv_path = None if csv_path is None else Path(csv_path)
        self.images_every = max(0, int(images_every))
        self.rows: list[tuple] = []
        self.step, self.phase = 0, "adam"
        self._seen, self._epochs, self._start, self._writer, self._file = 0, 0, None, None, None
        if append and self.csv_path is not None and self.csv_path.exists():
            self.rows = read_history(self.csv_path)
            self.step = max((int(r[0]) for r in self.rows), default=0)
        if self.csv_path is not None:
            self.csv_path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not (append and self.csv_path.exists())
            self._file = open(self.csv_path, "w" if fresh else "a", newline="")
            self._csv = csv.writer(self._file)
            if fresh:
                self._csv.writerow(COLUMNS)

    # -- the Keras hooks -------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self.phase = (self.params or {}).get("phase", "adam")
        if self._start is None:
            self._start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        # with steps_per_execution > 1 Keras reports once per execution, with the index of its last step
        self.step += max(0, int(batch) + 1 - self._seen)
        self._seen = int(batch) + 1

    def on_epoch_end(self, epoch, logs=None):
        values = {k: float(v) for k, v in (logs or {}).items() if _is_number(v)}
        if self.phase == "adam" and getattr(self.model, "optimizer", None) is not None:
            rate = _learning_rate(self.model.optimizer)
            if rate is not None:
                values["learning_rate"] = rate
        self.record(values)
        self._epochs += 1
        if self.images_every and self._epochs % self.images_every == 0:
            self.write_images()

    def on_train_end(self, logs=None):
        self.write_images()
        self.flush()

    # -- recording -------------------------------------------------------------------------------------
    def record(self, values: dict, step: int | None = None, phase: str | None = None):
        """Record ``values`` (name → number) at ``step`` (default: the current step); also for loops that
        are not Keras phases (a time-marching grid solve logs its per-step error with it)."""
        step = self.step if step is None else int(step)
        phase = phase or self.phase
        elapsed = round(time.perf_counter() - (self._start or time.perf_counter()), 3)
        rows = [(step, phase, elapsed, name, value) for name, value in values.items()]
        self.rows.extend(rows)
        if self._file is not None:
            self._csv.writerows(rows)
            self._file.flush()
        writer = self._tensorboard()
        if writer is not None:
            with writer.as_default(step=step):
                for name, value in values.items():
                    tf.summary.write(name, tf.constant(value, tf.float32), metadata=_SCALAR())

    def write_images(self):
        """Write the model's :meth:`Previews.preview` images at the current step (TensorBoard only)."""
        writer = self._tensorboard()
        if writer is None or not isinstance(self.model, Previews):
            return

        with writer.as_default(step=self.step):
            for name, image in self.model.preview().items():
                tf.summary.write(f"solution/{name}", _png_record(image), metadata=_IMAGE())

    def rewind(self, step: int):
        """Forget what was logged after ``step`` (a run resumed from a checkpoint at ``step`` logs it again);
        the CSV file is rewritten. TensorBoard keeps both: it shows the later values of repeated steps."""
        self.rows = [r for r in self.rows if r[0] <= int(step)]
        self.step = int(step)
        self._start = time.perf_counter() - max((r[2] for r in self.rows), default=0.0)  # the clock goes on
        if self._file is not None:
            self._file.close()
            self._file = open(self.csv_path, "w", newline="")
            self._csv = csv.writer(self._file)
            self._csv.writerow(COLUMNS)
            self._csv.writerows(self.rows)
            self._file.flush()

    def _tensorboard(self):
        if self.logdir is None:
            return None
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.logdir))
        return self._writer

    def flush(self):
        if self._writer is not None:
            self._writer.flush()
        if self._file is not None:
            self._file.flush()

    def close(self):
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def csv_bytes(self) -> bytes:
        """The whole history as CSV (what an export stores as ``history.csv``)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(self.rows)
        return out.getvalue().encode()

    def files(self) -> dict[str, bytes]:
        """The files an export of this run holds beside its model: ``{"history.csv": ...}``."""
        return {HISTORY_FILE: self.csv_bytes()}


def _is_number(v) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _learning_rate(optimizer) -> float | None:
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except (TypeError, ValueError, AttributeError):
        return None


def training_log(callbacks) -> tuple[list, TrainingLog]:
    """``(callbacks, log)``: the :class:`TrainingLog` among ``callbacks``, or a new in-memory one appended."""
    callbacks = list(callbacks or ())
    for cb in callbacks:
        if isinstance(cb, TrainingLog):
            return callbacks, cb
    log = TrainingLog()
    return [*callbacks, log], log


def read_history(path) -> list[tuple]:
    """The rows of a ``history.csv``: ``(step, phase, time_s, name, value)``."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise ValueError(f"{path}: not a pinnzoo history (header {header})")
        return [(int(s), p, float(t), n, float(v)) for s, p, t, n, v in reader]


def read_events(logdir) -> dict[str, list[tuple[int, object]]]:
    """Every summary in a TensorBoard log directory as ``{tag: [(step, value), ...]}`` (scalars as floats,
    images as ``[width, height, PNG bytes]``), read with TensorFlow only."""
    out: dict[str, list] = {}
    for path in sorted(Path(logdir).glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                array = tf.make_ndarray(value.tensor)
                item = float(array) if array.dtype.kind == "f" else list(array)
                out.setdefault(value.tag, []).append((int(event.step), item))
    return out


def series(rows, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` of one logged name in a history's rows."""
    picked = [(r[0], r[4]) for r in rows if r[3] == name]
    if not picked:
        return np.zeros(0), np.zeros(0)
    steps, values = zip(*picked)
    return np.asarray(steps), np.asarray(values)
