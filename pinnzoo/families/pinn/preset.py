"""The PINN preset family: a PDE problem, an MLP prior, solver options and a training schedule.

    preset = get_preset("burgers")
    solver = preset.build()                 # a fresh, uncompiled PINNSolver
    result = preset.train(out="runs/b")    # Adam with model.fit, then L-BFGS; exported to runs/b
"""

from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar, Mapping, Union

import numpy as np

from pinnzoo.errors import ExportError
from pinnzoo.export import predict_export
from pinnzoo.families.pinn.figures import pinn_figures
from pinnzoo.families.pinn.fit import param_text, train_pinn
from pinnzoo.families.pinn.schedule import Schedule
from pinnzoo.family import Preset, register_family
from pinnzoo.metrics import param_errors, score_problem
from pinnzoo.plotting.figures import load_history
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.problems import get_problem
from pinnzoo.solvers import PINNSolver, TimeMarchingSolver

#: a problem by registry name, or a factory called with the preset's ``params`` as keywords (a problem class)
ProblemSource = Union[str, Callable[..., object]]
#: a prior by registry name and config, or a factory ``problem -> network``
PriorSource = Union[PriorSpec, Callable[[object], object]]


@register_family
@dataclasses.dataclass(frozen=True)
class PINNPreset(Preset):
    """A physics-informed network for one PDE problem.

    ``problem`` and ``prior`` are built afresh for every run (a
    :class:`~pinnzoo.priors.PriorSpec` is built with as many outputs as the
    problem has). ``solver`` holds :class:`~pinnzoo.solvers.PINNSolver` options;
    ``observations = {"n": N, "noise": σ}`` adds noisy data of the reference
    (inverse problems, with the target ``param_target`` for the identified
    coefficients), drawn with the run's seed + 1000 unless ``"noise_seed"`` fixes
    the draw (so that noise draws and network seeds vary apart); ``marching = {"windows": K}`` solves by time marching, the
    schedule running once per window.
    """

    family: ClassVar[str] = "pinn"
    name: str
    description: str
    problem: ProblemSource
    prior: PriorSource
    schedule: Schedule
    solver: Mapping = dataclasses.field(default_factory=dict)
    target: float | None = None
    observations: Mapping | None = None
    param_target: float | None = None
    marching: Mapping | None = None
    params: Mapping = dataclasses.field(default_factory=dict)

    def make_problem(self):
        """The problem, with the preset's ``params`` (``problem`` by name, or from the factory with them)."""
        if isinstance(self.problem, str):
            return get_problem(self.problem, **dict(self.params))
        return self.problem(**dict(self.params))

    def parameters(self):
        problem = self.make_problem()
        return tuple(dataclasses.replace(p, default=problem.params[p.name]) for p in type(problem).parameters())

    def replace_params(self, values):
        return dataclasses.replace(self, params={**self.params, **values})

    def make_prior(self, problem):
        if isinstance(self.prior, PriorSpec):
            return self.prior.build(len(problem.outputs))
        return self.prior(problem)

    def build(self, params: Mapping | None = None):
        """A fresh, uncompiled solver (in the current Keras float type): a
        :class:`~pinnzoo.solvers.PINNSolver`, or with ``marching`` a
        :class:`~pinnzoo.solvers.TimeMarchingSolver` of ``windows`` of them;
        ``params`` changes problem parameters (as :meth:`with_params`)."""
        if params:
            return self.with_params(params).build()
        problem = self.make_problem()
        if self.marching:
            windows = int(self.marching["windows"])
            return TimeMarchingSolver(problem, [self.make_prior(problem) for _ in range(windows)], windows,
                                      coordinate=self.marching.get("coordinate", "t"), solver=dict(self.solver))
        return PINNSolver(problem, self.make_prior(problem), **dict(self.solver))

    def quick(self) -> "PINNPreset":
        return dataclasses.replace(self, schedule=self.schedule.quick())

    def target_text(self) -> str:
        return f"target rel L2 <= {self.target:g}" if self.target else ""

    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(), **options):
        """Train with :func:`pinnzoo.families.pinn.fit.train_pinn` (``options``: ``epochs``, ``log_every``, ``schedule``)."""
        return train_pinn(self, seed=seed, quick=quick, out=out, verbose=verbose, callbacks=callbacks, **options)

    # -- exports ---------------------------------------------------------------------------------------
    @classmethod
    def required_metadata(cls):
        return ("problem", "inputs", "outputs", "params")

    @classmethod
    def rebuild_problem(cls, directory, meta: dict):
        """The export's problem, rebuilt from its metadata (a clear error if it cannot be)."""
        try:
            return get_problem(meta["problem"], **meta["params"])
        except Exception as exc:
            raise ExportError(f"{directory}: cannot rebuild problem {meta['problem']!r}: {exc}") from None

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """Solution, reference and error fields, slices, and the training curves (:mod:`pinnzoo.families.pinn.figures`)."""
        return pinn_figures(cls.rebuild_problem(directory, meta), lambda pts: predict_export(model, meta, pts),
                            meta.get("preset") or meta["problem"], load_history(directory),
                            meta.get("training", {}).get("error_curve"))

    @classmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """The relative L2 error on the problem's scoring grid (and identified coefficients), recomputed."""
        problem = cls.rebuild_problem(directory, meta)
        metrics = score_problem(problem, lambda pts: predict_export(model, meta, pts))
        if "coefficients" in model.signatures:
            identified = {k: float(v.numpy()) for k, v in model.signatures["coefficients"]().items()}
            metrics.update(param_errors(identified, problem.params))
        stored = meta.get("metrics", {})
        result = {"directory": str(directory), "preset": meta.get("preset"), "family": cls.family,
                  "problem": meta["problem"], "metrics": metrics, "stored_metrics": stored,
                  "target": meta.get("target")}
        if "rel_l2" in stored:
            result["matches_metadata"] = bool(np.isclose(metrics["rel_l2"], stored["rel_l2"], rtol=1e-3, atol=1e-7))
        if meta.get("target") is not None:
            result["meets_target"] = bool(metrics["rel_l2"] <= meta["target"])
        if meta.get("param_target") is not None:
            worst = max(v for k, v in metrics.items() if k.endswith("_rel_error"))
            result["meets_param_target"] = bool(worst <= meta["param_target"])
            result["meets_target"] = result.get("meets_target", True) and result["meets_param_target"]
        return result

    @classmethod
    def headline(cls, meta: dict) -> dict:
        m = meta["metrics"]
        errors = [v for k, v in m.items() if k.endswith("_rel_error")]
        met = m["rel_l2"] <= meta["target"] and all(e <= (meta.get("param_target") or 0) for e in errors)
        target = f"≤ {meta['target']:g}" + (f"; coefficients ≤ {meta['param_target']:g}" if errors else "")
        result = f"rel. L2 {m['rel_l2']:.2e}" + "".join(
            f"; {k[len('param_'):-len('_rel_error')]} {v:.1e} off" for k, v in m.items() if k.endswith("_rel_error"))
        return {"problem": meta["title"], "result": result, "target": target, "met": met,
                "time_s": meta["training"]["time_s"]}

    @classmethod
    def evaluation_line(cls, result: dict) -> str:
        m = result["metrics"]
        line = f"{result['preset'] or result['problem']}: rel L2 = {m['rel_l2']:.3e} on grid {m['grid']}"
        line += param_text(m)
        if "meets_target" in result:
            line += f" | target {result['target']:g}: {'met' if result['meets_target'] else 'NOT met'}"
        if "matches_metadata" in result:
            line += f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"
        return line

