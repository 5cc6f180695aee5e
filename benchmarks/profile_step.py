"""Where the time of one PINN Adam step goes: TensorFlow's profiler on DeepXDE's Burgers configuration.

    python benchmarks/profile_step.py [--steps 300]

Trains the configuration of ``benchmarks/vs_deepxde.py`` (3 × 20 tanh, 2,540 +
80 + 160 points, Adam) with the fastest pinnzoo setting (``derivatives="taylor"``,
100 steps per compiled call) with the activations laid out ``[units, N]``
(``MLP(feature_major=True)``) and in Keras's ``[N, units]`` layout (the default), records ``--steps`` steps of each under the profiler with
XLA's per-kernel trace events on, and sums the kernels' times per step: matrix
products (XLA ``dot`` kernels) against everything else (elementwise fusions,
reductions, copies). The times are thread times summed over both cores, so they
add up to the CPU time of a step, not its wall-clock time. Results:
``benchmarks/results/profile_step.json``.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import glob
import json
import os
import sys
import tempfile
from pathlib import Path

# XLA reads its flags once, when it first compiles: set before TensorFlow is imported.
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_xprof_traceme=true").strip()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from pinnzoo.export import machine, versions  # noqa: E402
from vs_deepxde import pinnzoo_model, time_pinnzoo  # noqa: E402  (the script beside this one)

RESULTS = Path(__file__).resolve().parent / "results" / "profile_step.json"


def kernel_times(logdir: str) -> collections.Counter:
    """Microseconds per XLA kernel name, summed over the worker threads of the newest trace in ``logdir``."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(Path(sorted(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True))[-1]).read_bytes())
    total = collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if "Eigen" not in line.name:  # XLA's kernels run on the intra-op (Eigen) threads
                continue
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                if not name.startswith(("ThunkExecutor", "end: ", "SlinkyThreadPool")):
                    total[name] += event.duration_ps / 1e6
    return total


def profile(feature_major: bool, steps: int) -> dict:
    solver, data, _ = pinnzoo_model(derivatives="taylor", inner_steps=100, feature_major=feature_major)
    time_pinnzoo(solver, data, 200)  # compile and warm up
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        time_pinnzoo(solver, data, steps)
        tf.profiler.experimental.stop()
        times = kernel_times(logdir)
    per_step = {k: v / steps for k, v in times.items()}
    dots = {k: v for k, v in per_step.items() if k.lower().startswith(("matmul", "dot"))}
    return {"kernel_us_per_step": sum(per_step.values()), "matmul_us_per_step": sum(dots.values()),
            "other_us_per_step": sum(per_step.values()) - sum(dots.values()),
            "matmul_kernels_per_step": len(dots),
            "slowest_kernels_us": dict(sorted(per_step.items(), key=lambda kv: -kv[1])[:12])}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300, help="profiled Adam steps per layout (a multiple of 100)")
    args = ap.parse_args(argv)
    result = {"config": "DeepXDE's Burgers: 3 x 20 tanh, 2,540 + 80 + 160 points, Adam; derivatives='taylor', "
                        "inner_steps=100, XLA", "steps": args.steps,
              "layouts": {name: profile(fm, args.steps) for name, fm in (("feature_major", True),
                                                                          ("points_major", False))}}
    result.update(machine=machine(), versions=versions(), date=datetime.date.today().isoformat())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, r in result["layouts"].items():
        print(f"{name}: kernels {r['kernel_us_per_step']:.0f} us/step = matrix products "
              f"{r['matmul_us_per_step']:.0f} us ({r['matmul_kernels_per_step']} kernels) + other "
              f"{r['other_us_per_step']:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
