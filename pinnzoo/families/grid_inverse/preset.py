"""The coefficient-recovery preset family: a prior generates ``log a``, fitted through the PDE solve to noisy data.

A preset is a :class:`~pinnzoo.grids.darcy_inverse.DarcyInverse` problem, a prior
(any :class:`~pinnzoo.priors.base.ImageGenerator`), a :class:`~pinnzoo.families.grid.preset.GridFit`
schedule and a stopping rule (the discrepancy principle, which needs only the noise
level). The classical baselines — regularised least squares on the raw grid with an
H¹ (Tikhonov) or TV penalty, the same forward model and optimiser, each at its best
weight chosen with the truth — run with the preset; the target is to beat the best of them.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Mapping

import numpy as np

from pinnzoo.distribute import one_device, train_sharded
from pinnzoo.errors import ExportError, InputError
from pinnzoo.families.grid_inverse.figures import coefficient_figures
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS, GridFit, current_parameters
from pinnzoo.families.grid_inverse.fit import InverseResult, InverseTraining, build_coefficient_solver, fit_coefficient
from pinnzoo.family import Preset, register_family
from pinnzoo.grids.darcy_inverse import DarcyInverse
from pinnzoo.lifecycle import run_lifecycle
from pinnzoo.plotting.figures import load_history
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.regularizers import PENALTIES
from pinnzoo.serving import row_signature


@dataclasses.dataclass(frozen=True)
class TunedBaseline:
    """Regularised least squares on the raw grid: the ``penalty`` (a :data:`~pinnzoo.regularizers.PENALTIES`
    name) at each of ``weights``, L-BFGS for ``iterations``; the best weight (by the truth) is reported."""

    penalty: str
    weights: tuple[float, ...]
    iterations: int = 600

    def __post_init__(self):
        PENALTIES.get(self.penalty)
        if not self.weights or self.iterations < 1:
            raise InputError("a tuned baseline needs at least one weight and iterations >= 1")

    def run(self, problem, seed: int = 0, log_every: int = 50, progress=None) -> dict:
        """``{"method", "weight", "rel_l2", "wrong_phase", "misfit", "sweep"}`` of the best weight
        (``progress``, a ``keras.utils.Progbar``, advances by one per weight)."""
        sweep = []
        for weight in self.weights:
            solver = build_coefficient_solver(problem, PriorSpec("raw_grid", {}), PENALTIES.get(self.penalty)(weight),
                                              seed=seed)
            fit_coefficient(solver, GridFit(lbfgs_iterations=self.iterations, log_every=log_every))
            sweep.append({"weight": weight, **problem.scores(solver.solution())})
            if progress is not None:
                progress.add(1)
        best = min(sweep, key=lambda r: r["rel_l2"])
        return {"method": f"{self.penalty.upper()}-regularised least squares", **best, "sweep": sweep}


def discrepancy_pick(sweep: list[dict], tau: float) -> dict:
    """The sweep's entry a user without the truth would take (Morozov's discrepancy principle, as the image
    baselines choose): the weight whose data misfit is closest to ``tau`` (misfits are in units of σ², so
    ``tau = 1`` is the noise level)."""
    if not sweep:
        raise InputError("the discrepancy principle needs a non-empty sweep")
    return min(sweep, key=lambda r: abs(r["misfit"] - tau))


def no_truth_baselines(baselines: list[dict], tau: float | None) -> list[dict]:
    """Each tuned baseline at its discrepancy-principle weight instead of its best (``tau`` None: 1)."""
    return [{"method": b["method"], "rule": "discrepancy", **discrepancy_pick(b["sweep"], 1.0 if tau is None else tau)}
            for b in baselines]


@register_family
@dataclasses.dataclass(frozen=True)
class GridInversePreset(Preset):
    """Recover a PDE coefficient with a generator prior; stop at the discrepancy ``misfit <= discrepancy``
    (``None``: run the whole schedule)."""

    family: ClassVar[str] = "grid_inverse"
    name: str
    description: str
    prior: PriorSpec
    fit: GridFit
    discrepancy: float | None = 1.0
    baselines: tuple[TunedBaseline, ...] = ()
    problem_params: Mapping = dataclasses.field(default_factory=dict)

    def build_problem(self):
        return DarcyInverse(**dict(self.problem_params))

    def parameters(self):
        return current_parameters(self.build_problem())

    def replace_params(self, values):
        return dataclasses.replace(self, problem_params={**self.problem_params, **values})

    def with_prior(self, name: str) -> "GridInversePreset":
        return dataclasses.replace(self, prior=PriorSpec(name, GRID_PRIOR_CONFIGS.get(name, {})))

    def quick(self) -> "GridInversePreset":
        return dataclasses.replace(self, fit=self.fit.quick(), problem_params={**self.problem_params, "m": 16},
                                   baselines=tuple(dataclasses.replace(b, weights=b.weights[:1], iterations=10)
                                                   for b in self.baselines))

    def target_text(self) -> str:
        return "rel. L2 of a below the best tuned " + " / ".join(b.penalty.upper() for b in self.baselines) + " baseline"

    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(),
              epochs: int | None = None, lbfgs_iterations: int | None = None, init=None, checkpoint=None,
              resume: bool = False, strategy=None) -> InverseResult:
        """Run the baselines, fit the prior (stopping at the discrepancy), score, export to ``out``;
        ``epochs``/``lbfgs_iterations`` override the fit's budget, ``init`` starts from an export's weights.
        ``checkpoint`` (a file) is rewritten every epoch of the fit (with the baselines' results) and removed
        once exported; ``resume=True`` continues the run it holds (:mod:`pinnzoo.lifecycle`)."""
        one_device(strategy, f"{self.name} ({self.family} preset)")
        preset = self.quick() if quick else self
        training = InverseTraining(preset, seed, quick, verbose, init, preset.fit.shortened(epochs, lbfgs_iterations))
        return run_lifecycle(training, out=out, checkpoint=checkpoint, resume=resume, callbacks=callbacks)

    def train_instances(self, instances, *, strategy=None, seed: int = 0, quick: bool = False, out=None,
                        verbose: int = 1) -> list[InverseResult | None]:
        """One fit per parameter set of ``instances`` (e.g. ``[{"seed": 1}, {"seed": 2}]``), sharded over the
        replicas of ``strategy``: each replica's device fits an equal block on its own thread, each fit the
        one :meth:`train` makes (:func:`~pinnzoo.family.train_sharded`)."""
        return train_sharded(self, instances, strategy=strategy, seed=seed, quick=quick, out=out, verbose=verbose)

    # -- exports ---------------------------------------------------------------------------------------
    @classmethod
    def required_metadata(cls):
        return ("problem", "params", "grid_shape", "metrics")

    @classmethod
    def rebuild_problem(cls, directory, meta: dict):
        try:
            return DarcyInverse(**meta["params"])
        except Exception as exc:
            raise ExportError(f"{directory}: cannot rebuild {meta['problem']!r}: {exc}") from None

    @classmethod
    def serving_signatures(cls, model, meta: dict) -> dict:
        """Rows of the recovered coefficient ``a`` and of the state ``u`` (``serving_default``)."""
        def fields():
            served = model.signatures["serving_default"]()
            return {"a": served["a"], "u": served["u"]}

        return {"serving_default": row_signature(fields)}

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """The recovered permeability against the truth, its state, the curves."""
        served = model.signatures["serving_default"]()
        return coefficient_figures(cls.rebuild_problem(directory, meta), served["a"].numpy().astype(np.float64),
                                   served["u"].numpy().astype(np.float64), meta.get("preset") or meta["problem"],
                                   load_history(directory))

    @classmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """The served coefficient's errors against the truth, recomputed from the export."""
        problem = cls.rebuild_problem(directory, meta)
        served = model.signatures["serving_default"]()
        a = served["a"].numpy().astype(np.float64)
        if list(a.shape) != list(meta["grid_shape"]):
            raise ExportError(f"{directory}: the served coefficient has shape {list(a.shape)}, metadata says "
                              f"{meta['grid_shape']}")
        metrics = problem.scores(a)
        u = problem.forward(np.log(a)).numpy()
        metrics["u_vs_served"] = float(np.abs(u - served["u"].numpy()).max() / np.abs(u).max())
        stored = meta["metrics"]
        result = {"directory": str(directory), "preset": meta.get("preset"), "family": cls.family,
                  "problem": meta["problem"], "metrics": metrics, "stored_metrics": stored, "target": meta.get("target"),
                  "matches_metadata": bool(np.isclose(metrics["rel_l2"], stored["rel_l2"], rtol=1e-3, atol=1e-6))}
        if meta.get("target") is not None:
            result["meets_target"] = bool(metrics["rel_l2"] < meta["target"])
        blind = no_truth_baselines(meta.get("baselines", []), meta.get("discrepancy"))
        if blind:
            result["no_truth_baselines"] = blind
            result["no_truth_target"] = min(b["rel_l2"] for b in blind)
            result["beats_no_truth_target"] = bool(metrics["rel_l2"] < result["no_truth_target"])
        return result

    @classmethod
    def evaluation_line(cls, result: dict) -> str:
        m = result["metrics"]
        line = (f"{result['preset'] or result['problem']}: rel L2 of a = {m['rel_l2']:.4f}, wrong phase "
                f"{100 * m['wrong_phase']:.2f} %, data misfit {m['misfit']:.3f} sigma^2")
        if "meets_target" in result:
            line += f" | target < {result['target']:.4f} (best baseline): {'met' if result['meets_target'] else 'NOT met'}"
        if "no_truth_target" in result:
            line += (f" | best baseline with its weight chosen without the truth {result['no_truth_target']:.4f}: "
                     f"{'beaten' if result['beats_no_truth_target'] else 'NOT beaten'}")
        return line + f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"

    @classmethod
    def headline(cls, meta: dict) -> dict:
        m, best = meta["metrics"], min(meta["baselines"], key=lambda b: b["rel_l2"])
        return {"problem": meta["title"],
                "result": f"rel. L2 of a {m['rel_l2']:.3f}, {100 * m['wrong_phase']:.1f} % cells in the wrong phase "
                          f"({meta['prior']['name']}, discrepancy stop)",
                "target": f"< {best['rel_l2']:.3f} ({best['method'].split('-')[0]})",
                "met": m["rel_l2"] < best["rel_l2"],
                "time_s": meta["training"]["time_s"] + meta["training"].get("baselines_time_s", 0.0)}  # what a user waits
