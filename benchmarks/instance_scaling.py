"""Independent instances under tf.distribute: image fits as an instance batch, grid fits on one thread per replica.

    python benchmarks/instance_scaling.py [--rounds 3] [--steps 30] [--lbfgs 150]

Image: the `dip_denoise` recipe (DIP skip net, 256² gray camera image, two noise draws) timed per step by a
callback (benchmarks/step_timer.py): one fit alone (`restore`), the two fits as one instance batch on one
device (`restore_many`, default strategy) and on two logical CPU devices (`MirroredStrategy`, one member per
replica). The throughput is fits × steps per second; each configuration's value is the median of its steps after
the first few, the table gives the median over rounds, the configurations interleaved round by round.

Grid: `darcy_grid` (64² cells, multiscale grid, L-BFGS in float64) with two permeability draws and `--lbfgs`
iterations: the two fits one after the other (`train_instances` under the default strategy) against one thread per
logical device (`MirroredStrategy`); wall-clock seconds of the whole sweep.

Both logical devices share the same two cores, so the ratios measure what the sharding costs or recovers on
one CPU, not a multi-GPU speed-up. Writes ``benchmarks/results/instance_scaling.json``.
"""

from __future__ import annotations

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]  # before anything initialises TensorFlow's devices
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from results_file import progress, write_results  # noqa: E402
from step_timer import StepTimer  # noqa: E402
from pinnzoo import get_preset  # noqa: E402
from pinnzoo.restoration import restore, restore_many  # noqa: E402

SKIP = 3  # the first steps trace and warm up


def image_round(steps: int) -> dict:
    """Median ms per step of one fit, a batch of two on one device, a batch of two mirrored."""
    preset = get_preset("dip_denoise")
    config = preset.recipe.override(iterations=steps + SKIP, auto=False)
    draws = [preset.with_params({"seed": s}).degrade() for s in (0, 1)]
    ys, ops = [d[1] for d in draws], [d[2] for d in draws]
    out = {}
    timer = StepTimer()
    restore(ys[0], ops[0], config, verbose=0, callbacks=[timer])
    out["one fit"] = statistics.median(timer.ms[SKIP:])
    for label, strategy in (("2 fits, one device", "default"), ("2 fits, mirrored", "mirrored")):
        timer = StepTimer()
        restore_many(ys, ops, config, strategy=strategy, verbose=0, callbacks=[timer])
        out[label] = statistics.median(timer.ms[SKIP:])
    return out


def grid_round(iterations: int) -> dict:
    """Wall seconds of two darcy_grid fits, one after the other and one thread per logical device."""
    preset = get_preset("darcy_grid").with_fit(lbfgs_iterations=iterations)
    out = {}
    for label, strategy in (("2 fits in turn", "default"), ("2 fits, thread per device", "mirrored")):
        start = time.perf_counter()
        results = preset.train_instances([{"seed": 1}, {"seed": 2}], strategy=strategy, verbose=0)
        out[label] = time.perf_counter() - start
        out[f"{label} errors"] = [r.metrics["rel_l2"] for r in results]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--lbfgs", type=int, default=150)
    args = ap.parse_args(argv)
    images, grids = [], []
    for _ in progress(range(args.rounds), "round"):
        images.append(image_round(args.steps))
        grids.append(grid_round(args.lbfgs))
    image = {k: statistics.median(r[k] for r in images) for k in images[0]}
    grid = {k: statistics.median(r[k] for r in grids) for k in grids[0] if not k.endswith("errors")}
    one = image["one fit"]
    print("image, ms per step: " + ", ".join(f"{k} {v:.0f}" for k, v in image.items())
          + f"; throughput x{2 * one / image['2 fits, one device']:.2f} (batch, one device), "
          f"x{2 * one / image['2 fits, mirrored']:.2f} (mirrored) against one fit")
    print("grid, s per sweep: " + ", ".join(f"{k} {v:.1f}" for k, v in grid.items()))
    write_results("instance_scaling", {
        "image": {"preset": "dip_denoise", "steps": args.steps, "rounds": images, "median_ms": image},
        "grid": {"preset": "darcy_grid", "lbfgs_iterations": args.lbfgs, "rounds": grids, "median_s": grid}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
