"""Keras callbacks for data-free solvers: reference-error logging, stopping rules, loss balancing.

The divergence guard is :class:`pinnzoo.divergence.NaNGuard`."""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.metrics import psnr, rel_l2, ssim


class ReferenceErrorLogger(keras.callbacks.Callback):
    """Adds ``rel_l2`` (error against the problem's reference on its scoring grid) to the logs.

    Runs every ``every`` epochs and at the end of training; records the wall
    time at which the error first fell to ``target`` or below in
    ``self.time_to_target`` (seconds since ``on_train_begin``), for
    time-to-accuracy benchmarks.
    """

    def __init__(self, problem, every: int = 1, target: float | None = None, clock_start: float | None = None):
        super().__init__()
        self.points, _ = problem.scoring_grid()
        self.ref = problem.reference(self.points)
        self.every = max(1, int(every))
        self.target = target
        self.clock_start = clock_start
        self.time_to_target = None
        self.history: list[tuple[float, float]] = []

    def on_train_begin(self, logs=None):
        if self.clock_start is None:
            self.clock_start = time.perf_counter()

    def current_error(self) -> float:
        return rel_l2(self.model.predict_numpy(self.points), self.ref)

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or (epoch + 1) % self.every:
            return
        err = self.current_error()
        logs["rel_l2"] = err
        elapsed = time.perf_counter() - self.clock_start
        self.history.append((elapsed, err))
        if self.target is not None and self.time_to_target is None and err <= self.target:
            self.time_to_target = elapsed


class VarianceStopping(keras.callbacks.Callback):
    """Stop an image-prior fit once its output variance has not reached a new minimum for ``patience`` steps.

    Reference-free early stopping for Deep Image Prior (ES-WMV, Wang et al.,
    TMLR 2023): the solver tracks the windowed moving variance of its outputs
    and keeps the image at its minimum; this callback checks at the end of each
    epoch (so it reacts within ``steps_per_epoch`` steps) and sets
    ``stop_training``. ``self.stopped_at`` is the step count when it fired.
    """

    def __init__(self, patience: int = 500):
        super().__init__()
        self.patience = int(patience)
        self.stopped_at = None

    def on_epoch_end(self, epoch, logs=None):
        if int(self.model.best_step.numpy()) > 0 and self.model.steps_since_best() >= self.patience:
            self.stopped_at = int(self.model.step.numpy())
            self.model.stop_training = True


class BurnIn(keras.callbacks.Callback):
    """Restart an image-prior fit's output average and variance window once ``steps`` steps have run
    (:meth:`~pinnzoo.solvers.ImagePriorSolver.restart_tracking`, at the end of the first epoch that reaches it).

    For warm starts: a generator taken from another image's fit first outputs that image. The moving average
    ``x̄ ← d x̄ + (1 − d) x`` begins at that first output and keeps a weight ``dᵗ`` on it (14 % after 193 steps
    at d = 0.99), and the variance-based stop can keep an average from early in the fit, so the previous
    image shows through the result. After the burn-in, neither holds anything of the steps before it.
    ``self.restarted_at`` is the step count when it restarted.
    """

    def __init__(self, steps: int):
        super().__init__()
        self.steps = int(steps)
        self.restarted_at = None

    def on_epoch_end(self, epoch, logs=None):
        # once per fit: a fit resumed from a checkpoint after its burn-in has track_origin > 0 already
        if int(self.model.track_origin.numpy()) == 0 and int(self.model.step.numpy()) >= self.steps:
            self.model.restart_tracking()
            self.restarted_at = int(self.model.step.numpy())


class InstanceStopping(keras.callbacks.Callback):
    """:class:`VarianceStopping` for each member of an :class:`~pinnzoo.solvers.instances.InstanceBatchSolver`:
    at the end of each epoch, a member whose output variance has not reached a new minimum for ``patience``
    steps is frozen (``active[i] = 0``: neither stepped nor tracked again, so it keeps what its own fit
    would keep); ``fit`` stops once every member is frozen. ``self.stopped_at[i]`` is member ``i``'s step
    count when it stopped (None: it ran to the step limit)."""

    def __init__(self, patience: int = 500):
        super().__init__()
        self.patience = int(patience)
        self.stopped_at: list = []

    def on_train_begin(self, logs=None):
        self.stopped_at = [None] * self.model.count

    def on_epoch_end(self, epoch, logs=None):
        active = self.model.active.numpy()
        for i, member in enumerate(self.model.members):
            if active[i] > 0 and int(member.best_step.numpy()) > 0 and member.steps_since_best() >= self.patience:
                self.stopped_at[i] = int(member.step.numpy())
                active[i] = 0.0
        self.model.active.assign(active)
        if not active.any():
            self.model.stop_training = True


class ImageQualityLogger(keras.callbacks.Callback):
    """Adds ``psnr`` and ``ssim`` of the solver's current (averaged) image against a clean reference to the logs.

    Runs every epoch (choose ``steps_per_epoch`` as the logging interval);
    ``self.history`` holds ``(step, psnr of the average, ssim of the average,
    psnr of the raw output)`` so a run's peak can be compared with its
    automatic stopping point.
    """

    def __init__(self, reference):
        super().__init__()
        self.reference = np.asarray(reference, dtype=np.float32)
        if self.reference.ndim == 2:
            self.reference = self.reference[..., None]
        self.history: list[tuple[int, float, float, float]] = []

    def on_epoch_end(self, epoch, logs=None):
        avg = self.model.image()
        raw = self.model.generate().numpy()[0]
        row = (int(self.model.step.numpy()), psnr(avg, self.reference), ssim(avg, self.reference),
               psnr(raw, self.reference))
        self.history.append(row)
        if logs is not None:
            logs["psnr"], logs["ssim"], logs["psnr_raw"] = row[1], row[2], row[3]

    def peak(self) -> tuple[int, float]:
        """``(step, psnr)`` of the best averaged image seen."""
        step, value = max(((r[0], r[1]) for r in self.history), key=lambda r: r[1])
        return step, value


class GradNormBalancing(keras.callbacks.Callback):
    r"""Self-adaptive loss weights by gradient norms, updated every ``every`` training steps.

    .. math:: \hat λ_i = \frac{\sum_j \|\nabla_Θ L_j\|}{\|\nabla_Θ L_i\|},\qquad
              λ_i \leftarrow α λ_i + (1 - α) \hat λ_i,

    so that every weighted term ``λ_i L_i`` pulls on the parameters with the same
    gradient norm (no term drowns the others, whatever its scale). The norms are
    computed on ``batch`` (a fixed batch of points, e.g. from
    :func:`pinnzoo.sampling.fixed_batch`); the weights are the solver's
    non-trainable ``term_weights``, which its compiled ``train_step`` reads, so
    nothing is retraced. Use it with Adam only (L-BFGS needs a fixed loss).

    Paper: S. Wang, S. Sankaran, H. Wang, P. Perdikaris, "An expert's guide to
    training physics-informed neural networks", arXiv:2308.08468 (2023); after
    S. Wang, Y. Teng, P. Perdikaris, SIAM J. Sci. Comput. 43 (2021).
    """

    def __init__(self, batch: dict, every: int = 100, alpha: float = 0.9, terms=None):
        super().__init__()
        if int(every) < 1 or not 0.0 <= alpha < 1.0:
            raise ValueError("every must be >= 1 and alpha in [0, 1)")
        self.batch, self.every, self.alpha = batch, int(every), float(alpha)
        self.terms = list(terms) if terms else None
        self.history: list[dict] = []
        self._norms = None
        self._seen = 0

    def gradient_norms(self) -> dict:
        """``‖∇_Θ L_i‖`` for every loss term on the balancing batch."""
        model = self.model
        if self._norms is None:
            @tf.function
            def norms(batch):
                with tf.GradientTape(persistent=True) as tape:
                    terms = model.loss_terms(batch)
                out = {}
                for name, value in terms.items():
                    grads = [g for g in tape.gradient(value, model.trainable_variables) if g is not None]
                    out[name] = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads]))
                return out

            self._norms = norms
        return {k: float(v) for k, v in self._norms(self.batch).items()}

    def update(self) -> dict:
        norms = {k: v for k, v in self.gradient_norms().items()
                 if (self.terms is None or k in self.terms) and v > 0 and np.isfinite(v)}
        total = sum(norms.values())
        new = {}
        for name, norm in norms.items():
            var = self.model.term_weights[name]
            value = self.alpha * float(var.numpy()) + (1.0 - self.alpha) * total / norm
            var.assign(value)
            new[name] = value
        self.history.append(new)
        return new

    def on_train_batch_end(self, batch, logs=None):
        # with steps_per_execution > 1, Keras calls this once per execution of several steps
        self._seen += 1
        if self._seen % max(1, self.every // max(1, getattr(self.model, "steps_per_execution", 1) or 1)) == 0:
            self.update()
            if logs is not None:
                logs.update({f"w_{k}": v for k, v in self.history[-1].items()})


class DiscrepancyStopping(keras.callbacks.Callback):
    """Stop a fit to noisy data once it explains the data to the noise level (Morozov's discrepancy principle).

    ``monitor`` is the data misfit in units of the noise variance (the mean squared
    residual over ``σ²``, about 1 at the truth); the fit stops at the end of the first
    epoch where it is ``<= tau``. It sees no ground truth, only the noise level ``σ``
    (known or estimated). ``self.stopped_at`` is the epoch (1-based) when it fired; with ``every_step=True`` it is
    also checked after every step (a quasi-Newton iteration: :func:`~pinnzoo.solvers.lbfgs_refine` logs each one),
    and ``stopped_at`` is the number of steps this callback had seen.

    Paper: V. A. Morozov, "On the solution of functional equations by the method of
    regularization", Soviet Math. Dokl. 7, 1966.
    """

    def __init__(self, tau: float = 1.0, monitor: str = "misfit", every_step: bool = False):
        super().__init__()
        self.tau, self.monitor, self.every_step = float(tau), monitor, bool(every_step)
        self.stopped_at = None
        self._steps = 0

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, epoch + 1)

    def on_train_batch_end(self, batch, logs=None):
        """With ``every_step``: checked after every step too (``stopped_at`` then counts steps, not epochs)."""
        self._steps += 1
        if self.every_step:
            self._check(logs, self._steps)

    def _check(self, logs, at: int) -> None:
        value = (logs or {}).get(self.monitor)
        if self.stopped_at is None and value is not None and float(value) <= self.tau:
            self.stopped_at = at
            self.model.stop_training = True
