"""The continuous PINN on the grid problem's points: the shipped ``poisson2d`` model (autodiff residual).

    python benchmarks/grid_pde_pinn.py

Loads ``saved_models/poisson2d`` (a 4 x 32 tanh MLP trained on the continuous
residual −Δu − f by automatic differentiation, Adam then L-BFGS) with plain
TensorFlow, evaluates it at the interior nodes of ``poisson2d_grid`` and scores it
against the continuous solution and against the exact discrete solution. Writes
``benchmarks/results/grid_pde_pinn.json``. (Darcy has no such control: with a
piecewise-constant coefficient the pointwise residual −∇·(a∇u) is not defined.)
"""

from __future__ import annotations

import json
import time
from pathlib import Path


from pinnzoo.export import load_export, machine, predict_export
from pinnzoo.grids import get_grid_problem
from pinnzoo.families.grid.preset import field_errors

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    model, meta = load_export(ROOT / "saved_models" / "poisson2d")
    problem = get_grid_problem("poisson2d_grid")
    xy = problem.coordinates()
    u = predict_export(model, meta, xy.reshape(-1, 2))[:, 0].reshape(xy.shape[:2])
    result = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "model": "saved_models/poisson2d",
              "description": meta["description"],
              "training_time_s": meta["training"]["time_s"], "training_machine": meta["training"].get("machine"),
              "adam_steps": meta["training"].get("adam_steps"), "lbfgs_iterations": meta["training"].get("lbfgs_iterations"),
              **field_errors(problem, u)}
    out = ROOT / "benchmarks" / "results" / "grid_pde_pinn.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
