"""Export trained solvers as TensorFlow SavedModels that load without pinnzoo.

Layout of an export directory::

    saved_models/burgers/
        saved_model.pb, variables/, fingerprint.pb   (plain TensorFlow)
        pinnzoo.json                                 (metadata)
        prior_weights.npz                            (the prior's weights, for warm starts: pinnzoo.warm_start)
        history.csv                                  (what the run logged: pinnzoo.run_log)
        manifest.sha256                              (SHA-256 of every file: pinnzoo.manifest, `pinnzoo verify`)

Signatures (``saved_model_cli show --all --dir DIR`` lists them):

* ``serving_default``: ``inputs`` float32 ``[batch, n_inputs]`` (columns in the
  order of ``pinnzoo.json["inputs"]``) → one ``[batch, 1]`` tensor per output name;
* ``coordinates``: the same with one ``[batch, 1]`` tensor per named coordinate;
* ``residual``: ``inputs`` → the residual term(s) and the derivatives they use.

Parametric PINNs (a problem with ``parameter_inputs``, e.g. ``burgers_parametric``) serve
``serving_default(inputs [batch, n_coordinates], nu [batch, 1])``: the coordinates and,
as separate tensors, the parameters; ``points`` takes all inputs in one ``[batch, n_inputs]``.

``pinnzoo.json["family"]`` names the preset family that wrote the export (``"pinn"``
or ``"image"``; exports written before it was recorded have ``"kind": "image"`` or
nothing). Image-prior exports have instead:

* ``serving_default``: no inputs → ``image`` float32 ``[1, H, W, C]``, the
  restored image (the moving average of the generator's outputs, kept at the
  automatic stopping point);
* ``generate``: ``noise`` float32 ``[batch, h, w, c]`` → ``image``, the fitted
  generator ``G_Θ`` (cropped to the image size);
* ``noise``: no inputs → ``noise``, the fixed input ``z`` the generator was fitted with.

Grid PDE exports (``"family": "grid"``):

* ``serving_default``: no inputs → ``u`` float32 ``[ny, nx]``, the solved field on
  the problem's grid, with its axes ``x [nx]`` and ``y [ny]``;
* ``query``: ``inputs`` float32 ``[batch, 2]`` (``x``, ``y``) → ``u [batch, 1]``,
  bilinear interpolation of the field with its zero boundary values;
* time-marching grid exports (``"family": "grid_marching"``) serve the field at the
  final time as above and ``trajectory``: no inputs → ``u [steps, ny, nx]``.

The directory is written to a temporary sibling and renamed into place, so an
interrupted export never leaves a half-written model where a good one was. For TensorFlow
Serving, :func:`pinnzoo.serving.serving_export` (``pinnzoo export DIR --serving-dir OUT``)
writes a version whose signatures all take batched inputs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import uuid
from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import scipy
import tensorflow as tf

from pinnzoo._version import __version__
from pinnzoo.errors import ExportError
from pinnzoo.family import FAMILIES, family_of
from pinnzoo.manifest import METADATA, check_manifest, read_export_json, write_manifest
from pinnzoo.priors.registry import prior_name
from pinnzoo.priors.variables import relative_path
from pinnzoo.recipe import recipe_status

#: the priors' weights beside the SavedModel (for warm starts, :mod:`pinnzoo.warm_start`)
WEIGHTS_FILE = "prior_weights.npz"
FORMAT_VERSION = 1


def versions() -> dict:
    return {"pinnzoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version()}


def machine() -> str:
    """``"2-core AMD EPYC (AVX-512), Linux"``: cores, CPU model and its widest vector instructions (machines of
    the same name differ in them, and the times do). The cores are those this process may run on (a run pinned to
    one core by ``taskset`` says so)."""
    cpu, isa = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    isa = " (AVX-512)" if "avx512f" in flags else " (AVX2)" if "avx2" in flags else ""
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores}-core {cpu}{isa}, {platform.system()}"


def prior_record(prior) -> dict:
    """The metadata of a prior: class, registry name, configuration, number of parameters."""
    return {"class": type(prior).__name__, "name": prior_name(prior),
            "config": {k: v for k, v in prior.get_config().items() if k not in ("name", "trainable", "dtype")},
            "parameters": int(prior.count_params())}


def prior_weight_file(priors: Sequence) -> tuple[bytes, dict]:
    """The ``prior_weights.npz`` of ``priors`` as bytes, with its metadata entry (``file``, ``priors``,
    ``variables``, ``sha256``)."""
    arrays, paths = {}, []
    for k, prior in enumerate(priors):
        for v in prior.weights:
            arrays[f"w{len(paths):05d}"] = np.asarray(v.numpy())
            paths.append(f"{k}:{relative_path(prior, v)}")
    arrays["paths"] = np.array(paths, dtype=str)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    return data, {"file": WEIGHTS_FILE, "priors": len(priors), "variables": len(paths),
                  "sha256": hashlib.sha256(data).hexdigest()}


def save_signatures(archive, path) -> None:
    """Write a ``keras.export.ExportArchive``'s endpoints as the SavedModel's signatures, each traced graph once.

    ``ExportArchive.write_out`` also keeps every endpoint as a restorable ``tf.function`` attribute, and the
    SavedModel then stores each graph twice (once for the attribute, once for the signature) — half the file of a
    PINN export. Every reader (pinnzoo, ``saved_model_cli``, TF Serving, the README's examples) calls the
    signatures, so only they are written. Falls back to ``write_out`` on a Keras without the archive's
    internals used here."""
    names = getattr(archive, "_endpoint_names", None)
    module = getattr(archive, "_tf_trackable", None)
    if not names or module is None or not hasattr(archive, "_get_concrete_fn"):
        archive.write_out(str(path), verbose=False)
        return
    archive._filter_and_track_resources()  # the variables the endpoints use, tracked by the module
    signatures = {name: archive._get_concrete_fn(name) for name in names}
    signatures.setdefault("serving_default", signatures[names[0]])
    for name in names:
        delattr(module, name)
    tf.saved_model.save(module, str(path), signatures=signatures)


def write_atomically(directory, archive, meta, priors, files=None) -> Path:
    """Write the SavedModel, ``pinnzoo.json``, the priors' weights (:func:`prior_weight_file`), ``files``
    (name → bytes, e.g. the run's ``history.csv``) and the SHA-256 manifest of them all
    (:mod:`pinnzoo.manifest`) to a temporary sibling, then rename it into place."""
    weights, meta["prior_weights"] = prior_weight_file(priors)
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    try:
        save_signatures(archive, tmp)
        (tmp / meta["prior_weights"]["file"]).write_bytes(weights)
        for name, data in (files or {}).items():
            if Path(name).name != name or (tmp / name).exists():
                raise ExportError(f"cannot add {name!r} to the export: not a plain new file name")
            (tmp / name).write_bytes(data)
        with open(tmp / METADATA, "w") as fh:
            json.dump(meta, fh, indent=2, sort_keys=False, default=float)
            fh.write("\n")
        write_manifest(tmp)  # last: it covers everything above
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return directory


def shipped_metadata(preset: str) -> dict | None:
    """``pinnzoo.json`` of the shipped model of ``preset`` (``saved_models/`` beside the package, as in a
    clone of the repository), or ``None``."""
    path = Path(__file__).resolve().parents[1] / "saved_models" / preset / METADATA
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def read_metadata(directory) -> dict:
    """``pinnzoo.json`` of an export, with clear errors for anything that is not one (its preset family must be
    registered and its fields those the family needs)."""
    meta = read_export_json(directory)
    path = Path(directory) / METADATA
    try:
        family = family_of(meta)
    except ExportError as exc:
        raise ExportError(f"{path}: {exc}") from None
    for key in family.required_metadata():
        if key not in meta:
            raise ExportError(f"{path} lacks the field {key!r}")
    return meta


def load_export(directory):
    """``(loaded SavedModel, metadata)`` — the model loaded with plain ``tf.saved_model.load``, after its
    files were checked against its ``manifest.sha256`` (:func:`pinnzoo.manifest.check_manifest`)."""
    meta = read_metadata(directory)
    check_manifest(directory)
    try:
        model = tf.saved_model.load(str(directory))
    except Exception as exc:  # TF raises many types for corrupt files
        raise ExportError(f"cannot load SavedModel at {directory}: {type(exc).__name__}: {exc}") from None
    return model, meta


def predict_export(model, meta, points: np.ndarray, batch: int = 65536) -> np.ndarray:
    """Run ``serving_default`` on ``points [N, d]``; returns ``[N, len(outputs)]`` float64."""
    fn = model.signatures[meta.get("point_signature", "serving_default")]
    parts = []
    for i in range(0, len(points), batch):
        out = fn(inputs=tf.constant(points[i:i + batch], dtype=tf.float32))
        parts.append(np.concatenate([out[name].numpy() for name in meta["outputs"]], axis=1))
    if not parts:
        return np.zeros((0, len(meta["outputs"])))
    return np.concatenate(parts).astype(np.float64)


def evaluate_export(directory) -> dict:
    """Recompute an export's scores against pinnzoo's reference and compare them with its metadata.

    The preset family that wrote the export (``pinnzoo.json["family"]``) does the
    scoring: :meth:`pinnzoo.family.Preset.evaluate_export`. ``recipe_current`` says whether today's preset and
    training code give this export (:func:`pinnzoo.recipe.recipe_status`; ``recipe_reason`` why not).
    """
    model, meta = load_export(directory)
    family = family_of(meta)
    try:
        return {**family.evaluate_export(directory, model, meta), **recipe_status(meta)}
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, tf.errors.OpError) as exc:  # edited
        raise ExportError(f"{directory}: pinnzoo.json does not describe this {family.family} export "
                          f"({type(exc).__name__}: {exc})") from None


def evaluation_line(result: dict) -> str:
    """One line for ``pinnzoo evaluate`` from :func:`evaluate_export`'s result."""
    line = FAMILIES.get(result["family"]).evaluation_line(result)
    if "recipe_current" not in result:
        return line
    return line + (" | recipe: current" if result["recipe_current"] else f" | recipe: NOT current ({result['recipe_reason']})")
