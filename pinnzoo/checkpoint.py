"""Checkpoints of a run, so that a run killed even with SIGKILL resumes where it was.

``pinnzoo train PRESET --out OUT`` keeps ``OUT.checkpoint.npz`` beside the export while it
trains (removed once the export is written): the solver's weights, the optimiser's state
(moments and step count, hence the learning-rate schedule's position), the phase, the Adam
epochs or L-BFGS iterations done, the error curve so far and the run's identity (preset,
seed, schedule). It is rewritten at the end of every Adam epoch and every logged L-BFGS epoch,
to a temporary file renamed into place, so a kill leaves the previous checkpoint whole.

``--resume`` restores it. An Adam phase then continues bit for bit as the uninterrupted run
would (its collocation points are a stateless function of the step, and the step count is
restored), so the final weights are identical on the same machine. An L-BFGS phase restarts
from the saved weights with the iterations left: scipy's L-BFGS-B keeps its curvature pairs in
memory, so the resumed trajectory differs from the uninterrupted one within the tolerance of
the optimisation, not bit for bit.

Time-marching PINN runs keep every window's weights and the window under way
(:class:`pinnzoo.families.pinn.fit._MarchingRun`); the grid families use the same file through
:mod:`pinnzoo.families.grid.fit`, image-prior fits through :mod:`pinnzoo.families.image.fit`.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError


def checkpoint_path(out) -> Path:
    """Where a run exporting to ``out`` keeps its checkpoint: ``OUT.checkpoint.npz`` beside it."""
    out = Path(out)
    return out.parent / f"{out.name}.checkpoint.npz"


@runtime_checkable
class ExtraState(Protocol):
    """A model with state outside its Keras weights that a resumed run needs (a random generator's state)."""

    def checkpoint_variables(self) -> list:
        """The ``tf.Variable`` s to save and restore beside the weights."""


_OWN = object()  # "the model's own optimiser"


def _extra(model) -> list:
    return list(model.checkpoint_variables()) if isinstance(model, ExtraState) else []


class RunCheckpoint:
    """One run's checkpoint file (see the module docstring). ``identity`` names the run (preset,
    seed, schedule); a checkpoint of another run is refused on resume."""

    def __init__(self, path, identity: dict):
        self.path, self.identity = Path(path), dict(identity)

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, model, state: dict, optimizer=_OWN, arrays: dict | None = None):
        """Write ``model``'s weights, the variables of ``optimizer`` (by default the model's own; None: no
        optimiser state), the named ``arrays`` (results so far) and ``state`` atomically."""
        optimizer = getattr(model, "optimizer", None) if optimizer is _OWN else optimizer
        saved = {f"a_{k}": np.asarray(v) for k, v in (arrays or {}).items()}
        arrays = saved
        arrays.update({f"w{i}": np.asarray(v.numpy()) for i, v in enumerate(model.weights)})
        if optimizer is not None and optimizer.built:
            arrays.update({f"o{i}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)})
        arrays.update({f"x{i}": np.asarray(v.numpy()) for i, v in enumerate(_extra(model))})
        info = json.dumps({"identity": self.identity, **state}, default=float)
        buffer = io.BytesIO()
        np.savez(buffer, info=np.array(info), **arrays)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(buffer.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def load(self) -> dict:
        """The saved state (phase, counters, ...); checks that it is this run's."""
        if not self.exists():
            raise InputError(f"no checkpoint to resume from at {self.path} (it is written while a run trains and "
                             "removed when its export is written)")
        try:
            with np.load(self.path, allow_pickle=False) as data:
                info = json.loads(str(data["info"]))
                self._arrays = {k: data[k] for k in data.files if k != "info"}
        except Exception as exc:
            raise InputError(f"cannot read the checkpoint {self.path}: {exc}") from None
        if info.pop("identity") != json.loads(json.dumps(self.identity, default=float)):
            raise InputError(f"{self.path} is the checkpoint of another run (other preset, seed, schedule or "
                             "options); resume it with the same command, or delete it")
        return info

    def restore(self, model, optimizer=_OWN, trainable=None):
        """Put the loaded weights (cast to the model's dtype) into ``model``, and the optimiser state into
        ``optimizer`` (by default the model's own; None: leave it), built for ``trainable`` (by default the
        model's trainable variables) if it is not yet."""
        weights = [self._arrays[f"w{i}"] for i in range(sum(k.startswith("w") for k in self._arrays))]
        if len(weights) != len(model.weights):
            raise InputError(f"{self.path}: {len(weights)} weights saved, the model has {len(model.weights)}")
        for v, value in zip(model.weights, weights):
            v.assign(value.astype(v.dtype))
        if optimizer is _OWN:
            optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            self.restore_optimizer(optimizer, model.trainable_variables if trainable is None else trainable,
                                   getattr(model, "distribute_strategy", None))
        for i, v in enumerate(_extra(model)):
            v.assign(self._arrays[f"x{i}"])

    def restore_optimizer(self, optimizer, trainable, strategy=None):
        """Put the loaded optimiser state into ``optimizer`` (built for ``trainable`` first if need be, in
        the scope of ``strategy``, the ``tf.distribute`` strategy the variables were made under)."""
        state = [self._arrays[f"o{i}"] for i in range(sum(k.startswith("o") for k in self._arrays))]
        if not state:
            return
        if not optimizer.built:
            with (strategy or tf.distribute.get_strategy()).scope():
                optimizer.build(trainable)
        if len(state) != len(optimizer.variables):
            raise InputError(f"{self.path}: {len(state)} optimiser variables saved, the optimiser has "
                             f"{len(optimizer.variables)}")
        for v, value in zip(optimizer.variables, state):
            v.assign(value.astype(v.dtype))

    def arrays(self) -> dict:
        """The named arrays saved with :meth:`save` (``arrays=``)."""
        return {k[2:]: v for k, v in self._arrays.items() if k.startswith("a_")}

    def remove(self):
        self.path.unlink(missing_ok=True)


class CheckpointEvery(keras.callbacks.Callback):
    """Save the run's checkpoint at every epoch end of a phase: ``phase`` and the Adam epochs or L-BFGS
    iterations done (``offset`` counts those of an earlier, resumed part), plus ``extra()``'s state."""

    def __init__(self, checkpoint: RunCheckpoint, phase: str, offset: int = 0, extra=None):
        super().__init__()
        self.checkpoint, self.phase, self.offset, self.extra = checkpoint, phase, int(offset), extra
        self.done = int(offset)

    def on_train_batch_end(self, batch, logs=None):
        if self.phase == "lbfgs":  # one call per L-BFGS iteration
            self.done += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.phase == "adam":
            self.done = epoch + 1
        self.checkpoint.save(self.model, {"phase": self.phase, "done": self.done, **(self.extra() if self.extra else {})})
