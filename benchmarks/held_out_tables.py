"""Tables of ``benchmarks/results/held_out_images.json`` (``benchmarks/held_out_images.py``) for docs/image-studies.md.

Per preset: the prior's mean PSNR over the held-out images with a 95 % confidence interval (Student t over the
images, each image's value the mean over its seeds), the task's strongest baseline with its parameter chosen with
the clean image (oracle) and without it (discrepancy principle), and the paired difference prior − baseline with
its interval. A run whose fingerprint is not today's (:mod:`pinnzoo.recipe`) is marked stale and left out.
"""

from __future__ import annotations

import numpy as np

from held_out_images import SEEDS, STUDY, fingerprints, key, variant  # benchmarks/, the script's own folder
from intervals import ci_text
from results_file import from_results
from pinnzoo.family import get_preset


def _target(rows: list[dict], methods: tuple) -> dict | None:
    eligible = [r for r in rows if not methods or any(r["method"].startswith(m) for m in methods)]
    return max(eligible, key=lambda r: r["psnr"]) if eligible else None


def current_runs(data: dict, preset: str) -> tuple[dict, int]:
    """``{(image, colour): [entries over seeds]}`` of the runs whose both parts are today's; and the stale count."""
    runs, stale = {}, 0
    for image, colour in STUDY[preset]:
        for seed in SEEDS:
            entry = data["runs"].get(preset, {}).get(key(image, colour, seed))
            if not entry or "prior" not in entry:
                continue
            marks = fingerprints(variant(preset, image, colour, seed), seed)
            if entry.get("prior_fingerprint") != marks["prior"] or marks["baselines"] not in data["baselines"]:
                stale += 1
                continue
            runs.setdefault((image, colour), []).append({**entry, "baselines": data["baselines"][marks["baselines"]]})
    return runs, stale


def per_image(runs: dict, preset: str) -> dict:
    """image → seed-averaged PSNRs: prior, target baseline (oracle / no reference), best baseline (oracle)."""
    methods = get_preset(preset).target_methods
    out = {}
    for (image, colour), entries in runs.items():
        rows = {"prior": [], "target": [], "target_blind": [], "best": []}
        for e in entries:
            rows["prior"].append(e["prior"]["psnr"])
            rows["target"].append(_target(e["baselines"]["oracle"], methods)["psnr"])
            rows["target_blind"].append(_target(e["baselines"]["no_reference"], methods)["psnr"])
            rows["best"].append(max(r["psnr"] for r in e["baselines"]["oracle"]))
        out[f"{image}{' (RGB)' if colour else ''}"] = {k: float(np.mean(v)) for k, v in rows.items()} | {
            "seeds": len(entries), "best_method": max(entries[0]["baselines"]["oracle"], key=lambda r: r["psnr"])["method"]}
    return out


@from_results("held_out_images")
def held_out_table(data: dict) -> str:
    rows = ["| preset | images × seeds | prior PSNR | target baseline: oracle | its no-reference choice | "
            "prior − oracle (paired) | prior − no-reference (paired) | target | met on the mean |",
            "|---|---|---|---|---|---|---|---|---|"]
    for preset in STUDY:
        runs, stale = current_runs(data, preset)
        images = per_image(runs, preset)
        p = get_preset(preset)
        planned = len(STUDY[preset]) * len(SEEDS)
        done = sum(v["seeds"] for v in images.values())
        vals = {k: [v[k] for v in images.values()] for k in ("prior", "target", "target_blind")}
        diff = [a - b for a, b in zip(vals["prior"], vals["target"])]
        blind = [a - b for a, b in zip(vals["prior"], vals["target_blind"])]
        against = " / ".join(p.target_methods) or "best classical"
        if done < planned:
            verdict = f"incomplete ({done} of {planned} runs{f', {stale} stale' if stale else ''})"
        else:
            verdict = "yes" if np.mean(diff) >= p.margin else f"no: {np.mean(diff) - p.margin:+.2f} dB short"
        rows.append(f"| `{preset}` | {len(images)} × {len(SEEDS)} ({done} of {planned}) | {ci_text(vals['prior'])} | "
                    f"{ci_text(vals['target'])} | {ci_text(vals['target_blind'])} | {ci_text(diff, True)} | "
                    f"{ci_text(blind, True)} | {against} {p.margin:+g} dB | {verdict} |")
    rows.append("\nPSNR in dB, mean over the held-out images ± the half-width of its 95 % Student-t interval (each "
                "image: the mean of its seeds); paired: the per-image difference. The oracle chose each baseline's "
                "parameter with the clean image; the no-reference choice is the discrepancy principle's. "
                f"Prior fits on: {_machines(data)}.")
    return "\n".join(rows)


def _machines(data: dict) -> str:
    """The machines the recorded prior fits ran on (baselines alone record no prior fit)."""
    names = sorted({e["machine"] for r in data["runs"].values() for e in r.values() if "prior" in e})
    return ", ".join(names) or "none yet"


@from_results("held_out_images")
def held_out_images_table(data: dict) -> str:
    rows = ["| preset | image | seeds | prior | target baseline (oracle) | (no reference) | best baseline (oracle) |",
            "|---|---|---|---|---|---|---|"]
    for preset in STUDY:
        runs, _ = current_runs(data, preset)
        for image, v in per_image(runs, preset).items():
            rows.append(f"| `{preset}` | {image} | {v['seeds']} | {v['prior']:.2f} | {v['target']:.2f} | "
                        f"{v['target_blind']:.2f} | {v['best']:.2f} ({v['best_method']}) |")
    return "\n".join(rows)


@from_results("held_out_images")
def held_out_baselines_table(data: dict) -> str:
    """Every baseline method's mean PSNR per degradation, oracle and no-reference, over the runs whose
    baselines are today's (prior fitted or not)."""
    rows = ["| degradation (presets) | method | oracle PSNR | no-reference PSNR | runs |", "|---|---|---|---|---|"]
    groups: dict = {}
    for preset in STUDY:
        d = get_preset(preset).degradation
        groups.setdefault((d.task, d.noise_sigma, d.psf, d.missing, d.scale, d.kappa_t), []).append(preset)
    for presets in groups.values():
        per: dict = {}
        marks = {fingerprints(variant(presets[0], image, colour, seed), seed)["baselines"]
                 for image, colour in STUDY[presets[0]] for seed in SEEDS}
        for mark in sorted(marks & set(data["baselines"])):
            for kind in ("oracle", "no_reference"):
                for r in data["baselines"][mark][kind]:
                    per.setdefault(r["method"], {"oracle": [], "no_reference": []})[kind].append(r["psnr"])
        label = f"{get_preset(presets[0]).degradation.task} ({', '.join(f'`{p}`' for p in presets)})"
        for method, v in sorted(per.items(), key=lambda kv: -np.mean(kv[1]["oracle"])):
            rows.append(f"| {label} | {method} | {ci_text(v['oracle'])} | {ci_text(v['no_reference'])} | "
                        f"{len(v['oracle'])} |")
    rows.append("\nMean over runs (images × seeds) ± the 95 % half-width over runs.")
    return "\n".join(rows)


HELD_OUT_TABLES = {"held_out": held_out_table, "held_out_images": held_out_images_table,
                   "held_out_baselines": held_out_baselines_table}
