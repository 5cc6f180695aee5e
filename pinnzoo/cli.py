"""The ``pinnzoo`` command: list, train, evaluate, verify, export, predict, plot and restore.

Errors in what the user gave (unknown preset, missing export, bad points) print
one ``error:`` line and exit with status 2; a diverged training run exits with 3;
an interrupt (Ctrl-C, SIGTERM) exits with 130 and one line saying what was saved.
``--debug`` (or ``PINNZOO_DEBUG=1``) shows TensorFlow's start-up messages and the
tracebacks of unexpected errors.

TensorFlow is imported only by the commands that need it: ``--help``, ``list``,
``verify`` and argument errors read :mod:`pinnzoo.catalog` and answer at once. The
imports inside the command functions below are deferred for that reason.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np

from pinnzoo import catalog
from pinnzoo.errors import InputError, PinnzooError, TrainingError
from pinnzoo.manifest import MANIFEST, manifest_problems, read_export_json
from pinnzoo.parameters import parse_assignments, sweep


def _load_tensorflow(debug: bool) -> None:
    """Import TensorFlow and start its runtime with its C++ start-up lines (oneDNN, CUDA stubs, ``cuInit`` on a
    machine without a GPU) silenced, unless ``debug``: they are written to file descriptor 2 before Python's
    logging exists, so the descriptor itself points at /dev/null meanwhile."""
    if debug:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
        import tensorflow as tf  # deferred: the fast commands never import it

        tf.constant(0.0)
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            import tensorflow as tf  # deferred: the fast commands never import it

            tf.constant(0.0)  # the runtime's device probe (cuInit) prints too
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _verbose(args) -> int:
    """Keras's verbosity: 0 with --quiet, a progress bar on a terminal, one line per epoch into a file or pipe."""
    return 0 if args.quiet else 1 if sys.stdout.isatty() else 2


def _points(path: str, width: int):
    p = Path(path)
    if not p.is_file():
        raise InputError(f"points file not found: {path}")
    try:
        if p.suffix == ".npy":
            pts = np.load(p, allow_pickle=False)
        elif p.suffix in (".csv", ".txt"):
            pts = _read_csv_points(p, width)
        else:
            raise InputError(f"points must be a .npy or .csv file, got {p.name}")
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read points from {path}: {exc}") from None
    try:
        pts = np.asarray(pts, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"points in {path} are not numbers") from None
    if pts.ndim == 1 and width == 1:
        pts = pts[:, None]
    if pts.size == 0:
        raise InputError(f"{path} holds no points (shape {list(pts.shape)})")
    if pts.ndim != 2 or pts.shape[1] != width:
        raise InputError(f"points must have shape [N, {width}] (one column per input), got {list(pts.shape)}")
    bad = ~np.isfinite(pts).all(axis=1)
    if bad.any():
        raise InputError(f"points contain NaN or inf in {int(bad.sum())} row(s), first at row {int(np.argmax(bad))}")
    return pts


def _numbers(line: str) -> bool:
    """Whether every comma-separated field of ``line`` is a number (``nan`` and ``inf`` included)."""
    try:
        [float(field) for field in line.split(",")]
    except ValueError:
        return False
    return True


def _read_csv_points(p: Path, width: int):
    """Points from a CSV file, with or without a header row of names (``pinnzoo predict --out x.csv`` writes one:
    the inputs, then the outputs; the first ``width`` columns are the points)."""
    with open(p) as fh:
        first = fh.readline()
    header = not first.lstrip().startswith("#") and not _numbers(first)
    pts = np.loadtxt(p, delimiter=",", ndmin=2, comments="#", skiprows=1 if header else 0)
    if header:
        names = [n.strip() for n in first.split(",")]
        pts = pts[:, :width] if pts.ndim == 2 and pts.shape[1] == len(names) and len(names) > width else pts
    return pts


def cmd_list(args):
    lines = catalog.parameter_lines(args.params) if args.params else catalog.preset_lines()
    print("\n".join(lines))
    return 0


def check_writable(path: Path, flag: str, folder: bool) -> None:
    """Refuse, before any training, an output ``path`` that cannot be written: its nearest existing
    ancestor must be a writable folder (missing folders below it are created on export); an export
    ``folder`` must not be an existing file."""
    parent = Path(path).absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{flag} {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {path}: cannot write into {parent} (read-only or no permission)")
    if folder and Path(path).is_file():
        raise InputError(f"{flag} {path} is a file, not an export folder")


def _rescue(solver, out: Path, suffix: str) -> Path:
    """Save ``solver``'s weights beside the export that was not written: ``OUT.SUFFIX.keras``."""
    rescue = out.parent / f"{out.name}.{suffix}.keras"
    rescue.parent.mkdir(parents=True, exist_ok=True)
    solver.save(rescue)
    return rescue


def check_train_arguments(args) -> None:
    """What ``pinnzoo train`` can refuse before TensorFlow is imported: the preset's name (shipped, from the
    catalog, or registered in this process), negative budgets, malformed ``--set``, an unwritable ``--out``."""
    catalog.presets().get(args.preset)  # unknown: PresetError with the closest name
    for flag, value in (("--epochs", args.epochs), ("--lbfgs-iterations", args.lbfgs_iterations)):
        if value is not None and value < 0:
            raise InputError(f"{flag} must be >= 0")
    parse_assignments(args.set)
    check_writable(Path(args.out) if args.out else Path("runs") / args.preset, "--out", folder=True)


def cmd_train(args):
    from pinnzoo.presets import get_preset  # deferred: imports TensorFlow

    assignments = parse_assignments(args.set)
    instances = sweep(assignments)
    if len(instances) > 1:  # --set NAME=V1,V2: one run per value
        return _train_instances(args, instances)
    preset = get_preset(args.preset).with_params(assignments)
    if args.prior is not None:
        preset = preset.with_prior(args.prior)
    out = Path(args.out) if args.out else Path("runs") / preset.name
    check_writable(out, "--out", folder=True)  # checked before the minutes of training
    options = {k: v for k, v in (("epochs", args.epochs), ("lbfgs_iterations", args.lbfgs_iterations),
                                 ("optimizer", args.optimizer)) if v is not None}
    if args.optimizer is not None:
        from pinnzoo.families.pinn.preset import PINNPreset  # deferred: imports TensorFlow
        from pinnzoo.optimizers import QUASI_NEWTON  # deferred: imports TensorFlow

        QUASI_NEWTON.get(args.optimizer)  # unknown: the closest name, exit 2
        if not isinstance(preset, PINNPreset):
            raise InputError(f"--optimizer applies to PINN presets; {preset.name} is a {preset.family} preset")
    init = _warm_start(args)
    if init is not None:
        options["init"] = init
    from pinnzoo.checkpoint import checkpoint_path  # deferred: imports TensorFlow

    checkpoint = checkpoint_path(out)
    options.update(checkpoint=checkpoint, resume=args.resume)
    if args.strategy != "default":  # tf.distribute (pinnzoo.distribute); made before the solver is built
        from pinnzoo.distribute import get_strategy  # deferred: imports TensorFlow

        options["strategy"] = get_strategy(args.strategy)
    log = _training_log(args, out.parent / f"{out.name}.history.csv", append=args.resume)
    try:
        result = preset.train(seed=args.seed, quick=args.quick, out=out, verbose=_verbose(args),
                              callbacks=[log], **options)
    except KeyboardInterrupt as exc:
        saved = []
        if getattr(exc, "solver", None) is not None:
            saved.append(f"the weights trained so far are in {_rescue(exc.solver, out, 'interrupted')} "
                          "(keras.saving.load_model)")
        if log.csv_path is not None and log.csv_path.exists():
            saved.append(f"what was logged in {log.csv_path}")
        resume = (f"; the same command with --resume continues the run from {checkpoint}" if checkpoint.exists()
                  else "; no checkpoint was written yet, so the same command starts the run again")
        print(f"\ninterrupted: nothing was exported; {', '.join(saved) or 'nothing was saved'}{resume}",
              file=sys.stderr)
        return 130
    except TrainingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if getattr(exc, "solver", None) is not None:
            print(f"the last good weights are in {_rescue(exc.solver, out, 'nan-recovery')}", file=sys.stderr)
        return 3
    finally:
        log.close()
    log.csv_path.unlink(missing_ok=True)  # the export holds it now (history.csv)
    print(result.summary())
    return 0


def _train_instances(args, instances) -> int:
    """``pinnzoo train PRESET --set NAME=V1,V2,...``: one run per instance, exported to OUT/NAME=V; image and
    grid presets shard the instances over the replicas of --strategy (pinnzoo.distribute)."""
    from pinnzoo.presets import get_preset  # deferred: imports TensorFlow

    given = [flag for flag, value in (("--init", args.init), ("--resume", args.resume), ("--epochs", args.epochs),
                                      ("--lbfgs-iterations", args.lbfgs_iterations), ("--optimizer", args.optimizer),
                                      ("--logdir", args.logdir)) if value is not None and value is not False]
    if given:
        raise InputError(f"{', '.join(given)} apply to one run; drop them or give one value per --set")
    preset = get_preset(args.preset)
    if args.prior is not None:
        preset = preset.with_prior(args.prior)
    out = Path(args.out) if args.out else Path("runs") / preset.name
    check_writable(out, "--out", folder=True)
    from pinnzoo.distribute import get_strategy  # deferred: imports TensorFlow

    try:
        results = preset.train_instances(instances, strategy=get_strategy(args.strategy), seed=args.seed,
                                         quick=args.quick, out=out, verbose=_verbose(args))
    except KeyboardInterrupt:
        done = sorted(p.name for p in out.glob("*") if (p / "pinnzoo.json").exists()) if out.is_dir() else []
        print(f"\ninterrupted: {len(done)} of {len(instances)} instances were exported to {out}"
              + (f" ({', '.join(done)})" if done else "") + "; the others were not", file=sys.stderr)
        return 130
    for result in results:
        if result is not None:  # None: an instance another worker of the cluster fitted
            print(result.summary())
    return 0


def _training_log(args, csv_path, append: bool = False):
    """The run's :class:`~pinnzoo.run_log.TrainingLog`: the CSV history streamed to ``csv_path`` while it
    runs (kept there if the run does not end in an export), TensorBoard summaries in ``--logdir``."""
    from pinnzoo.run_log import TrainingLog  # deferred: imports TensorFlow

    if args.images_every < 0:
        raise InputError(f"--images-every must be >= 0, got {args.images_every}")
    if args.logdir:
        check_writable(Path(args.logdir), "--logdir", folder=True)
    return TrainingLog(logdir=args.logdir, csv_path=csv_path, images_every=args.images_every, append=append)


def cmd_evaluate(args):
    from pinnzoo.export import evaluate_export, evaluation_line  # deferred: imports TensorFlow

    result = evaluate_export(args.directory)
    print(json.dumps(result, indent=2) if args.json else evaluation_line(result))
    return 0


def cmd_verify(args):
    catalog.check_metadata(args.directory, read_export_json(args.directory))
    problems = manifest_problems(args.directory)
    for p in problems:
        print(f"{args.directory}: {p}", file=sys.stderr)
    if problems:
        print(f"error: {args.directory} does not match its {MANIFEST} ({len(problems)} problem(s))", file=sys.stderr)
        return 2
    print(f"{args.directory}: every file matches {MANIFEST}")
    return 0


def cmd_export(args):
    if not (args.serving_dir or args.litert):
        raise InputError("pinnzoo export needs --serving-dir OUT (TF Serving) and/or --litert FILE.tflite")
    if args.serving_dir:
        from pinnzoo.serving import serving_export  # deferred: imports TensorFlow

        check_writable(Path(args.serving_dir), "--serving-dir", folder=True)
        version = serving_export(args.directory, args.serving_dir, name=args.name)
        print(f"{version}  (TF Serving: --model_base_path={version.parent.resolve()} --model_name={version.parent.name})")
    if args.litert:
        from pinnzoo.litert import litert_export  # deferred: imports TensorFlow

        check_writable(Path(args.litert), "--litert", folder=False)
        for signature, outcome in litert_export(args.directory, args.litert).items():
            print(f"{signature}: {outcome}" + ("" if outcome == "converted" else " (serve it from the SavedModel)"))
        print(f"wrote {args.litert}")
    return 0


def cmd_plot(args):
    from pinnzoo.plotting import plot  # deferred: imports TensorFlow

    source = Path(args.source)
    out = Path(args.out) if args.out else Path("runs") / "plots" / (source.stem if source.is_file() else source.name)
    check_writable(out, "--out", folder=True)
    for path in plot(source, out):
        print(f"wrote {path}")
    return 0


def _check_domain(pts, meta: dict, strict: bool) -> None:
    """Points outside the export's domain (a box, or a geometry: inside a hole counts as outside): a warning
    (the network extrapolates there), an error if ``strict``."""
    from pinnzoo.geometry import region_of  # numpy only: the command line still starts without TensorFlow

    domain = meta.get("domain")
    if not domain:
        return
    region = region_of(domain)
    columns = [meta["inputs"].index(n) for n in region.names]
    outside = ~region.inside(pts[:, columns], atol=1e-9)
    if outside.any():
        where = (type(region).__name__ + " with boundary parts " + ", ".join(region.parts()) if "type" in domain else
                 ", ".join(f"{n} in [{domain[n][0]:g}, {domain[n][1]:g}]" for n in meta["inputs"] if n in domain))
        text = (f"{int(outside.sum())} of {len(pts)} points lie outside the domain ({where}), first at row "
                f"{int(np.argmax(outside))}")
        if strict:
            raise InputError(text)
        print(f"warning: {text}; the model extrapolates there (--strict-domain makes this an error)", file=sys.stderr)


def cmd_predict(args):
    from pinnzoo.export import load_export, predict_export  # deferred: imports TensorFlow

    if args.out is not None and not args.out.endswith((".npy", ".csv")):
        raise InputError("--out must end in .npy or .csv")
    if args.out is not None:
        check_writable(Path(args.out), "--out", folder=False)
    model, meta = load_export(args.directory)
    pts = _points(args.points, len(meta["inputs"]))
    _check_domain(pts, meta, args.strict_domain)
    values = predict_export(model, meta, pts)
    header = ",".join(list(meta["inputs"]) + list(meta["outputs"]))
    table = np.concatenate([pts, values], axis=1)
    if args.out is None:
        print(header)
        np.savetxt(sys.stdout, table, delimiter=",", fmt="%.9g")
        return 0
    try:  # the folder is created as restore creates it; any write error is a user's error (exit 2)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        if args.out.endswith(".npy"):
            np.save(args.out, values)
        else:
            np.savetxt(args.out, table, delimiter=",", header=header, comments="", fmt="%.9g")
    except OSError as exc:
        raise InputError(f"cannot write --out {args.out}: {exc.strerror or exc}") from None
    if args.out:
        print(f"wrote {len(values)} predictions of {', '.join(meta['outputs'])} to {args.out}")
    return 0


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".npy")


def _measurement(args, image, reference_path=None):
    """``(y, operator, reference, recorded)`` from the restore command's flags and the files ``image`` and
    ``reference_path`` (a clean image, or None); ``recorded``: the task's declared parameters for the export."""
    from pinnzoo.image_io import read_image  # deferred: imports scikit-image
    from pinnzoo.tasks import TASKS  # deferred: imports TensorFlow

    if args.noise_sigma is not None and not args.noise_sigma >= 0:
        raise InputError(f"--noise-sigma must be >= 0, got {args.noise_sigma}")
    task = TASKS.get(args.task)
    y = read_image(image)
    values = {p.name: getattr(args, p.name) for p in task.parameters}
    for p in task.parameters:  # image-valued parameters (a mask) are files of the measurement's size
        if p.kind == "image" and values[p.name] is not None:
            values[p.name] = _same_size_image(values[p.name], p.name, y)
    checked = task.resolve(values)
    op = task.operator(**checked)
    recorded = {p.name: getattr(args, p.name) if p.kind == "image" else checked[p.name] for p in task.parameters}
    reference = read_image(reference_path, "reference") if reference_path else None
    if reference is not None and reference.shape[2] != y.shape[2]:
        reference = reference.mean(axis=2, keepdims=True) if y.shape[2] == 1 else np.repeat(reference, 3, axis=2)
    return y, op, reference, recorded


def _same_size_image(path, what: str, y):
    """An image-valued task parameter (a mask): the file at ``path``, of ``y``'s size, its channels averaged."""
    from pinnzoo.image_io import read_image  # deferred: imports scikit-image

    image = read_image(path, what)
    if image.shape[:2] != y.shape[:2]:
        raise InputError(f"the {what} is {image.shape[0]}×{image.shape[1]} but the image is {y.shape[0]}×{y.shape[1]}")
    return image.mean(axis=2)


def recipe_from_args(args):
    """``(preset, RestoreConfig, notes)``: the task's shipped recipe (or ``--recipe``), flags applied."""
    from pinnzoo.presets import ImagePreset, get_preset, recipe_for  # deferred: imports TensorFlow
    from pinnzoo.tasks import TASKS  # deferred: imports TensorFlow

    notes = []
    if args.recipe:
        preset = get_preset(args.recipe)
        if not isinstance(preset, ImagePreset) or preset.task != args.task:
            raise InputError(f"--recipe {args.recipe} is not a {args.task} preset (image presets for {args.task}: "
                             f"{', '.join(p.name for p in _task_presets(args.task))})")
        if args.prior and args.prior != preset.prior:
            raise InputError(f"--recipe {args.recipe} fits a {preset.prior}; drop --prior {args.prior} or pick "
                             f"a {args.prior} recipe")
    else:
        preset, note = recipe_for(args.task, args.prior)
        notes += [note] if note else []
    task = TASKS.get(args.task)
    if args.precondition is not None and not task.preconditionable:
        raise InputError(f"--precondition applies to deblur and backward-heat only ({args.task} has no blur to "
                         "precondition)")
    if args.precondition is not None and not args.precondition >= 0:
        raise InputError(f"--precondition must be >= 0 (0 switches it off), got {args.precondition}")
    if args.data_consistency and not task.data_consistency:
        raise InputError("--data-consistency applies to inpaint and superres (operators with A A^T = c I)")
    if args.data_consistency and args.noise_sigma:
        raise InputError(f"--data-consistency keeps the measured values exactly, so it is for noise-free images; "
                         f"--noise-sigma is {args.noise_sigma}")
    config = preset.recipe.override(iterations=args.iterations, learning_rate=args.learning_rate,
                                    lr_schedule=args.lr_schedule, tv_weight=args.tv, patience=args.patience,
                                    average_lag=args.average_lag, auto=False if args.no_auto_stop else None,
                                    data_consistency=args.data_consistency)
    if args.precondition is not None:  # 0 switches the preconditioner off
        config = dataclasses.replace(config, regularisation=dataclasses.replace(
            config.regularisation, precondition=args.precondition or None))
    if args.bfloat16:  # Keras's mixed precision: float32 weights and image, bfloat16 convolutions
        config = config.with_prior(config.prior.replace(dtype="mixed_bfloat16"))
    if config.output.data_consistency and args.noise_sigma:
        config = config.override(data_consistency=False)
        notes.append("data consistency off: it would keep the noise of the measured pixels")
    return preset, (config.quick() if args.quick else config), notes


def _task_presets(task):
    from pinnzoo.presets import image_presets  # deferred: imports TensorFlow

    return [p for p in image_presets() if p.task == task]


def _estimate(preset, config, shape) -> str:
    """The recipe's time on this image, from the ms per step of its shipped run (scaled by pixel count)."""
    from pinnzoo.export import shipped_metadata  # deferred: imports TensorFlow

    meta = shipped_metadata(preset.name)
    if meta is None or config.prior != preset.recipe.prior:
        return "time: unknown (no shipped run of this network)"
    pixels = shape[0] * shape[1] / float(preset.degradation.size) ** 2
    seconds = config.optimiser.iterations * meta["training"]["ms_per_step"] / 1000 * pixels
    return f"at most {_duration(seconds)} for the steps ({meta['training']['ms_per_step']:.0f} ms/step at " \
           f"{preset.degradation.size}² on {meta['training']['machine']}), plus the graph's tracing (measured below)"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _measured_estimate(steps: int, every: int = 10):
    """A Keras callback that, ``every`` steps into a fit of ``steps``, prints the measured estimate: the time the
    first step took (the graph's tracing and compilation) and the rate of the steps after it."""
    import keras  # deferred: the fast commands never import TensorFlow

    class MeasuredEstimate(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start, self.done, self.first, self.said = time.perf_counter(), 0, None, False

        def on_train_batch_end(self, batch, logs=None):
            self.done += 1
            now = time.perf_counter() - self.start
            if self.done == 1:
                self.first = now
            elif not self.said and (self.done == 1 + every or self.done == steps):
                rate = (now - self.first) / (self.done - 1)
                total = self.first + rate * (steps - 1)
                print(f"\nmeasured: graph traced in {self.first:.1f} s, {1000 * rate:.0f} ms/step: about "
                      f"{_duration(total)} in all for {steps} steps", flush=True)
                self.said = True

    return MeasuredEstimate()


def cmd_restore(args):
    from pinnzoo.image_io import write_image  # deferred: imports scikit-image
    from pinnzoo.restoration import restore  # deferred: imports TensorFlow

    references = args.reference or []
    if references and len(references) != len(args.image):
        raise InputError(f"{len(args.image)} --image but {len(references)} --reference: give one reference per image "
                         "or none")
    if len(args.image) > 1 or args.strategy != "default":
        return _restore_many(args, references)
    out = Path(args.out)
    if out.suffix.lower() not in IMAGE_SUFFIXES:
        raise InputError(f"--out must end in .png, .jpg, .tif, .bmp or .npy, got {out.name}")
    check_writable(out, "--out", folder=False)
    if args.export:
        check_writable(Path(args.export), "--export", folder=True)
    y, op, reference, recorded = _measurement(args, args.image[0], references[0] if references else None)
    preset, config, notes = recipe_from_args(args)
    init = _warm_start(args)
    shape = op.input_shape(*y.shape[:2])
    print(f"recipe {preset.name}{' (quick)' if args.quick else ''}: {config.describe()}")  # --quiet: no bar only
    print(f"image {shape[0]}×{shape[1]}, estimated {_estimate(preset, config, shape)}"
          + "".join(f"\nnote: {n}" for n in notes))
    log = _training_log(args, Path(args.logdir) / "history.csv" if args.logdir else None, append=args.resume)
    from pinnzoo.checkpoint import checkpoint_path  # deferred: imports TensorFlow

    checkpoint = checkpoint_path(out)
    try:  # killed, the fit continues with --resume from OUT.checkpoint.npz (beside the output image)
        result = restore(y, op, config, seed=args.seed, reference=reference, verbose=_verbose(args),
                         init=init, callbacks=[log, _measured_estimate(config.optimiser.iterations)],
                         checkpoint=checkpoint, resume=args.resume,
                         noise_sigma=args.noise_sigma)
    except KeyboardInterrupt:
        saved = (f"the fit so far is in {checkpoint}: the same command with --resume continues it"
                 if checkpoint.exists() else "no checkpoint was written yet, so the same command starts the fit again")
        print(f"\ninterrupted: no image was written; {saved}", file=sys.stderr)
        return 130
    finally:
        log.close()
    result.label = f"restored {args.task} with {config.prior.name} ({preset.name} recipe)"
    write_image(out, result.image)
    if args.export:
        result.export_dir = _export_restored(args, result, preset, args.image[0], args.export, recorded, log.files())
    print(result.summary() + f" -> {out}")
    return 0


def _restore_many(args, references) -> int:
    """Several ``--image`` (or any --strategy): one independent fit per image, all in one ``model.fit``, the
    images sharded over the strategy's replicas (pinnzoo.restoration.restore_many); OUT is a folder."""
    from pinnzoo.distribute import get_strategy  # deferred: imports TensorFlow
    from pinnzoo.image_io import write_image  # deferred: imports scikit-image
    from pinnzoo.restoration import restore_many  # deferred: imports TensorFlow

    given = [flag for flag, value in (("--init", args.init), ("--resume", args.resume), ("--logdir", args.logdir))
             if value]
    if given:
        raise InputError(f"{', '.join(given)} apply to one image; restore the images one by one to use them")
    out = Path(args.out)
    if out.suffix:
        raise InputError(f"with several images (or --strategy) --out is a folder for the restored images, got {out}")
    stems = [Path(p).stem for p in args.image]
    if len(set(stems)) != len(stems):
        raise InputError("two --image files have the same name; the restored images would overwrite each other")
    check_writable(out, "--out", folder=True)
    if args.export:
        check_writable(Path(args.export), "--export", folder=True)
    measured = [_measurement(args, p, references[i] if references else None) for i, p in enumerate(args.image)]
    recorded = measured[0][3]  # the task's parameters, the same flags for every image
    preset, config, notes = recipe_from_args(args)
    if not args.quiet:
        print(f"recipe {preset.name}{' (quick)' if args.quick else ''}: {config.describe()}; {len(stems)} images, "
              f"one fit each, --strategy {args.strategy}" + "".join(f"\nnote: {n}" for n in notes))
    results = restore_many([m[0] for m in measured], [m[1] for m in measured], config, seeds=[args.seed] * len(stems),
                           references=[m[2] for m in measured] if references else None,
                           strategy=get_strategy(args.strategy), verbose=_verbose(args),
                           noise_sigmas=[args.noise_sigma] * len(stems))
    out.mkdir(parents=True, exist_ok=True)
    for stem, path, result in zip(stems, args.image, results):
        target = out / f"{stem}.png"
        write_image(target, result.image)
        result.label = f"{path}: restored {args.task} with {config.prior.name} ({preset.name} recipe)"
        if args.export:
            result.export_dir = _export_restored(args, result, preset, path, Path(args.export) / stem, recorded)
        print(result.summary() + f" -> {target}")
    return 0


def _export_restored(args, result, preset, image, directory, recorded: dict, files=None):
    from pinnzoo.export import machine  # deferred: imports TensorFlow
    from pinnzoo.families.image.archive import export_image_solver  # deferred: imports TensorFlow

    meta = {"task": args.task, "source_image": str(image), **recorded,  # the task's declared parameters, as given
            "noise_sigma": args.noise_sigma, "metrics": result.scores or {}, "recipe_preset": preset.name,
            "init": result.init,
            "recipe": result.config.to_dict(), "quick": args.quick,
            "stopping": {"kept_step": result.kept_step, "steps": result.steps, "auto_stopped": result.auto_stopped,
                         "average_lag": result.config.stopping.average_lag, "discrepancy_gate": result.gate},
            "training": {"time_s": round(result.time_s, 2), "seed": args.seed, "machine": machine()}}
    return export_image_solver(result.solver, directory, meta, files=files)

def _restore_parser(sub):
    known = catalog.load()
    rs = sub.add_parser("restore", help="restore your own image with an untrained prior (DIP, Deep Decoder)",
                        description="Runs the shipped recipe (preset) of the task and prior; flags override single "
                                    "settings of it.")
    rs.add_argument("task", choices=known["tasks"], help="what degraded the image: " + ", ".join(known["tasks"]))
    rs.add_argument("--image", required=True, action="append",
                    help="degraded image: PNG/JPEG/TIFF/BMP (scaled to [0, 1]), or .npy floats on that scale (noise may "
                         "take them outside it: any finite value). Repeat it to restore several images, one fit each, "
                         "side by side (sharded over --strategy's replicas)")
    rs.add_argument("--out", required=True, help="restored image: .png/.jpg/.tif (8-bit) or .npy (float); with several "
                                                 "--image, a folder (one PNG per image, named after it)")
    rs.add_argument("--noise-sigma", type=float,
                    help="noise level of the image (recorded with --export); recipes whose automatic stop waits "
                         "until the fit explains the image to the noise level (denoise) estimate it if not given")
    for p in known["task_parameters"].values():  # each task's declared parameters (pinnzoo.tasks.TaskParameter)
        rs.add_argument(p["flag"], help=f"{', '.join(p['tasks'])}: {p['help']}" + (f" ({p['range']})" if "range" in p
                                                                                     else ""))
    rs.add_argument("--prior", choices=known["image_priors"],
                    help="the generator (default: the task's DIP recipe)")
    rs.add_argument("--recipe", metavar="PRESET", help="run this image preset's recipe (default: the preset of the "
                                                       "task and prior; `pinnzoo list` shows them)")
    rs.add_argument("--quick", action="store_true", help="the recipe cut to 20 steps, for a smoke test")
    tune = rs.add_argument_group("overrides of single settings of the recipe")
    tune.add_argument("--iterations", type=int, help="step limit (an upper bound with automatic stopping)")
    tune.add_argument("--learning-rate", type=float, help="Adam's (initial) learning rate")
    tune.add_argument("--lr-schedule", choices=known["lr_schedules"], help="constant, or cosine decay to 0 over --iterations")
    tune.add_argument("--no-auto-stop", action="store_true",
                      help="run all iterations and return the last average (always so for deep_decoder)")
    tune.add_argument("--patience", type=int, help="automatic stop: steps without a new variance minimum")
    tune.add_argument("--average-lag", type=int, metavar="STEPS",
                      help="automatic stop: return the running average STEPS steps after the variance minimum "
                           "(denoise: 100, the average's time constant; other tasks: 0)")
    tune.add_argument("--precondition", type=float, metavar="LAMBDA",
                      help="deblur: weight the residual by the PSF's DCT preconditioner sqrt((1+L)/(|h|^2+L)), so "
                           "edges converge about as fast as flat regions (0 switches it off)")
    tune.add_argument("--tv", type=float, metavar="WEIGHT",
                      help="add WEIGHT x (total variation of the output, per pixel) to the loss (DIP-TV)")
    tune.add_argument("--bfloat16", action="store_true",
                      help="the generator computes in bfloat16 with float32 weights (Keras's mixed_bfloat16 policy): "
                           "faster where the CPU has bfloat16 instructions (AVX512_BF16, AMX); the fit differs from "
                           "the float32 one by rounding")
    tune.add_argument("--data-consistency", action=argparse.BooleanOptionalAction, default=None,
                      help="inpaint/superres of noise-free images: keep the known pixels (block averages) exactly "
                           "as measured, x + A^+(y - A x)")
    _init_arguments(rs)
    rs.add_argument("--seed", type=int, default=0, help="seeds the generator's weights and fixed input (default 0)")
    rs.add_argument("--reference", action="append",
                    help="clean image: report PSNR/SSIM during and after the fit (one per --image)")
    rs.add_argument("--export", help="also write the fitted generator as a SavedModel to this directory (with several "
                                     "--image: one subfolder per image)")
    rs.add_argument("--strategy", default="default",
                    help="tf.distribute strategy for several --image: mirrored (every GPU or logical CPU device) or "
                         "multiworker (TF_CONFIG); each replica fits an equal share of the images")
    rs.add_argument("--quiet", action="store_true", help="no progress bar (the recipe and summary lines stay)")
    _log_arguments(rs)
    rs.add_argument("--resume", action="store_true", help="continue a fit that was killed, from OUT.checkpoint.npz "
                                                          "(give the same command and options)")
    rs.set_defaults(fn=cmd_restore)


def _warm_start(args):
    """The ``--init``/``--init-reset`` warm start, its source checked now (not after minutes of baselines)."""
    from pinnzoo.warm_start import WarmStart  # deferred: imports TensorFlow

    if args.init_reset and not args.init:
        raise InputError("--init-reset needs --init DIR")
    if not args.init:
        return None
    init = WarmStart.parse(args.init, args.init_reset)
    init.load()
    return init


def _log_arguments(p):
    p.add_argument("--logdir", metavar="DIR", help="write TensorBoard summaries here (every loss term, the error "
                                                   "or PSNR, the learning rate, images of the solution)")
    p.add_argument("--images-every", type=int, default=10, metavar="N",
                   help="with --logdir: an image of the current solution every N logged epochs (0: at the end only)")


def _init_arguments(p):
    p.add_argument("--init", metavar="DIR", help="warm start: initialise the prior from the weights of this export "
                                                 "(a shipped model or your run; the architectures must match)")
    p.add_argument("--init-reset", action="append", default=[], metavar="WHAT",
                   help="with --init: 'last' or N re-initialises the last (N) layers, 'noise' draws a fresh input "
                        "for image priors, 'refit' re-solves a PINN's last layer by least squares before training "
                        "(repeatable, or comma-separated)")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pinnzoo", description="Data-free neural solvers: train, export, evaluate.")
    ap.add_argument("--debug", action="store_true", help="show TensorFlow's start-up messages and the traceback of "
                                                         "an unexpected error (also PINNZOO_DEBUG=1)")
    sub = ap.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="list the presets")
    ls.add_argument("--params", metavar="PRESET", help="list this preset's problem parameters (for --set)")
    ls.set_defaults(fn=cmd_list, tensorflow=False)
    tr = sub.add_parser("train", help="train a preset from scratch and export it")
    tr.add_argument("preset", help="the preset to train (`pinnzoo list` shows them)")
    tr.add_argument("--out", help="export directory (default runs/PRESET)")
    tr.add_argument("--epochs", type=int, help="Adam epochs (default: the preset's)")
    tr.add_argument("--prior", help="grid presets: fit this registered prior instead (e.g. deep_decoder, dip, "
                                    "raw_grid, mlp)")
    tr.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="change a problem parameter (repeatable): --set nu=0.005; `pinnzoo list --params PRESET` "
                         "shows them with their ranges. A comma list (--set seed=1,2,3,4) trains one run per value, "
                         "exported to OUT/seed=1 ...; image and grid presets shard them over --strategy's replicas")
    tr.add_argument("--lbfgs-iterations", type=int, help="L-BFGS iterations (default: the preset's)")
    tr.add_argument("--optimizer", help="method of the L-BFGS phase: lbfgs (scipy L-BFGS-B), bfgs, ssbfgs, ssbroyden "
                                        "(dense, strong-Wolfe line search), lm (Levenberg-Marquardt on the residual "
                                        "vector); PINN presets")
    _init_arguments(tr)
    _log_arguments(tr)
    tr.add_argument("--seed", type=int, default=0, help="seeds the weights and the sampled points (default 0)")
    tr.add_argument("--resume", action="store_true",
                    help="continue the run that was killed from its checkpoint OUT.checkpoint.npz (every preset family; "
                         "give the same command and options)")
    tr.add_argument("--strategy", default="default",
                    help="tf.distribute strategy: default (one device), mirrored (every GPU or logical CPU device of "
                         "this machine), multiworker (the cluster in TF_CONFIG). PINN presets shard the collocation "
                         "points; image and grid presets shard the instances of a --set list (docs/distributed.md)")
    tr.add_argument("--quick", action="store_true", help="a tiny schedule, for smoke tests")
    tr.add_argument("--quiet", action="store_true", help="no progress bars (the summary line stays)")
    tr.set_defaults(fn=cmd_train, check=check_train_arguments)
    ev = sub.add_parser("evaluate", help="recompute an export's error against the reference")
    ev.add_argument("directory", help="an export (pinnzoo train --out, a shipped model)")
    ev.add_argument("--json", action="store_true", help="print the whole result as JSON instead of one line")
    ev.set_defaults(fn=cmd_evaluate)
    vf = sub.add_parser("verify", help="check an export's files against its SHA-256 manifest")
    vf.add_argument("directory", help="an export (pinnzoo train --out, a shipped model)")
    vf.set_defaults(fn=cmd_verify, tensorflow=False)
    xp = sub.add_parser("export", help="write an export as the next version of a TensorFlow Serving model "
                                       "(SERVING_DIR/NAME/VERSION) and/or as a LiteRT file (docs/serving.md)")
    xp.add_argument("directory", help="an export (pinnzoo train --out, a shipped model)")
    xp.add_argument("--serving-dir", help="the folder of TF Serving model base paths")
    xp.add_argument("--litert", metavar="FILE.tflite",
                    help="also (or instead) convert the signatures LiteRT can run into one .tflite file (docs/serving.md)")
    xp.add_argument("--name", help="the model's name (default: the export's preset)")
    xp.set_defaults(fn=cmd_export)
    pr = sub.add_parser("predict", help="evaluate an export at points from a .npy or .csv file")
    pr.add_argument("directory", help="an export with point queries (PINN and grid exports)")
    pr.add_argument("--points", required=True, help="[N, n_inputs] array, .npy or .csv (a header row of names, as "
                                                     "predict writes, is skipped)")
    pr.add_argument("--out", help=".npy (values) or .csv (points and values); default: CSV to stdout")
    pr.add_argument("--strict-domain", action="store_true", help="refuse points outside the domain (default: warn)")
    pr.set_defaults(fn=cmd_predict)
    pl = sub.add_parser("plot", help="figures of an export (fields, error, curves) as PNG files (needs matplotlib)")
    pl.add_argument("source", help="an export directory, or a run's history .csv")
    pl.add_argument("--out", help="folder for the PNG files (default runs/plots/NAME)")
    pl.set_defaults(fn=cmd_plot)
    _restore_parser(sub)
    return ap

def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    """The ``pinnzoo`` command; returns its exit status (0, 1 unexpected error, 2 bad input, 3 diverged, 130
    interrupted)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before a command could say what it saved: nothing was
        print("\ninterrupted: nothing was trained or written yet", file=sys.stderr)
        return 130


def _main(argv) -> int:
    if threading.current_thread() is threading.main_thread():  # signal handlers need the main thread
        signal.signal(signal.SIGTERM, _terminate)  # a kill ends training like Ctrl-C: weights are kept
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or an argument error (2, argparse's message printed)
        return int(exc.code or 0)
    debug = args.debug or bool(os.environ.get("PINNZOO_DEBUG"))
    try:
        if getattr(args, "check", None):
            args.check(args)
        if getattr(args, "tensorflow", True):
            _load_tensorflow(debug)
        return args.fn(args)
    except PinnzooError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was trained or written yet", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output went away (pinnzoo list | head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # no raw tracebacks for users
        if debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (pinnzoo --debug ... shows a traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
