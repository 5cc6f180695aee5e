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
import time
from typing import ClassVar, Mapping

import keras
import numpy as np

from pinnzoo.callbacks import DiscrepancyStopping
from pinnzoo.distribute import one_device, train_sharded
from pinnzoo.divergence import scaled_adam
from pinnzoo.dtypes import float_type
from pinnzoo.errors import ExportError, InputError
from pinnzoo.export import machine
from pinnzoo.families.grid.figures import coefficient_figures
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS, GridFit, current_parameters
from pinnzoo.families.grid.run import GridRun, fit_adam_lbfgs, run_identity
from pinnzoo.families.grid_inverse.archive import export_coefficient_solver
from pinnzoo.family import Preset, RunResult, register_family
from pinnzoo.grids.darcy_inverse import DarcyInverse
from pinnzoo.plotting.figures import load_history
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.regularizers import PENALTIES
from pinnzoo.run_log import training_log
from pinnzoo.serving import row_signature
from pinnzoo.solvers.coefficient import CoefficientSolver
from pinnzoo.solvers.coupled_coefficient import CoupledCoefficientSolver


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


def build_coefficient_solver(problem, prior: PriorSpec, penalty=None, seed: int = 0, learning_rate: float = 1e-2,
                             input_noise_std: float = 0.0):
    """A compiled :class:`~pinnzoo.solvers.coefficient.CoefficientSolver` in float64 (Adam at ``learning_rate``;
    ``input_noise_std`` perturbs the generator's input in its steps)."""
    keras.utils.set_random_seed(seed)
    with float_type("float64"):
        solver = CoefficientSolver(problem, prior.build(1, seed=seed), penalty=penalty, seed=seed,
                                   input_noise_std=input_noise_std)
        solver.compile(optimizer=scaled_adam(learning_rate), jit_compile=False)  # the solve is not XLA
    return solver


def build_coupled_solver(problem, prior: PriorSpec, state_prior: PriorSpec, residual_weight: float,
                         preconditioned: bool = False, seed: int = 0, learning_rate: float = 1e-2):
    """A compiled :class:`~pinnzoo.solvers.coupled_coefficient.CoupledCoefficientSolver` in float64: ``prior``
    generates ``log a``, ``state_prior`` the state ``u``, the equation weighs ``residual_weight`` (in the
    dual norm with ``preconditioned``)."""
    keras.utils.set_random_seed(seed)
    with float_type("float64"):
        solver = CoupledCoefficientSolver(problem, prior.build(1, seed=seed), state_prior.build(1, seed=seed + 1),
                                          residual_weight=residual_weight, preconditioned=preconditioned, seed=seed)
        solver.compile(optimizer=scaled_adam(learning_rate), jit_compile=False)
    return solver


def fit_coefficient(solver, fit: GridFit, callbacks=(), verbose: int = 0, run=None, extra=None) -> dict:
    """Adam then L-BFGS (no XLA: the solve runs in scipy); returns ``{"adam": history, "lbfgs": history}``.
    ``run`` (a :class:`~pinnzoo.families.grid.run.GridRun`) checkpoints the fit, ``extra()`` adding to its state."""
    epochs = max(1, fit.adam_steps // fit.log_every) if fit.adam_steps else 0
    history = fit_adam_lbfgs(solver, epochs, fit.log_every, fit.lbfgs_iterations, list(callbacks), verbose,
                             run if run is not None else GridRun(None, {}), jit_compile=False, extra=extra)
    info = history.pop("lbfgs_info")
    if "lbfgs" in history:
        history["lbfgs"] = {**history["lbfgs"], "iterations": info["iterations"]}
    return history


@dataclasses.dataclass
class InverseResult(RunResult):
    solver: keras.Model
    preset: "GridInversePreset"
    history: dict
    metrics: dict
    baselines: list
    train_time: float
    export_dir: object = None
    init: dict | None = None  # a warm start's source (pinnzoo.warm_start), or None

    def summary(self) -> str:
        m, best = self.metrics, min(self.baselines, key=lambda b: b["rel_l2"]) if self.baselines else None
        text = f"{self.preset.name}: rel L2 of a = {m['rel_l2']:.3f}, wrong phase {100 * m['wrong_phase']:.1f} %"
        if best:
            text += f" (best baseline {best['method']} {best['rel_l2']:.3f}, {100 * best['wrong_phase']:.1f} %)"
        return (text + f" | {m['stop']} after {m['adam_steps']} Adam steps + {m['lbfgs_iterations']} L-BFGS iterations, "
                f"{self.train_time:.1f} s"
                + (f" | saved to {self.export_dir}" if self.export_dir else " | not exported"))


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
        once exported; ``resume=True`` continues the run it holds (:mod:`pinnzoo.families.grid.run`)."""
        one_device(strategy, f"{self.name} ({self.family} preset)")

        callbacks, log = training_log(callbacks)
        preset = self.quick() if quick else self
        fit = preset.fit.shortened(epochs, lbfgs_iterations)
        problem = preset.build_problem()
        solver = build_coefficient_solver(problem, preset.prior, seed=seed)  # a bad prior fails before the baselines run
        origin = init.apply([solver.prior]) if init is not None else None
        run = GridRun(checkpoint, run_identity(preset, seed, quick, fit, origin), resume)
        if run.restore(solver):  # the baselines ran before the kill: their results are in the checkpoint
            log.rewind(run.state["log_step"])
            baselines, baseline_time = run.state["baselines"], run.state["baselines_time_s"]
        else:
            start = time.perf_counter()
            bar = keras.utils.Progbar(sum(len(b.weights) for b in preset.baselines), verbose=verbose,
                                      unit_name="baseline fit")
            baselines = [b.run(problem, seed, progress=bar) for b in preset.baselines]
            baseline_time = time.perf_counter() - start
        stop = DiscrepancyStopping(preset.discrepancy) if preset.discrepancy is not None else None
        if stop and run.state.get("stopped_at"):
            stop.stopped_at = run.state["stopped_at"]
        start = time.perf_counter() - float(run.state.get("elapsed", 0.0))

        def state():
            return {"elapsed": time.perf_counter() - start, "log_step": log.step, "baselines": baselines,
                    "baselines_time_s": baseline_time, "stopped_at": stop.stopped_at if stop else None}

        try:
            history = fit_coefficient(solver, fit, [*([stop] if stop else []), *callbacks], verbose=verbose, run=run,
                                      extra=state)
        except KeyboardInterrupt as exc:
            exc.solver = solver
            raise
        elapsed = time.perf_counter() - start
        metrics = {**problem.scores(solver.solution()), **_curve(history, fit.log_every),
                   "stop": "discrepancy" if stop and stop.stopped_at else "step limit"}
        result = InverseResult(solver, preset, history, metrics, baselines, elapsed, init=origin)
        if out is not None:
            meta = {"preset": preset.name, "description": preset.description, "metrics": metrics,
                    "set_params": dict(preset.problem_params), "init": origin,
                    "baselines": baselines, "target": min((b["rel_l2"] for b in baselines), default=None),
                    "fit": dataclasses.asdict(fit), "discrepancy": preset.discrepancy, "seed": seed,
                    "training": {"time_s": elapsed, "baselines_time_s": baseline_time, "machine": machine()}}
            result.export_dir = export_coefficient_solver(solver, out, meta, family=self.family, files=log.files())
        run.remove()
        return result

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
        return result

    @classmethod
    def evaluation_line(cls, result: dict) -> str:
        m = result["metrics"]
        line = (f"{result['preset'] or result['problem']}: rel L2 of a = {m['rel_l2']:.4f}, wrong phase "
                f"{100 * m['wrong_phase']:.2f} %, data misfit {m['misfit']:.3f} sigma^2")
        if "meets_target" in result:
            line += f" | target < {result['target']:.4f} (best baseline): {'met' if result['meets_target'] else 'NOT met'}"
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


def _curve(history: dict, log_every: int) -> dict:
    """Steps run, and the oracle-best error along the logged fit (what stopping with the truth would give)."""
    adam, lbfgs = history.get("adam", {}), history.get("lbfgs", {})
    errors = [*adam.get("error", []), *lbfgs.get("error", [])]
    out = {"adam_steps": len(adam.get("error", [])) * log_every, "lbfgs_iterations": int(lbfgs.get("iterations", 0))}
    if errors:
        best = int(np.argmin(errors))
        out.update(oracle_rel_l2=float(errors[best]), oracle_at=(best + 1) * log_every)
    return out
