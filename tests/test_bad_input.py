"""Bad input at scale: every entry point answers with one clear error (exit 2 from the CLI), never a traceback.

Each case is a file or flag a user could plausibly give; the sweep runs them in-process through
``pinnzoo.cli.main`` (the subprocess path is covered in test_cli and test_restore_cli).
"""

import numpy as np
import pytest

from conftest import ROOT
from pinnzoo import cli

BURGERS = str(ROOT / "saved_models" / "burgers")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    np.save(d / "empty.npy", np.zeros((0, 2)))
    np.save(d / "cube.npy", np.zeros((2, 2, 2)))
    np.save(d / "inf.npy", np.array([[0.0, 0.1], [np.inf, 0.2]]))
    np.save(d / "strings.npy", np.array([["a", "b"]]))
    np.save(d / "tiny_image.npy", np.zeros((4, 4)))
    np.save(d / "bool_image.npy", np.ones((16, 16), bool))
    (d / "text.csv").write_text("x,t\nleft,right\n")
    (d / "zero.png").write_bytes(b"")
    (d / "fake.png").write_text("not a png")
    from PIL import Image

    Image.new("L", (5000, 4000)).save(d / "huge.png")  # 20 Mpixel, mostly zeros: small on disk
    Image.new("L", (64, 64), 128).save(d / "gray.png")
    Image.new("L", (32, 32), 255).save(d / "mask32.png")
    np.save(d / "psf2d_neg.npy", -np.ones((3, 3)))
    np.save(d / "psf_nan.npy", np.full((3, 3), np.nan))
    np.save(d / "outside.npy", np.array([[0.5, 0.5], [3.0, 0.5]]))
    return d


CASES = [
    (["predict", BURGERS, "--points", "{d}/empty.npy"], "holds no points"),
    (["predict", BURGERS, "--points", "{d}/cube.npy"], "shape [N, 2]"),
    (["predict", BURGERS, "--points", "{d}/inf.npy"], "NaN or inf"),
    (["predict", BURGERS, "--points", "{d}/strings.npy"], "not numbers"),
    (["predict", BURGERS, "--points", "{d}/text.csv"], "cannot read points"),
    (["predict", BURGERS, "--points", "{d}/gray.png"], "must be a .npy or .csv"),
    (["predict", BURGERS, "--points", "{d}/outside.npy", "--strict-domain"], "1 of 2 points lie outside"),
    (["predict", BURGERS, "--points", "{d}/missing.npy"], "not found"),
    (["restore", "denoise", "--image", "{d}/zero.png", "--out", "{d}/o.png"], "cannot read"),
    (["restore", "denoise", "--image", "{d}/fake.png", "--out", "{d}/o.png"], "cannot read"),
    (["restore", "denoise", "--image", "{d}/huge.png", "--out", "{d}/o.png"], "more than 16,777,216 pixels"),
    (["restore", "denoise", "--image", "{d}/tiny_image.npy", "--out", "{d}/o.png"], "too small"),
    (["restore", "denoise", "--image", "{d}/bool_image.npy", "--out", "{d}/o.png"], "does not hold numbers"),
    (["restore", "inpaint", "--image", "{d}/gray.png", "--mask", "{d}/mask32.png", "--out", "{d}/o.png"],
     "mask is 32×32"),
    (["restore", "deblur", "--image", "{d}/gray.png", "--psf", "{d}/psf2d_neg.npy", "--out", "{d}/o.png"], "PSF"),
    (["restore", "deblur", "--image", "{d}/gray.png", "--psf", "{d}/psf_nan.npy", "--out", "{d}/o.png"], "PSF"),
    (["restore", "deblur", "--image", "{d}/gray.png", "--psf", "gaussian:-1", "--out", "{d}/o.png"], "PSF"),
    (["restore", "denoise", "--image", "{d}/gray.png", "--noise-sigma", "nan", "--out", "{d}/o.png"], "noise-sigma"),
    (["restore", "superres", "--image", "{d}/gray.png", "--scale", "0", "--out", "{d}/o.png"], "scale must lie in [2, 16]"),
    (["restore", "backward-heat", "--image", "{d}/gray.png", "--kappa-t", "0", "--out", "{d}/o.png"], "kappa-t"),
    (["restore", "denoise", "--image", "{d}/gray.png", "--iterations", "-5", "--out", "{d}/o.png"], "iterations"),
    (["restore", "denoise", "--image", "{d}/gray.png", "--out", "{d}/o.gif"], "--out must end in"),
    (["restore", "denoise", "--image", "{d}/gray.png", "--init", "{d}", "--out", "{d}/o.png"], "not a SavedModel directory"),
    (["restore", "denoise", "--image", "{d}/gray.png", "--init-reset", "last", "--out", "{d}/o.png"],
     "--init-reset needs --init"),
    (["train", "burgers", "--epochs", "-1"], "--epochs must be >= 0"),
    (["train", "burgers", "--lbfgs-iterations", "-3"], "--lbfgs-iterations must be >= 0"),
    (["train", "burgers", "--set", "nu=-1"], "nu must lie in"),
    (["train", "burgers", "--set", "nu=nan"], "nu"),
    (["train", "burgers", "--prior", "dip"], "fixes its prior"),
    (["train", "darcy_grid", "--prior", "nosuch"], "available"),
    (["train", "burgers", "--init", BURGERS, "--init-reset", "sideways"], "init-reset"),
    (["train", "burgers", "--out", "{d}/gray.png"], "is a file"),
    (["train", "burgers", "--logdir", "{d}/gray.png"], "is a file"),
    (["train", "burgers", "--logdir", "{d}/tb", "--images-every", "-2"], "--images-every must be >= 0"),
    (["evaluate", "{d}"], "not a SavedModel directory"),
    (["verify", "{d}/nothing"], "no such directory"),
    (["plot", "{d}/nothing"], "neither an export directory"),
    (["list", "--params", "nosuch"], "available presets"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a[:2]) + f" [{i}]" for i, (a, _) in enumerate(CASES)])
def test_bad_input_is_refused_with_a_message(files, capsys, args, message):
    code = cli.main([a.format(d=files) for a in args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err, err


def test_points_outside_the_domain_warn_and_are_still_served(files, capsys):
    assert cli.main(["predict", BURGERS, "--points", str(files / "outside.npy"), "--out", str(files / "u.npy")]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 of 2 points lie outside the domain" in err
    assert np.isfinite(np.load(files / "u.npy")).all()
