"""A PDE on a grid with a convolutional prior, and a warm start from the shipped model on a new instance.

    python examples/grid_warm_start.py [--seed 3]      # PINNZOO_EXAMPLES_FAST=1: a few seconds

Darcy flow −∇·(a ∇u) = 1 on a 64 × 64 grid: the finite-volume stencil (tf.nn.conv2d) is the operator,
a multiscale convolutional generator the solution, as a Deep Image Prior is the image. The permeability
a is a random two-phase field; `--seed` draws another one. The run fits it twice, from scratch and from
the weights of saved_models/darcy_grid (trained on draw 0), and scores both against the sparse direct
solve of the same discrete system.
"""

import argparse
import os
from pathlib import Path

from pinnzoo import WarmStart, get_preset

FAST = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"
SHIPPED = Path(__file__).resolve().parents[1] / "saved_models" / "darcy_grid"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=3, help="the permeability draw (the shipped model solved 0)")
    args = ap.parse_args(argv)

    preset = get_preset("darcy_grid").with_params({"seed": args.seed})    # a new instance, a new reference
    budget = {"epochs": 0, "lbfgs_iterations": 150} if FAST else {}
    results = {}
    for name, init in (("cold", None), ("warm", WarmStart(str(SHIPPED)))):
        result = preset.train(verbose=0, init=init, **budget)
        results[name] = result.metrics["rel_l2"]
        print(f"{name} start: rel. L2 {result.metrics['rel_l2']:.2e} vs the discrete solution in "
              f"{result.train_time:.1f} s" + (f" (weights from {SHIPPED.name})" if init else ""))
    return results


if __name__ == "__main__":
    main()
