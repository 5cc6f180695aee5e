"""How long each test tier takes, as the README runs it: ``python -m pytest -q`` (the fast tier) and
``python -m pytest -q -m slow`` (the slow tier), one after the other with nothing beside them.

    python benchmarks/test_tiers.py

Wall time and the counts of each tier go to ``benchmarks/results/test_tiers.json`` (the README's Development
section is generated from it).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from results_file import write_results  # benchmarks/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
TIERS = {"fast": ["-q"], "slow": ["-q", "-m", "slow"]}


def run(args: list[str]) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|deselected|errors?)", last)}
    return {"command": "python -m pytest " + " ".join(args), "seconds": round(seconds, 1), "exit": proc.returncode,
            **counts}


def main() -> None:
    rows = {}
    for name, args in TIERS.items():
        rows[name] = run(args)
        print(f"{name}: {rows[name]}", flush=True)
    write_results("test_tiers", {"tiers": rows})


if __name__ == "__main__":
    main()
