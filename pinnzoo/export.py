"""Export trained solvers as TensorFlow SavedModels that load without pinnzoo.

Layout of an export directory::

    saved_models/burgers/
        saved_model.pb, variables/, fingerprint.pb   (plain TensorFlow)
        pinnzoo.json                                 (metadata)

Signatures (``saved_model_cli show --all --dir DIR`` lists them):

* ``serving_default``: ``inputs`` float32 ``[batch, n_inputs]`` (columns in the
  order of ``pinnzoo.json["inputs"]``) → one ``[batch, 1]`` tensor per output name;
* ``coordinates``: the same with one ``[batch, 1]`` tensor per named coordinate;
* ``residual``: ``inputs`` → the residual term(s) and the derivatives they use.

Image-prior exports (``"kind": "image"`` in ``pinnzoo.json``) have instead:

* ``serving_default``: no inputs → ``image`` float32 ``[1, H, W, C]``, the
  restored image (the moving average of the generator's outputs, kept at the
  automatic stopping point);
* ``generate``: ``noise`` float32 ``[batch, h, w, c]`` → ``image``, the fitted
  generator ``G_Θ`` (cropped to the image size);
* ``noise``: no inputs → ``noise``, the fixed input ``z`` the generator was fitted with.

The directory is written to a temporary sibling and renamed into place, so an
interrupted export never leaves a half-written model where a good one was.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.errors import ExportError

METADATA = "pinnzoo.json"
FORMAT_VERSION = 1


def _cast_out(d):
    return {k: tf.cast(v, tf.float32) for k, v in d.items()}


def _archive(solver) -> keras.export.ExportArchive:
    problem = solver.problem
    n_in = len(problem.inputs)
    dtype = solver.compute_dtype
    archive = keras.export.ExportArchive()
    # The endpoints capture every variable they use; track() would store each one a second time.

    def split(y):
        return {name: y[:, j:j + 1] for j, name in enumerate(problem.outputs)}

    @tf.function(input_signature=[tf.TensorSpec([None, n_in], tf.float32, name="inputs")])
    def serve(inputs):
        return _cast_out(split(solver(tf.cast(inputs, dtype))))

    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32, name=n) for n in problem.inputs])
    def coordinates(*cols):
        return _cast_out(split(solver(tf.cast(tf.concat(cols, axis=1), dtype))))

    @tf.function(input_signature=[tf.TensorSpec([None, n_in], tf.float32, name="inputs")])
    def residual(inputs):
        return _cast_out(solver.residual(tf.cast(inputs, dtype)))

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("coordinates", coordinates)
    archive.add_endpoint("residual", residual)
    if solver.coefficients:
        @tf.function(input_signature=[])
        def coefficients():
            return {k: tf.cast(v, tf.float32) for k, v in solver.coefficients.items()}

        archive.add_endpoint("coefficients", coefficients)
    return archive


def versions() -> dict:
    import scipy

    from pinnzoo import __version__

    return {"pinnzoo": __version__, "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version()}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()}-core {cpu}, {platform.system()}"


class _StoredImage(keras.layers.Layer):
    """Holds the restored image as a weight, so an export carries it without the solver's training state."""

    def __init__(self, image, **kwargs):
        super().__init__(**kwargs)
        self.image = self.add_weight(shape=image.shape, name="restored_image", trainable=False,
                                     initializer=keras.initializers.Constant(image))
        self.built = True


def _image_archive(solver) -> keras.export.ExportArchive:
    # Only the generator's weights and the restored image are stored: the fixed input is recomputed
    # from its seed, and the solver's training state (output buffer, snapshots) stays behind.
    archive = keras.export.ExportArchive()
    # The endpoints capture every variable they use; track() would store each one a second time.
    stored = _StoredImage(solver.image()[None], name="stored_image")
    zshape = [None] + list(solver.noise_shape[1:])
    h, w = solver.image_height, solver.image_width

    @tf.function(input_signature=[])
    def serve():
        return {"image": tf.identity(stored.image)}

    @tf.function(input_signature=[tf.TensorSpec(zshape, tf.float32, name="noise")])
    def generate(noise):
        return {"image": solver.prior(noise)[:, :h, :w, :]}

    @tf.function(input_signature=[])
    def noise():
        return {"noise": solver.initial_noise()}

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("generate", generate)
    archive.add_endpoint("noise", noise)
    return archive


def _write_atomically(directory, archive, meta) -> Path:
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    try:
        archive.write_out(str(tmp), verbose=False)
        with open(tmp / METADATA, "w") as fh:
            json.dump(meta, fh, indent=2, sort_keys=False, default=float)
            fh.write("\n")
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return directory


def export_image_solver(solver, directory, metadata: dict) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.ImagePriorSolver` as a SavedModel with ``pinnzoo.json``."""
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "kind": "image",
        "image_shape": [solver.image_height, solver.image_width, solver.channels],
        "noise_shape": list(solver.noise.shape),
        "operator": solver.operator.describe(),
        "prior": {"class": type(solver.prior).__name__, "config": {
            k: v for k, v in solver.prior.get_config().items() if k not in ("name", "trainable", "dtype")},
            "parameters": int(solver.prior.count_params())},
        "signatures": {"serving_default": {"inputs": [], "outputs": ["image"]},
                       "generate": {"inputs": ["noise"], "outputs": ["image"]},
                       "noise": {"inputs": [], "outputs": ["noise"]}},
        "versions": versions(),
        **metadata,
    }
    return _write_atomically(directory, _image_archive(solver), meta)


def export_solver(solver, directory, metadata: dict) -> Path:
    """Write ``solver`` as a SavedModel with ``pinnzoo.json`` at ``directory`` (atomically)."""
    problem = solver.problem
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        **problem.describe(),
        "signatures": {
            "serving_default": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                                "outputs": list(problem.outputs)},
            "coordinates": {"inputs": list(problem.inputs), "outputs": list(problem.outputs)},
            "residual": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                         "outputs": sorted(solver.residual(tf.zeros((1, len(problem.inputs)))).keys())},
        },
        "identified_params": {k: float(v.numpy()) for k, v in solver.coefficients.items()},
        "versions": versions(),
        **metadata,
    }
    return _write_atomically(directory, _archive(solver), meta)


def read_metadata(directory) -> dict:
    """``pinnzoo.json`` of an export, with clear errors for anything that is not one."""
    directory = Path(directory)
    if not directory.exists():
        raise ExportError(f"no such directory: {directory}")
    if not directory.is_dir():
        raise ExportError(f"not a directory: {directory}")
    if not (directory / "saved_model.pb").exists():
        raise ExportError(f"{directory} is not a SavedModel directory (no saved_model.pb)")
    path = directory / METADATA
    if not path.exists():
        raise ExportError(f"{directory} is a SavedModel but not a pinnzoo export (no {METADATA})")
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot read {path}: {exc}") from None
    required = ("image_shape",) if meta.get("kind") == "image" else ("problem", "inputs", "outputs", "params")
    for key in required:
        if key not in meta:
            raise ExportError(f"{path} lacks the field {key!r}")
    return meta


def load_export(directory):
    """``(loaded SavedModel, metadata)`` — the model loaded with plain ``tf.saved_model.load``."""
    meta = read_metadata(directory)
    try:
        model = tf.saved_model.load(str(directory))
    except Exception as exc:  # TF raises many types for corrupt files
        raise ExportError(f"cannot load SavedModel at {directory}: {type(exc).__name__}: {exc}") from None
    return model, meta


def predict_export(model, meta, points: np.ndarray, batch: int = 65536) -> np.ndarray:
    """Run ``serving_default`` on ``points [N, d]``; returns ``[N, len(outputs)]`` float64."""
    fn = model.signatures["serving_default"]
    parts = []
    for i in range(0, len(points), batch):
        out = fn(inputs=tf.constant(points[i:i + batch], dtype=tf.float32))
        parts.append(np.concatenate([out[name].numpy() for name in meta["outputs"]], axis=1))
    if not parts:
        return np.zeros((0, len(meta["outputs"])))
    return np.concatenate(parts).astype(np.float64)


def evaluate_export(directory) -> dict:
    """Recompute an export's metrics against pinnzoo's reference; compare with its metadata."""
    from pinnzoo.metrics import param_errors, score_problem
    from pinnzoo.problems import get_problem

    model, meta = load_export(directory)
    if meta.get("kind") == "image":
        return _evaluate_image_export(directory, model, meta)
    try:
        problem = get_problem(meta["problem"], **meta["params"])
    except Exception as exc:
        raise ExportError(f"{directory}: cannot rebuild problem {meta['problem']!r}: {exc}") from None
    metrics = score_problem(problem, lambda pts: predict_export(model, meta, pts))
    if "coefficients" in model.signatures:
        identified = {k: float(v.numpy()) for k, v in model.signatures["coefficients"]().items()}
        metrics.update(param_errors(identified, problem.params))
    stored = meta.get("metrics", {})
    result = {"directory": str(directory), "preset": meta.get("preset"), "problem": meta["problem"],
              "metrics": metrics, "stored_metrics": stored, "target": meta.get("target")}
    if "rel_l2" in stored:
        result["matches_metadata"] = bool(np.isclose(metrics["rel_l2"], stored["rel_l2"], rtol=1e-3, atol=1e-7))
    if meta.get("target") is not None:
        result["meets_target"] = bool(metrics["rel_l2"] <= meta["target"])
    if meta.get("param_target") is not None:
        worst = max(v for k, v in metrics.items() if k.endswith("_rel_error"))
        result["meets_param_target"] = bool(worst <= meta["param_target"])
        result["meets_target"] = result.get("meets_target", True) and result["meets_param_target"]
    return result


def _evaluate_image_export(directory, model, meta) -> dict:
    from pinnzoo.image_io import test_image
    from pinnzoo.metrics import image_scores

    image = model.signatures["serving_default"]()["image"].numpy()[0]
    generated = model.signatures["generate"](noise=model.signatures["noise"]()["noise"])["image"].numpy()[0]
    result = {"directory": str(directory), "preset": meta.get("preset"), "kind": "image",
              "task": meta.get("task"), "stored_metrics": meta.get("metrics", {}), "target": meta.get("target_psnr")}
    ref = meta.get("reference_image")
    if not ref:
        result["metrics"] = {}
        return result
    clean = test_image(ref["name"], int(ref["size"]))
    if clean.shape != image.shape:
        raise ExportError(f"{directory}: image shape {image.shape} differs from the reference's {clean.shape}")
    metrics = image_scores(image, clean)
    metrics["psnr_generator"] = image_scores(generated, clean)["psnr"]
    result["metrics"] = metrics
    stored = result["stored_metrics"]
    if "psnr" in stored:
        result["matches_metadata"] = bool(abs(metrics["psnr"] - stored["psnr"]) < 1e-3
                                          and abs(metrics["psnr_generator"] - stored.get("psnr_generator", np.nan)) < 1e-2)
    if result["target"] is not None:
        result["meets_target"] = bool(metrics["psnr"] >= result["target"])
    return result
