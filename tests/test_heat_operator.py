"""The heat flow as an imaging operator: adjoint by autodiff, exact DCT eigenvalues, Gaussian limit, baselines."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.fft import dctn, idctn

from conftest import call_cli
from pinnzoo.baselines import heat_candidates, tv_restore
from pinnzoo.errors import InputError
from pinnzoo import image_io
from pinnzoo.metrics import psnr
from pinnzoo.operators import Blur, FourierPreconditioner, HeatFlow, SpectralPreconditioner, operator_from_config


def test_adjoint_by_autodiff_passes_the_adjoint_test_and_equals_the_operator():
    op = HeatFlow(1.3)
    rng = np.random.default_rng(0)
    x, y = (tf.constant(rng.standard_normal((2, 17, 23, 2)), tf.float32) for _ in range(2))
    ax, aty = op.A(x).numpy(), op.A_adjoint(y).numpy()
    lhs, rhs = float(np.sum(ax * y.numpy())), float(np.sum(x.numpy() * aty))
    assert abs(lhs - rhs) < 1e-5 * abs(lhs)
    assert np.allclose(aty, op.A(y).numpy(), atol=1e-5)  # the mirror-boundary Laplacian is symmetric


def test_the_dct_diagonalises_the_flow_exactly():
    op = HeatFlow(2.0)
    x = np.random.default_rng(1).random((20, 28))
    expected = idctn(op.transfer(20, 28) * dctn(x, norm="ortho"), norm="ortho")
    assert np.abs(op.A(x[None, :, :, None]).numpy()[0, :, :, 0] - expected).max() < 1e-5


def test_flow_conserves_mass_is_stable_and_blurs_like_the_gaussian():
    op = HeatFlow(2.0)
    assert op.steps == 10 and op.tau <= 0.2 and op.sigma == pytest.approx(2.0)
    clean = image_io.test_image("camera", 128)[None]
    heat = op.A(clean).numpy()
    assert abs(heat.sum() - clean.sum()) < 1e-4 * clean.sum()
    assert heat.min() >= clean.min() - 1e-6 and heat.max() <= clean.max() + 1e-6  # maximum principle
    gauss = Blur("gaussian:2.0").A(clean).numpy()
    assert np.sqrt(np.mean((heat - gauss)[:, 8:-8, 8:-8] ** 2)) < 2e-3


def test_spectral_preconditioner_uses_the_exact_eigenvalues_and_round_trips():
    op = HeatFlow(2.0)
    p = FourierPreconditioner.for_operator(op, 0.03)
    assert isinstance(p, SpectralPreconditioner)
    k, l = 5, 9
    e = np.zeros((16, 16))
    e[k, l] = 1
    basis = idctn(e, norm="ortho")[None, :, :, None].astype(np.float32)
    out = p(op.A(basis)).numpy()
    a = op.transfer(16, 16)[k, l]
    assert np.allclose(out, np.sqrt(1.03 / (a * a + 0.03)) * a * basis, atol=1e-5)
    again = FourierPreconditioner.from_config(p.get_config())
    assert isinstance(again.operator, HeatFlow) and again.operator.kappa_t == 2.0 and again.lam == 0.03
    assert operator_from_config(op.get_config()).kappa_t == 2.0


def test_bad_diffusion_times_get_named_errors():
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InputError, match="kappa_t"):
            HeatFlow(bad)


def test_spectral_baselines_invert_a_mild_noise_free_flow():
    op = HeatFlow(0.5)
    clean = image_io.test_image("camera", 64)
    y = op.A(clean[None]).numpy()[0]
    best = max(psnr(c.image, clean) for c in heat_candidates(y, op, 0.0) if c.method.startswith("Tikhonov"))
    assert best > 35 > psnr(y, clean)
    assert psnr(tv_restore(y, op, 1e-4, iterations=100), clean) > psnr(y, clean) + 3


@pytest.mark.slow
def test_cli_restores_a_heat_blurred_image(tmp_path):
    clean = image_io.test_image("camera", 64)
    y = HeatFlow(2.0).A(clean[None]).numpy()[0]
    np.save(tmp_path / "y.npy", y)
    done = call_cli("restore", "backward-heat", "--image", tmp_path / "y.npy", "--kappa-t", "2", "--noise-sigma", "0",
                   "--quick", "--quiet", "--out", tmp_path / "r.npy")
    assert done.returncode == 0, done.stderr
    assert np.load(tmp_path / "r.npy").shape[:2] == (64, 64)
    missing = call_cli("restore", "backward-heat", "--image", tmp_path / "y.npy", "--out", tmp_path / "r.npy")
    assert missing.returncode == 2 and "needs --kappa-t" in missing.stderr
    bad = call_cli("restore", "backward-heat", "--image", tmp_path / "y.npy", "--kappa-t", "-1", "--out", tmp_path / "r.npy")
    assert bad.returncode == 2 and "kappa_t must lie in [0.01, 50]" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("lam", [None, 0.03])
def test_spectral_data_term_equals_the_stepped_residual_in_value_and_gradient(lam):
    from pinnzoo.operators import ResidualDataTerm, SpectralDataTerm, data_term

    op = HeatFlow(2.0)
    p = None if lam is None else FourierPreconditioner.for_operator(op, lam)
    fast, slow = data_term(op, p), ResidualDataTerm(op, p)
    assert isinstance(fast, SpectralDataTerm)
    rng = np.random.default_rng(3)
    x = tf.constant(rng.random((2, 19, 26, 2)), tf.float32)
    y = tf.constant(op.A(rng.random((2, 19, 26, 2))).numpy() + 0.01 * rng.standard_normal((2, 19, 26, 2)), tf.float32)
    values, grads = [], []
    for term in (fast, slow):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = term(x, y)
        values.append(float(value))
        grads.append(tape.gradient(value, x).numpy())
    assert values[0] == pytest.approx(values[1], rel=1e-5)
    assert np.abs(grads[0] - grads[1]).max() < 1e-5 * np.abs(grads[1]).max()


def test_data_term_is_spectral_only_for_dct_diagonal_operators():
    from pinnzoo.operators import Mask, ResidualDataTerm, data_term

    blur = Blur("gaussian:2.0")
    assert isinstance(data_term(blur, FourierPreconditioner.for_operator(blur, 0.03)), ResidualDataTerm)
    assert isinstance(data_term(Mask(np.ones((8, 8), bool))), ResidualDataTerm)
