"""Burgers from the library, step by step: preset → fit → L-BFGS → error → export.

    python examples/burgers_quickstart.py [--quick]

The same as ``pinnzoo train burgers`` but spelled out with the public pieces,
so each can be swapped (another prior, more points, different weights).
"""

import argparse
import os

import keras

from pinnzoo import MLP, PINNSolver, lbfgs_refine
from pinnzoo.callbacks import ReferenceErrorLogger
from pinnzoo.families.pinn.archive import export_solver
from pinnzoo.metrics import score_problem
from pinnzoo.problems import Burgers
from pinnzoo.sampling import collocation_dataset, fixed_batch


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    fast = args.quick or os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"
    steps, iters = (100, 50) if fast else (2000, 6000)

    keras.utils.set_random_seed(0)
    problem = Burgers()                                   # u_t + u u_x = (0.01/pi) u_xx
    solver = PINNSolver(problem, MLP((20,) * 8), hard_constraints=True)
    solver.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True, steps_per_execution=50)

    error = ReferenceErrorLogger(problem)                 # adds rel_l2 to the logs
    solver.fit(collocation_dataset(solver, 4096), epochs=2, steps_per_epoch=steps // 2,
               callbacks=[error], shuffle=False)
    lbfgs_refine(solver, fixed_batch(solver, 8192), maxiter=iters, log_every=max(iters // 4, 1),
                 callbacks=[error])
    print("rel L2 on Raissi's grid:", score_problem(problem, solver.predict_numpy)["rel_l2"])
    if args.out:
        export_solver(solver, args.out, {"preset": "burgers-example"})


if __name__ == "__main__":
    main()
