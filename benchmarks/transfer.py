"""Warm starts across problem instances: what starting from a trained solver buys over a cold start.

    python benchmarks/transfer.py [FAMILY ...] [--seeds N] [--first-seed S] [--skip K] [--limit K] [--source DIR]

FAMILY is one of ``burgers``, ``helmholtz``, ``darcy_multiscale``, ``darcy_mlp``, ``dip``, or a variant
``burgers_refit``, ``helmholtz_refit`` (the warm start also re-solves the last layer; default: all).
For every new instance of a family (another viscosity, wavenumber, permeability draw or image) and every
seed, the preset runs twice in one process, one after the other: a **cold** start (the preset's recipe from
a fresh initialisation) and a **warm** start (``init=WarmStart(source)``: the prior starts from the source
export's weights, and the recipe's first phase is dropped where it only serves to leave a random start —
Adam for the PINNs). From the two error-vs-time curves:

* **time to cold's final error**: when each run first reaches the cold run's final error (the warm one may
  never do), and the speed-up, cold's time over warm's;
* **error at equal time**: the warm run's error when the cold run ended (its final one if it ended earlier);
* **final errors** of both.

Sources: the shipped ``saved_models/burgers`` (ν = 0.01/π), ``saved_models/helmholtz2d`` (k = 4π),
``saved_models/darcy_grid`` (draw 0) and ``saved_models/dip_denoise`` (camera); a source that is not shipped
with its prior weights (``darcy_mlp``: the shipped model has another prior; ``dip_denoise``, exported before
weights were stored) is trained here once, from seed 0, on the base instance. ``--source DIR`` names an export
to use instead, e.g. the one an earlier part of a long job trained, so that all parts start from the same
weights. For ``dip`` the curve is PSNR against the clean image (higher is better), and the warm result is
compared with the cold one to check that the camera does not show through (a difference image is written to
``docs/figures/transfer-dip-IMAGE.png``). Medians over seeds per instance. Writes
``benchmarks/results/transfer.json`` after every seed: the runs of the seeds run replace theirs, every other
run is kept (each records its machine and date), so a long job can be run in parts.
Everything through the public API (``Preset.train``, ``WarmStart``).
"""

from __future__ import annotations

import abc
import argparse
import dataclasses
import json
import math
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from results_file import RESULTS, export_text, progress, recipe_stamp, write_results
from pinnzoo.export import machine
from pinnzoo.presets import get_preset
from pinnzoo.families.grid.preset import field_errors
from pinnzoo.warm_start import WEIGHTS_FILE, WarmStart

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "saved_models"


def first_time(curve, ok) -> float | None:
    """The first time of ``curve`` (``[(t, value), ...]``) at which ``ok(value)`` holds."""
    return next((t for t, v in curve if ok(v)), None)


def value_at(curve, t: float) -> float:
    """The last value of ``curve`` logged at or before ``t`` (the first value if none was)."""
    before = [v for s, v in curve if s <= t]
    return before[-1] if before else curve[0][1]


@dataclasses.dataclass
class Run:
    curve: list  # [(seconds, error)], the last entry the final result
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def final(self) -> float:
        return self.curve[-1][1]

    @property
    def time(self) -> float:
        return self.curve[-1][0]


class Family(abc.ABC):
    """One row group of the benchmark: a source export, new instances, and how a run is made."""

    name: str
    lower_is_better = True

    @abc.abstractmethod
    def instances(self) -> list[dict]:
        """The new instances, as preset parameter changes."""

    @abc.abstractmethod
    def run(self, instance: dict, seed: int, init: WarmStart | None) -> Run:
        """One training run (cold with ``init=None``)."""

    _trained: Path | None = None
    #: an export of the base instance given with ``--source`` (None: the shipped one, or one trained here)
    given: Path | None = None
    #: the family whose instances this one re-runs with another warm start (None: a family of its own)
    variant_of: str | None = None

    def warm_start(self) -> WarmStart:
        """How the warm run starts: from the source's weights."""
        return WarmStart(str(self.source()))

    def source(self) -> Path:
        """``--source`` if given; else the shipped export of the base instance if it holds prior weights; else
        one trained here, once."""
        if self.given is not None:
            return self.given
        shipped = SHIPPED / self.preset
        if (shipped / WEIGHTS_FILE).exists():
            return shipped
        if self._trained is None:
            self._trained = Path(tempfile.mkdtemp(prefix="transfer-")) / self.name
            self.base().train(seed=0, verbose=0, out=self._trained)
        return self._trained

    def base(self):
        """The preset at the source's instance."""
        return get_preset(self.preset)

    def source_text(self) -> str:
        if self.given is not None:
            return export_text(self.given)
        where = self.source()
        return str(where.relative_to(ROOT)) if where.is_relative_to(ROOT) else f"trained here ({self.base().name}, seed 0)"

    def label(self, instance: dict) -> str:
        return ", ".join(f"{k} = {v:.5g}" if isinstance(v, float) else f"{k} = {v}" for k, v in instance.items())

    def better_or_equal(self, a: float, b: float) -> bool:
        return a <= b * (1 + 1e-9) if self.lower_is_better else a >= b - 1e-9


class PINNFamily(Family):
    """A PINN preset at other parameter values; the warm start skips Adam and runs the same L-BFGS budget.
    With ``refit`` (a variant of the family ``variant_of``) the warm start first re-solves the last layer by
    least squares (``--init-reset refit``, :func:`pinnzoo.solvers.refit_last_layer`), inside the timed run."""

    def __init__(self, name, preset, values, refit: bool = False, variant_of: str | None = None):
        self.name, self.preset, self.values, self.refit, self.variant_of = name, preset, values, refit, variant_of

    def warm_start(self):
        return WarmStart(str(self.source()), refit=self.refit)

    def instances(self):
        return [dict(v) for v in self.values]

    def run(self, instance, seed, init):
        preset = get_preset(self.preset).with_params(instance)
        schedule = preset.schedule.replace(lbfgs={"log_every": 100})
        if init is not None:
            schedule = schedule.replace(adam={"epochs": 0})
        result = preset.train(seed=seed, verbose=0, schedule=schedule, init=init)
        return Run([(float(t), float(e)) for t, e in result.error_curve],
                   {"adam_steps": result.adam_steps, "lbfgs_iterations": result.lbfgs_iterations})


class GridErrorLog(keras.callbacks.Callback):
    """The grid field's error against the discrete solution at every logged epoch, with the wall time."""

    def __init__(self, problem):
        super().__init__()
        self.problem, self.curve, self.start = problem, [], time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        error = field_errors(self.problem, self.model.solution())["rel_l2"]
        self.curve.append((time.perf_counter() - self.start, error))


class DarcyFamily(Family):
    """New permeability draws of ``darcy_grid``; cold and warm run the same L-BFGS budget."""

    def __init__(self, name, prior, draws):
        self.name, self.prior, self.draws = name, prior, draws
        self.preset = "darcy_grid"

    def base(self):
        preset = get_preset("darcy_grid")
        return preset if self.prior is None else preset.with_prior(self.prior)

    def source(self):
        if self.prior is None or self.given is not None:
            return super().source()
        if self._trained is None:  # the shipped model has another prior: a source of this one, trained here
            self._trained = Path(tempfile.mkdtemp(prefix="transfer-")) / self.name
            self.base().train(seed=0, verbose=0, out=self._trained)
        return self._trained

    def instances(self):
        return [{"seed": s} for s in self.draws]

    def run(self, instance, seed, init):
        preset = self.base().with_params(instance)
        preset = dataclasses.replace(preset, fit=dataclasses.replace(preset.fit, log_every=100))
        logger = GridErrorLog(preset.build_problem())
        result = preset.train(seed=seed, verbose=0, callbacks=[logger], init=init)
        curve = logger.curve + [(result.train_time, result.metrics["rel_l2"])]
        return Run(curve, {"lbfgs_iterations": result.metrics["lbfgs_iterations"]})


class DIPFamily(Family):
    """DIP denoising of other test images, warm from the camera model; PSNR curves (higher is better)."""

    lower_is_better = False

    def __init__(self, images):
        self.name, self.preset, self.images = "dip", "dip_denoise", images
        self.outputs = {}

    def instances(self):
        return [{"image": name} for name in self.images]

    def run(self, instance, seed, init):
        preset = get_preset(self.preset)
        preset = dataclasses.replace(preset, degradation=dataclasses.replace(preset.degradation, **instance))
        result = preset.train(seed=seed, verbose=0, init=init)
        per_step = result.time_s / max(1, result.steps)
        curve = [(step * per_step, psnr) for step, psnr, *_ in result.quality] + [(result.time_s, result.scores["psnr"])]
        self.outputs[(instance["image"], seed, init is not None)] = result.image
        return Run(curve, {"steps": result.steps, "kept_step": result.kept_step, "ssim": result.scores["ssim"]})

    def compare(self, instance, seed) -> dict:
        """Warm vs cold result of one image: the PSNR between them, and a difference image written to docs."""
        from pinnzoo.image_io import test_image, write_image
        from pinnzoo.metrics import image_scores

        cold, warm = self.outputs[(instance["image"], seed, False)], self.outputs[(instance["image"], seed, True)]
        camera = test_image("camera", cold.shape[0])
        out = {"psnr_warm_vs_cold": image_scores(warm, cold)["psnr"],
               # does the camera show through? correlation of (warm - cold) with the camera image
               "corr_difference_camera": float(np.corrcoef((warm - cold).ravel(), camera.ravel())[0, 1])}
        if seed == 0:
            figure = ROOT / "docs" / "figures" / f"transfer-dip-{instance['image']}.png"
            figure.parent.mkdir(parents=True, exist_ok=True)
            diff = np.clip(0.5 + 2.0 * (warm - cold), 0.0, 1.0)
            write_image(figure, np.concatenate([cold, warm, diff], axis=1))
            out["figure"] = str(figure.relative_to(ROOT))
        return out


SEEDS = 3  # per instance, unless --seeds says otherwise
BURGERS_NU = [{"nu": s * 0.01 / math.pi} for s in (0.5, 0.75, 1.5, 2.0)]
HELMHOLTZ_K = [{"k": n * math.pi} for n in (2, 3, 5, 6)]
FAMILIES = {f.name: f for f in (
    PINNFamily("burgers", "burgers", BURGERS_NU),
    PINNFamily("helmholtz", "helmholtz2d", HELMHOLTZ_K),
    PINNFamily("burgers_refit", "burgers", BURGERS_NU, refit=True, variant_of="burgers"),
    PINNFamily("helmholtz_refit", "helmholtz2d", HELMHOLTZ_K, refit=True, variant_of="helmholtz"),
    DarcyFamily("darcy_multiscale", None, range(1, 11)),
    DarcyFamily("darcy_mlp", "mlp", range(1, 11)),
    DIPFamily(["astronaut", "coffee", "moon", "text", "coins"]),
)}


def measure(family: Family, instance: dict, seed: int) -> dict:
    """Cold then warm on one instance and seed; the comparison of their curves."""
    init = family.warm_start()
    cold, warm = family.run(instance, seed, None), family.run(instance, seed, init)
    target = cold.final
    reach = (lambda v: v <= target * (1 + 1e-9)) if family.lower_is_better else (lambda v: v >= target - 1e-9)
    t_cold, t_warm = first_time(cold.curve, reach), first_time(warm.curve, reach)
    row = {**recipe_stamp(family.base().name, seed), "seed": seed, "cold_final": cold.final, "warm_final": warm.final, "cold_time": cold.time,
           "warm_time": warm.time, "cold_time_to_cold_final": t_cold, "warm_time_to_cold_final": t_warm,
           "speedup": (t_cold / t_warm) if t_warm else None, "warm_at_cold_time": value_at(warm.curve, cold.time),
           "cold_curve": cold.curve, "warm_curve": warm.curve, "cold": cold.extra, "warm": warm.extra}
    if isinstance(family, DIPFamily):
        row.update(family.compare(instance, seed))
    print(f"{family.name} {family.label(instance)} seed {seed}: cold {cold.final:.3e} in {cold.time:.0f} s, "
          f"warm {warm.final:.3e} in {warm.time:.0f} s, speed-up "
          + (f"{row['speedup']:.1f}x" if row["speedup"] else "never reached"), flush=True)
    return row


def summarise(family: Family, instance: dict, runs: list) -> dict:
    speedups = [r["speedup"] if r["speedup"] else 0.0 for r in runs]

    def med(key):
        return float(np.median([r[key] for r in runs]))

    return {"family": family.name, "source": sources_text(runs),
            "instance": instance, "label": family.label(instance), "lower_is_better": family.lower_is_better,
            "seeds": len(runs), "median_speedup": float(np.median(speedups)),
            "reached": sum(1 for r in runs if r["speedup"]), "median_cold_final": med("cold_final"),
            "median_warm_final": med("warm_final"), "median_warm_at_cold_time": med("warm_at_cold_time"),
            "median_cold_time": med("cold_time"), "median_warm_time": med("warm_time"),
            "warm_not_worse": all(family.better_or_equal(r["warm_final"], r["cold_final"]) for r in runs),
            "runs": runs}


def sources_text(runs: list) -> str:
    """Where the row's warm starts came from: one source, or each source with the seeds that used it."""
    seeds = {}
    for r in runs:
        seeds.setdefault(r["source"], []).append(r["seed"])
    if len(seeds) == 1:
        return next(iter(seeds))
    return "; ".join(f"{source} (seed{'s' if len(s) > 1 else ''} {', '.join(map(str, s))})"
                     for source, s in seeds.items())


def _row_order(row: dict) -> tuple:
    """Families in the order of FAMILIES, instances in their family's order."""
    names = list(FAMILIES)
    family = FAMILIES.get(row["family"])
    if family is None:
        return (len(names), 0)
    instances = family.instances()
    return (names.index(row["family"]), instances.index(row["instance"]) if row["instance"] in instances else 0)


def _key(family: str, instance: dict) -> tuple:
    return family, json.dumps(instance, sort_keys=True)


def _earlier_rows(path: Path) -> dict:
    """The rows of a results file by (family, instance), the machine and date each run was measured on kept
    with the run (older files record them per row or per file only)."""
    earlier = json.loads(path.read_text()) if path.exists() else {"rows": []}
    rows = {}
    for r in earlier["rows"]:
        host = {"machine": r.get("machine", earlier.get("machine")), "date": r.get("date", earlier.get("date"))}
        row = {k: v for k, v in r.items() if k not in host}
        # older files record the source per row only
        runs = [{**host, "source": r["source"], **x} for x in r["runs"]]
        rows[_key(r["family"], r["instance"])] = {**row, "runs": runs}
    return rows


def given_source(ap, where: Path, names: list) -> Path:
    """``--source DIR`` checked: one family, and an export of its base preset holding prior weights."""
    if len(names) != 1:
        ap.error("--source needs exactly one FAMILY")
    family = FAMILIES[names[0]]
    meta_file = where / "pinnzoo.json"
    if not meta_file.is_file() or not (where / WEIGHTS_FILE).is_file():
        ap.error(f"--source {where}: not a pinnzoo export with prior weights ({meta_file.name}, {WEIGHTS_FILE})")
    preset = json.loads(meta_file.read_text()).get("preset")
    if preset != family.base().name:
        ap.error(f"--source {where}: an export of {preset!r}, not of {family.base().name!r} (family {family.name})")
    return where.resolve()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("families", nargs="*", choices=[[], *FAMILIES], default=[], metavar="FAMILY")
    ap.add_argument("--seeds", type=int, default=SEEDS, help="run N seeds per instance")
    ap.add_argument("--first-seed", type=int, default=0, help="starting from seed S (seeds S .. S+N-1)")
    ap.add_argument("--skip", type=int, default=0, help="leave out the first K instances of each family")
    ap.add_argument("--limit", type=int, help="then run only K instances of each family")
    ap.add_argument("--source", type=Path, metavar="DIR",
                    help="warm start from this export of the family's base instance (one family only), e.g. a "
                         "source an earlier run trained, so that every instance starts from the same weights")
    args = ap.parse_args(argv)
    names = args.families or list(FAMILIES)
    if args.source is not None:
        FAMILIES[names[0]].given = given_source(ap, args.source, names)
    end = None if args.limit is None else args.skip + args.limit
    rows = _earlier_rows(RESULTS / "transfer.json")
    for name in names:
        family = FAMILIES[name]
        for instance in family.instances()[args.skip:end]:
            print(f"{name}: {instance}", flush=True)
            key = _key(name, instance)
            # a row holds every seed measured on its instance: the seeds run now replace theirs, the others stay
            runs = {x["seed"]: x for x in rows.get(key, {"runs": []})["runs"]}
            for seed in progress(range(args.first_seed, args.first_seed + args.seeds), "seed"):
                runs[seed] = {**measure(family, instance, seed), "source": family.source_text(), "machine": machine(),
                              "date": time.strftime("%Y-%m-%d")}
                rows[key] = summarise(family, instance, [runs[s] for s in sorted(runs)])
                # after every seed: a long run keeps what it measured
                write_results("transfer", {"rows": sorted(rows.values(), key=_row_order)})


if __name__ == "__main__":
    main()
