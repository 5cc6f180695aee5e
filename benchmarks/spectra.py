"""The mechanism, measured: tangent-kernel spectra of each prior on darcy_grid and darcy_inverse, and the fit they predict.

    python benchmarks/spectra.py                       # the forward problem and the default inverse instance
    python benchmarks/spectra.py --instances 3         # and the first 3 instances of benchmarks/darcy_replicated.py

For each prior (raw grid, multiscale grid, Deep Decoder, DIP; on darcy_grid also the MLP fitted to the discrete
residual, the grid's MLP-PINN) :mod:`pinnzoo.ntk` computes the field kernel ``C = J_G J_Gᵀ`` of the generated
field at initialisation — the data-free part — and the Gram the optimiser meets:

* **darcy_grid** (forward solve, residual ``A u − f``): ``K = A C Aᵀ``; for the energy loss the Hessian
  ``Lᵀ C L`` (``A = L Lᵀ``). Predictions (conjugate-gradient theory): iterations to a fixed accuracy grow as
  √κ, and exactly, the iterations of CG preconditioned by ``C`` (:func:`pinnzoo.ntk.krylov_iterations`, CG in the
  weights of the linearised generator). Tested against the L-BFGS runs of ``benchmarks/results/grid_pde.json``.
* **darcy_inverse** (log a through the sparse solve, u observed at 1,024 cells with noise): ``K = J_F C J_Fᵀ``
  at initialisation. Predictions of the linearised gradient flow stopped by the discrepancy principle: which
  share of the truth (signal) and of the noise is fitted at the stop, how many directions are fitted, and the
  error of a at the stop — tested against a run of the prior with the preset's stop (the same rule), whose
  kernel is measured again at its stop (how far the kernel moved: the lazy-training approximation's validity).

Writes ``benchmarks/results/spectra.json`` (one entry per problem instance, the latest). Tables:
``benchmarks/spectra_tables.py`` (docs/lessons.md).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import tensorflow as tf

from darcy_replicated import INSTANCES, instance_key  # benchmarks/, the script's own folder
from results_file import RESULTS, progress
from pinnzoo.callbacks import DiscrepancyStopping
from pinnzoo.export import machine
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.family import get_preset
from pinnzoo.grids.darcy_inverse import DarcyInverse
from pinnzoo.ntk import Spectrum, flow_update, jacobian, krylov_iterations
from pinnzoo.priors.registry import PriorSpec

PATH = RESULTS / "spectra.json"
INVERSE_PRIORS = ("raw_grid", "multiscale_grid", "deep_decoder", "dip")
FORWARD_PRIORS = INVERSE_PRIORS + ("mlp",)
TOP = (16, 64, 256, 1024)


def spectrum_summary(sp: Spectrum, rank: int | None = None) -> dict:
    """Condition number over the first ``rank`` eigenvalues (all: None), decay counts, a thinned spectrum."""
    rank = rank or len(sp.values)
    picks = np.unique(np.geomspace(1, len(sp.values), 24).astype(int)) - 1
    return {"condition": sp.condition(rank), "decay": sp.decay(), "rank": rank,
            "eigenvalues": {"index": [int(i + 1) for i in picks], "relative": [float(sp.values[i] / sp.values[0]) for i in picks]}}


def top_share(sp: Spectrum, v: np.ndarray) -> dict:
    """Fraction of ``‖v‖²`` in the top-k eigen-directions, for each k of :data:`TOP` within the size."""
    c2 = sp.coefficients(v) ** 2
    return {str(k): float(c2[:k].sum() / c2.sum()) for k in TOP if k <= len(c2)}


# -- darcy_grid ------------------------------------------------------------------------------------------------
def forward_row(name: str) -> dict:
    preset = get_preset("darcy_grid").with_prior(name)
    solver = preset.build_solver(seed=0)
    start = time.perf_counter()
    jg = jacobian(solver.field, solver.prior.trainable_variables)
    kernel = jg @ jg.T
    seconds = time.perf_counter() - start
    del jg
    problem = solver.problem
    a = problem.operator.matrix().toarray()
    lower = np.linalg.cholesky(a)
    residual = Spectrum.of(a @ kernel @ a.T)
    energy = Spectrum.of(lower.T @ kernel @ lower)
    start, f, exact = solver.solution(), problem.rhs.ravel(), problem.discrete_solution()
    return {"prior": name, "parameters": int(solver.prior.count_params()), "kernel_s": round(seconds, 1),
            "field_kernel": spectrum_summary(Spectrum.of(kernel)), "residual": spectrum_summary(residual),
            "energy": spectrum_summary(energy),
            "krylov": {"residual": krylov_iterations(a.T @ a, a.T @ f, kernel, start, exact),
                       "energy": krylov_iterations(a, f, kernel, start, exact)}}


# -- darcy_inverse ---------------------------------------------------------------------------------------------
def kernels(problem, solver) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(θ, C, J_F)`` at the solver's current weights."""
    jg = jacobian(solver.log_coefficient, solver.prior.trainable_variables)
    kernel = jg @ jg.T
    del jg
    theta = tf.Variable(solver.log_coefficient())
    jf = jacobian(lambda: problem.observe(problem.forward(theta)), [theta], chunk=128)
    return theta.numpy(), kernel, jf


def predicted_error(problem, theta0, kernel, jf, sp: Spectrum, r: np.ndarray, t: float) -> float:
    """Relative L2 error of a from the linearised flow to time ``t`` (log a kept in the known range, as the
    solver's sigmoid keeps it)."""
    theta = theta0.ravel() + kernel @ (jf.T @ flow_update(sp, r, t))
    lo, hi = problem.log_bounds
    a = np.exp(np.clip(theta, lo, hi)).reshape(problem.shape)
    return float(np.linalg.norm(a - problem.truth) / np.linalg.norm(problem.truth))


def inverse_row(problem: DarcyInverse, name: str) -> dict:
    preset = get_preset("darcy_inverse")
    solver = build_coefficient_solver(problem, PriorSpec(name, GRID_PRIOR_CONFIGS.get(name, {})), seed=0)
    start = time.perf_counter()
    theta0, kernel, jf = kernels(problem, solver)
    seconds = time.perf_counter() - start
    p0 = problem.observe(problem.forward(tf.constant(theta0))).numpy().ravel()
    clean = problem.observe(problem.solution).ravel()
    y = problem.data.ravel()
    r, signal, noise = y - p0, clean - p0, y - clean
    gram = Spectrum.of(jf @ kernel @ jf.T)
    field = Spectrum.of(kernel)
    n, tau = r.size, preset.discrepancy
    t_stop = gram.time_to(r, n * tau * problem.sigma ** 2)
    times = gram.values[0] ** -1 * np.geomspace(1e-2, 1e12, 141)
    curve = [predicted_error(problem, theta0, kernel, jf, gram, r, t) for t in times]
    fitted = gram.fitted(t_stop) if np.isfinite(t_stop) else np.ones_like(gram.values)
    row = {"prior": name, "parameters": int(solver.prior.count_params()), "kernel_s": round(seconds, 1),
           "field_kernel": spectrum_summary(field), "truth_share": top_share(field, np.log(problem.truth).ravel() - theta0.ravel()),
           "gram": spectrum_summary(gram), "signal_share": top_share(gram, signal), "noise_share": top_share(gram, noise),
           "stop_time": float(t_stop * gram.values[0]) if np.isfinite(t_stop) else None,
           "fitted_directions": float(fitted.sum()),
           "signal_fitted": float(1 - gram.residual_energy(signal, t_stop) / signal.dot(signal)) if np.isfinite(t_stop) else None,
           "noise_fitted": float(1 - gram.residual_energy(noise, t_stop) / noise.dot(noise)) if np.isfinite(t_stop) else None,
           "predicted": {"discrepancy": predicted_error(problem, theta0, kernel, jf, gram, r, t_stop) if np.isfinite(t_stop) else None,
                         "oracle": float(min(curve)), "end": curve[-1]}}
    row["measured"], row["kernel_moved"] = measured_stop(problem, solver, kernel, jf, preset)
    return row


def measured_stop(problem, solver, kernel0, jf0, preset) -> tuple[dict, dict]:
    """Fit with the preset's stop (L-BFGS, the discrepancy principle); the error there, and how far the kernels
    moved from initialisation (relative Frobenius change of C and of the data Gram)."""
    stop = DiscrepancyStopping(preset.discrepancy)
    history = fit_coefficient(solver, preset.fit, [stop])
    scores = problem.scores(solver.solution())
    _, kernel, jf = kernels(problem, solver)
    gram0, gram = jf0 @ kernel0 @ jf0.T, jf @ kernel @ jf.T

    def moved(a, b):
        return float(np.linalg.norm(b - a) / np.linalg.norm(a))

    iterations = int(history["lbfgs"].get("iterations", 0))
    return ({"rel_l2": scores["rel_l2"], "misfit": scores["misfit"], "iterations": iterations,
             "stopped": stop.stopped_at is not None},
            {"field_kernel": moved(kernel0, kernel), "gram": moved(gram0, gram)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1, help="how many of the replicated study's instances")
    parser.add_argument("--skip-forward", action="store_true", help="keep the recorded darcy_grid rows")
    args = parser.parse_args()
    data = json.loads(PATH.read_text()) if PATH.exists() else {"forward": {}, "inverse": {}}
    stamp = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    if not args.skip_forward:
        data["forward"] = {"problem": "darcy_grid", **stamp,
                           "rows": [forward_row(name) for name in progress(FORWARD_PRIORS, "prior")]}
        _save(data)
    for noise, seed, noise_seed in INSTANCES[:args.instances]:
        problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
        rows = [inverse_row(problem, name) for name in progress(INVERSE_PRIORS, "prior")]
        data["inverse"][instance_key(noise, seed, noise_seed)] = {"problem": problem.params, **stamp, "rows": rows}
        _save(data)


def _save(data: dict) -> None:
    PATH.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {PATH}", flush=True)


if __name__ == "__main__":
    main()
