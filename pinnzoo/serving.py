"""TensorFlow Serving model base paths for every family, and TF Serving's predict request format.

``pinnzoo export DIR --serving-dir OUT`` (:func:`serving_export`) writes ``OUT/<name>/<version>/``, a SavedModel
that TF Serving loads from the model base path ``OUT/<name>``: versions are integers and each new export takes
the next one (TF Serving serves the highest). Its signatures are those of the export that every predict request
can call — all of them take inputs with a batch dimension first:

* PINN exports keep their own (``serving_default``, ``coordinates``, ``residual``, ``points``);
* image exports: ``serving_default`` ``row [batch] int32`` → ``image [batch, W, C]`` (rows of the restored
  image; ask for rows 0 … H−1 to get it whole), ``pixels`` ``row, col [batch] int32`` → ``image [batch, C]``,
  and ``generate`` as in the export;
* grid exports: ``serving_default`` ``inputs [batch, 2] float32`` (x, y) → ``u [batch, 1]`` (the export's
  ``query``), ``rows`` ``row [batch] int32`` → ``u [batch, nx]``; marching grid exports also ``step``
  ``step [batch] int32`` → ``u [batch, ny, nx]`` (the field after time step ``step + 1``);
* coefficient exports (grid inverse): ``serving_default`` ``row [batch] int32`` → ``a``, ``u`` ``[batch, m]``.

Signatures without inputs (an image export's stored image, a PINN's identified coefficients) are left out:
TF Serving's predict API cannot call them; their values are in ``assets.extra/pinnzoo.json``, the export's
metadata, copied beside the model. Each family says which signatures it serves
(:meth:`pinnzoo.presets.Preset.serving_signatures`).

:func:`predict_request` answers a TF Serving REST predict body (``{"instances": ...}``, row format, or
``{"inputs": ...}``, columnar) from a loaded SavedModel the way TF Serving does, so requests can be tried
without a server; ``docs/serving.md`` gives the container command and a request for every signature.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ExportError, InputError
from pinnzoo.export import load_export
from pinnzoo.family import family_of


def passthrough(fn) -> tf.types.experimental.GenericFunction:
    """A loaded signature ``fn`` as a new ``tf.function`` with the same named inputs (to save it again)."""
    specs = fn.structured_input_signature[1]
    names = sorted(specs)

    @tf.function(input_signature=[tf.TensorSpec(specs[n].shape, specs[n].dtype, name=n) for n in names])
    def call(*args):
        return fn(**dict(zip(names, args)))

    return call


def family_signatures(model, meta: dict) -> dict:
    """The signatures the family of the export ``meta`` serves of the loaded ``model``
    (:meth:`pinnzoo.family.Preset.serving_signatures`; by default every signature that takes inputs)."""
    signatures = family_of(meta).serving_signatures(model, meta)
    if signatures is None:
        signatures = {name: passthrough(fn) for name, fn in model.signatures.items()
                      if fn.structured_input_signature[1]}
    return signatures


def row_signature(arrays, name: str = "row"):
    """``name [batch] int32`` → each of ``arrays()`` (a dict of tensors ``[rows, ...]``) at those rows."""
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name=name)])
    def rows(index):
        return {k: tf.gather(v, index) for k, v in arrays().items()}

    return rows


def pixel_signature(image):
    """``row, col [batch] int32`` → ``image [batch, C]``, the pixels of ``image()`` (``[H, W, C]``)."""
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="row"), tf.TensorSpec([None], tf.int32, name="col")])
    def pixels(row, col):
        return {"image": tf.gather_nd(image(), tf.stack([row, col], axis=1))}

    return pixels


class _Served(tf.Module):
    """The loaded export, tracked so that saving this module saves its variables and functions again."""

    def __init__(self, model):
        super().__init__()
        self.model = model


def next_version(base: Path) -> int:
    """The next version number under the model base path ``base`` (1 if there is none)."""
    versions = [int(p.name) for p in base.iterdir() if p.is_dir() and re.fullmatch(r"\d+", p.name)] if base.is_dir() else []
    return max(versions, default=0) + 1


def serving_export(directory, serving_dir, name: str | None = None) -> Path:
    """Write the export ``directory`` as the next version of the TF Serving model ``serving_dir/name``
    (``name``: the export's preset, else its folder name); returns the version's folder. The export is
    verified first (its manifest); the version is written to a temporary folder and renamed into place."""
    model, meta = load_export(directory)
    name = name or meta.get("preset") or Path(directory).name
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in (".", ".."):
        raise InputError(f"--name must be a plain folder name (letters, digits, _ . -), got {name!r}")
    module = _Served(model)
    signatures = family_signatures(module.model, meta)
    if "serving_default" not in signatures:
        raise ExportError(f"{directory}: its family gives no serving_default signature")
    base = Path(serving_dir) / name
    base.mkdir(parents=True, exist_ok=True)
    version = base / str(next_version(base))
    tmp = base / f".{version.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tf.saved_model.save(module, str(tmp), signatures=signatures)
        (tmp / "assets.extra").mkdir(exist_ok=True)
        shutil.copy2(Path(directory) / "pinnzoo.json", tmp / "assets.extra" / "pinnzoo.json")
        os.replace(tmp, version)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return version


def _tensors(value, specs: dict, where: str) -> dict:
    """Named input tensors from a request's ``instances`` (a list, row format) or ``inputs`` (columnar)."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(specs))
        missing = sorted(set(specs) - set(value))
        if unknown or missing:
            raise InputError(f"{where}: the signature takes {sorted(specs)}; "
                             + (f"unknown {unknown}" if unknown else f"missing {missing}"))
        given = value
    elif len(specs) == 1:
        given = {next(iter(specs)): value}
    else:
        raise InputError(f"{where}: the signature takes several inputs {sorted(specs)}: name them")
    try:
        return {k: tf.constant(np.asarray(v), dtype=specs[k].dtype) for k, v in given.items()}
    except (ValueError, TypeError) as exc:
        raise InputError(f"{where}: cannot make tensors of the inputs: {exc}") from None


def predict_request(model, body) -> dict:
    """The response TF Serving's REST predict API gives to ``body`` (a dict or JSON text) for ``model``, a
    loaded SavedModel: ``{"predictions": [...]}`` for the row format (``"instances"``: one entry per batch
    element, a value, or an object of named inputs), ``{"outputs": ...}`` for the columnar (``"inputs"``)."""
    body = json.loads(body) if isinstance(body, str) else body
    if not isinstance(body, dict) or ("instances" in body) == ("inputs" in body):
        raise InputError('a predict request is a JSON object with "instances" (row format) or "inputs" (columnar)')
    signature = body.get("signature_name", "serving_default")
    if signature not in model.signatures:
        raise InputError(f"no signature {signature!r}; the model has {sorted(model.signatures)}")
    fn = model.signatures[signature]
    specs = fn.structured_input_signature[1]
    if "instances" in body:
        instances = body["instances"]
        if not isinstance(instances, list) or not instances:
            raise InputError('"instances" must be a non-empty list (one entry per batch element)')
        named = all(isinstance(i, dict) for i in instances)
        value = {k: [i.get(k) for i in instances] for k in instances[0]} if named else instances
        out = {k: v.numpy().tolist() for k, v in fn(**_tensors(value, specs, signature)).items()}
        if len(out) == 1:
            return {"predictions": next(iter(out.values()))}
        return {"predictions": [dict(zip(out, row)) for row in zip(*out.values())]}
    out = {k: v.numpy().tolist() for k, v in fn(**_tensors(body["inputs"], specs, signature)).items()}
    return {"outputs": next(iter(out.values())) if len(out) == 1 else out}
