"""The classical baselines: the TV solver's numerics (adjoint pair, agreement with scikit-image's TV denoiser,
optimality of its solutions), back-projection, BM3D, and the two ways of choosing a parameter."""

import numpy as np
import pytest
import tensorflow as tf
from skimage.restoration import denoise_tv_chambolle
from skimage.transform import resize

from pinnzoo.baselines import (back_projection, best_baselines, denoise_candidates, discrepancy_baselines,
                               inpaint_candidates, residual_rms, superres_candidates, total_variation, tv_restore)
from pinnzoo.baselines.tv import divergence, gradient
from pinnzoo.errors import InputError
from pinnzoo.image_io import test_image as load_image
from pinnzoo.metrics import psnr
from pinnzoo.operators import Blur, Downsample, Identity, Mask
from pinnzoo.operators.base import degrade


@pytest.fixture(scope="module")
def clean():
    return load_image("camera", 48)


def test_divergence_is_minus_the_adjoint_of_the_gradient(rng):
    x = tf.constant(rng.standard_normal((2, 9, 7, 3)), tf.float64)
    p = tf.constant(rng.standard_normal((2, 9, 7, 3, 2)), tf.float64)
    assert float(tf.reduce_sum(gradient(x) * p)) == pytest.approx(-float(tf.reduce_sum(x * divergence(p))), rel=1e-12)


def test_penalised_tv_with_the_identity_is_scikit_images_tv_denoiser(clean):
    y = degrade(clean, Identity(), 0.08, seed=1)
    ours = tv_restore(y, Identity(), 0.05, iterations=3000)
    theirs = denoise_tv_chambolle(y[:, :, 0], weight=0.05, max_num_iter=2000, eps=1e-8)[:, :, None]
    assert psnr(ours, theirs) > 40  # the same minimiser, two algorithms


def _objective(x, y, op, weight):
    misfit = op.A(x[None]).numpy()[0] - y
    return 0.5 * float(np.sum(misfit ** 2)) + weight * total_variation(x)


def test_tv_deconvolution_minimises_its_objective(clean):
    op = Blur("gaussian:1.5")
    y = degrade(clean, op, 0.01, seed=2)
    x = tv_restore(y, op, 3e-3, iterations=1500)
    others = [clean, np.clip(y, 0, 1), tv_restore(y, op, 3e-3, iterations=150), tv_restore(y, op, 1e-2)]
    assert all(_objective(x, y, op, 3e-3) <= _objective(o, y, op, 3e-3) + 1e-6 for o in others)
    assert psnr(x, clean) > psnr(y, clean) + 2


def test_constrained_tv_inpainting_keeps_the_known_pixels_and_has_the_least_tv(clean, rng):
    mask = (rng.random(clean.shape[:2]) > 0.5).astype(np.float32)
    op = Mask(mask)
    y = degrade(clean, op, 0.0)
    x = inpaint_candidates(y, op, 0.0)[0].image
    assert np.abs((x - clean)[mask > 0.5]).max() < 1e-5
    biharmonic = inpaint_candidates(y, op, 0.0)[1].image
    assert total_variation(x) < min(total_variation(biharmonic), total_variation(clean))
    assert psnr(x, clean) > psnr(y, clean) + 5


def test_tv_super_resolution_and_back_projection_reproduce_the_measurement(clean):
    op = Downsample(4)
    y = degrade(clean, op, 0.0)
    cands = {c.method: c for c in superres_candidates(y, op, 0.0)}
    tv, bicubic = cands["TV super-resolution"].image, cands["bicubic"].image
    assert residual_rms(tv, y, op) < 1e-4 < residual_rms(bicubic, y, op)
    assert total_variation(tv) < total_variation(op.project(bicubic[None], y[None]).numpy()[0])
    few, many = (back_projection(y, op, lambda a: resize(a, (48, 48, 1), order=3), n) for n in (0, 10))
    assert residual_rms(many, y, op) < residual_rms(few, y, op)


def test_bm3d_is_the_strongest_denoiser_here_and_the_discrepancy_rule_needs_no_clean_image(clean):
    sigma = 25 / 255
    y = degrade(load_image("camera", 64), Identity(), sigma, seed=3)
    truth = load_image("camera", 64)
    cands = denoise_candidates(y, Identity(), sigma)
    oracle = best_baselines(cands, truth)
    assert oracle[0]["method"] == "BM3D"
    blind = discrepancy_baselines(cands, y, Identity(), sigma)  # no clean image given: no scores
    assert all("psnr" not in row for row in blind)
    for row in blind:
        mine = [c for c in cands if c.method == row["method"]]
        assert abs(row["residual"] - sigma) == min(abs(residual_rms(c.image, y, Identity()) - sigma) for c in mine)
    scored = {r["method"]: r for r in discrepancy_baselines(cands, y, Identity(), sigma, truth)}
    assert all(scored[r["method"]]["psnr"] <= r["psnr"] + 1e-9 for r in oracle)  # the oracle is an upper bound


def test_bad_tv_settings_and_measurements_get_named_errors(clean):
    y = degrade(clean, Blur("gaussian:1.0"), 0.01)
    for weight, iterations in ((0.0, 10), (-1e-3, 10), (float("nan"), 10), (1e-3, 0)):
        with pytest.raises(InputError, match="weight"):
            tv_restore(y, Blur("gaussian:1.0"), weight, iterations=iterations)
    with pytest.raises(InputError, match="NaN"):
        tv_restore(np.full_like(y, np.nan), Blur("gaussian:1.0"), 1e-3)
    with pytest.raises(InputError, match="A A\\^T = c I"):
        tv_restore(y, Blur("gaussian:1.0"), None)
