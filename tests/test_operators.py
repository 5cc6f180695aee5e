"""Imaging operators: adjointness, agreement with SciPy, PSF specs and bad input."""

import numpy as np
import pytest
import scipy.ndimage as ndi

from pinnzoo.errors import InputError
from pinnzoo.operators import (OPERATORS, Blur, Downsample, Identity, Mask, Operator, box_psf, degrade, gaussian_psf,
                               motion_psf, parse_psf, random_mask)
from pinnzoo.operators.grid import GRID_OPERATORS


def _registered():
    """``(label, operator, channels)`` for every example of every registered operator, imaging and grid."""
    cases = []
    for registry in (OPERATORS, GRID_OPERATORS):
        for name, cls in registry.items():
            for k, op in enumerate(cls.examples()):
                channel_counts = (1, 3) if isinstance(op, Operator) else (None,)
                cases += [(f"{name}[{k}]" + (f"-c{c}" if c else ""), op, c) for c in channel_counts]
    return cases


_CASES = _registered()


def test_every_registry_is_covered():
    assert {label.split("[")[0] for label, _, _ in _CASES} == set(OPERATORS.names()) | set(GRID_OPERATORS.names())


@pytest.mark.parametrize("label, op, channels", _CASES, ids=[c[0] for c in _CASES])
def test_every_registered_operator_passes_the_adjoint_test(label, op, channels):
    """⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for random x, y, float64 sums (imaging operators in float32, grid stencils in float64)."""
    rng = np.random.default_rng(len(label))
    shape = op.example_input_shape(2, channels) if channels else op.example_input_shape(2)
    dtype = np.float32 if channels else np.float64
    x = rng.standard_normal(shape).astype(dtype)
    ax = op.A(x).numpy().astype(np.float64)
    y = rng.standard_normal(ax.shape).astype(dtype)
    aty = op.A_adjoint(y).numpy().astype(np.float64)
    assert aty.shape == x.shape
    lhs, rhs = np.sum(ax * y), np.sum(x * aty)
    tolerance = 1e-5 if channels else 1e-12
    assert abs(lhs - rhs) <= tolerance * max(1.0, np.sqrt(np.sum(ax ** 2) * np.sum(y ** 2)))


@pytest.mark.parametrize("spec", ["gaussian:2.0", "box:4", "box:5", "motion:9:30", "motion:7:135"])
def test_blur_matches_scipy_reflect(spec):
    op = Blur(spec)
    x = np.random.default_rng(3).random((1, 31, 40, 2)).astype(np.float32)
    ours = op.A(x).numpy()[0]
    ref = np.stack([ndi.convolve(x[0, :, :, c].astype(np.float64), op.psf, mode="reflect") for c in range(2)], -1)
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_psf_shapes_and_normalisation():
    g = gaussian_psf(2.0)
    assert g.shape == (13, 13) and np.isclose(g.sum(), 1) and np.argmax(g) == 6 * 13 + 6
    assert np.allclose(g, g.T)
    assert np.allclose(box_psf(3), 1 / 9)
    horizontal = motion_psf(9, 0)
    assert np.isclose(horizontal.sum(), 1)
    rows = np.nonzero(horizontal.sum(axis=1))[0]
    assert list(rows) == [horizontal.shape[0] // 2]            # angle 0: one horizontal line
    vertical = motion_psf(9, 90)
    assert np.allclose(vertical, horizontal.T, atol=1e-12)
    diagonal = motion_psf(9, 45)                                 # 45°: up and to the right
    c = diagonal.shape[0] // 2
    assert diagonal[:c, c + 1:].sum() > 0.3 and diagonal[:c, :c].sum() == 0


def test_psf_from_npy(tmp_path):
    k = np.random.default_rng(0).random((5, 3))
    np.save(tmp_path / "k.npy", k)
    assert np.allclose(parse_psf(str(tmp_path / "k.npy")), k / k.sum())


@pytest.mark.parametrize("spec, message", [
    ("gauss:2", "unknown PSF"), ("gaussian:x", "bad number"), ("gaussian:-1", "sigma > 0"), ("box:0", "size >= 1"),
    ("motion:9", "unknown PSF"), ("missing.npy", "cannot read"),
])
def test_bad_psf_specs(spec, message):
    with pytest.raises(InputError, match=message):
        parse_psf(spec)


def test_bad_psf_arrays():
    with pytest.raises(InputError, match="positive"):
        parse_psf(-np.ones((3, 3)))
    with pytest.raises(InputError, match="NaN"):
        parse_psf(np.array([[1.0, np.nan]]))
    with pytest.raises(InputError, match="2-D"):
        parse_psf(np.ones(3))
    with pytest.raises(InputError, match="too large"):
        Blur("gaussian:3.0").A(np.zeros((1, 8, 8, 1), np.float32))


def test_downsample_and_mask_errors():
    with pytest.raises(InputError, match=">= 2"):
        Downsample(1)
    with pytest.raises(InputError, match="multiple"):
        Downsample(4).A(np.zeros((1, 10, 12, 1), np.float32))
    with pytest.raises(InputError, match="differs|image is"):
        Mask(np.ones((8, 8))).check(8, 9)
    with pytest.raises(InputError, match="negative|>= 0"):
        degrade(np.zeros((8, 8)), Identity(), -0.1)


def test_downsample_averages_blocks():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(Downsample(2).A(x).numpy()[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])


def test_degrade_adds_noise_of_the_given_level():
    clean = np.full((128, 128), 0.5, np.float32)
    y = degrade(clean, Identity(), 0.1, seed=0)
    assert abs(np.std(y - clean) - 0.1) < 0.003
    np.testing.assert_array_equal(y, degrade(clean, Identity(), 0.1, seed=0))


@pytest.mark.parametrize("op", [Identity(), Mask(random_mask(12, 16, 0.5, seed=2)), Downsample(2), Downsample(4)],
                         ids=["identity", "mask", "down2", "down4"])
def test_projection_onto_the_measurements(op):
    """``project(x, y)`` reproduces ``y`` exactly, is idempotent, and is the closest such image to ``x``:
    ``x − P x`` is orthogonal to every ``x' − P x`` with ``A x' = y``."""
    rng = np.random.default_rng(5)
    x0, x = (rng.random((1, 12, 16, 2)).astype(np.float32) for _ in range(2))
    y = op.A(x0).numpy()
    px = op.project(x, y).numpy()
    np.testing.assert_allclose(op.A(px).numpy(), y, atol=1e-6)
    np.testing.assert_allclose(op.project(px, y).numpy(), px, atol=1e-6)
    other = op.project(rng.random(x.shape).astype(np.float32), y).numpy()  # another image consistent with y
    d1, d2 = (x - px).astype(np.float64), (other - px).astype(np.float64)
    if np.linalg.norm(d2) > 1e-4:  # (for the identity y is the only consistent image: nothing to compare)
        assert abs(np.sum(d1 * d2)) < 1e-5 * np.linalg.norm(d1) * np.linalg.norm(d2)
    assert np.linalg.norm(x - px) <= np.linalg.norm(x - other) + 1e-6


def test_mask_projection_keeps_known_pixels_and_ignores_values_in_holes():
    m = random_mask(12, 16, 0.5, seed=3)
    op = Mask(m)
    rng = np.random.default_rng(6)
    x, y = rng.random((1, 12, 16, 1)).astype(np.float32), rng.random((1, 12, 16, 1)).astype(np.float32)
    px = op.project(x, y).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(px[m > 0.5], y[0, :, :, 0][m > 0.5])   # the measured pixels, exactly
    np.testing.assert_array_equal(px[m < 0.5], x[0, :, :, 0][m < 0.5])   # whatever y holds in the holes is unused


def test_blur_has_no_projection():
    with pytest.raises(InputError, match="A A\\^T = c I"):
        Blur("gaussian:1.0").project(np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 1)))
