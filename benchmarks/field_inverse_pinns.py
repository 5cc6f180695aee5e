"""PINNs that can overfit: a coefficient *field* recovered from noisy data, replicated over noise draws and seeds.

    python benchmarks/field_inverse_pinns.py                    # every run not yet done (hours: run in parts)
    python benchmarks/field_inverse_pinns.py --limit 3 --shard 0/2

The noisy-PINN tests of ``benchmarks/noisy_pinns.py`` cannot overfit much: one scalar unknown, or a forward
problem. PINNacle's inverse problems can: ``poisson_inverse2d`` recovers a coefficient field a(x, y) *and* u from
2,500 noisy values of u with the equation only as a penalty (soft constraint), so a network of thousands of weights
may trade the residual against the noise. Each run trains the preset with its schedule to the end (its own
discrepancy stop removed) and its output on the scoring grid snapshotted every epoch (Adam epochs of 100 steps,
quasi-Newton epochs of 50 iterations); from the curves of the errors of a and of u:

* **end**, **oracle** (the lowest error of a), **discrepancy** (the first epoch whose data term is ≤ σ²; also at
  the preset's τ = 1.1) and **ES-WMV** (the image priors' variance rule on the output, as in noisy_pinns).

Instances (:data:`INSTANCES`): PINNacle's absolute noise σ = 0.1 and a lower σ = 0.05, five noise draws each, two
network seeds per draw. Resumable, one entry per (instance, seed) in ``benchmarks/results/field_inverse_pinns.json``
under a file lock; a run is redone only when its fingerprint (the preset's recipe, the study's settings) changed.
About 7 minutes of one core per run (the preset's 2,000 Adam steps and 3,000 quasi-Newton iterations on 4,096
points). Tables: ``benchmarks/field_inverse_tables.py`` (docs/lessons.md).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from noisy_pinns import OutputSnapshots, es_wmv  # benchmarks/, the script's own folder
from results_file import run_study, run_study_parts
from pinnzoo.families.pinn.fit import train_pinn
from pinnzoo.presets import get_preset
from pinnzoo.recipe import digest, run_recipe

NAME = "field_inverse_pinns"
PRESET = "poisson_inverse2d"
#: (noise σ, noise draw) in the order they run
INSTANCES = tuple((noise, k) for noise in (0.1, 0.05) for k in range(5))
SEEDS = (0, 1)
ADAM_EPOCH, QN_EPOCH = 100, 50
TAUS = (1.0, 1.1)


def instance_key(noise: float, draw: int) -> str:
    return f"{PRESET}, noise {noise:g}, noise-draw {draw}"


def study_preset(noise: float, draw: int):
    """The preset with ``noise`` and the noise draw set, its own discrepancy stop removed, logged densely."""
    preset = get_preset(PRESET)
    observations = {k: v for k, v in preset.observations.items() if k != "discrepancy"}
    preset = dataclasses.replace(preset, observations={**observations, "noise": noise, "noise_seed": 1000 + draw})
    schedule = preset.schedule.replace(adam={"epochs": preset.schedule.adam_steps // ADAM_EPOCH,
                                             "steps_per_epoch": ADAM_EPOCH}, lbfgs={"log_every": QN_EPOCH})
    return preset, schedule


def fingerprint(noise: float, draw: int, seed: int) -> str:
    preset, schedule = study_preset(noise, draw)
    return digest({"recipe": run_recipe(preset, seed=seed, quick=False)["fingerprint"],
                   "schedule": schedule.to_dict(), "taus": list(TAUS), "epochs": [ADAM_EPOCH, QN_EPOCH]})


def errors(outputs: list, reference: np.ndarray) -> dict:
    """Per logged epoch, the relative L2 error of each output column against the reference."""
    stack = np.stack(outputs)
    norms = np.linalg.norm(reference, axis=0)
    per = np.linalg.norm(stack - reference[None], axis=1) / norms  # [epochs, columns]
    return {"u": per[:, 0], "a": per[:, 1]}


def run(noise: float, draw: int, seed: int) -> dict:
    preset, schedule = study_preset(noise, draw)
    problem = preset.make_problem()
    points, _ = problem.scoring_grid()
    snapshots = OutputSnapshots(points)
    result = train_pinn(preset, schedule=schedule, seed=seed, verbose=0, callbacks=[snapshots])
    curves = errors(snapshots.outputs, problem.reference(points))
    logs = [result.history.get("adam", {}), result.history.get("lbfgs", {})]
    data = np.concatenate([np.asarray(h.get("data", []), float) for h in logs])[:len(curves["a"])]
    x, _ = problem.observations(int(preset.observations["n"]), 0.0)
    sigma2 = problem.noise_variance(noise, x)
    picks = {"end": len(curves["a"]) - 1, "oracle": int(np.argmin(curves["a"])), "es_wmv": es_wmv(snapshots.outputs)}
    for tau in TAUS:
        hits = np.flatnonzero(data <= tau * sigma2)
        picks[f"discrepancy {tau:g}"] = int(hits[0]) if hits.size else len(curves["a"]) - 1
    out = {"parameters": int(result.solver.prior.count_params()), "epochs": len(curves["a"]),
           "adam_epochs": len(logs[0].get("data", [])), "sigma2": sigma2, "train_s": round(result.train_time, 1),
           "discrepancy_reached": {f"{t:g}": bool(np.any(data <= t * sigma2)) for t in TAUS}}
    out.update({k: {"epoch": i + 1, "a": float(curves["a"][i]), "u": float(curves["u"][i]), "data": float(data[i])}
                for k, i in picks.items()})
    out["curve"] = {"a": [round(float(v), 5) for v in curves["a"]], "u": [round(float(v), 5) for v in curves["u"]],
                    "data": [float(f"{v:.4g}") for v in data]}
    return out


def run_instance(noise: float, draw: int) -> bool:
    return run_study_parts(NAME, instance_key(noise, draw), _Params(noise, draw),
                           {f"seed {s}": (fingerprint(noise, draw, s), functools.partial(run, noise, draw, s))
                            for s in SEEDS})


@dataclasses.dataclass(frozen=True)
class _Params:
    noise: float
    draw: int

    @property
    def params(self) -> dict:
        return {"preset": PRESET, "noise": self.noise, "noise_draw": self.draw}


def main() -> None:
    run_study(__doc__.splitlines()[0], INSTANCES, run_instance)


if __name__ == "__main__":
    main()
