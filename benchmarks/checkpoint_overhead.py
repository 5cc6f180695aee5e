"""What checkpointing costs: the same run with and without its checkpoint file, side by side.

    python benchmarks/checkpoint_overhead.py [--presets burgers darcy_grid heat2d_grid] [--repeats 3]

`pinnzoo train` keeps a checkpoint (weights + optimiser state, rewritten atomically at the end of every
Adam epoch and every logged L-BFGS epoch; for a marching grid run after every time step) so that a killed run
resumes with `--resume`. The goal: it costs at most 5 % of training time. Runs alternate (with, without,
with, ...) on the same machine; the ratio of the median times is reported, per preset.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from results_file import progress, write_results  # benchmarks/, the script's own folder
from pinnzoo import get_preset
from pinnzoo.checkpoint import checkpoint_path


def one_run(preset, epochs: int, lbfgs: int, with_checkpoint: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        options = {"checkpoint": checkpoint_path(Path(tmp) / "run")} if with_checkpoint else {}
        result = preset.train(seed=0, verbose=0, epochs=epochs, lbfgs_iterations=lbfgs, **options)
        return result.train_time


#: preset -> (Adam epochs, L-BFGS iterations) of the measured run (None: the preset's own); one of each family
RUNS = {"burgers": (2, 1000), "darcy_grid": (0, 1000), "heat2d_grid": (None, None)}


def measure(name: str, repeats: int) -> dict:
    preset = get_preset(name)
    epochs, lbfgs = RUNS.get(name, (None, None))
    one_run(preset, min(epochs or 0, 1), 10, True)  # warm-up: XLA and tf.data compile once per process
    times = {True: [], False: []}
    for _, with_checkpoint in progress([(k, w) for k in range(repeats) for w in (True, False)], f"{name} run"):
        times[with_checkpoint].append(one_run(preset, epochs, lbfgs, with_checkpoint))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"{name}: median {on:.1f} s with checkpoints, {off:.1f} s without: overhead {100 * (on / off - 1):+.1f} %")
    return {"preset": name, "family": preset.family, "adam_epochs": epochs, "lbfgs_iterations": lbfgs,
            "with_checkpoint_s": times[True], "without_s": times[False], "median_with_s": on,
            "median_without_s": off, "overhead": on / off - 1}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=list(RUNS))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    write_results("checkpoint_overhead", {"rows": [measure(name, args.repeats) for name in args.presets]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
