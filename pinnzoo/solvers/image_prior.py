"""Fitting an untrained generator to one degraded image (Deep Image Prior, Deep Decoder)."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators import FourierPreconditioner, Operator, as_image_batch, data_term, operator_from_config
from pinnzoo.priors.base import ImageGenerator
from pinnzoo.regularizers import total_variation
from pinnzoo.priors.registry import with_deserialized_prior


@keras.saving.register_keras_serializable(package="pinnzoo")
class ImagePriorSolver(keras.Model):
    r"""Restore one image ``x`` from a measurement ``y = A x + n`` with an untrained generator.

    .. math:: \min_\Theta\ \operatorname{mean}\big(P\,(A\, G_\Theta(z + \sigma_z \eta) - y)\big)^2
              + \lambda_{TV}\, \operatorname{TV}(G_\Theta(z + \sigma_z \eta)),

    with ``z`` a fixed random input (a non-trainable weight, uniform in
    ``[0, 0.1)`` as in DIP) and ``η ~ N(0, 1)`` drawn afresh each step when
    ``input_noise_std = σ_z > 0`` (DIP's input-noise regularisation; a stateless
    Philox draw keyed by the seed and the step number, so a resumed fit and a fit
    on any replica of a ``tf.distribute`` strategy draw the same ``η``). The
    generator's output is cropped to the image size (the generator works on the
    next multiple of its stride: images of any size are padded, never resized).
    ``P`` is the identity unless a ``preconditioner`` is given (for a blur, a
    :class:`~pinnzoo.operators.FourierPreconditioner` makes the edges the blur
    attenuates converge about as fast as the flat regions). Where ``A`` and ``P``
    are diagonal in the DCT-II basis (the heat flow) the same data term is
    evaluated there, with one transform instead of the operator's stencil steps
    (:class:`~pinnzoo.operators.SpectralDataTerm`). ``tv_weight = λ_TV``
    adds the isotropic total variation of the output
    (:func:`~pinnzoo.regularizers.total_variation`; DIP-TV, Liu et al. 2019);
    the logged ``loss`` is then the sum and ``tv`` the TV term.

    With ``data_consistency=True`` (noise-free masks and downsampling, where
    ``A Aᵀ = c I``) the restored image is the average projected onto the
    measurements, ``x̂ = x̄ + A⁺(y − A x̄)`` (:meth:`Operator.project`): known
    pixels are kept exactly, as classical inpainting does; the fit itself is
    unchanged.

    Each step also updates, in the graph:

    * an exponential moving average of the outputs, ``x̄ ← d x̄ + (1 − d) x``
      (``ema_decay = d``); the restored image is this average;
    * the windowed moving variance of the last ``window`` outputs,
      ``VAR_t = mean_w ‖x_{t-w} − mean‖² / n_pixels`` — a reference-free signal
      that falls while the network fits the image and rises once it starts
      fitting the noise. The smallest ``VAR_t`` so far, its step, the average
      image and the generator weights at that step are kept; the
      :class:`~pinnzoo.callbacks.VarianceStopping` callback stops ``fit`` once
      no new minimum appeared for ``patience`` steps, and :meth:`finish`
      restores the kept weights and image. With ``average_lag = L`` the image
      kept is the average ``L`` steps after the minimum (the last one if the fit
      ends sooner), the weights those at the minimum: the average lags the
      outputs by about ``d / (1 − d)`` steps (99 at d = 0.99), so at the
      minimum it still weights the outputs from before it;
    * with a known (or estimated) noise level σ, the gate of
      :meth:`gate_on_discrepancy`: a step's variance counts as a minimum only
      if ``mean((A x̄ − y)²) <= τ σ²`` — the average already explains the data
      to about the noise level (Morozov's discrepancy principle), so a dip of
      the variance while the output is still far from the data is not kept.

    Paper: H. Wang, T. Li, Z. Zhuang, T. Chen, H. Liang, J. Sun, "Early stopping
    for deep image prior", TMLR 2023 (ES-WMV); V. A. Morozov, "On the solution of
    functional equations by the method of regularization", Soviet Math. Dokl. 7,
    1966 (the discrepancy principle); D. Ulyanov, A. Vedaldi,
    V. Lempitsky, "Deep Image Prior", CVPR 2018 (EMA and input noise).

    Fit with ``model.fit(solver.dataset(y), steps_per_epoch=..., epochs=...)``.
    """

    def __init__(self, prior: keras.Model, operator: Operator, measurement_shape, input_noise_std: float = 0.0,
                 ema_decay: float = 0.99, window: int = 100, seed: int = 0, preconditioner=None,
                 data_consistency: bool = False, tv_weight: float = 0.0, noise_seed: int | None = None,
                 average_lag: int = 0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(operator, dict):
            operator = operator_from_config(operator)
        if isinstance(preconditioner, dict):
            preconditioner = FourierPreconditioner.from_config(preconditioner)
        self.preconditioner = preconditioner
        self.prior, self.operator = prior, operator
        self.data_term = data_term(operator, preconditioner)  # spectral where A and P are DCT-diagonal
        h, w, c = (int(v) for v in measurement_shape)
        self.measurement_shape = (h, w, c)
        self.image_height, self.image_width = operator.input_shape(h, w)
        self.channels = c
        operator.check(self.image_height, self.image_width)
        self._check_options(data_consistency, tv_weight, input_noise_std, ema_decay, window)
        self.data_consistency, self.tv_weight = bool(data_consistency), float(tv_weight)
        self.input_noise_std, self.ema_decay, self.window, self.seed = float(input_noise_std), float(ema_decay), int(window), int(seed)
        self.noise_seed = self.seed if noise_seed is None else int(noise_seed)
        if int(average_lag) < 0:
            raise InputError(f"average_lag must be >= 0, got {average_lag}")
        self.average_lag = int(average_lag)
        if not isinstance(prior, ImageGenerator):
            raise InputError(f"the prior must be an ImageGenerator (a generator that states its stride and "
                             f"noise_shape, e.g. SkipNet or DeepDecoder), got {type(prior).__name__}")
        s = prior.stride
        self.padded_shape = (math.ceil(self.image_height / s) * s, math.ceil(self.image_width / s) * s)
        self.noise_shape = (1,) + tuple(prior.noise_shape(*self.padded_shape))
        self._make_state()
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.tv_tracker = keras.metrics.Mean(name="tv")
        self.variance_tracker = keras.metrics.Mean(name="variance")
        self.built = True

    def _check_options(self, data_consistency, tv_weight, input_noise_std, ema_decay, window) -> None:
        if not tv_weight >= 0:
            raise InputError(f"tv_weight must be >= 0, got {tv_weight}")
        if data_consistency and self.operator.gram_scale is None:
            raise InputError(f"data consistency needs A A^T = c I (masks, downsampling); "
                             f"{self.operator.describe()} does not satisfy it")
        if input_noise_std < 0:
            raise InputError(f"input_noise_std must be >= 0, got {input_noise_std}")
        if not 0.0 <= ema_decay < 1.0:
            raise InputError(f"ema_decay must be in [0, 1), got {ema_decay}")
        if window < 2:
            raise InputError(f"window must be >= 2, got {window}")

    def _make_state(self) -> None:
        """The fixed input, the generator's weights, and the state of the running average, of the
        variance-based stop and of the best iterate (non-trainable weights, so checkpoints keep them)."""
        zeros = keras.initializers.Zeros()
        self.noise = self.add_weight(shape=self.noise_shape, name="noise", trainable=False,
                                     initializer=keras.initializers.Constant(self.initial_noise().numpy()))
        shape = (1, self.image_height, self.image_width, self.channels)
        self.average = self.add_weight(shape=shape, name="average", trainable=False, initializer=zeros)
        # the measurement (set by dataset()): the data-consistency projection and the discrepancy gate use it
        self.measurement = self.add_weight(shape=(1,) + self.measurement_shape, name="measurement",
                                           trainable=False, initializer=zeros)
        # the discrepancy gate: a variance minimum counts only where mean((A x̄ - y)^2) <= misfit_bound
        self.misfit_bound = self.add_weight(shape=(), name="misfit_bound", trainable=False,
                                            initializer=keras.initializers.Constant(np.inf))
        self.misfit = self.add_weight(shape=(), name="misfit", trainable=False,
                                      initializer=keras.initializers.Constant(np.nan))
        self.best_average = self.add_weight(shape=shape, name="best_average", trainable=False, initializer=zeros)
        self.buffer = self.add_weight(shape=(self.window,) + shape[1:], name="buffer", trainable=False, initializer=zeros)
        # running sums over the buffer (float64: updated by adding the new and subtracting the oldest output)
        self.window_sum = self.add_weight(shape=shape, name="window_sum", dtype="float64", trainable=False,
                                          initializer=zeros)
        self.window_square_sum = self.add_weight(shape=(), name="window_square_sum", dtype="float64",
                                                 trainable=False, initializer=zeros)
        self.step = self.add_weight(shape=(), name="step", dtype="int64", trainable=False, initializer=zeros)
        # the step after which the average and the variance window (re)started (see restart_tracking)
        self.track_origin = self.add_weight(shape=(), name="track_origin", dtype="int64", trainable=False,
                                            initializer=zeros)
        self.best_step = self.add_weight(shape=(), name="best_step", dtype="int64", trainable=False, initializer=zeros)
        self.best_variance = self.add_weight(shape=(), name="best_variance", trainable=False,
                                             initializer=keras.initializers.Constant(np.inf))
        self.variance = self.add_weight(shape=(), name="variance", trainable=False,
                                        initializer=keras.initializers.Constant(np.nan))
        self.prior(tf.zeros(self.noise_shape))  # creates the generator's weights (subclassed models build on first call)
        self.snapshot = [self.add_weight(shape=v.shape, name="snapshot_" + v.name, trainable=False,
                                         initializer=zeros) for v in self.prior.weights]

    # -- the generator ---------------------------------------------------------------------------------
    def initial_noise(self) -> tf.Tensor:
        """The fixed input ``z``: uniform in ``[0, 0.1)`` from TensorFlow's stateless Philox generator,
        so an export can recompute it from the seed instead of storing it (it is as large as the image
        times the input channels)."""
        return tf.random.stateless_uniform(self.noise_shape, seed=[self.noise_seed, 0], minval=0.0, maxval=0.1)

    def reseed_noise(self, noise_seed: int) -> None:
        """Draw the fixed input from ``noise_seed`` (a warm start keeps its source's input this way)."""
        self.noise_seed = int(noise_seed)
        self.noise.assign(self.initial_noise())

    def generate(self, z=None):
        """``G_Θ(z)`` cropped to the image size (``z`` defaults to the fixed input)."""
        z = self.noise if z is None else z
        return self.prior(z)[:, :self.image_height, :self.image_width, :]

    def call(self, z):
        return self.generate(z)

    def image(self) -> np.ndarray:
        """The restored image, ``[H, W, C]`` float32: the moving average of the outputs, projected onto
        the measurement if ``data_consistency`` is on."""
        if self.data_consistency:
            return self.operator.project(self.average, self.measurement).numpy()[0]
        return self.average.numpy()[0]

    def preview(self) -> dict[str, np.ndarray]:
        """The restored image so far and the generator's current output (TensorBoard images)."""
        return {"restored": self.image(), "generator": self.generate().numpy()[0]}

    def dataset(self, y) -> tf.data.Dataset:
        """The endless one-element dataset ``fit`` consumes: the measurement, ``[1, h, w, c]``."""
        y = as_image_batch(y)
        if tuple(y.shape[1:]) != self.measurement_shape:
            raise InputError(f"measurement shape {tuple(y.shape[1:])} differs from {self.measurement_shape}")
        if not bool(tf.reduce_all(tf.math.is_finite(y))):
            raise InputError("the measurement contains NaN or infinite values")
        self.measurement.assign(y)
        return tf.data.Dataset.from_tensors(y).repeat()

    # -- training ---------------------------------------------------------------------------------------
    def train_step(self, y):
        loss, tv, x, grads, before = self.step_gradients(y)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas > 1:  # the all-reduce sums the replicas' gradients
            grads = [g / replicas for g in grads]
        self.optimizer.apply_gradients(zip(grads, self.prior.trainable_variables))
        self.track(x, before)
        return self.log_step(loss, tv)

    def input_noise(self) -> tf.Tensor:
        """``z + σ_z η`` of the coming step: ``η`` a stateless normal draw keyed by ``(seed + 1, step)``."""
        if self.input_noise_std == 0:
            return self.noise
        eta = tf.random.stateless_normal(self.noise_shape, seed=tf.stack([tf.constant(self.seed + 1, tf.int64),
                                                                          self.step.value]),
                                       dtype=self.noise.dtype)
        return self.noise + self.input_noise_std * eta

    def step_gradients(self, y):
        """One step's ``(loss, tv or None, output x, gradients of the loss for the prior's trainable weights,
        the prior's weights before the step)`` — the gradient half of :meth:`train_step`, which
        :class:`~pinnzoo.solvers.instances.InstanceBatchSolver` runs on the replica that owns this instance."""
        before = [tf.identity(v) for v in self.prior.weights]  # Θ_t, kept if x_t turns out best
        tv = None
        with tf.GradientTape() as tape:
            x = self.generate(self.input_noise())
            loss = self.data_term(x, y)
            if self.tv_weight > 0:
                tv = total_variation(x)
                loss = loss + self.tv_weight * tv
        return loss, tv, x, tape.gradient(loss, self.prior.trainable_variables), before

    def output_like(self) -> tf.Tensor:
        """Zeros shaped like one step's output ``x``."""
        return tf.zeros_like(self.average)

    def log_step(self, loss, tv=None) -> dict:
        """The step's logs: the loss (and TV) means over the epoch, the current output variance."""
        self.loss_tracker.update_state(loss)
        logs = {"loss": self.loss_tracker.result(), "variance": self.variance_tracker.result()}
        if self.tv_weight > 0:
            self.tv_tracker.update_state(tv)
            logs["tv"] = self.tv_tracker.result()
        return logs

    def track(self, x, weights):
        """The bookkeeping after a step with output ``x`` from the prior's ``weights``: the moving average,
        the variance window and the kept minimum (see the class docstring)."""
        step = self.step.assign_add(1)
        t = step - self.track_origin  # steps since the tracking (re)started
        d = self.ema_decay
        self.average.assign(tf.where(tf.equal(t, 1), x, d * self.average + (1.0 - d) * x))
        # The window's variance from running sums, O(pixels) per step instead of O(window x pixels):
        # VAR = sum_i |x_i|^2 / (w n) - |mean|^2 / n, with the buffer's oldest output swapped for x.
        slot = tf.math.floormod(t - 1, self.window)
        oldest = tf.cast(tf.gather(self.buffer.value, slot[None]), tf.float64)  # zeros until the buffer is full
        for copy in getattr(self.buffer.value, "values", (self.buffer.value,)):  # each replica's copy, if mirrored
            copy.scatter_nd_update(tf.reshape(slot, [1, 1]), x)
        new = tf.cast(x, tf.float64)
        total = self.window_sum.assign_add(new - oldest)
        squares = self.window_square_sum.assign_add(tf.reduce_sum(tf.square(new)) - tf.reduce_sum(tf.square(oldest)))
        full = t >= self.window
        n = float(np.prod(self.average.shape))
        w = float(self.window)

        def variance():
            v = squares / (w * n) - tf.reduce_sum(tf.square(total / w)) / n
            return tf.cast(tf.maximum(v, 0.0), tf.float32)

        var = tf.cond(full, variance, lambda: tf.constant(np.nan, tf.float32))
        self.variance.assign(var)
        gated = tf.math.is_finite(self.misfit_bound)
        misfit = tf.cond(gated, lambda: tf.reduce_mean(tf.square(self.operator.A(self.average) - self.measurement)),
                         lambda: tf.constant(np.nan, tf.float32))
        self.misfit.assign(misfit)
        explains = tf.logical_or(tf.logical_not(gated), misfit <= self.misfit_bound)
        improved = tf.logical_and(tf.logical_and(full, explains), var < self.best_variance)

        def keep():
            self.best_variance.assign(var)
            self.best_step.assign(step)
            self.best_average.assign(self.average)
            for s, v in zip(self.snapshot, weights):
                s.assign(v)
            return tf.constant(True)

        tf.cond(improved, keep, lambda: tf.constant(False))
        if self.average_lag > 0:  # for average_lag steps after the minimum the kept average follows the average
            since = step - self.best_step
            follow = tf.logical_and(self.best_step > 0, tf.logical_and(since > 0, since <= self.average_lag))
            tf.cond(follow, lambda: tf.identity(self.best_average.assign(self.average)),
                    lambda: tf.identity(self.best_average))
        self.variance_tracker.reset_state()
        self.variance_tracker.update_state(tf.where(full, var, 0.0))

    @property
    def metrics(self):
        return [self.loss_tracker, self.variance_tracker] + ([self.tv_tracker] if self.tv_weight > 0 else [])

    def restart_tracking(self) -> None:
        """Forget the outputs so far: the average starts again from the next output, the variance window
        fills again, and no minimum is kept until it is full. A warm start calls this after a burn-in
        (:class:`~pinnzoo.callbacks.BurnIn`), so that the source's image, its first output, is neither
        averaged into the result nor kept as a minimum of the variance."""
        self.track_origin.assign(self.step)
        for v in (self.buffer, self.window_sum, self.window_square_sum, self.best_step):
            v.assign(tf.zeros_like(v))
        self.best_variance.assign(np.inf)
        self.variance.assign(np.nan)

    def gate_on_discrepancy(self, noise_sigma: float, factor: float) -> float:
        """Let a variance minimum count only where the average explains the measurement to within ``factor``
        times the noise variance, ``mean((A x̄ − y)²) <= factor · σ²`` (Morozov's discrepancy principle as a
        gate on ES-WMV). Before the fit gets there its output can change slowly for a while (a flat start),
        and the windowed variance can dip far below the minimum that marks the onset of noise fitting.
        Returns the bound."""
        if not (noise_sigma > 0 and factor > 0):
            raise InputError(f"the discrepancy gate needs noise_sigma > 0 and factor > 0, got {noise_sigma}, {factor}")
        bound = float(factor) * float(noise_sigma) ** 2
        self.misfit_bound.assign(bound)
        return bound

    def steps_since_best(self) -> int:
        return int(self.step.numpy() - self.best_step.numpy())

    def finish(self, use_best: bool = True) -> int:
        """End a fit: with ``use_best`` (automatic stopping), restore the weights kept at the smallest output
        variance and the average kept ``average_lag`` steps after it. Returns the step of the average now held."""
        if use_best and int(self.best_step.numpy()) > 0:
            for s, v in zip(self.snapshot, self.prior.weights):
                v.assign(s)
            self.average.assign(self.best_average)
            return min(int(self.best_step.numpy()) + self.average_lag, int(self.step.numpy()))
        return int(self.step.numpy())

    def get_config(self):
        config = super().get_config()
        config.update(prior=keras.saving.serialize_keras_object(self.prior), operator=self.operator.get_config(),
                      measurement_shape=list(self.measurement_shape), input_noise_std=self.input_noise_std,
                      ema_decay=self.ema_decay, window=self.window, seed=self.seed,
                      preconditioner=self.preconditioner.get_config() if self.preconditioner else None,
                      data_consistency=self.data_consistency, tv_weight=self.tv_weight, noise_seed=self.noise_seed,
                      average_lag=self.average_lag)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_deserialized_prior(config))
