"""The image presets on images they were not tuned on, against the strongest classical baselines.

    python benchmarks/held_out_images.py --baselines-only          # every baseline of every run (minutes each)
    python benchmarks/held_out_images.py dip_denoise --limit 4     # the next 4 prior fits of dip_denoise
    python benchmarks/held_out_images.py                           # everything not yet done (hours: run in parts)

The recipes were tuned on ``camera``; here each image preset degrades each held-out image (scikit-image's bundled
images, gray and colour, 256²) as its own degradation says, with noise (and mask) seeds 0 and 1, and fits its
recipe with the same seed. Every baseline method's parameter is chosen twice: with the clean image (oracle) and
by the discrepancy principle (no clean image) — :mod:`pinnzoo.baselines`.

Resumable: ``benchmarks/results/held_out_images.json`` keeps one entry per (preset, image, seed), the latest,
written after every part; a part is redone only when its fingerprint changed (the prior fit's: the recipe as
:mod:`pinnzoo.recipe` hashes it; the baselines': the degradation and the image family's code version — presets
that degrade alike share them).
Tables: ``benchmarks/held_out_tables.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

from results_file import RESULTS  # benchmarks/, the script's own folder
from pinnzoo.export import machine
from pinnzoo.family import get_preset
from pinnzoo.recipe import canonical, code_version, digest, run_recipe
from pinnzoo.restoration import restore
from pinnzoo.tasks import TASKS

NAME = "held_out_images"
PATH = RESULTS / f"{NAME}.json"
#: (image, colour): four gray, four colour; camera (the tuning image) is not among them
EIGHT = (("moon", False), ("coins", False), ("brick", False), ("grass", False),
         ("astronaut", True), ("chelsea", True), ("coffee", True), ("rocket", True))
FOUR = (("moon", False), ("coins", False), ("astronaut", True), ("chelsea", True))
SEEDS = (0, 1)
#: preset -> its held-out images (8 for denoising and deblurring, 4 for the other tasks)
STUDY = {"dip_denoise": EIGHT, "dip_deblur": EIGHT, "deep_decoder_denoise": EIGHT, "deep_decoder_deblur": EIGHT,
         "dip_inpaint": FOUR, "dip_superres": FOUR, "dip_backward_heat": FOUR, "deep_decoder_backward_heat": FOUR}


def key(image: str, colour: bool, seed: int) -> str:
    return f"{image}{' (RGB)' if colour else ''}, seed {seed}"


def variant(preset: str, image: str, colour: bool, seed: int):
    """The preset with its degradation applied to ``image`` with noise/mask seed ``seed``."""
    p = get_preset(preset)
    return dataclasses.replace(p, degradation=dataclasses.replace(p.degradation, image=image, colour=colour, seed=seed))


def fingerprints(v, seed: int) -> dict:
    """What a stored part must match to be reused: the prior fit's recipe, the baselines' degradation and code."""
    return {"prior": run_recipe(v, seed=seed, quick=False)["fingerprint"],
            "baselines": digest({"degradation": canonical(v.degradation), "code": code_version("image")})}


def load() -> dict:
    return json.loads(PATH.read_text()) if PATH.exists() else {"runs": {}, "baselines": {}}


def save(data: dict) -> None:
    tmp = PATH.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, PATH)


def _rows(rows: list[dict]) -> list[dict]:
    return [{k: r[k] for k in ("method", "parameter", "psnr", "ssim", "seconds", "residual") if k in r} for r in rows]


def run_baselines(v, clean, y, op) -> dict:
    start = time.perf_counter()
    oracle, blind = TASKS.get(v.task).baselines(y, clean, v.degradation.noise_sigma, op, verbose=1)
    return {"oracle": _rows(oracle), "no_reference": _rows(blind), "seconds": round(time.perf_counter() - start, 1)}


def run_prior(v, clean, y, op, seed: int) -> dict:
    r = restore(y, op, v.recipe, seed=seed, reference=clean, noise_sigma=v.degradation.noise_sigma, verbose=2)
    return {"psnr": r.scores["psnr"], "ssim": r.scores["ssim"], "time_s": round(r.time_s, 1), "steps": r.steps,
            "kept_step": r.kept_step, "auto_stopped": bool(r.auto_stopped)}


def run_part(data: dict, preset: str, image: str, colour: bool, seed: int, prior: bool) -> bool:
    """Do what is missing or stale of one run — its degradation's baselines (shared by the presets that degrade
    alike, under ``data["baselines"][fingerprint]``) and its prior fit; True if the prior was fitted."""
    v = variant(preset, image, colour, seed)
    marks = fingerprints(v, seed)
    entry = data["runs"].setdefault(preset, {}).setdefault(key(image, colour, seed), {})
    todo_baselines = marks["baselines"] not in data["baselines"]
    todo_prior = prior and entry.get("prior_fingerprint") != marks["prior"]
    if not (todo_baselines or todo_prior):
        return False
    clean, y, op = v.degrade()
    print(f"{preset} | {key(image, colour, seed)}", flush=True)
    stamp = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    if todo_baselines:
        data["baselines"][marks["baselines"]] = {"task": v.task, "run": key(image, colour, seed),
                                                 **run_baselines(v, clean, y, op), **stamp}
    entry["baselines_fingerprint"] = marks["baselines"]
    if todo_prior:
        entry.update(prior=run_prior(v, clean, y, op, seed), prior_fingerprint=marks["prior"], **stamp)
    save(data)
    return todo_prior


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", help=f"default: all of {', '.join(STUDY)}")
    parser.add_argument("--baselines-only", action="store_true", help="only the classical baselines")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many prior fits")
    args = parser.parse_args()
    unknown = [p for p in args.presets if p not in STUDY]
    if unknown:
        parser.error(f"not in the study: {', '.join(unknown)}")
    data, fits = load(), 0
    for preset in args.presets or list(STUDY):
        for (image, colour) in STUDY[preset]:
            for seed in SEEDS:
                if args.limit is not None and fits >= args.limit:
                    return
                fits += run_part(data, preset, image, colour, seed, prior=not args.baselines_only)


if __name__ == "__main__":
    main()
