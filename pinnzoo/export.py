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
from pinnzoo.priors.registry import prior_name

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
    def points(inputs):
        return _cast_out(split(solver(tf.cast(inputs, dtype))))

    coords = problem.coordinate_inputs
    if problem.parameter_inputs:  # serving_default(inputs [batch, coordinates], one [batch, 1] per parameter)
        @tf.function(input_signature=[tf.TensorSpec([None, len(coords)], tf.float32, name="inputs")]
                     + [tf.TensorSpec([None, 1], tf.float32, name=n) for n in problem.parameter_inputs])
        def serve(inputs, *params):
            given = {n: inputs[:, i:i + 1] for i, n in enumerate(coords)}
            given.update(zip(problem.parameter_inputs, params))
            return points(tf.concat([given[n] for n in problem.inputs], axis=1))

        archive.add_endpoint("points", points)
    else:
        serve = points

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
    """``"2-core AMD EPYC (AVX-512), Linux"``: cores, CPU model and its widest vector instructions (machines of
    the same name differ in them, and the times do)."""
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
    return f"{os.cpu_count()}-core {cpu}{isa}, {platform.system()}"


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


class _StoredField(keras.layers.Layer):
    """The solved grid field with its zero boundary values and the axes it lives on, as weights."""

    def __init__(self, padded, xs, ys, **kwargs):
        super().__init__(**kwargs)
        self.padded = self.add_weight(shape=padded.shape, name="field", trainable=False,
                                      initializer=keras.initializers.Constant(padded))
        self.xs = self.add_weight(shape=xs.shape, name="x", trainable=False, initializer=keras.initializers.Constant(xs))
        self.ys = self.add_weight(shape=ys.shape, name="y", trainable=False, initializer=keras.initializers.Constant(ys))
        self.built = True


class _StoredTrajectory(keras.layers.Layer):
    """The fields after every time step, as one weight."""

    def __init__(self, fields, **kwargs):
        super().__init__(**kwargs)
        self.fields = self.add_weight(shape=fields.shape, name="trajectory", trainable=False,
                                      initializer=keras.initializers.Constant(fields))
        self.built = True


def _grid_archive(problem, field, trajectory=None) -> keras.export.ExportArchive:
    from pinnzoo.grids.interpolation import bilinear

    xs, ys = problem.extended_axes()
    padded = np.pad(field, 1).astype(np.float32)
    stored = _StoredField(padded, xs.astype(np.float32), ys.astype(np.float32), name="stored_field")
    archive = keras.export.ExportArchive()
    if trajectory is not None:
        steps = _StoredTrajectory(np.asarray(trajectory, np.float32), name="stored_trajectory")

        @tf.function(input_signature=[])
        def fields():
            return {"u": tf.identity(steps.fields)}

        archive.add_endpoint("trajectory", fields)

    @tf.function(input_signature=[])
    def serve():
        return {"u": tf.identity(stored.padded[1:-1, 1:-1]), "x": stored.xs[1:-1], "y": stored.ys[1:-1]}

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32, name="inputs")])
    def query(inputs):
        return {"u": bilinear(stored.padded, stored.xs, stored.ys, inputs)[:, None]}

    archive.add_endpoint("serving_default", serve)
    archive.add_endpoint("query", query)
    return archive


def export_grid_solver(solver, directory, metadata: dict, trajectory=None, family: str = "grid", files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.GridSolver`'s field as a SavedModel with ``pinnzoo.json``
    (with ``trajectory [steps, ny, nx]``, the fields after every time step of a marching solve, also served)."""
    problem = solver.problem
    signatures = {"serving_default": {"inputs": [], "outputs": ["u [ny, nx]", "x [nx]", "y [ny]"]},
                  "query": {"inputs": "inputs [batch, 2] float32 (x, y)", "outputs": ["u"]}}
    if trajectory is not None:
        signatures["trajectory"] = {"inputs": [], "outputs": ["u [steps, ny, nx]"]}
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": family,
        "problem": problem.name, "title": problem.title, "params": problem.params,
        "grid_shape": list(solver.grid_shape), "inputs": ["x", "y"], "outputs": ["u"],
        "point_signature": "query",
        "prior": prior_record(solver.prior),
        "loss": solver.loss_name,
        "signatures": signatures,
        "versions": versions(),
        **metadata,
    }
    return _write_atomically(directory, _grid_archive(problem, solver.solution(), trajectory), meta, [solver.prior],
                             files)


def prior_record(prior) -> dict:
    """The metadata of a prior: class, registry name, configuration, number of parameters."""
    return {"class": type(prior).__name__, "name": prior_name(prior),
            "config": {k: v for k, v in prior.get_config().items() if k not in ("name", "trainable", "dtype")},
            "parameters": int(prior.count_params())}


def _write_atomically(directory, archive, meta, priors, files=None) -> Path:
    """Write the SavedModel, ``pinnzoo.json``, the priors' weights (:mod:`pinnzoo.warm_start`), ``files``
    (name → bytes, e.g. the run's ``history.csv``) and the SHA-256 manifest of them all
    (:mod:`pinnzoo.manifest`) to a temporary sibling, then rename it into place."""
    from pinnzoo.manifest import write_manifest
    from pinnzoo.warm_start import prior_weight_file

    weights, meta["prior_weights"] = prior_weight_file(priors)
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{uuid.uuid4().hex[:8]}"
    old = directory.parent / f".{directory.name}.old-{uuid.uuid4().hex[:8]}"
    try:
        archive.write_out(str(tmp), verbose=False)
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


def export_image_solver(solver, directory, metadata: dict, files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.ImagePriorSolver` as a SavedModel with ``pinnzoo.json``."""
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": "image",
        "image_shape": [solver.image_height, solver.image_width, solver.channels],
        "noise_shape": list(solver.noise.shape),
        "noise_seed": solver.noise_seed,  # the fixed input z is drawn from it (the `noise` signature)
        "operator": solver.operator.describe(),
        "prior": prior_record(solver.prior),
        "signatures": {"serving_default": {"inputs": [], "outputs": ["image"]},
                       "generate": {"inputs": ["noise"], "outputs": ["image"]},
                       "noise": {"inputs": [], "outputs": ["noise"]}},
        "versions": versions(),
        **metadata,
    }
    return _write_atomically(directory, _image_archive(solver), meta, [solver.prior], files)


def export_solver(solver, directory, metadata: dict, files=None) -> Path:
    """Write ``solver`` as a SavedModel with ``pinnzoo.json`` (and ``files``, name → bytes) at ``directory``
    (atomically)."""
    problem = solver.problem
    meta = {
        "format": "pinnzoo-savedmodel",
        "format_version": FORMAT_VERSION,
        "family": "pinn",
        **problem.describe(),
        "signatures": {
            "serving_default": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                                "outputs": list(problem.outputs)},
            "coordinates": {"inputs": list(problem.inputs), "outputs": list(problem.outputs)},
            "residual": {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                         "outputs": sorted(solver.residual(tf.zeros((1, len(problem.inputs)))).keys())},
        },
        "identified_params": {k: float(v.numpy()) for k, v in solver.coefficients.items()},
        "prior": prior_record(solver.parts()[0].prior),
        "versions": versions(),
        **metadata,
    }
    if problem.parameter_inputs:  # a parametric solver: the parameters are served as separate tensors
        coords = problem.coordinate_inputs
        meta["signatures"]["serving_default"] = {
            "inputs": f"inputs [batch, {len(coords)}] float32 ({', '.join(coords)}); "
            + "; ".join(f"{n} [batch, 1] float32" for n in problem.parameter_inputs), "outputs": list(problem.outputs)}
        meta["signatures"]["points"] = {"inputs": "inputs [batch, %d] float32" % len(problem.inputs),
                                        "outputs": list(problem.outputs)}
        meta["point_signature"] = "points"
    return _write_atomically(directory, _archive(solver), meta, [part.prior for part in solver.parts()], files)


def shipped_metadata(preset: str) -> dict | None:
    """``pinnzoo.json`` of the shipped model of ``preset`` (``saved_models/`` beside the package, as in a
    clone of the repository), or ``None``."""
    path = Path(__file__).resolve().parents[1] / "saved_models" / preset / METADATA
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


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
    if not isinstance(meta, dict):
        raise ExportError(f"{path} does not hold a JSON object (got {type(meta).__name__})")
    from pinnzoo.presets import family_of

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
    from pinnzoo.manifest import check_manifest

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
    scoring: :meth:`pinnzoo.presets.Preset.evaluate_export`.
    """
    from pinnzoo.presets import family_of

    model, meta = load_export(directory)
    family = family_of(meta)
    try:
        return family.evaluate_export(directory, model, meta)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, tf.errors.OpError) as exc:  # edited
        raise ExportError(f"{directory}: pinnzoo.json does not describe this {family.family} export "
                          f"({type(exc).__name__}: {exc})") from None


def evaluation_line(result: dict) -> str:
    """One line for ``pinnzoo evaluate`` from :func:`evaluate_export`'s result."""
    from pinnzoo.presets import FAMILIES

    return FAMILIES.get(result["family"]).evaluation_line(result)


class _StoredArrays(keras.layers.Layer):
    """Named fixed arrays, as non-trainable weights."""

    def __init__(self, arrays: dict, **kwargs):
        super().__init__(**kwargs)
        self.arrays = {k: self.add_weight(shape=v.shape, name=k, trainable=False,
                                          initializer=keras.initializers.Constant(v)) for k, v in arrays.items()}
        self.built = True


def export_coefficient_solver(solver, directory, metadata: dict, family: str = "grid_inverse", files=None) -> Path:
    """Write a fitted :class:`~pinnzoo.solvers.CoefficientSolver`'s recovered coefficient ``a`` and the PDE
    solution ``u`` it gives as a SavedModel (``serving_default`` → ``a``, ``u`` ``[m, m]``, ``x``, ``y``)."""
    problem = solver.problem
    xy = problem.coordinates()
    stored = _StoredArrays({"a": solver.solution().astype(np.float32), "u": solver.state().astype(np.float32),
                            "x": xy[0, :, 0].astype(np.float32), "y": xy[:, 0, 1].astype(np.float32)},
                           name="stored_coefficient")

    @tf.function(input_signature=[])
    def serve():
        return {k: tf.identity(v) for k, v in stored.arrays.items()}

    archive = keras.export.ExportArchive()
    archive.track(stored)
    archive.add_endpoint("serving_default", serve)
    meta = {
        "format": "pinnzoo-savedmodel", "format_version": FORMAT_VERSION, "family": family,
        "problem": problem.name, "title": problem.title, "params": problem.params,
        "grid_shape": list(solver.grid_shape), "outputs": ["a", "u"],
        "prior": prior_record(solver.prior),
        "loss": solver.loss_name,
        "signatures": {"serving_default": {"inputs": [], "outputs": ["a [m, m]", "u [m, m]", "x [m]", "y [m]"]}},
        "versions": versions(),
        **metadata,
    }
    return _write_atomically(directory, archive, meta, [solver.prior], files)
