"""The heat equation as an imaging operator: ``A x = u(T)`` for ``u_t = κΔu``, ``u(0) = x``, mirror boundaries."""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import DCTDiagonal, Operator, register_operator

#: the explicit step's ``κ Δt`` in pixel units: below the 2-D stability limit ¼ of the 5-point Laplacian
MAX_STEP = 0.2
_LAPLACIAN = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])[:, :, None, None]


@register_operator
class HeatFlow(Operator, DCTDiagonal):
    r"""Diffuse an image for a time ``T``: ``A x = (I + τ Δ_N)^n x`` with ``n τ = κT`` (pixel units).

    ``Δ_N`` is the 5-point Laplacian with Neumann (mirror) boundaries — the image
    padded by reflection of its edge pixels, so no heat leaves it — applied by
    ``tf.nn.conv2d``; ``n = ⌈κT / 0.2⌉`` explicit Euler steps of ``τ = κT / n ≤ 0.2``
    (stable: ``τ < ¼``). The adjoint is obtained by automatic differentiation of
    ``⟨A x, y⟩`` (tested against the definition); it equals ``A`` itself, because
    ``Δ_N`` is symmetric. In the orthonormal DCT-II basis (the eigenbasis of ``Δ_N``)
    ``A`` is diagonal with

    .. math:: \hat a_{kl} = \big(1 - 4τ(\sin^2\tfrac{πk}{2H} + \sin^2\tfrac{πl}{2W})\big)^n,

    which :meth:`transfer` returns and the classical baselines invert. Over the
    plane the heat kernel at time ``T`` is a Gaussian of ``σ = \sqrt{2κT}`` pixels:
    ``kappa_t = 2`` blurs like ``gaussian:2.0``. Recovering ``x`` from noisy
    ``A x`` is the backward heat equation, severely ill-posed (the transfer decays
    like ``e^{−κT|ω|²}``).
    """

    name = "heat"

    @classmethod
    def examples(cls):
        return [cls(2.0), cls(0.5)]

    def __init__(self, kappa_t: float = 2.0):
        kappa_t = float(kappa_t)
        if not (kappa_t > 0 and math.isfinite(kappa_t)):
            raise InputError(f"kappa_t (the diffusion time, in pixels²) must be a positive number, got {kappa_t}")
        self.kappa_t = kappa_t
        self.steps = max(1, math.ceil(kappa_t / MAX_STEP - 1e-12))
        self.tau = kappa_t / self.steps

    @property
    def sigma(self) -> float:
        """The standard deviation (pixels) of the Gaussian this flow equals over the plane."""
        return math.sqrt(2.0 * self.kappa_t)

    def A(self, x):  # noqa: N802
        x = tf.convert_to_tensor(x, tf.float32)
        c = int(x.shape[-1])
        kernel = tf.constant(np.tile(_LAPLACIAN, (1, 1, c, 1)), tf.float32)  # depthwise: each channel on its own
        for _ in range(self.steps):
            padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")
            x = x + self.tau * tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID")
        return x

    def A_adjoint(self, y):  # noqa: N802
        y = tf.convert_to_tensor(y, tf.float32)
        x = tf.zeros_like(y)
        with tf.GradientTape() as tape:
            tape.watch(x)
            inner = tf.reduce_sum(self.A(x) * y)
        return tape.gradient(inner, x)  # ∂⟨A x, y⟩/∂x = Aᵀ y (A is linear: any x will do)

    def check(self, height, width):
        if height < 2 or width < 2:
            raise InputError(f"the heat flow needs an image of at least 2 × 2 pixels, got {height} × {width}")

    def transfer(self, height: int, width: int) -> np.ndarray:
        """``â_kl``, the eigenvalue of ``A`` for the DCT-II basis function ``(k, l)``, ``[height, width]``."""
        sk = np.sin(np.pi * np.arange(height) / (2 * height)) ** 2
        sl = np.sin(np.pi * np.arange(width) / (2 * width)) ** 2
        return (1.0 - 4.0 * self.tau * (sk[:, None] + sl[None, :])) ** self.steps

    def describe(self):
        return f"heat flow kappa*T = {self.kappa_t:g} px^2 ({self.steps} explicit steps, like a Gaussian of sigma = {self.sigma:.2f} px)"

    def get_config(self):
        return {"name": self.name, "kappa_t": self.kappa_t}
