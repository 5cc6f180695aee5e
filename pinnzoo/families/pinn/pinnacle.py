"""The PINNacle presets (Hao et al., NeurIPS 2024): the field's benchmark problems on their own geometries,
scored against pinnzoo's converged references (``docs/pinnacle.md``)."""

from pinnzoo.family import register_preset
from pinnzoo.families.pinn.preset import PINNPreset
from pinnzoo.families.pinn.schedule import AdamPhase, Collocation, LBFGSPhase, Schedule
from pinnzoo.priors.registry import PriorSpec

#: both Poisson plates: Adam, then the dense self-scaled Broyden update, in float64
_SCHEDULE = Schedule(adam=AdamPhase(epochs=4, steps_per_epoch=500), collocation=Collocation(4096), dtype="float64",
                     lbfgs=LBFGSPhase(maxiter=3000, points=4096, method="ssbroyden", log_every=250))

register_preset(PINNPreset(
    name="poisson2d_holes",
    description="PINNacle Poisson 2d-C (Laplace on a square with four holes), 4x32 tanh MLP in float64 with exact "
                "boundary values (distance functions); 2,000 Adam steps, then self-scaled Broyden (dense) on 4,096 "
                "points",
    problem="poisson2d_holes",
    prior=PriorSpec("mlp", {"widths": (32,) * 4}),
    solver={"hard_constraints": True},
    schedule=_SCHEDULE,
    target=1e-3,
))

register_preset(PINNPreset(
    name="poisson_boltzmann2d",
    description="PINNacle Poisson 2d-CG (screened Poisson on a square with four holes), 4x32 tanh MLP in float64 "
                "with exact boundary values (distance functions); 2,000 Adam steps, then self-scaled Broyden "
                "(dense) on 4,096 points",
    problem="poisson_boltzmann2d",
    prior=PriorSpec("mlp", {"widths": (32,) * 4}),
    solver={"hard_constraints": True},
    schedule=_SCHEDULE,
    target=1e-3,
))

register_preset(PINNPreset(
    name="wave1d_pinnacle",
    description="PINNacle Wave 1d-C (u_tt = 4 u_xx, modes 1 and 4), 4x32 tanh MLP in float64 with exact initial "
                "and boundary values, residual scaled by 1/c^2; 2,000 Adam steps, then self-scaled Broyden (dense) "
                "on 4,096 points",
    problem="wave1d_pinnacle",
    prior=PriorSpec("mlp", {"widths": (32,) * 4}),
    solver={"hard_constraints": True, "loss_weights": {"residual": 1 / 16}},
    schedule=_SCHEDULE,
    target=1e-3,
))
