"""LiteRT (TensorFlow Lite) export of an export's servable signatures: ``pinnzoo export DIR --litert OUT.tflite``.

The signatures converted are the ones TF Serving serves (:func:`pinnzoo.serving.serving_export`: the family's
:meth:`~pinnzoo.presets.Preset.serving_signatures`), each tried alone with LiteRT's built-in operators; those that
convert go into one ``.tflite`` file (a signature runner each, same names, inputs and outputs), the others are
reported with the TensorFlow operators they would need and serve only from the SavedModel. A PINN's
``residual`` is the usual one: its derivatives are gradient graphs (``BroadcastGradientArgs``,
``StridedSliceGrad``) that LiteRT has no built-in kernels for.

Converting needs only TensorFlow (``tf.lite.TFLiteConverter``); running the file needs a LiteRT interpreter —
``pip install pinnzoo[litert]`` (the ``ai-edge-litert`` package), or TensorFlow's own ``tf.lite.Interpreter``
while it lasts. :func:`run_litert` runs a signature with whichever is installed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid
from pathlib import Path

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ExportError, InputError
from pinnzoo.serving import serving_export


def _convert(saved_model: Path, keys: list[str]) -> bytes:
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model), signature_keys=keys)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


@contextlib.contextmanager
def _quiet_stderr():
    """The converter's C++ logging (a page of MLIR per failed signature) kept off the terminal: the reasons are
    reported in one line each instead."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _why(exc: Exception) -> str:
    """The converter's reason in one line: the TensorFlow operators it lacks, else its first line."""
    text = str(exc)
    ops = re.search(r"TF Select ops: ([^\n]+)", text)
    if ops:
        return f"needs TensorFlow operators LiteRT has no built-in kernels for: {ops.group(1).strip()}"
    return (text.strip().splitlines() or [type(exc).__name__])[0][:200]


def litert_export(directory, out) -> dict[str, str]:
    """Convert the servable signatures of the export ``directory`` into the LiteRT file ``out`` (written to a
    temporary file and renamed into place). Returns ``{signature: "converted" | the reason it was not}``.

    Raises:
        InputError: ``out`` does not end in ``.tflite``.
        ExportError: no signature converts (nothing is written), or ``directory`` is not a valid export.
    """
    out = Path(out)
    if out.suffix != ".tflite":
        raise InputError(f"--litert must name a .tflite file, got {out}")
    with tempfile.TemporaryDirectory(prefix="pinnzoo-litert-") as tmp:
        served = serving_export(directory, tmp, name="model")
        keys = sorted(tf.saved_model.load(str(served)).signatures)
        report = {}
        for key in keys:
            try:
                with _quiet_stderr():
                    _convert(served, [key])
                report[key] = "converted"
            except Exception as exc:  # the converter raises ConverterError and others: each is a reason to report
                report[key] = _why(exc)
        good = [k for k in keys if report[k] == "converted"]
        if not good:
            raise ExportError(f"{directory}: no signature converts to LiteRT: "
                              + "; ".join(f"{k}: {v}" for k, v in report.items()))
        with _quiet_stderr():
            content = _convert(served, good)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        part.write_bytes(content)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return report


def interpreter(path):
    """A LiteRT interpreter for the file ``path``: ``ai_edge_litert``'s if installed, else ``tf.lite``'s."""
    try:
        from ai_edge_litert.interpreter import Interpreter  # optional dependency (the litert extra)
    except ImportError:
        Interpreter = tf.lite.Interpreter
    return Interpreter(model_path=str(path))


def run_litert(path, signature: str = "serving_default", **inputs) -> dict[str, np.ndarray]:
    """Run ``signature`` of the LiteRT file ``path`` on named inputs (arrays, any batch size)."""
    runner = interpreter(path).get_signature_runner(signature)
    specs = runner.get_input_details()
    if sorted(inputs) != sorted(specs):
        raise InputError(f"{signature} takes {sorted(specs)}, got {sorted(inputs)}")
    return runner(**{k: np.asarray(v, dtype=specs[k]["dtype"]) for k, v in inputs.items()})
