"""The image-prior preset family: restore one degraded test image with an untrained generator.

A preset is a :class:`Degradation` (how the measurement is made from a clean test
image), a :class:`~pinnzoo.restoration.RestoreConfig` (the *recipe*: prior,
optimiser, stopping, regularisation, output) and a margin over the best classical
baseline, which is the target. ``pinnzoo restore`` runs the same recipes on a
user's images (:func:`recipe_for`).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from pinnzoo.distribute import get_strategy, one_device
from pinnzoo.errors import ExportError, InputError
from pinnzoo.export import machine
from pinnzoo.families.image.archive import export_image_solver
from pinnzoo.families.image.config import RestoreConfig
from pinnzoo.families.image.figures import image_figures
from pinnzoo.families.image.fit import ImageTraining, RestoreResult, check_inputs
from pinnzoo.lifecycle import run_lifecycle
from pinnzoo.families.image.many import restore_many
from pinnzoo.family import PRESETS, Preset, instance_dir, instance_name, register_family
from pinnzoo.image_io import test_image
from pinnzoo.metrics import image_scores
from pinnzoo.operators import degrade, random_mask
from pinnzoo.parameters import Parameter
from pinnzoo.plotting.figures import load_history
from pinnzoo.priors import PRIORS, ImageGenerator
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.serving import passthrough, pixel_signature, row_signature
from pinnzoo.tasks import TASKS, task_parameters


@dataclasses.dataclass(frozen=True)
class Degradation:
    """The measurement ``y = A x + n`` of the gray ``size × size`` scikit-image test image ``image``:
    ``task``'s operator (PSF spec, fraction of missing pixels, scale factor or diffusion time) and white noise
    ``noise_sigma``, both seeded by ``seed``; with ``colour`` the RGB version of a colour image (its centred
    square)."""

    task: str
    image: str = "camera"
    size: int = 256
    colour: bool = False
    noise_sigma: float = 0.0
    psf: str | None = None
    missing: float | None = None
    scale: int | None = None
    kappa_t: float | None = None
    seed: int = 0

    def __post_init__(self):
        TASKS.get(self.task)
        if not self.noise_sigma >= 0:
            raise InputError(f"noise_sigma must be >= 0, got {self.noise_sigma}")

    def measure(self):
        """``(clean [H, W, 1], measurement, operator)``."""
        clean = test_image(self.image, self.size, self.colour)
        mask = None if self.missing is None else random_mask(self.size, self.size, self.missing, self.seed)
        op = TASKS.get(self.task).make(psf=self.psf, mask=mask, scale=self.scale, kappa_t=self.kappa_t)
        return clean, degrade(clean, op, self.noise_sigma, self.seed), op

    def to_dict(self) -> dict:
        return {"noise_sigma": self.noise_sigma, "psf": self.psf, "missing": self.missing, "scale": self.scale,
                "kappa_t": self.kappa_t, "seed": self.seed, "colour": self.colour}


@register_family
@dataclasses.dataclass(frozen=True)
class ImagePreset(Preset):
    """An image-restoration preset: degrade a test image, fit the recipe, score against the baselines.

    The target is the PSNR of the best classical baseline (each at its best
    parameter, chosen with the clean image) plus ``margin`` dB, computed when the
    preset runs on the same degraded image. ``target_methods`` (prefixes of
    baseline method names) restricts which baselines the target is measured
    against, where the preset's definition names them; every baseline is still
    run and recorded.
    """

    family: ClassVar[str] = "image"
    name: str
    description: str
    degradation: Degradation
    recipe: RestoreConfig
    margin: float = 0.0
    target_methods: tuple[str, ...] = ()

    @property
    def task(self) -> str:
        return self.degradation.task

    @property
    def prior(self) -> str:
        return self.recipe.prior.name

    def parameters(self):
        """The degradation's numbers: noise level, noise (and mask) seed, and the task's operator parameter."""
        d = self.degradation
        out = [Parameter("noise_sigma", d.noise_sigma, 0.0, 0.5, doc="white noise std (image in [0, 1])"),
               Parameter("seed", d.seed, 0, 2 ** 31 - 1, integer=True, doc="the noise (and mask) draw")]
        declared = task_parameters()  # the task's own declaration of its numbers (pinnzoo.tasks)
        if d.kappa_t is not None:
            out.append(dataclasses.replace(declared["kappa_t"].number, default=d.kappa_t))
        if d.missing is not None:
            out.append(Parameter("missing", d.missing, 0.0, 0.99, doc="fraction of missing pixels"))
        if d.scale is not None:
            out.append(dataclasses.replace(declared["scale"].number, default=d.scale))
        return tuple(out)

    def replace_params(self, values):
        return dataclasses.replace(self, degradation=dataclasses.replace(self.degradation, **values))

    def quick(self) -> "ImagePreset":
        """64×64 image, 20 steps."""
        return dataclasses.replace(self, degradation=dataclasses.replace(self.degradation, size=64),
                                   recipe=self.recipe.quick())

    def target_text(self) -> str:
        against = f"best of {' / '.join(self.target_methods)}" if self.target_methods else "best baseline"
        return f"target PSNR >= {against} {self.margin:+g} dB"

    def target_baseline(self, baselines: list[dict]) -> dict:
        """The baseline the target is measured against (the best of ``target_methods``, or of all)."""
        eligible = [b for b in baselines if not self.target_methods
                    or any(b["method"].startswith(m) for m in self.target_methods)]
        return max(eligible, key=lambda b: b["psnr"])

    def degrade(self):
        """``(clean [H, W, 1], measurement, operator)``."""
        return self.degradation.measure()

    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(),
              init=None, iterations: int | None = None, checkpoint=None, resume: bool = False,
              strategy=None, **options) -> RestoreResult:
        """Degrade the test image, run the classical baselines, fit the recipe, export if ``out``.

        The result's ``metadata`` holds what goes into ``pinnzoo.json``: PSNR/SSIM of
        the restored image and of the generator's output, the baselines, the
        target, the automatic stopping point against the run's peak, time. ``init`` (a
        :class:`~pinnzoo.warm_start.WarmStart`) starts the generator from a trained export;
        ``iterations`` replaces the recipe's step limit.
        """
        one_device(strategy, f"{self.name} (image preset)")
        if options:
            raise InputError(f"{self.name}: {', '.join(sorted(options))} do(es) not apply to image presets")
        p = self.quick() if quick else self
        if iterations is not None:
            p = dataclasses.replace(p, recipe=p.recipe.override(iterations=int(iterations)))
        clean, y, op = p.degrade()
        checked, reference = check_inputs(y, op, clean)
        training = PresetImageTraining(checked, op, p.recipe, seed, reference, None, verbose, init,
                                       p.degradation.noise_sigma, preset=p, quick=quick, measured=y, clean=clean)
        return run_lifecycle(training, out=out, checkpoint=checkpoint, resume=resume, callbacks=callbacks)

    def train_instances(self, instances, *, strategy=None, seed: int = 0, quick: bool = False, out=None,
                        verbose: int = 1) -> list[RestoreResult]:
        """One fit per parameter set of ``instances`` (e.g. ``[{"seed": 1}, {"seed": 2}]``: two noise draws),
        all trained by one ``model.fit`` with the fits sharded over the replicas of ``strategy``
        (:func:`~pinnzoo.restoration.restore_many`): each ends where its own :meth:`train` would, and is
        scored against its baselines and exported (to ``out/<name>=<value>``) as :meth:`train` does."""
        variants = [(self.quick() if quick else self).with_params(params) for params in instances]
        degraded = [v.degrade() for v in variants]
        baselines = []
        for v, params, (clean, y, op) in zip(variants, instances, degraded):
            if verbose:
                print(f"{v.name} {instance_name(params)}: the classical baselines, each over its parameter grid")
            baselines.append(TASKS.get(v.task).baselines(y, clean, v.degradation.noise_sigma, op, verbose=verbose))
        results = restore_many([y for _, y, _ in degraded], [op for _, _, op in degraded], variants[0].recipe,
                               seeds=[seed] * len(variants), references=[c for c, _, _ in degraded],
                               strategy=strategy, verbose=verbose,
                               noise_sigmas=[v.degradation.noise_sigma for v in variants])
        for v, params, result, (base, blind), (clean, y, _) in zip(variants, instances, results, baselines, degraded):
            result.label = f"{v.name} ({', '.join(f'{k}={x}' for k, x in params.items())})"
            result.metadata = v.metadata(result, base, y, clean, seed, quick, blind)
            result.metadata["instances"] = {"count": len(instances), "strategy": _strategy_name(strategy)}
            if out is not None:
                result.export_dir = export_image_solver(result.solver, instance_dir(out, params), result.metadata)
        return results

    def metadata(self, result: RestoreResult, baselines, y, clean, seed: int, quick: bool, no_reference=None) -> dict:
        r, peak_step, peak_psnr = self.recipe, *result.peak
        metrics = {"psnr": result.scores["psnr"], "ssim": result.scores["ssim"],
                   "psnr_generator": result.raw_scores["psnr"], "ssim_generator": result.raw_scores["ssim"]}
        if result.average_scores is not None:  # the restored image is the projected average: record both
            metrics.update(psnr_average=result.average_scores["psnr"], ssim_average=result.average_scores["ssim"])
        auto = r.stopping.enabled(r.prior)
        d = self.degradation
        return {
            "preset": self.name, "description": self.description, "task": self.task, "init": result.init,
            "reference_image": {"name": d.image, "size": d.size, "colour": d.colour,
                                "source": f"skimage.data, {'RGB, centred square' if d.colour else 'gray'}, anti-aliased resize"},
            "degradation": d.to_dict(),
            "measurement_psnr": image_scores(y, clean)["psnr"] if y.shape == clean.shape else None,
            "baselines": baselines, "baselines_no_reference": no_reference, "margin_db": self.margin,
            "target_baseline": self.target_baseline(baselines),
            "target_psnr": self.target_baseline(baselines)["psnr"] + self.margin,
            "metrics": metrics,
            "stopping": {"rule": "windowed moving variance (ES-WMV)" if auto else "step limit (no early stopping)",
                         "window": r.stopping.window, "patience": r.stopping.patience,
                         "average_lag": r.stopping.average_lag, "discrepancy_gate": result.gate,
                         "kept_step": result.kept_step, "steps": result.steps,
                         "auto_stopped": result.auto_stopped,
                         "peak_step": peak_step, "peak_psnr": peak_psnr, "gap_to_peak_db": peak_psnr - metrics["psnr"],
                         "logged_every": r.output.log_every},
            "training": {"time_s": round(result.time_s, 2),
                         "ms_per_step": round(1000 * result.time_s / result.steps, 1),
                         "max_iterations": r.optimiser.iterations, "learning_rate": r.optimiser.learning_rate,
                         "lr_schedule": r.optimiser.lr_schedule, "precondition_lambda": r.regularisation.precondition,
                         "data_consistency": r.output.data_consistency, "tv_weight": r.regularisation.tv_weight,
                         "input_noise_std": result.solver.input_noise_std, "ema_decay": r.output.ema_decay,
                         "seed": seed, "quick": quick, "machine": machine()},
            "recipe": r.to_dict(),
        }

    # -- exports ---------------------------------------------------------------------------------------
    @classmethod
    def required_metadata(cls):
        return ("image_shape",)

    @classmethod
    def serving_signatures(cls, model, meta: dict) -> dict:
        """Rows (``serving_default``) and pixels of the restored image, and the generator (``generate``)."""
        def image():
            return model.signatures["serving_default"]()["image"][0]

        return {"serving_default": row_signature(lambda: {"image": image()}), "pixels": pixel_signature(image),
                "generate": passthrough(model.signatures["generate"])}

    @classmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """PSNR/SSIM of the stored image and of the generator on its fixed input, against the test image."""
        image = model.signatures["serving_default"]()["image"].numpy()[0]
        generated = model.signatures["generate"](noise=model.signatures["noise"]()["noise"])["image"].numpy()[0]
        result = {"directory": str(directory), "preset": meta.get("preset"), "family": cls.family,
                  "task": meta.get("task"), "stored_metrics": meta.get("metrics", {}),
                  "target": meta.get("target_psnr")}
        ref = meta.get("reference_image")
        if not ref:
            result["metrics"] = {}
            return result
        clean = test_image(ref["name"], int(ref["size"]), bool(ref.get("colour", False)))
        if clean.shape != image.shape:
            raise ExportError(f"{directory}: image shape {image.shape} differs from the reference's {clean.shape}")
        metrics = image_scores(image, clean)
        metrics["psnr_generator"] = image_scores(generated, clean)["psnr"]
        result["metrics"] = metrics
        stored = result["stored_metrics"]
        if "psnr" in stored:
            result["matches_metadata"] = bool(
                abs(metrics["psnr"] - stored["psnr"]) < 1e-3
                and abs(metrics["psnr_generator"] - stored.get("psnr_generator", np.nan)) < 1e-2)
        if result["target"] is not None:
            result["meets_target"] = bool(metrics["psnr"] >= result["target"])
        return result

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """Measured / restored / reference / difference (the preset's measurement is remade from its seeded
        degradation), and the curves with the automatic stop and the PSNR peak marked."""
        restored = model.signatures["serving_default"]()["image"].numpy()[0]
        measured = clean = None
        if meta.get("reference_image") and meta.get("degradation") is not None:
            ref = meta["reference_image"]
            clean, measured, _ = Degradation(meta["task"], ref["name"], int(ref["size"]),
                                             **meta["degradation"]).measure()
        stop = meta.get("stopping", {})
        marks = [(float(stop[k]), label) for k, label in (("kept_step", "kept (automatic stop)"),
                                                           ("peak_step", "PSNR peak")) if stop.get(k) is not None]
        title = meta.get("preset") or f"restored {meta.get('task', 'image')}"
        return image_figures(restored, title, measured, clean, load_history(directory), marks)

    @classmethod
    def headline(cls, meta: dict) -> dict:
        m, best = meta["metrics"], meta.get("target_baseline", meta["baselines"][0])
        d = meta["degradation"]
        parts = [f"PSF {d['psf']}" if d.get("psf") else "", f"{d['missing']:.0%} missing" if d.get("missing") else "",
                 f"x{d['scale']} area downsampling" if d.get("scale") else "",
                 f"kappa*T {d['kappa_t']:g} px²" if d.get("kappa_t") else "",
                 f"noise {d['noise_sigma']:.3g}" if d.get("noise_sigma") else "noise-free"]
        return {"problem": f"{meta['task']} (camera 256², {', '.join(p for p in parts if p)})",
                "result": f"PSNR {m['psnr']:.2f} dB, SSIM {m['ssim']:.3f}",
                "target": f"≥ {meta['target_psnr']:.2f} dB ({best['method']} {meta['margin_db']:+g} dB)",
                "met": m["psnr"] >= meta["target_psnr"], "gap": f"{m['psnr'] - meta['target_psnr']:+.2f} dB",
                "time_s": meta["training"]["time_s"]}

    @classmethod
    def evaluation_line(cls, result: dict) -> str:
        m = result["metrics"]
        line = f"{result['preset'] or result['directory']}: "
        line += f"PSNR {m['psnr']:.2f} dB, SSIM {m['ssim']:.3f}" if m else "no reference image recorded"
        if "meets_target" in result:
            line += f" | target {result['target']:.2f} dB: {'met' if result['meets_target'] else 'NOT met'}"
        if "matches_metadata" in result:
            line += f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"
        return line


def image_presets() -> list[ImagePreset]:
    return [p for p in PRESETS.values() if isinstance(p, ImagePreset)]


def recipe_for(task: str, prior: str | None = None):
    """``(preset, note)``: the shipped recipe for restoring ``task`` with ``prior``.

    The preset with this task and prior if there is one; otherwise the task's
    preset (the DIP one first) with the prior's network from another preset that
    uses it, and a note that says so. ``prior=None`` takes the task's DIP preset.

    Raises:
        InputError: unknown task or prior, or no preset for the task.
    """
    TASKS.get(task)
    for_task = sorted((p for p in image_presets() if p.task == task), key=lambda p: (p.prior != "dip", p.name))
    if not for_task:
        raise InputError(f"no preset restores {task!r}")
    if prior is None:
        return for_task[0], None
    if not issubclass(PRIORS.get(prior), ImageGenerator):
        raise InputError(f"prior {prior!r} is not an image generator")
    exact = [p for p in for_task if p.prior == prior]
    if exact:
        return exact[0], None
    base = for_task[0]
    donors = sorted((p for p in image_presets() if p.prior == prior), key=lambda p: p.name)
    spec = donors[0].recipe.prior if donors else PriorSpec(prior)
    note = (f"no tuned {task} recipe for {prior}: {base.name}'s settings with "
            + (f"{donors[0].name}'s network" if donors else f"the default {prior} network"))
    return dataclasses.replace(base, recipe=dataclasses.replace(base.recipe, prior=spec)), note


def _strategy_name(strategy) -> str:
    return type(get_strategy(strategy)).__name__


@dataclasses.dataclass
class PresetImageTraining(ImageTraining):
    """An image preset's run: its classical baselines first (over their parameter grids), then the recipe's fit
    of the degraded test image (:class:`~pinnzoo.families.image.fit.ImageTraining`), scored against the clean
    image and exported with the preset's metadata (baselines, target, stop)."""

    preset: object = None  # the ImagePreset, quick if asked
    quick: bool = False
    measured: object = None  # the degraded test image and the clean one, as the baselines and metadata see them
    clean: object = None

    def build(self, run):
        p = self.preset
        if self.verbose:
            print(f"{p.name}: the classical baselines, each over its parameter grid")
        self.baselines, self.no_reference = TASKS.get(p.task).baselines(self.measured, self.clean, p.degradation.noise_sigma,
                                                     self.operator, verbose=self.verbose)
        return super().build(run)

    def score(self, run, solver, history):
        result = super().score(run, solver, history)
        result.label = self.preset.name
        result.metadata = self.preset.metadata(result, self.baselines, self.measured, self.clean, self.seed, self.quick,
                                               self.no_reference)
        return result

    def metadata(self, run, result) -> dict:
        return result.metadata
