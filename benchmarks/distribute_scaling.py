"""MirroredStrategy on 2 logical CPU devices vs 1 device: Adam throughput, and a projection to N GPUs.

    python benchmarks/distribute_scaling.py [--points 8192 65536] [--repeats 3]

Runs `burgers` Adam epochs (50 steps each) with the default strategy and with MirroredStrategy on two logical
CPU devices of this machine, side by side in one process, and reports the median step time of each (the first
epoch, which traces and compiles, is left out) and the throughput ratio. Both replicas share the same two cores,
so this measures the cost of the strategy (sharding, all-reduce, no XLA), not a speed-up.

The projection to N devices uses the measured split of a step: compute ``T1`` (the single-device step) and
communication ``C2`` (a MEAN all-reduce of the gradient, as many floats as the network has weights, between the
two logical devices, timed on its own). With the points split evenly and a ring all-reduce, whose time grows as
2(N−1)/N, a step on N devices takes T1/N + C2·2(N−1)/N and the speed-up is T1 / that. It ignores that real GPUs
are each faster than these CPU devices and that NVLink/PCIe bandwidth differs from a memory copy: read it as the
shape of the curve at this problem size, not a GPU measurement.

L-BFGS phases run in the cross-replica context (on one device, the whole batch) unless ``LBFGSPhase.gather``
asks for one shard per replica with the gradients summed across replicas: the seconds per function evaluation
of scipy's L-BFGS-B are timed with the solver built under each strategy, and under MirroredStrategy both ways,
on the same fixed batch.
"""

from __future__ import annotations

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]  # before anything initialises TensorFlow's devices
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402

from results_file import progress, write_results  # noqa: E402  (benchmarks/, the script's own folder)
from pinnzoo import get_preset  # noqa: E402
from pinnzoo.distribute import get_strategy, xla_fallback  # noqa: E402
from pinnzoo.sampling import fixed_batch  # noqa: E402
from pinnzoo.solvers import lbfgs_refine  # noqa: E402
from pinnzoo.families.pinn.fit import build_solver  # noqa: E402


class EpochTimes(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times, self._start = [], None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def step_time(preset, points: int, strategy, epochs: int = 4, steps: int = 50) -> tuple[float, int]:
    """Median seconds per Adam step (epochs after the first), and the number of weights."""
    schedule = preset.schedule.replace(adam={"epochs": epochs, "steps_per_epoch": steps},
                                       collocation={"points": points}, lbfgs={"maxiter": 0})
    timer = EpochTimes()
    result = preset.train(schedule=schedule, seed=0, verbose=0, strategy=strategy, callbacks=[timer])
    return statistics.median(timer.times[1:]) / steps, int(result.solver.count_params())


def lbfgs_time(preset, points: int, strategy, iterations: int = 100, gather: bool = False) -> float:
    """Seconds per L-BFGS function evaluation on a fixed batch of ``points``, the solver built under
    ``strategy``: in the cross-replica context (one device, the whole batch), or with ``gather`` one shard
    per replica, the gradients summed across replicas."""
    solver = build_solver(preset, preset.schedule, 0, strategy, verbose=0)
    batch = fixed_batch(solver, points, seed=1)
    jit = xla_fallback(strategy, preset.schedule.jit_compile, 0)
    lbfgs_refine(solver, batch, maxiter=5, verbose=0, jit_compile=jit, gather=gather)  # traces and compiles
    start = time.perf_counter()
    info = lbfgs_refine(solver, batch, maxiter=iterations, verbose=0, jit_compile=jit, gather=gather).lbfgs
    return (time.perf_counter() - start) / max(1, info["evaluations"])


def allreduce_time(weights: int, strategy, repeats: int = 50) -> float:
    """Seconds for one MEAN all-reduce of ``weights`` floats across the two logical devices of ``strategy``
    (the strategy the runs used: a second MirroredStrategy in one process would reuse its collective keys)."""

    @tf.function
    def reduce():
        def replica():
            return tf.distribute.get_replica_context().all_reduce("MEAN", tf.ones([weights]))
        return strategy.run(replica)

    reduce()
    start = time.perf_counter()
    for _ in range(repeats):
        reduce()
    return (time.perf_counter() - start) / repeats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, nargs="+", default=[8192, 65536])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    preset = get_preset("burgers")
    strategies = {"default": get_strategy("default"), "mirrored": get_strategy("mirrored")}
    rows = []
    for points in args.points:
        times = {"default": [], "mirrored": []}
        weights = 0
        for _, name in progress([(k, n) for k in range(args.repeats) for n in times], f"{points} points"):
            t, weights = step_time(preset, points, strategies[name])
            times[name].append(t)
        one, two = statistics.median(times["default"]), statistics.median(times["mirrored"])
        comm = allreduce_time(weights, strategies["mirrored"])
        ways = {"default": ("default", False), "mirrored": ("mirrored", False), "mirrored, gathered": ("mirrored", True)}
        lbfgs = {label: statistics.median(lbfgs_time(preset, points, strategies[name], gather=gather)
                                          for _ in range(args.repeats)) for label, (name, gather) in ways.items()}
        projected = {n: one / (one / n + comm * 2 * (n - 1) / n) for n in (2, 4, 8)}
        print(f"{points} points: {1e3 * one:.1f} ms/step on 1 device, {1e3 * two:.1f} ms on 2 logical devices "
              f"(throughput x{one / two:.2f}); all-reduce of {weights} floats {1e6 * comm:.0f} us; projected "
              + ", ".join(f"x{v:.1f} on {n}" for n, v in projected.items()))
        rows.append({"points": points, "weights": weights, "one_device_s": times["default"],
                     "mirrored_s": times["mirrored"], "median_one_s": one, "median_mirrored_s": two,
                     "throughput_ratio": one / two, "allreduce_s": comm, "projected_speedup": projected,
                     "lbfgs_eval_s": lbfgs})
    write_results("distribute_scaling", {"preset": "burgers", "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
