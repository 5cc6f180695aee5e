"""The linear algebra of one dense quasi-Newton iteration, the way pinnzoo does it beside the textbook way.

    python benchmarks/dense_update.py [--sizes 1000 2000 3300 5000] [--rounds 5] [--repeats 10]

Per iteration the dense methods (:mod:`pinnzoo.optimizers.dense`) form the direction ``p = −H g``, the product
``Hy`` and a rank-2 update of the ``n × n`` inverse-Hessian estimate. Two ways, timed side by side in
alternating rounds (medians of the per-round means), for a self-scaled Broyden update (``φ = 0.3``, ``τ = 1.01``)
at each size ``n`` (the number of weights; ``allen_cahn_sota``'s 4 × 32 network with the periodic embedding has
3,329):

- *textbook*: a full numpy array, ``H −= outer(Hy, Hy)/q``, ``H += φ q outer(v, v)``, ``H /= τ``,
  ``H += ρ outer(s, s)`` — each outer product a new ``n × n`` temporary (pinnzoo's update before 2026-12-05);
- *pinnzoo*: :class:`~pinnzoo.optimizers.InverseHessian` — ``H = c G`` with the scale in ``c``, ``Hy`` and
  ``Hg`` in one pass over ``G``, and the update as one in-place rank-2 ``dgemm`` into ``G``.

Both results are compared (max. relative difference of ``H`` after the update). Writes
``benchmarks/results/dense_update.json``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from results_file import progress, write_results  # benchmarks/, the script's own folder
from pinnzoo.optimizers import InverseHessian
from pinnzoo.optimizers.dense import broyden_update

PHI, TAU = 0.3, 1.01


def textbook_iteration(H: np.ndarray, s, y, g):
    """Direction and update with full matrices and numpy temporaries."""
    p = -(H @ g)
    Hy = H @ y
    q = float(y @ Hy)
    rho = 1.0 / float(y @ s)
    v = rho * s - Hy / q
    H -= np.outer(Hy, Hy / q)
    H += np.outer(v, (PHI * q) * v)
    H /= TAU
    H += np.outer(s, rho * s)
    return p


def pinnzoo_iteration(H: InverseHessian, s, y, g):
    """As the optimiser does it: ``Hy`` and ``Hg`` in one pass (``prefetch``), then the in-place update."""
    H.prefetch(y, g)
    p = -(H @ g)
    broyden_update(H, s, y, 1.0 / float(y @ s), PHI, TAU, H @ y)
    return p


def problem(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(n, 32))
    H = np.eye(n) + Q @ Q.T / n
    s = rng.normal(size=n)
    return H, s, s + 0.1 * rng.normal(size=n), rng.normal(size=n)


def mean_time(fn, H, vectors, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn(H, *vectors)
    return (time.perf_counter() - start) / repeats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 3300, 5000])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args(argv)
    rows = []
    for n in progress(args.sizes, "size"):
        H0, *vectors = problem(n)
        once_textbook, once_pinnzoo = H0.copy(), InverseHessian.from_array(H0)
        textbook_iteration(once_textbook, *vectors)
        pinnzoo_iteration(once_pinnzoo, *vectors)
        difference = float(np.max(np.abs(once_pinnzoo.dense() - once_textbook)) / np.max(np.abs(once_textbook)))
        times = {"textbook": [], "pinnzoo": []}
        for _ in range(args.rounds):  # fresh matrices each round: repeated updates would drift apart in scale
            times["textbook"].append(mean_time(textbook_iteration, H0.copy(), vectors, args.repeats))
            times["pinnzoo"].append(mean_time(pinnzoo_iteration, InverseHessian.from_array(H0), vectors,
                                              args.repeats))
        row = {"n": n, "matrix_mb": n * n * 8 / 1e6, "difference": difference,
               **{f"{k}_ms": 1e3 * statistics.median(v) for k, v in times.items()},
               "rounds_ms": {k: [1e3 * t for t in v] for k, v in times.items()}}
        row["speedup"] = row["textbook_ms"] / row["pinnzoo_ms"]
        rows.append(row)
        print(f"n = {n}: textbook {row['textbook_ms']:.1f} ms, pinnzoo {row['pinnzoo_ms']:.1f} ms "
              f"({row['speedup']:.1f}x), max rel. difference {difference:.1e}")
    write_results("dense_update", {"rounds": args.rounds, "repeats": args.repeats, "phi": PHI, "tau": TAU,
                                   "rows": rows})


if __name__ == "__main__":
    main()
