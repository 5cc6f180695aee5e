"""An inverse problem: identify the diffusivity of the heat equation from 1,000 noisy measurements.

    python examples/inverse_heat.py [--noise 0.01]       # PINNZOO_EXAMPLES_FAST=1: a few seconds

u_t = a u_xx on [0, 1] x [0, 1] with a unknown. The network u_Θ(x, t) and the
coefficient a are fitted together: the PDE residual at collocation points plus
the misfit to the measurements. The solver starts from a = 0.1; the data were
made with a = 0.4 (the problem's reference, which also scores the field).
"""

import argparse
import os

import keras

from pinnzoo import MLP, PINNSolver, TrainingLog, lbfgs_refine
from pinnzoo.callbacks import ReferenceErrorLogger
from pinnzoo.metrics import score_problem
from pinnzoo.problems import HeatInverse
from pinnzoo.sampling import collocation_dataset, fixed_batch

FAST = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--noise", type=float, default=0.01, help="noise, times the data's standard deviation")
    ap.add_argument("--logdir", default=None, help="TensorBoard summaries (loss terms, error, a)")
    args = ap.parse_args(argv)
    adam_steps, lbfgs_iterations = (200, 100) if FAST else (2000, 2000)

    keras.utils.set_random_seed(0)
    problem = HeatInverse()                                   # true a = problem.params["a"]
    data = problem.observations(1000, noise=args.noise, seed=1)   # (points [1000, 2], u [1000, 1])
    # the coefficient is a trainable variable of the solver, next to the network's weights
    solver = PINNSolver(problem, MLP((32,) * 4), hard_constraints=True, initial_params={"a": 0.1})
    solver.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True, steps_per_execution=50)

    callbacks = [ReferenceErrorLogger(problem), TrainingLog(logdir=args.logdir)]
    solver.fit(collocation_dataset(solver, 2048, data=data), epochs=4, steps_per_epoch=adam_steps // 4,
               callbacks=callbacks, shuffle=False, verbose=0 if FAST else 1)
    lbfgs_refine(solver, fixed_batch(solver, 4096, data=data), maxiter=lbfgs_iterations, log_every=100,
                 callbacks=callbacks, verbose=0 if FAST else 1)

    a, truth = float(solver.coefficients["a"].numpy()), problem.params["a"]
    error = score_problem(problem, solver.predict_numpy)["rel_l2"]
    print(f"identified a = {a:.4f} (true {truth:g}, {abs(a - truth) / truth:.1%} off); field rel. L2 {error:.2e}")
    return {"a": a, "truth": truth, "rel_l2": error}


if __name__ == "__main__":
    main()
