"""One grid-inverse run (:mod:`pinnzoo.lifecycle`): the tuned baselines, then the generator of the coefficient fitted
through the sparse solve until the discrepancy; the coefficient scored against the truth."""

from __future__ import annotations

import dataclasses
import time
from typing import ClassVar

import keras
import numpy as np

from pinnzoo.callbacks import DiscrepancyStopping
from pinnzoo.divergence import scaled_adam
from pinnzoo.dtypes import float_type
from pinnzoo.families.grid.fit import GridRun, fit_adam_lbfgs, run_identity
from pinnzoo.families.grid_inverse.archive import export_coefficient_solver
from pinnzoo.family import RunResult
from pinnzoo.lifecycle import Training
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.solvers.coefficient import CoefficientSolver
from pinnzoo.solvers.coupled_coefficient import CoupledCoefficientSolver


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


def fit_coefficient(solver, fit, callbacks=(), verbose: int = 0, run=None, extra=None) -> dict:
    """Adam then L-BFGS (no XLA: the solve runs in scipy); returns ``{"adam": history, "lbfgs": history}``.
    ``run`` (a :class:`~pinnzoo.families.grid.fit.GridRun`) checkpoints the fit, ``extra()`` adding to its state."""
    epochs = max(1, fit.adam_steps // fit.log_every) if fit.adam_steps else 0
    history = fit_adam_lbfgs(solver, epochs, fit.log_every, fit.lbfgs_iterations, list(callbacks), verbose,
                             run if run is not None else _no_checkpoint(), jit_compile=False, extra=extra)
    info = history.pop("lbfgs_info")
    if "lbfgs" in history:
        history["lbfgs"] = {**history["lbfgs"], "iterations": info["iterations"]}
    return history


def _no_checkpoint() -> GridRun:
    run = GridRun()
    run.open({})
    return run


@dataclasses.dataclass
class InverseResult(RunResult):
    solver: keras.Model
    preset: object  # the GridInversePreset
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


@dataclasses.dataclass
class InverseTraining(Training):
    """The baselines (their results kept in the checkpoint), then the generator's fit stopped at the
    discrepancy; time counts from the fit (the baselines' own is recorded beside it)."""

    preset: object  # the GridInversePreset, quick if asked
    seed: int
    quick: bool
    verbose: int
    init: object
    fit_schedule: object  # the preset's GridFit, shortened by --epochs / --lbfgs-iterations
    run_type: ClassVar[type] = GridRun

    def build(self, run):
        self.problem = self.preset.build_problem()
        solver = build_coefficient_solver(self.problem, self.preset.prior, seed=self.seed)  # fails before baselines
        self.origin = self.init.apply([solver.prior]) if self.init is not None else None
        return solver

    def identity(self, run, solver) -> dict:
        return run_identity(self.preset, self.seed, self.quick, self.fit_schedule, self.origin)

    def fit(self, run, solver):
        preset = self.preset
        if run.restore(solver):  # the baselines ran before the kill: their results are in the checkpoint
            run.log.rewind(run.state["log_step"])
            self.baselines, self.baseline_time = run.state["baselines"], run.state["baselines_time_s"]
        else:
            start = time.perf_counter()
            bar = keras.utils.Progbar(sum(len(b.weights) for b in preset.baselines), verbose=self.verbose,
                                      unit_name="baseline fit")
            self.baselines = [b.run(self.problem, self.seed, progress=bar) for b in preset.baselines]
            self.baseline_time = time.perf_counter() - start
        stop = self.stop = DiscrepancyStopping(preset.discrepancy) if preset.discrepancy is not None else None
        if stop and run.state.get("stopped_at"):
            stop.stopped_at = run.state["stopped_at"]
        run.restart_clock()

        def state():
            return {"elapsed": run.elapsed(), "log_step": run.log.step, "baselines": self.baselines,
                    "baselines_time_s": self.baseline_time, "stopped_at": stop.stopped_at if stop else None}

        history = fit_coefficient(solver, self.fit_schedule, [*([stop] if stop else []), *run.callbacks],
                                  verbose=self.verbose, run=run, extra=state)
        return solver, history

    def score(self, run, solver, history) -> InverseResult:
        metrics = {**self.problem.scores(solver.solution()), **_curve(history, self.fit_schedule.log_every),
                   "stop": "discrepancy" if self.stop and self.stop.stopped_at else "step limit"}
        return InverseResult(solver, self.preset, history, metrics, self.baselines, run.elapsed(), init=self.origin)

    def trained_preset(self):
        return dataclasses.replace(self.preset, fit=self.fit_schedule)

    def metadata(self, run, result) -> dict:
        p = self.preset
        return {"preset": p.name, "description": p.description, "metrics": result.metrics,
                "set_params": dict(p.problem_params), "init": self.origin,
                "baselines": self.baselines, "target": min((b["rel_l2"] for b in self.baselines), default=None),
                "fit": dataclasses.asdict(self.fit_schedule), "discrepancy": p.discrepancy, "seed": self.seed,
                "training": run.training(time_s=result.train_time, baselines_time_s=self.baseline_time)}

    def archive(self, result, out, meta: dict, files: dict):
        return export_coefficient_solver(result.solver, out, meta, family=self.preset.family, files=files)


def _curve(history: dict, log_every: int) -> dict:
    """Steps run, and the oracle-best error along the logged fit (what stopping with the truth would give)."""
    adam, lbfgs = history.get("adam", {}), history.get("lbfgs", {})
    errors = [*adam.get("error", []), *lbfgs.get("error", [])]
    out = {"adam_steps": len(adam.get("error", [])) * log_every, "lbfgs_iterations": int(lbfgs.get("iterations", 0))}
    if errors:
        best = int(np.argmin(errors))
        out.update(oracle_rel_l2=float(errors[best]), oracle_at=(best + 1) * log_every)
    return out
