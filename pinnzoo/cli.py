"""The ``pinnzoo`` command: list, train, evaluate, predict and restore.

Errors in what the user gave (unknown preset, missing export, bad points) print
one ``error:`` line and exit with status 2; a diverged training run exits with 3;
set ``PINNZOO_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _points(path: str, width: int):
    import numpy as np

    from pinnzoo.errors import InputError

    p = Path(path)
    if not p.is_file():
        raise InputError(f"points file not found: {path}")
    try:
        if p.suffix == ".npy":
            pts = np.load(p, allow_pickle=False)
        elif p.suffix in (".csv", ".txt"):
            pts = np.loadtxt(p, delimiter=",", ndmin=2, comments="#")
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
    if pts.ndim != 2 or pts.shape[1] != width:
        raise InputError(f"points must have shape [N, {width}] (one column per input), got {list(pts.shape)}")
    bad = ~np.isfinite(pts).all(axis=1)
    if bad.any():
        raise InputError(f"points contain NaN or inf in {int(bad.sum())} row(s), first at row {int(np.argmax(bad))}")
    return pts


def cmd_list(args):
    from pinnzoo.presets import PRESETS

    width = max(len(n) for n in PRESETS)
    for name in sorted(PRESETS):
        p = PRESETS[name]
        if getattr(p, "kind", None) == "image":
            target = f"target PSNR >= best baseline + {p.margin:g} dB"
        else:
            target = f"target rel L2 <= {p.target:g}" if p.target else ""
        print(f"{name:<{width}}  {p.description}  [{target}]")
    return 0


def cmd_train(args):
    from pinnzoo.errors import InputError, TrainingError
    from pinnzoo.presets import get_preset
    from pinnzoo.training import train

    preset = get_preset(args.preset)
    if args.epochs is not None and args.epochs < 0:
        raise InputError("--epochs must be >= 0")
    out = Path(args.out) if args.out else Path("saved_models") / preset.name
    try:
        result = train(preset, epochs=args.epochs, seed=args.seed, quick=args.quick, out=out,
                       verbose=0 if args.quiet else 1)
    except KeyboardInterrupt as exc:
        solver = getattr(exc, "solver", None)
        if solver is None:
            raise
        rescue = out.parent / f"{out.name}.interrupted.keras"
        rescue.parent.mkdir(parents=True, exist_ok=True)
        solver.save(rescue)
        print(f"\ninterrupted: nothing was exported; the weights trained so far are in {rescue} "
              "(keras.saving.load_model)", file=sys.stderr)
        return 130
    except TrainingError as exc:
        solver = getattr(exc, "solver", None)
        if solver is not None:
            rescue = out.parent / f"{out.name}.nan-recovery.keras"
            solver.save(rescue)
            print(f"error: {exc}\nthe last good weights are in {rescue}", file=sys.stderr)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return 3
    if getattr(preset, "kind", None) == "image":
        meta = result.metadata
        print(f"{preset.name}: PSNR {meta['metrics']['psnr']:.2f} dB, SSIM {meta['metrics']['ssim']:.3f} "
              f"(target {meta['target_psnr']:.2f} dB = {meta['baselines'][0]['method']} + {preset.margin:g}) | "
              f"kept step {result.kept_step} of {result.steps} (peak {meta['stopping']['peak_psnr']:.2f} dB at "
              f"{meta['stopping']['peak_step']}) | {result.time_s:.1f} s | saved to {result.export_dir}")
        return 0
    m = result.metrics
    params = "".join(f" | {k[len('param_'):]} = {v:.6g} (rel. error {m[k + '_rel_error']:.2e})"
                     for k, v in m.items() if k.startswith("param_") and not k.endswith("_rel_error"))
    print(f"{preset.name}: rel L2 = {m['rel_l2']:.3e} (target {preset.target:g}){params} | "
          f"{result.train_time:.1f} s, {result.adam_steps} Adam steps + {result.lbfgs_iterations} L-BFGS "
          f"iterations | saved to {result.export_dir}")
    return 0


def cmd_evaluate(args):
    from pinnzoo.export import evaluate_export

    result = evaluate_export(args.directory)
    if args.json:
        print(json.dumps(result, indent=2))
    elif result.get("kind") == "image":
        m = result["metrics"]
        line = f"{result['preset'] or result['directory']}: "
        line += f"PSNR {m['psnr']:.2f} dB, SSIM {m['ssim']:.3f}" if m else "no reference image recorded"
        if "meets_target" in result:
            line += f" | target {result['target']:.2f} dB: {'met' if result['meets_target'] else 'NOT met'}"
        if "matches_metadata" in result:
            line += f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"
        print(line)
    else:
        m = result["metrics"]
        line = f"{result['preset'] or result['problem']}: rel L2 = {m['rel_l2']:.3e} on grid {m['grid']}"
        line += "".join(f" | {k[len('param_'):]} = {v:.6g} (rel. error {m[k + '_rel_error']:.2e})"
                        for k, v in m.items() if k.startswith("param_") and not k.endswith("_rel_error"))
        if "meets_target" in result:
            line += f" | target {result['target']:g}: {'met' if result['meets_target'] else 'NOT met'}"
        if "matches_metadata" in result:
            line += f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"
        print(line)
    return 0


def cmd_predict(args):
    import numpy as np

    from pinnzoo.errors import InputError
    from pinnzoo.export import load_export, predict_export

    model, meta = load_export(args.directory)
    pts = _points(args.points, len(meta["inputs"]))
    values = predict_export(model, meta, pts)
    header = ",".join(list(meta["inputs"]) + list(meta["outputs"]))
    table = np.concatenate([pts, values], axis=1)
    if args.out is None:
        print(header)
        np.savetxt(sys.stdout, table, delimiter=",", fmt="%.9g")
    elif args.out.endswith(".npy"):
        np.save(args.out, values)
    elif args.out.endswith(".csv"):
        np.savetxt(args.out, table, delimiter=",", header=header, comments="", fmt="%.9g")
    else:
        raise InputError("--out must end in .npy or .csv")
    if args.out:
        print(f"wrote {len(values)} predictions of {', '.join(meta['outputs'])} to {args.out}")
    return 0


def cmd_restore(args):
    import time

    import numpy as np

    from pinnzoo.errors import InputError
    from pinnzoo.export import export_image_solver, machine
    from pinnzoo.image_io import read_image, write_image
    from pinnzoo.restoration import make_operator, restore

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".npy"):
        raise InputError(f"--out must end in .png, .jpg, .tif, .bmp or .npy, got {out.name}")
    if args.noise_sigma is not None and args.noise_sigma < 0:
        raise InputError(f"--noise-sigma must be >= 0, got {args.noise_sigma}")
    if args.iterations < 1:
        raise InputError(f"--iterations must be >= 1, got {args.iterations}")
    y = read_image(args.image)
    mask = None
    if args.task == "inpaint":
        if not args.mask:
            raise InputError("inpaint needs --mask (an image: white/1 = known pixel, black/0 = missing)")
        mask = read_image(args.mask, "mask")
        if mask.shape[:2] != y.shape[:2]:
            raise InputError(f"the mask is {mask.shape[0]}×{mask.shape[1]} but the image is {y.shape[0]}×{y.shape[1]}")
        mask = mask.mean(axis=2)
    if args.task == "deblur" and not args.psf:
        raise InputError("deblur needs --psf (gaussian:SIGMA, box:SIZE, motion:LENGTH:ANGLE or a .npy file)")
    if args.task == "superres" and args.scale is None:
        raise InputError("superres needs --scale (an integer >= 2)")
    if args.scale is not None and args.scale < 2:
        raise InputError(f"--scale must be an integer >= 2, got {args.scale}")
    precondition = args.precondition
    if precondition is not None and args.task != "deblur":
        raise InputError("--precondition applies to deblur only (the other operators are not blurs)")
    if args.task == "deblur":
        precondition = 0.1 if precondition is None else precondition
        if not precondition >= 0:
            raise InputError(f"--precondition must be >= 0 (0 switches it off), got {args.precondition}")
        precondition = precondition or None
    if not args.tv >= 0:
        raise InputError(f"--tv must be >= 0, got {args.tv}")
    if args.data_consistency:
        if args.task not in ("inpaint", "superres"):
            raise InputError("--data-consistency applies to inpaint and superres (operators with A A^T = c I)")
        if args.noise_sigma:
            raise InputError(f"--data-consistency keeps the measured values exactly, so it is for noise-free images; "
                             f"--noise-sigma is {args.noise_sigma}")
    op = make_operator(args.task, psf=args.psf, mask=mask, scale=args.scale)
    reference = read_image(args.reference, "reference") if args.reference else None
    if reference is not None and reference.shape[2] != y.shape[2]:
        reference = reference.mean(axis=2, keepdims=True) if y.shape[2] == 1 else np.repeat(reference, 3, axis=2)
    start = time.perf_counter()
    result = restore(y, op, prior=args.prior, iterations=args.iterations, seed=args.seed, reference=reference,
                     auto_stop=False if args.no_auto_stop else None, verbose=0 if args.quiet else 1,
                     log_every=min(50, args.iterations), precondition=precondition,
                     lr_schedule=args.lr_schedule, data_consistency=args.data_consistency,
                     tv_weight=args.tv)
    write_image(out, result.image)
    if args.export:
        meta = {"task": args.task, "source_image": str(args.image), "psf": args.psf, "scale": args.scale,
                "noise_sigma": args.noise_sigma, "metrics": result.scores or {},
                "stopping": {"kept_step": result.kept_step, "steps": result.steps,
                             "auto_stopped": result.auto_stopped},
                "training": {"time_s": round(result.time_s, 2), "seed": args.seed, "lr_schedule": args.lr_schedule,
                             "precondition_lambda": precondition, "data_consistency": args.data_consistency,
                             "tv_weight": args.tv,
                             "machine": machine()}}
        export_image_solver(result.solver, args.export, meta)
    line = (f"restored {args.task} with {args.prior}: {result.steps} iterations "
            f"({'automatic stop' if result.auto_stopped else 'step limit'}; image from step {result.kept_step}), "
            f"{time.perf_counter() - start:.1f} s")
    if result.scores:
        line += f", PSNR {result.scores['psnr']:.2f} dB, SSIM {result.scores['ssim']:.3f}"
    line += f" -> {out}" + (f" (SavedModel in {args.export})" if args.export else "")
    print(line)
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pinnzoo", description="Data-free neural solvers: train, export, evaluate.")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the presets").set_defaults(fn=cmd_list)
    tr = sub.add_parser("train", help="train a preset from scratch and export it")
    tr.add_argument("preset")
    tr.add_argument("--out", help="export directory (default saved_models/PRESET)")
    tr.add_argument("--epochs", type=int, help="Adam epochs (default: the preset's)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--quick", action="store_true", help="a tiny schedule, for smoke tests")
    tr.add_argument("--quiet", action="store_true", help="no progress bars")
    tr.set_defaults(fn=cmd_train)
    ev = sub.add_parser("evaluate", help="recompute an export's error against the reference")
    ev.add_argument("directory")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(fn=cmd_evaluate)
    pr = sub.add_parser("predict", help="evaluate an export at points from a .npy or .csv file")
    pr.add_argument("directory")
    pr.add_argument("--points", required=True, help="[N, n_inputs] array, .npy or .csv")
    pr.add_argument("--out", help=".npy (values) or .csv (points and values); default: CSV to stdout")
    pr.set_defaults(fn=cmd_predict)
    rs = sub.add_parser("restore", help="restore your own image with an untrained prior (DIP, Deep Decoder)")
    rs.add_argument("task", choices=["denoise", "deblur", "inpaint", "superres"])
    rs.add_argument("--image", required=True, help="degraded image: PNG/JPEG/TIFF/BMP, or .npy floats in [0, 1]")
    rs.add_argument("--out", required=True, help="restored image: .png/.jpg/.tif (8-bit) or .npy (float)")
    rs.add_argument("--noise-sigma", type=float, help="noise level of the image (recorded with --export)")
    rs.add_argument("--psf", help="deblur: gaussian:SIGMA, box:SIZE, motion:LENGTH:ANGLE or a .npy kernel")
    rs.add_argument("--mask", help="inpaint: image of the same size, white = known pixel, black = missing")
    rs.add_argument("--scale", type=int, help="superres: integer factor >= 2")
    rs.add_argument("--prior", choices=["dip", "deep_decoder"], default="dip")
    rs.add_argument("--iterations", type=int, default=3000, help="step limit (an upper bound with automatic stopping)")
    rs.add_argument("--no-auto-stop", action="store_true",
                    help="run all iterations and return the last average (always so for deep_decoder)")
    rs.add_argument("--precondition", type=float, metavar="LAMBDA",
                    help="deblur: weight the residual by the PSF's DCT preconditioner sqrt((1+L)/(|h|^2+L)), so "
                         "edges converge about as fast as flat regions (default 0.1; 0 switches it off)")
    rs.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant",
                    help="Adam's learning rate: constant 0.01, or cosine decay to 0 over --iterations")
    rs.add_argument("--tv", type=float, default=0.0, metavar="WEIGHT",
                    help="add WEIGHT x (total variation of the output, per pixel) to the loss (DIP-TV; the "
                         "deep_decoder_denoise preset uses 0.1 for noise 25/255); default 0")
    rs.add_argument("--data-consistency", action="store_true",
                    help="inpaint/superres of noise-free images: keep the known pixels (block averages) exactly as "
                         "measured, x + A^+(y - A x)")
    rs.add_argument("--seed", type=int, default=0)
    rs.add_argument("--reference", help="clean image: report PSNR/SSIM during and after the fit")
    rs.add_argument("--export", help="also write the fitted generator as a SavedModel to this directory")
    rs.add_argument("--quiet", action="store_true", help="no progress bar")
    rs.set_defaults(fn=cmd_restore)
    return ap


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # signal handlers need the main thread
        signal.signal(signal.SIGTERM, _terminate)  # a kill ends training like Ctrl-C: weights are kept
    from pinnzoo.errors import PinnzooError

    try:
        return args.fn(args)
    except PinnzooError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # no raw tracebacks for users
        if os.environ.get("PINNZOO_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set PINNZOO_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
