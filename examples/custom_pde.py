"""Define your own PDE against pinnzoo's public API, train it, check it, export it.

    python examples/custom_pde.py [--epochs 4] [--lbfgs 300] [--out /tmp/my_heat]

The heat equation u_t = k u_xx on [0, 1] x [0, 1] with u(x, 0) = sin(pi x) and
zero boundary values has the exact solution exp(-k pi^2 t) sin(pi x). The
problem class is all a user writes; the solver, training loop, L-BFGS,
metrics and export come from pinnzoo.
"""

import argparse
import os

import numpy as np
import tensorflow as tf

import pinnzoo
from pinnzoo import Box, Condition, PDEProblem, register_problem


@register_problem
class Heat(PDEProblem):
    """u_t = k u_xx on [0, 1] x [0, 1], u(x, 0) = sin(pi x), u(0, t) = u(1, t) = 0."""

    name, inputs, outputs = "my_heat", ("x", "t"), ("u",)
    title = "Heat equation (user-defined example)"
    derivatives = ("u_t", "u_xx")
    default_params = {"k": 0.4}
    domain = Box({"x": (0, 1), "t": (0, 1)})

    def residual(self, f, p):
        return f["u_t"] - p["k"] * f["u_xx"]

    def conditions(self):
        return [Condition("initial", {"t": 0.0}, "u", lambda f, p: tf.sin(np.pi * f["x"])),
                Condition("boundary", {"x": (0.0, 1.0)}, "u", 0.0)]

    def reference(self, pts):
        k = self.params["k"]
        return (np.exp(-k * np.pi ** 2 * pts[:, 1]) * np.sin(np.pi * pts[:, 0]))[:, None]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    fast = os.environ.get("PINNZOO_EXAMPLES_FAST") == "1"  # CI's smoke test: a few seconds
    ap.add_argument("--epochs", type=int, default=2 if fast else 4)
    ap.add_argument("--lbfgs", type=int, default=200 if fast else 300)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    preset = pinnzoo.PINNPreset(
        name="my_heat", description="heat equation, 3x32 tanh MLP", target=1e-2,
        problem="my_heat", prior=pinnzoo.PriorSpec("mlp", {"widths": (32, 32, 32)}),
        schedule=pinnzoo.Schedule(adam=pinnzoo.AdamPhase(epochs=args.epochs, steps_per_epoch=250),
                                  collocation=pinnzoo.Collocation(points=1024),
                                  lbfgs=pinnzoo.LBFGSPhase(maxiter=args.lbfgs, points=2048, log_every=100)))
    result = preset.train(out=args.out, verbose=1)
    print(f"my_heat: rel L2 = {result.metrics['rel_l2']:.2e} in {result.train_time:.1f} s")
    return result


if __name__ == "__main__":
    main()
