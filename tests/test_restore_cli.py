"""``pinnzoo restore`` end to end on small images, and its errors for bad input."""

import json

import numpy as np
import pytest

from conftest import call_cli


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    from skimage import io

    d = tmp_path_factory.mktemp("img")
    yy, xx = np.mgrid[0:40, 0:52] / 40.0
    clean = np.clip(0.5 + 0.3 * np.sin(5 * xx) * np.cos(3 * yy), 0, 1).astype(np.float32)
    noisy = np.clip(clean + 0.05 * np.random.default_rng(0).standard_normal(clean.shape), 0, 1)
    io.imsave(d / "clean.png", (clean * 255).round().astype(np.uint8), check_contrast=False)
    io.imsave(d / "noisy.png", (noisy * 255).round().astype(np.uint8), check_contrast=False)
    np.save(d / "noisy.npy", noisy.astype(np.float32))
    np.save(d / "small.npy", clean[::4, ::4].copy())
    mask = (np.random.default_rng(1).random(clean.shape) > 0.3).astype(np.uint8) * 255
    io.imsave(d / "mask.png", mask, check_contrast=False)
    io.imsave(d / "mask_small.png", mask[:20, :20], check_contrast=False)
    (d / "not_an_image.png").write_text("hello")
    (d / "mask.txt").write_text("1 0 1")
    bad = noisy.copy()
    bad[3, 3] = np.nan
    np.save(d / "nan.npy", bad)
    np.save(d / "neg_psf.npy", -np.ones((3, 3)))
    np.save(d / "big_psf.npy", np.ones((60, 60)))
    return d


@pytest.mark.slow
def test_denoise_png_with_reference_and_export(images, tmp_path):
    out = call_cli("restore", "denoise", "--image", images / "noisy.png", "--out", tmp_path / "r.png",
                  "--iterations", "30", "--reference", images / "clean.png", "--export", tmp_path / "m", "--quiet",
                  "--logdir", tmp_path / "tb")
    assert out.returncode == 0, out.stderr[-2000:]
    from pinnzoo.run_log import read_events, read_history

    events = read_events(tmp_path / "tb")  # TensorBoard: the loss, the stopping statistic, PSNR, the image
    assert {"loss", "variance", "psnr", "ssim", "learning_rate", "solution/restored"} <= set(events)
    rows = read_history(tmp_path / "m" / "history.csv")  # the export keeps the same history
    assert rows == read_history(tmp_path / "tb" / "history.csv") and {r[3] for r in rows} >= {"loss", "psnr"}
    assert "PSNR" in out.stdout and "iterations" in out.stdout
    from skimage import io

    img = io.imread(tmp_path / "r.png")
    assert img.shape == (40, 52) and img.dtype == np.uint8       # 40×52 is no multiple of 32: padded, cropped back
    meta = json.loads((tmp_path / "m" / "pinnzoo.json").read_text())
    assert meta["family"] == "image" and meta["image_shape"] == [40, 52, 1]
    assert meta["recipe_preset"] == "dip_denoise" and meta["recipe"]["optimiser"]["iterations"] == 30
    assert meta["stopping"]["average_lag"] == 100  # the dip_denoise recipe's
    gate = meta["stopping"]["discrepancy_gate"]  # no --noise-sigma: estimated from the image (drawn with 0.05)
    assert gate["sigma_from"].startswith("estimated") and 0.035 < gate["noise_sigma"] < 0.065
    assert gate["misfit_bound"] == pytest.approx(gate["factor"] * gate["noise_sigma"] ** 2, rel=1e-6)


@pytest.mark.slow
def test_superres_npy_keeps_floats(images, tmp_path):
    out = call_cli("restore", "superres", "--image", images / "small.npy", "--scale", "4", "--out",
                  tmp_path / "big.npy", "--iterations", "20", "--prior", "deep_decoder", "--quiet")
    assert out.returncode == 0, out.stderr[-2000:]
    big = np.load(tmp_path / "big.npy")
    assert big.shape == (40, 52) and big.dtype == np.float32 and len(np.unique(big)) > 256


@pytest.mark.slow
def test_inpaint_and_deblur_run(images, tmp_path):
    out = call_cli("restore", "inpaint", "--image", images / "noisy.npy", "--mask", images / "mask.png", "--out",
                  tmp_path / "i.npy", "--iterations", "10", "--quiet", "--data-consistency")
    assert out.returncode == 0, out.stderr[-2000:]
    from skimage import io

    known = io.imread(images / "mask.png") > 127
    np.testing.assert_allclose(np.load(tmp_path / "i.npy")[known], np.load(images / "noisy.npy")[known], atol=1e-6)
    out = call_cli("restore", "deblur", "--image", images / "noisy.npy", "--psf", "motion:5:30", "--out",
                  tmp_path / "d.npy", "--iterations", "10", "--quiet", "--precondition", "0.01",
                  "--lr-schedule", "cosine", "--tv", "0.01")
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.parametrize("args, message", [
    (["denoise", "--image", "{d}/missing.png"], "not found"),
    (["denoise", "--image", "{d}/not_an_image.png"], "cannot read"),
    (["denoise", "--image", "{d}/mask.txt"], "must be PNG"),
    (["denoise", "--image", "{d}/nan.npy"], "NaN"),
    (["denoise", "--image", "{d}/noisy.png", "--noise-sigma", "-0.1"], "noise-sigma"),
    (["inpaint", "--image", "{d}/noisy.png", "--mask", "{d}/mask_small.png"], "mask is 20×20"),
    (["inpaint", "--image", "{d}/noisy.png"], "needs --mask"),
    (["deblur", "--image", "{d}/noisy.png", "--psf", "blob:3"], "unknown PSF"),
    (["deblur", "--image", "{d}/noisy.png", "--psf", "{d}/neg_psf.npy"], "positive"),
    (["deblur", "--image", "{d}/noisy.png", "--psf", "{d}/big_psf.npy"], "too large"),
    (["superres", "--image", "{d}/noisy.png", "--scale", "1"], "scale must lie in [2, 16]"),
    (["denoise", "--image", "{d}/noisy.png", "--precondition", "0.01"], "deblur and backward-heat only"),
    (["deblur", "--image", "{d}/noisy.png", "--psf", "gaussian:1", "--precondition", "-1"], ">= 0"),
    (["denoise", "--image", "{d}/noisy.png", "--iterations", "0"], "iterations"),
    (["denoise", "--image", "{d}/noisy.png", "--data-consistency"], "inpaint and superres"),
    (["denoise", "--image", "{d}/noisy.png", "--tv", "-0.1"], "TV weight must be >= 0"),
    (["denoise", "--image", "{d}/noisy.png", "--average-lag", "-1"], "average_lag must be >= 0"),
    (["inpaint", "--image", "{d}/noisy.png", "--mask", "{d}/mask.png", "--data-consistency", "--noise-sigma", "0.05"],
     "noise-free"),
])
def test_bad_input_gives_one_error_line(images, tmp_path, args, message, capsys):
    from pinnzoo import cli

    args = [a.format(d=images) for a in args]
    code = cli.main(["restore", *args, "--out", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2, err[-2000:]
    assert "Traceback" not in err
    assert message in err, err
    assert not (tmp_path / "x.png").exists()


def test_bad_output_suffix(images, tmp_path, capsys):
    from pinnzoo import cli

    code = cli.main(["restore", "denoise", "--image", str(images / "noisy.png"), "--out", str(tmp_path / "x.gif")])
    assert code == 2 and "--out must end" in capsys.readouterr().err


def _recipe_args(*argv):
    from pinnzoo import cli

    return cli.parser().parse_args(["restore", *argv, "--image", "x.png", "--out", "y.png"])


@pytest.mark.parametrize("name", ["dip_denoise", "dip_deblur", "dip_inpaint", "dip_superres", "deep_decoder_denoise",
                                  "deep_decoder_deblur"])
def test_restore_defaults_are_the_presets_recipes(name):
    """With no tuning flags the CLI runs the preset of the task and prior, field for field."""
    from pinnzoo import cli
    from pinnzoo.presets import get_preset

    preset = get_preset(name)
    chosen, config, notes = cli.recipe_from_args(_recipe_args(preset.task, "--prior", preset.prior))
    assert chosen is preset and config == preset.recipe and notes == []
    chosen, config, _ = cli.recipe_from_args(_recipe_args(preset.task, "--recipe", name, "--iterations", "7",
                                                          "--tv", "0.5", "--average-lag", "5"))
    assert chosen is preset and config.optimiser.iterations == 7 and config.regularisation.tv_weight == 0.5
    assert config.stopping.average_lag == 5
    assert config.override(iterations=preset.recipe.optimiser.iterations,
                           tv_weight=preset.recipe.regularisation.tv_weight,
                           average_lag=preset.recipe.stopping.average_lag) == preset.recipe  # nothing else changed


def test_bfloat16_runs_the_recipes_prior_in_mixed_precision():
    from pinnzoo import cli

    _, plain, _ = cli.recipe_from_args(_recipe_args("denoise"))
    _, mixed, _ = cli.recipe_from_args(_recipe_args("denoise", "--bfloat16", "--prior", "deep_decoder"))
    assert "dtype" not in plain.prior.config and mixed.prior.config["dtype"] == "mixed_bfloat16"
    net = mixed.prior.build(1)
    assert net.blocks[0][0].compute_dtype == "bfloat16" and net.head.compute_dtype == "float32"


def test_restore_without_a_tuned_recipe_says_what_it_runs_and_noisy_images_drop_data_consistency():
    from pinnzoo import cli

    preset, config, notes = cli.recipe_from_args(_recipe_args("inpaint", "--prior", "deep_decoder"))
    assert preset.name == "dip_inpaint" and config.prior.name == "deep_decoder" and "no tuned inpaint recipe" in notes[0]
    _, config, notes = cli.recipe_from_args(_recipe_args("inpaint", "--noise-sigma", "0.05"))
    assert not config.output.data_consistency and "data consistency off" in notes[0]
    with pytest.raises(Exception, match="not a denoise preset"):
        cli.recipe_from_args(_recipe_args("denoise", "--recipe", "dip_deblur"))


@pytest.mark.slow
def test_cli_quick_run_uses_the_recipe_of_the_image_table(images, tmp_path):
    """`pinnzoo restore deblur --quick` runs dip_deblur's recipe (cut to 20 steps), and records it."""
    from pinnzoo.presets import get_preset

    out = call_cli("restore", "deblur", "--image", images / "noisy.npy", "--psf", "gaussian:2.0", "--quick",
                  "--out", tmp_path / "d.npy", "--export", tmp_path / "m")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("recipe dip_deblur (quick): dip ") and "estimated" in out.stdout
    meta = json.loads((tmp_path / "m" / "pinnzoo.json").read_text())
    assert meta["recipe_preset"] == "dip_deblur"
    assert meta["recipe"] == json.loads(json.dumps(get_preset("dip_deblur").recipe.quick().to_dict()))
    assert meta["stopping"]["steps"] <= 20


def test_a_noisy_float_measurement_is_accepted_as_it_is(tmp_path):
    """Gaussian noise takes a measurement outside [0, 1]: any finite .npy is read unchanged; NaN/empty are not."""
    from pinnzoo.errors import InputError
    from pinnzoo.image_io import read_image

    rng = np.random.default_rng(0)
    noisy = (0.5 + 0.3 * rng.standard_normal((32, 32))).astype(np.float32)  # about [-0.5, 1.5]
    np.save(tmp_path / "noisy.npy", noisy)
    np.testing.assert_array_equal(read_image(tmp_path / "noisy.npy")[:, :, 0], noisy)
    noisy[3, 4] = np.nan
    np.save(tmp_path / "nan.npy", noisy)
    with pytest.raises(InputError, match="NaN"):
        read_image(tmp_path / "nan.npy")
    np.save(tmp_path / "empty.npy", np.zeros((0, 5), np.float32))
    with pytest.raises(InputError, match="empty"):
        read_image(tmp_path / "empty.npy")
