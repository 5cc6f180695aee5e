"""Milliseconds per Adam step: DeepXDE's own Burgers configuration against pinnzoo's equivalent, same run.

    pip install -e ".[bench]"          # DeepXDE (TensorFlow 2 backend) and what it needs
    python benchmarks/vs_deepxde.py    # without deepxde importable, prints pinnzoo's figures alone

The configuration is DeepXDE's Burgers example: 3 hidden layers of 20 tanh units,
Glorot-normal weights, 2,540 interior + 80 boundary + 160 initial points drawn
once, soft initial/boundary terms with weight 1, Adam with learning rate 1e-3.
pinnzoo runs the same network, points and loss through ``PINNSolver`` and
``model.fit`` (XLA, ``steps_per_execution``, points kept on the device), with
each derivative engine, with 100 steps per compiled call (``inner_steps``), and
once more with the network's activations laid out ``[units, N]`` instead of
Keras's ``[N, units]`` (``MLP(feature_major=True)``, what that layout gains). All are timed in alternating
windows of ``--steps`` steps after a warm-up; medians are reported with their
ratio, in wall-clock time and in process CPU time (the work done on both cores:
on this VM the host sometimes lets the two cores overlap and sometimes not, which
moves wall-clock times between windows but not CPU time). The script also reports the achieved FLOP/s of
a large configuration (5 × 256 tanh on 8,192 points; FLOPs of one training step
counted by TensorFlow's graph profiler) against the machine's measured float32
matmul throughput. Results: ``benchmarks/results/vs_deepxde.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DDE_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from pinnzoo.export import machine, versions  # noqa: E402
from pinnzoo.priors import MLP  # noqa: E402
from pinnzoo.problems import Burgers  # noqa: E402
from pinnzoo.solvers import PINNSolver  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "vs_deepxde.json"
N_DOMAIN, N_BOUNDARY, N_INITIAL = 2540, 80, 160


def pinnzoo_model(widths=(20, 20, 20), n_domain=N_DOMAIN, jit=True, steps_per_execution=100, seed=0,
                  derivatives="tape", inner_steps=1, feature_major=False):
    keras.utils.set_random_seed(seed)
    prior = MLP(widths, activation="tanh", kernel_initializer="glorot_normal", feature_major=feature_major)
    solver = PINNSolver(Burgers(), prior, derivatives=derivatives, inner_steps=inner_steps)
    steps_per_execution = max(1, steps_per_execution // inner_steps)
    rng = np.random.default_rng(seed)
    batch = {"residual": np.column_stack([rng.uniform(-1, 1, n_domain), rng.uniform(0, 0.99, n_domain)]),
             "initial": np.column_stack([rng.uniform(-1, 1, N_INITIAL), np.zeros(N_INITIAL)]),
             "boundary": np.column_stack([rng.choice([-1.0, 1.0], N_BOUNDARY), rng.uniform(0, 0.99, N_BOUNDARY)])}
    batch = {k: tf.constant(v, tf.float32) for k, v in batch.items()}
    solver.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=jit, steps_per_execution=steps_per_execution)
    data = tf.data.Dataset.from_tensors(batch).repeat()
    return solver, data, batch


def time_pinnzoo(solver, data, steps):
    """Milliseconds per Adam step over ``steps`` Adam steps (``inner_steps`` of them per fit step):
    wall-clock and process CPU time (all threads)."""
    calls = max(1, steps // solver.inner_steps)
    start, cpu = time.perf_counter(), time.process_time()
    solver.fit(data, steps_per_epoch=calls, epochs=1, verbose=0, shuffle=False)
    n = calls * solver.inner_steps
    return 1000 * (time.perf_counter() - start) / n, 1000 * (time.process_time() - cpu) / n


#: DeepXDE's settings timed: its defaults on this CPU (no XLA: DeepXDE enables it on GPUs only), and its
#: fastest documented TensorFlow-backend setting, XLA just-in-time compilation (``dde.config.enable_xla_jit()``)
DEEPXDE_SETTINGS = {"defaults": False, "enable_xla_jit()": True}


def deepxde_model(xla: bool = False):
    import deepxde as dde

    dde.config.enable_xla_jit(xla)  # read when the model compiles its training step

    geomtime = dde.geometry.GeometryXTime(dde.geometry.Interval(-1, 1), dde.geometry.TimeDomain(0, 0.99))

    def pde(x, y):
        dy_x = dde.grad.jacobian(y, x, i=0, j=0)
        dy_t = dde.grad.jacobian(y, x, i=0, j=1)
        dy_xx = dde.grad.hessian(y, x, i=0, j=0)
        return dy_t + y * dy_x - 0.01 / np.pi * dy_xx

    bc = dde.icbc.DirichletBC(geomtime, lambda x: 0, lambda _, on_boundary: on_boundary)
    ic = dde.icbc.IC(geomtime, lambda x: -np.sin(np.pi * x[:, 0:1]), lambda _, on_initial: on_initial)
    data = dde.data.TimePDE(geomtime, pde, [bc, ic], num_domain=N_DOMAIN, num_boundary=N_BOUNDARY,
                            num_initial=N_INITIAL)
    net = dde.nn.FNN([2] + [20] * 3 + [1], "tanh", "Glorot normal")
    model = dde.Model(data, net)
    model.compile("adam", lr=1e-3)
    return model


def time_deepxde(model, steps):
    start, cpu = time.perf_counter(), time.process_time()
    model.train(iterations=steps, display_every=10 * steps, verbose=0)
    return 1000 * (time.perf_counter() - start) / steps, 1000 * (time.process_time() - cpu) / steps


def matmul_flops(n=2048, repeats=20) -> float:
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))

    @tf.function
    def chain(a, b):
        c = a
        for _ in range(repeats):
            c = tf.matmul(c, b) * 1e-3
        return c

    chain(a, b)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        chain(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 * repeats / statistics.median(times)


def train_step_flops(solver, batch) -> float:
    """FLOPs of one training step (forward, nested-tape derivatives, backward, Adam), by the graph profiler."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    solver.optimizer.build(solver.trainable_variables)
    fn = tf.function(solver.train_step)
    graph = fn.get_concrete_function(batch).graph
    opts = option_builder.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    return float(model_analyzer.profile(graph, options=opts).total_float_ops)


def engines_side_by_side(steps: int, windows: int, have_dde: bool) -> dict:
    """Adam ms per step of every pinnzoo engine and of DeepXDE, in alternating windows; medians and the speed-up."""
    engines = {name: pinnzoo_model(derivatives=name) for name in ("tape", "taylor", "forward")}
    # the same steps, 100 per compiled call: an in-graph loop with no per-step executor round trip
    engines["tape, inner_steps=100"] = pinnzoo_model(derivatives="tape", inner_steps=100)
    engines["taylor, inner_steps=100"] = pinnzoo_model(derivatives="taylor", inner_steps=100)
    # the same with the network's activations laid out [units, N] (MLP(feature_major=True))
    engines["taylor, inner_steps=100, feature_major=True"] = pinnzoo_model(derivatives="taylor", inner_steps=100,
                                                                           feature_major=True)
    for solver, data, _ in engines.values():
        time_pinnzoo(solver, data, 200)  # compile and warm up
    dde_models = {name: deepxde_model(xla) for name, xla in DEEPXDE_SETTINGS.items()} if have_dde else {}
    for model in dde_models.values():
        time_deepxde(model, 200)  # compile and warm up
    ours = {name: [] for name in engines}
    ours_cpu = {name: [] for name in engines}
    theirs = {name: [] for name in dde_models}
    theirs_cpu = {name: [] for name in dde_models}
    for w in range(windows):
        for name, (solver, data, _) in engines.items():
            wall, cpu = time_pinnzoo(solver, data, steps)
            ours[name].append(wall)
            ours_cpu[name].append(cpu)
        for name, model in dde_models.items():
            wall, cpu = time_deepxde(model, steps)
            theirs[name].append(wall)
            theirs_cpu[name].append(cpu)
        print(f"window {w + 1}: pinnzoo " + ", ".join(f"{n} {v[-1]:.3f}" for n, v in ours.items()) + " ms/step"
              + "".join(f", deepxde {n} {v[-1]:.3f} ms/step" for n, v in theirs.items()), flush=True)
    medians = {name: statistics.median(v) for name, v in ours.items()}
    best = min(medians, key=medians.get)
    solver, _, batch = engines[best]
    small_flops = train_step_flops(solver, batch)
    peak = matmul_flops()
    result = {"config": {"widths": [20, 20, 20], "points": [N_DOMAIN, N_BOUNDARY, N_INITIAL], "optimizer": "Adam 1e-3",
                         "steps_per_window": steps, "windows": windows},
              "pinnzoo_ms_per_step_by_engine": ours, "pinnzoo_median_ms_by_engine": medians, "pinnzoo_engine": best,
              "pinnzoo_ms_per_step": ours[best], "pinnzoo_median_ms": medians[best],
              # process CPU time per step (both cores): the work done, whatever the host lets overlap
              "pinnzoo_cpu_ms_per_step_by_engine": ours_cpu,
              "pinnzoo_median_cpu_ms_by_engine": {n: statistics.median(v) for n, v in ours_cpu.items()},
              # the step's arithmetic, and the time it would take at the machine's large-matmul rate
              "small_flops_per_step": small_flops, "small_ms_at_matmul_peak": small_flops / peak * 1e3,
              "small_achieved_gflops": small_flops / medians[best] / 1e6, "matmul_peak": peak}
    if theirs:
        import deepxde

        by_setting = {n: statistics.median(v) for n, v in theirs.items()}
        fastest = min(by_setting, key=by_setting.get)  # DeepXDE at its best
        result.update(deepxde_median_ms_by_setting=by_setting, deepxde_setting=fastest,
                      deepxde_ms_per_step=theirs[fastest], deepxde_median_ms=by_setting[fastest],
                      speedup=by_setting[fastest] / medians[best], deepxde_version=deepxde.__version__,
                      deepxde_cpu_ms_per_step=theirs_cpu[fastest],
                      deepxde_median_cpu_ms=statistics.median(theirs_cpu[fastest]),
                      cpu_speedup=statistics.median(theirs_cpu[fastest]) / statistics.median(ours_cpu[best]))
    return result


def layouts_by_width() -> list[dict]:
    """Where the [units, N] layout pays: CPU ms per step of both layouts for three widths (3 hidden layers)."""
    layouts = {(w, fm): pinnzoo_model(widths=(w,) * 3, derivatives="taylor", inner_steps=100, feature_major=fm)
               for w in (20, 32, 64) for fm in (False, True)}
    for solver, data, _ in layouts.values():
        time_pinnzoo(solver, data, 100)
    cpu_ms = {key: [] for key in layouts}
    for _ in range(3):
        for key, (solver, data, _) in layouts.items():
            cpu_ms[key].append(time_pinnzoo(solver, data, 300)[1])
    return [{"width": w, "points_major_cpu_ms": statistics.median(cpu_ms[(w, False)]),
             "feature_major_cpu_ms": statistics.median(cpu_ms[(w, True)])} for w in (20, 32, 64)]


def large_network(peak: float) -> dict:
    """Achieved FLOP/s of an Adam step on a large network, against the machine's large-matmul rate ``peak``."""
    big, big_data, big_batch = pinnzoo_model(widths=(256,) * 5, n_domain=8192, steps_per_execution=10)
    time_pinnzoo(big, big_data, 20)
    big_ms = statistics.median(time_pinnzoo(big, big_data, 50)[0] for _ in range(3))
    flops = train_step_flops(big, big_batch)
    return {"widths": [256] * 5, "points": 8192 + N_BOUNDARY + N_INITIAL, "ms_per_step": big_ms,
            "flops_per_step": flops, "achieved_gflops": flops / big_ms / 1e6,
            "matmul_gflops": peak / 1e9, "fraction_of_matmul": flops / big_ms / 1e6 / (peak / 1e9)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1000, help="Adam steps per timing window")
    ap.add_argument("--windows", type=int, default=5, help="alternating windows per library")
    args = ap.parse_args(argv)
    try:
        import deepxde  # noqa: F401
        have_dde = True
    except Exception as exc:  # not installed, or its backend failed to load
        print(f"deepxde not importable ({type(exc).__name__}: {exc}); timing pinnzoo alone", flush=True)
        have_dde = False
    result = engines_side_by_side(args.steps, args.windows, have_dde)
    result["layout_by_width"] = layouts_by_width()
    result["large"] = large_network(result.pop("matmul_peak"))
    result.update(machine=machine(), versions=versions(), date=datetime.date.today().isoformat())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    line = f"pinnzoo {result['pinnzoo_median_ms']:.3f} ms/step"
    if "speedup" in result:
        line += f", deepxde {result['deepxde_median_ms']:.3f} ms/step, pinnzoo is {result['speedup']:.1f}x faster"
    lg = result["large"]
    line += (f"; large network {lg['ms_per_step']:.1f} ms/step = {lg['achieved_gflops']:.1f} GFLOP/s "
             f"({100 * lg['fraction_of_matmul']:.0f}% of the {lg['matmul_gflops']:.0f} GFLOP/s matmul peak)")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
