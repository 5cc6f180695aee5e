"""The grid-PDE preset family: solve a discrete PDE with any prior, score against the exact discrete solution.

A preset is a grid problem (:data:`~pinnzoo.grids.GRID_PROBLEMS`), a prior
(:class:`~pinnzoo.priors.PriorSpec`: a generator, the raw grid, or an MLP), the
loss (:data:`~pinnzoo.grids.losses.GRID_LOSSES`) and a :class:`GridFit`
schedule (Adam steps, then L-BFGS iterations). The target is a relative L2 error
against the sparse direct solve of the same stencil.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Mapping

import keras
import numpy as np

from pinnzoo.distribute import one_device, train_sharded
from pinnzoo.divergence import scaled_adam
from pinnzoo.dtypes import float_type
from pinnzoo.errors import ExportError, InputError
from pinnzoo.families.grid.figures import grid_figures
from pinnzoo.families.grid.fit import GridResult, GridTraining, field_errors
from pinnzoo.family import PRESETS, Preset, register_family
from pinnzoo.grids import get_grid_problem
from pinnzoo.lifecycle import run_lifecycle
from pinnzoo.plotting.figures import load_history
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.serving import passthrough, row_signature
from pinnzoo.solvers.grid import GridSolver


@dataclasses.dataclass(frozen=True)
class GridFit:
    """How a grid preset fits: ``adam_steps`` Adam steps at ``learning_rate`` (decayed ×0.1 over the
    run), then ``lbfgs_iterations`` of scipy's L-BFGS-B; logs every ``log_every``; in ``dtype``."""

    adam_steps: int = 0
    learning_rate: float = 1e-3
    lbfgs_iterations: int = 0
    log_every: int = 100
    dtype: str = "float64"

    def __post_init__(self):
        if self.adam_steps < 0 or self.lbfgs_iterations < 0:
            raise InputError("a grid fit needs adam_steps >= 0 and lbfgs_iterations >= 0 (both 0: the prior's "
                             "initial field, e.g. a warm start's)")
        if not self.learning_rate > 0 or self.log_every < 1:
            raise InputError("learning_rate must be > 0 and log_every >= 1")

    def shortened(self, epochs: int | None = None, lbfgs_iterations: int | None = None) -> "GridFit":
        """This fit with ``epochs`` of ``log_every`` Adam steps and/or ``lbfgs_iterations`` (``None``: as is)."""
        changes = {}
        if epochs is not None:
            changes["adam_steps"] = int(epochs) * self.log_every
        if lbfgs_iterations is not None:
            changes["lbfgs_iterations"] = int(lbfgs_iterations)
        return dataclasses.replace(self, **changes) if changes else self

    def quick(self) -> "GridFit":
        return dataclasses.replace(self, adam_steps=min(self.adam_steps, 20), lbfgs_iterations=min(self.lbfgs_iterations, 20),
                                   log_every=10)


#: prior name -> its configuration for grid fields (generators get a linear head: fields are not images)
GRID_PRIOR_CONFIGS: dict[str, dict] = {
    "multiscale_grid": {"levels": 6},
    "raw_grid": {},
    "deep_decoder": {"channels": 64, "layers": 4, "output_activation": "linear"},
    "dip": {"channels_down": (32,) * 4, "channels_skip": 4, "input_channels": 8, "output_activation": "linear"},
    "mlp": {"widths": (64,) * 4},
    "fourier_mlp": {"widths": (64,) * 3},
    "modified_mlp": {},
}
#: the zoo's grid prior: the multiscale grid at its comparison configuration
MULTISCALE = PriorSpec("multiscale_grid", GRID_PRIOR_CONFIGS["multiscale_grid"])


def current_parameters(problem) -> tuple:
    """A grid problem's declared parameters with their defaults set to the problem's values."""
    return tuple(dataclasses.replace(p, default=problem.params[p.name]) for p in problem.parameters)


@register_family
@dataclasses.dataclass(frozen=True)
class GridPreset(Preset):
    """A grid PDE solved by fitting a prior's field to the discrete residual (or energy)."""

    family: ClassVar[str] = "grid"
    name: str
    description: str
    problem: str
    prior: PriorSpec
    fit: GridFit
    loss: str = "residual"
    target: float = 1e-3
    problem_params: Mapping = dataclasses.field(default_factory=dict)

    def build_problem(self):
        return get_grid_problem(self.problem, **dict(self.problem_params))

    def parameters(self):
        return current_parameters(self.build_problem())

    def replace_params(self, values):
        return dataclasses.replace(self, problem_params={**self.problem_params, **values})

    def with_prior(self, name: str) -> "GridPreset":
        """This preset with another registered prior (at its :data:`GRID_PRIOR_CONFIGS` configuration)."""
        return dataclasses.replace(self, prior=PriorSpec(name, GRID_PRIOR_CONFIGS.get(name, {})))

    def quick(self) -> "GridPreset":
        return dataclasses.replace(self, fit=self.fit.quick())

    def target_text(self) -> str:
        return f"rel. L2 vs the discrete solution <= {self.target:g}"

    def build_solver(self, seed: int = 0):
        keras.utils.set_random_seed(seed)
        with float_type(self.fit.dtype):
            solver = GridSolver(self.build_problem(), self.prior.build(1, seed=seed), loss=self.loss, seed=seed)
            decay = max(1, self.fit.adam_steps)
            lr = keras.optimizers.schedules.ExponentialDecay(self.fit.learning_rate, decay, 0.1)
            solver.compile(optimizer=scaled_adam(lr), jit_compile=True)
        return solver

    def with_fit(self, epochs: int | None = None, lbfgs_iterations: int | None = None) -> "GridPreset":
        """This preset with a shorter (or longer) fit: :meth:`GridFit.shortened`."""
        return dataclasses.replace(self, fit=self.fit.shortened(epochs, lbfgs_iterations))

    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(),
              epochs: int | None = None, lbfgs_iterations: int | None = None, init=None, checkpoint=None,
              resume: bool = False, strategy=None) -> GridResult:
        """Adam (``epochs`` of ``log_every`` steps overrides the preset's), then L-BFGS (``lbfgs_iterations``
        overrides it); from the prior weights of ``init`` (a :class:`~pinnzoo.warm_start.WarmStart`) if given;
        export to ``out``. ``checkpoint`` (a file) is rewritten every epoch while the fit runs and removed
        once exported; ``resume=True`` continues the run it holds (:mod:`pinnzoo.lifecycle`)."""
        one_device(strategy, f"{self.name} ({self.family} preset)")
        preset = (self.quick() if quick else self).with_fit(epochs, lbfgs_iterations)
        return run_lifecycle(GridTraining(preset, seed, quick, verbose, init), out=out, checkpoint=checkpoint,
                             resume=resume, callbacks=callbacks)

    def train_instances(self, instances, *, strategy=None, seed: int = 0, quick: bool = False, out=None,
                        verbose: int = 1) -> list[GridResult | None]:
        """One fit per parameter set of ``instances`` (e.g. ``[{"seed": 1}, {"seed": 2}]``), sharded over the
        replicas of ``strategy``: each replica's device fits an equal block on its own thread, each fit the
        one :meth:`train` makes (:func:`~pinnzoo.family.train_sharded`)."""
        return train_sharded(self, instances, strategy=strategy, seed=seed, quick=quick, out=out, verbose=verbose)

    # -- exports ---------------------------------------------------------------------------------------
    @classmethod
    def required_metadata(cls):
        return ("problem", "params", "grid_shape")

    @classmethod
    def rebuild_problem(cls, directory, meta: dict):
        """The export's grid problem, rebuilt from its metadata (a clear error if it cannot be)."""
        try:
            return get_grid_problem(meta["problem"], **meta["params"])
        except Exception as exc:
            raise ExportError(f"{directory}: cannot rebuild grid problem {meta['problem']!r}: {exc}") from None

    @classmethod
    def verdict(cls, directory, meta: dict, metrics: dict) -> dict:
        """``evaluate_export``'s result: recomputed ``metrics`` against the stored ones and the target."""
        stored = meta.get("metrics", {})
        result = {"directory": str(directory), "preset": meta.get("preset"), "family": cls.family,
                  "problem": meta["problem"], "metrics": metrics, "stored_metrics": stored, "target": meta.get("target")}
        if "rel_l2" in stored:
            result["matches_metadata"] = bool(np.isclose(metrics["rel_l2"], stored["rel_l2"], rtol=1e-2, atol=1e-7))
        if meta.get("target") is not None:
            result["meets_target"] = bool(metrics["rel_l2"] <= meta["target"])
        return result

    @classmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """The field's errors against the discrete (and continuous) solution, recomputed from the export;
        also checks that ``query`` at the grid's own points returns the field."""
        problem = cls.rebuild_problem(directory, meta)
        served = model.signatures["serving_default"]()
        u = served["u"].numpy().astype(np.float64)
        if list(u.shape) != list(meta["grid_shape"]):
            raise ExportError(f"{directory}: the served field has shape {list(u.shape)}, metadata says {meta['grid_shape']}")
        metrics = field_errors(problem, u)
        points = problem.coordinates().reshape(-1, 2).astype(np.float32)
        queried = model.signatures["query"](inputs=points)["u"].numpy().reshape(u.shape)
        metrics["query_vs_field"] = float(np.abs(queried - u).max() / np.abs(u).max())
        return cls.verdict(directory, meta, metrics)

    @classmethod
    def serving_signatures(cls, model, meta: dict) -> dict:
        """Point queries (``serving_default``, the export's ``query``) and rows of the field (``rows``)."""
        return {"serving_default": passthrough(model.signatures["query"]),
                "rows": row_signature(lambda: {"u": model.signatures["serving_default"]()["u"]})}

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """The served field against the discrete solution, the coefficient and residual, the curves."""
        u = model.signatures["serving_default"]()["u"].numpy().astype(np.float64)
        return grid_figures(cls.rebuild_problem(directory, meta), u, meta.get("preset") or meta["problem"],
                            load_history(directory))

    @classmethod
    def score_text(cls, metrics: dict, name: str) -> str:
        """What ``pinnzoo evaluate`` says of the error (subclasses say it of their own score)."""
        return f"{name}: rel L2 = {metrics['rel_l2']:.3e} vs the discrete solution"

    @classmethod
    def evaluation_line(cls, result: dict) -> str:
        m = result["metrics"]
        line = cls.score_text(m, result["preset"] or result["problem"])
        if "rel_l2_continuous" in m:
            line += f", {m['rel_l2_continuous']:.3e} vs the continuous solution"
        if "meets_target" in result:
            line += f" | target {result['target']:g}: {'met' if result['meets_target'] else 'NOT met'}"
        if "matches_metadata" in result:
            line += f" | metadata {'agrees' if result['matches_metadata'] else 'DISAGREES'}"
        return line

    @classmethod
    def headline_score(cls, meta: dict) -> str:
        return f"rel. L2 {meta['metrics']['rel_l2']:.2e} vs discrete ({meta['prior']['name']})"

    @classmethod
    def headline(cls, meta: dict) -> dict:
        m = meta["metrics"]
        result = cls.headline_score(meta)
        if "rel_l2_continuous" in m:
            result += f"; {m['rel_l2_continuous']:.2e} vs exact"
        return {"problem": meta["title"], "result": result, "target": f"≤ {meta['target']:g}",
                "met": m["rel_l2"] <= meta["target"], "time_s": meta["training"]["time_s"]}


def grid_presets() -> list[GridPreset]:
    return [p for p in PRESETS.values() if isinstance(p, GridPreset)]
