"""How long the command line's fast commands take, start to exit, as a user runs them (a new process each time).

    python benchmarks/cli_startup.py [--runs 5]

``pinnzoo --help``, ``list``, ``list --params burgers``, ``verify saved_models/burgers`` and an argument error
read the preset catalog (:mod:`pinnzoo.catalog`) and never import TensorFlow; ``evaluate`` is timed beside them
for scale (it loads TensorFlow and the SavedModel). Medians of ``--runs`` runs go to
``benchmarks/results/cli_startup.json``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results_file import write_results  # benchmarks/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("pinnzoo")
COMMANDS = {
    "pinnzoo --help": ["--help"],
    "pinnzoo list": ["list"],
    "pinnzoo list --params burgers": ["list", "--params", "burgers"],
    "pinnzoo verify saved_models/burgers": ["verify", str(ROOT / "saved_models" / "burgers")],
    "pinnzoo train burgrs (an argument error)": ["train", "burgrs"],
    "pinnzoo evaluate saved_models/heat1d (loads TensorFlow)": ["evaluate", str(ROOT / "saved_models" / "heat1d")],
}


def seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(EXE), *args], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per command (the median is kept)")
    args = ap.parse_args()
    rows = []
    for name, argv in COMMANDS.items():
        times = [seconds(argv) for _ in range(args.runs)]
        rows.append({"command": name, "median_s": round(statistics.median(times), 3), "runs": args.runs})
        print(f"{name}: median {rows[-1]['median_s']:.3f} s of {args.runs}")
    write_results("cli_startup", {"rows": rows})


if __name__ == "__main__":
    main()
