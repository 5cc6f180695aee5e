"""Solving a grid PDE with any prior: a generator's output, a raw grid, or an MLP at the grid's points."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.grids.losses import GRID_LOSSES
from pinnzoo.grids.problems import GridProblem, get_grid_problem
from pinnzoo.priors.base import CoordinateNetwork, ImageGenerator
from pinnzoo.priors.registry import with_deserialized_prior
from pinnzoo.solvers.prior_step import mean_trackers, prior_step


@keras.saving.register_keras_serializable(package="pinnzoo")
class GridSolver(keras.Model):
    r"""Fit a prior's field to a grid PDE ``A u = f`` by minimising a loss of the discrete field.

    .. math:: L(Θ) = \frac{\operatorname{mean}\big((A\, u_Θ - f)^2\big)}{\operatorname{mean}(f^2)},
              \qquad u_Θ = s\, P_Θ,

    (``loss="residual"``, :class:`~pinnzoo.grids.losses.ResidualLoss`), or the
    discrete energy ``½ uᵀAu − fᵀu`` (``loss="energy"``,
    :class:`~pinnzoo.grids.losses.EnergyLoss`, for symmetric operators),

    where ``A`` is the problem's :class:`~pinnzoo.operators.GridOperator`
    (``tf.nn.conv2d`` stencils; the boundary values are zero and enter through the
    stencil's padding, so every prior satisfies them exactly), ``s`` is
    ``output_scale`` (by default the problem's :attr:`~pinnzoo.grids.GridProblem.scale`, the
    rough size of the solution, so that the prior's output is of order one) and ``P_Θ`` is the prior's field on the grid:

    * an :class:`~pinnzoo.priors.base.ImageGenerator` (DIP, Deep Decoder, raw grid):
      ``P_Θ = G_Θ(z)`` from a fixed input ``z`` (uniform in ``[0, 0.1)``, drawn from
      ``seed``; no input noise, so the loss is a deterministic function of ``Θ`` and
      L-BFGS applies), cropped to the grid (generators work on the next multiple of
      their stride);
    * a :class:`~pinnzoo.priors.base.CoordinateNetwork` (the MLP-PINN control):
      ``P_Θ = u_Θ(x_ij)`` at the unknowns' coordinates, mapped onto ``[-1, 1]²`` —
      a PINN with collocation at the grid points and the *discrete* operator.

    Each step also logs
    ``error``, the relative L2 distance to the exact discrete solution
    (monitoring only; the fit never sees it).

    Paper: D. Ulyanov, A. Vedaldi, V. Lempitsky, "Deep Image Prior", CVPR 2018 (the
    generator as the prior, here with a PDE operator in place of the degradation);
    whether its architecture helps is measured in ``docs/grid-pde.md``.
    """

    def __init__(self, problem: GridProblem, prior: keras.Model, loss: str = "residual", output_scale: float | None = None,
                 seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(problem, dict):
            problem = get_grid_problem(problem["name"], **problem.get("params", {}))
        if not isinstance(problem, GridProblem):
            raise InputError(f"a GridSolver needs a GridProblem, got {type(problem).__name__}")
        output_scale = problem.scale if output_scale is None else output_scale
        if not output_scale > 0:
            raise InputError(f"output_scale must be > 0, got {output_scale}")
        self.problem, self.prior = problem, prior
        self.loss_name = str(loss)
        self.objective = GRID_LOSSES.get(self.loss_name)(problem)
        self.output_scale, self.seed = float(output_scale), int(seed)
        self.grid_shape = tuple(int(v) for v in problem.operator.shape)
        dtype = self.compute_dtype
        if isinstance(prior, ImageGenerator):
            s = prior.stride
            padded = [-(-n // s) * s for n in self.grid_shape]
            self.inputs = tf.random.stateless_uniform((1,) + tuple(prior.noise_shape(*padded)), seed=[self.seed, 0],
                                                      minval=0.0, maxval=0.1, dtype=dtype)
            self._field = self._generated
        elif isinstance(prior, CoordinateNetwork):
            xy = problem.coordinates().reshape(-1, 2)
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            self.inputs = tf.constant(2 * (xy - lo) / (hi - lo) - 1, dtype=dtype)
            self._field = self._evaluated
        else:
            raise InputError(f"the prior must be an ImageGenerator or a CoordinateNetwork, got {type(prior).__name__}")
        shape = (1,) + self.grid_shape + (1,)
        # the right-hand side and the reference are variables: pose() swaps in another problem of the same
        # operator (the next time step) without retracing the compiled step
        self.rhs = self.add_weight(shape=shape, name="rhs", trainable=False, dtype=dtype,
                                   initializer=keras.initializers.Constant(problem.rhs[None, :, :, None]))
        self.reference = self.add_weight(shape=shape, name="reference", trainable=False, dtype=dtype,
                                         initializer=keras.initializers.Constant(
                                             problem.discrete_solution()[None, :, :, None]))
        self.prior(self.inputs)  # creates the prior's weights
        self.trackers = mean_trackers("loss", "error")
        self.built = True

    def pose(self, problem: GridProblem) -> None:
        """Solve ``problem`` next, from the current weights (a warm start): it must have the same operator
        (e.g. the next implicit time step, whose right-hand side is the previous field)."""
        if type(problem) is not type(self.problem) or tuple(problem.operator.shape) != self.grid_shape:
            raise InputError(f"pose() needs another {type(self.problem).__name__} on the {self.grid_shape} grid, got "
                             f"{type(problem).__name__} on {tuple(problem.operator.shape)}")
        self.problem = problem
        self.rhs.assign(problem.rhs[None, :, :, None])
        self.reference.assign(problem.discrete_solution()[None, :, :, None])

    # -- the field ------------------------------------------------------------------------------------
    def _generated(self):
        ny, nx = self.grid_shape
        return self.prior(self.inputs)[:, :ny, :nx, :1]

    def _evaluated(self):
        return tf.reshape(self.prior(self.inputs)[:, :1], (1,) + self.grid_shape + (1,))

    def field(self) -> tf.Tensor:
        """``u_Θ`` on the grid, ``[1, ny, nx, 1]``."""
        return self.output_scale * self._field()

    def call(self, inputs=None):
        return self.field()

    def solution(self) -> np.ndarray:
        """The fitted field, ``[ny, nx]`` float64."""
        return np.asarray(self.field().numpy()[0, :, :, 0], dtype=np.float64)

    def preview(self) -> dict[str, np.ndarray]:
        """The fitted field and its error against the exact discrete solution (TensorBoard images)."""
        u = self.solution()
        return {"u": u, "error": u - np.asarray(self.reference.numpy()).reshape(u.shape)}

    # -- the loss (also what L-BFGS drives, through loss_terms/total_loss) -----------------------------
    def loss_terms(self, batch=None) -> dict:
        u = self.field()
        error = tf.norm(u - self.reference) / tf.norm(self.reference)
        return {self.loss_name: self.objective(u, self.rhs), "error": tf.stop_gradient(error)}

    def total_loss(self, terms) -> tf.Tensor:
        return terms[self.loss_name]

    @property
    def coefficients(self) -> dict:
        return {}

    def train_step(self, data):
        return prior_step(self, self.trackers)

    @property
    def metrics(self):
        return list(self.trackers.values())

    @staticmethod
    def dataset() -> tf.data.Dataset:
        """The endless dataset ``fit`` consumes (the loss needs no data)."""
        return tf.data.Dataset.from_tensors(0.0).repeat()

    def get_config(self):
        config = super().get_config()
        config.update(problem={"name": self.problem.name, "params": self.problem.params},
                      prior=keras.saving.serialize_keras_object(self.prior), loss=self.loss_name,
                      output_scale=self.output_scale,
                      seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_deserialized_prior(config))
