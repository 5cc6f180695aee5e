"""What checkpointing costs: the same PINN run with and without its checkpoint file, side by side.

    python benchmarks/checkpoint_overhead.py [--preset burgers] [--repeats 3]

`pinnzoo train` keeps a checkpoint (weights + optimiser state, rewritten atomically at the end of every
Adam epoch and every logged L-BFGS epoch) so that a killed run resumes with `--resume`. The goal: it costs
at most 5 % of training time. Runs alternate (with, without, with, ...) on the same machine; the ratio of
the median times is reported.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="burgers")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=2, help="Adam epochs (500 steps each for burgers)")
    ap.add_argument("--lbfgs", type=int, default=1000)
    args = ap.parse_args(argv)
    preset = get_preset(args.preset)
    one_run(preset, 1, 10, True)  # warm-up: XLA and tf.data compile once per process
    times = {True: [], False: []}
    for _, with_checkpoint in progress([(k, w) for k in range(args.repeats) for w in (True, False)], "run"):
        times[with_checkpoint].append(one_run(preset, args.epochs, args.lbfgs, with_checkpoint))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"{args.preset}: median {on:.1f} s with checkpoints, {off:.1f} s without: overhead {100 * (on / off - 1):+.1f} %")
    write_results("checkpoint_overhead", {"preset": args.preset, "adam_epochs": args.epochs, "lbfgs_iterations": args.lbfgs,
                                          "with_checkpoint_s": times[True], "without_s": times[False],
                                          "median_with_s": on, "median_without_s": off, "overhead": on / off - 1})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
