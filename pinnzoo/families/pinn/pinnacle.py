"""The PINNacle presets (Hao et al., NeurIPS 2024): the field's benchmark problems on their own geometries,
scored against pinnzoo's converged references (``docs/pinnacle.md``). Each preset's name is its problem's."""

from pinnzoo.family import register_preset
from pinnzoo.families.pinn.preset import PINNPreset
from pinnzoo.families.pinn.schedule import AdamPhase, Collocation, LBFGSPhase, Schedule
from pinnzoo.priors.registry import PriorSpec

#: Adam, then the dense self-scaled Broyden update, in float64
_SCHEDULE = Schedule(adam=AdamPhase(epochs=4, steps_per_epoch=500), collocation=Collocation(4096), dtype="float64",
                     lbfgs=LBFGSPhase(maxiter=3000, points=4096, method="ssbroyden", log_every=250))
_MLP = PriorSpec("mlp", {"widths": (32,) * 4})
_HARD = {"hard_constraints": True}
_STEPS = "2,000 Adam steps, then self-scaled Broyden (dense) on 4,096 points"
#: PINNacle's noisy measurements of u (absolute noise σ = 0.1)
_MEASURED = {"n": 2500, "noise": 0.1}


def _pinnacle(name: str, description: str, prior: PriorSpec = _MLP, solver=_HARD, schedule: Schedule = _SCHEDULE,
              target: float = 1e-3, **extra) -> None:
    register_preset(PINNPreset(name=name, description=description, problem=name, prior=prior, solver=dict(solver),
                               schedule=schedule, target=target, **extra))


_pinnacle("poisson2d_holes", "PINNacle Poisson 2d-C (Laplace on a square with four holes), 4x32 tanh MLP in float64 "
          f"with exact boundary values (distance functions); {_STEPS}")
_pinnacle("poisson_boltzmann2d", "PINNacle Poisson 2d-CG (screened Poisson on a square with four holes), 4x32 tanh "
          f"MLP in float64 with exact boundary values (distance functions); {_STEPS}")
_pinnacle("wave1d_pinnacle", "PINNacle Wave 1d-C (u_tt = 4 u_xx, modes 1 and 4), 4x32 tanh MLP in float64 with exact "
          f"initial and boundary values, residual scaled by 1/c^2; {_STEPS}",
          solver={**_HARD, "loss_weights": {"residual": 1 / 16}})
_pinnacle("poisson5d", f"PINNacle PNd (Poisson on the 5-cube), 4x32 tanh MLP in float64, boundary values as a loss "
          f"term; {_STEPS}", solver={}, target=4.67e-5)
_pinnacle("heat5d", "PINNacle HNd (heat in the unit 5-ball, Neumann boundary), 4x32 tanh MLP in float64 with the "
          f"exact initial value; {_STEPS}", target=1.19e-5)
def _modes(counts: tuple[int, ...]) -> tuple[tuple[float, ...], ...]:
    """Fourier-feature frequencies ``k/4`` (k = 1 … K per input): ``sin kπx`` and ``cos kπx`` on [0, 1] for each
    input on its own (the solver scales inputs to [-1, 1]); the domain's own sine modes up to ``K``."""
    columns = [(i, k / 4) for i, count in enumerate(counts) for k in range(1, count + 1)]
    return tuple(tuple(f if j == i else 0.0 for i, f in columns) for j in range(len(counts)))


_pinnacle("heat2d_multiscale", "PINNacle Heat 2d-MS (diffusivities 1/(500 pi)^2 and 1/pi^2), 3x32 tanh MLP on the "
          "domain's sine modes (k pi x for k <= 24, k pi y for k <= 4, k pi t/5 for k <= 2) in float64 with the exact "
          "initial value; 2,000 Adam steps, then self-scaled Broyden (dense) on 8,192 points drawn afresh every 250 "
          "iterations (the x-diffusion is 4e-7: each x is nearly its own problem, and a fixed point set is fitted "
          "between its points' x values)",
          prior=PriorSpec("fourier_mlp", {"widths": (32,) * 3, "frequencies": _modes((24, 4, 2))}),
          schedule=_SCHEDULE.replace(lbfgs={"points": 8192, "resample_every": 250}))
_pinnacle("poisson_inverse2d", "PINNacle PInv (coefficient a and solution u from u measured on a 50x50 grid with "
          f"noise 0.1), 4x32 tanh MLP with outputs (u, a) in float64, a's edge values exact; {_STEPS}, both stopped "
          "by the discrepancy principle (data mean square <= 1.1 sigma^2)",
          observations={**_MEASURED, "discrepancy": 1.1})
_pinnacle("heat_inverse2d", "PINNacle HInv (coefficient a and heat flow u from u measured at 2,500 points with noise "
          f"0.1), 4x32 tanh MLP with outputs (u, a) in float64, a's edge values exact; {_STEPS}",
          observations=_MEASURED)
_pinnacle("ns2d_lid", "PINNacle NS 2d-C (lid-driven cavity, nu = 1/100), 4x48 tanh MLP with outputs (u, v, p) in "
          f"float64, every velocity condition exact; {_STEPS}", prior=PriorSpec("mlp", {"widths": (48,) * 4}))
_pinnacle("heat2d_longtime", "PINNacle Heat 2d-LT (semilinear heat over t in [0, 100]), 3x32 tanh MLP on 32 Fourier "
          "features (scales 1, 1, 6 on x, y, t scaled to [-1, 1]) in float64 with the exact initial and edge values; "
          "4,000 Adam steps on 8,192 points, then self-scaled Broyden (dense) on 8,192 points",
          prior=PriorSpec("fourier_mlp", {"widths": (32,) * 3, "features": 32, "scale": (1.0, 1.0, 6.0)}),
          schedule=_SCHEDULE.replace(adam={"steps_per_epoch": 1000}, collocation={"points": 8192},
                                     lbfgs={"maxiter": 6000, "points": 8192}))
_pinnacle("ns2d_backstep", "PINNacle NS 2d-CG (backward-facing step, nu = 1/100), 4x48 tanh MLP with outputs "
          f"(u, v, p) in float64, every Dirichlet condition exact (R-function walls); {_STEPS}",
          prior=PriorSpec("mlp", {"widths": (48,) * 4}))
