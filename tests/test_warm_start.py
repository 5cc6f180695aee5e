"""Warm starts (``--init DIR``): weights reach the new prior exactly, mismatches fail with InitError."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import tensorflow as tf

from conftest import call_cli
from pinnzoo.errors import InitError
from pinnzoo.presets import get_preset
from pinnzoo.priors import PriorSpec
from pinnzoo.warm_start import WEIGHTS_FILE, WarmStart, read_prior_weights


@pytest.fixture(scope="module")
def burgers_export(tmp_path_factory):
    """A quick Burgers run, exported (prior: 4x32 tanh MLP)."""
    out = tmp_path_factory.mktemp("warm") / "burgers"
    result = get_preset("burgers").train(quick=True, out=out, verbose=0, seed=5)
    return out, result


def _points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-1, 1, n), rng.uniform(0, 1, n)]).astype(np.float32)


def test_export_stores_the_prior_weights(burgers_export):
    out, result = burgers_export
    meta = json.loads((out / "pinnzoo.json").read_text())
    assert meta["prior"]["name"] == "mlp" and meta["prior_weights"]["file"] == WEIGHTS_FILE
    source = read_prior_weights(out)
    assert len(source.priors) == 1 and len(source.priors[0]) == len(result.solver.prior.weights)
    for (path, array), v in zip(source.priors[0], result.solver.prior.weights):
        assert path.endswith(v.name) and np.array_equal(array, v.numpy())


def test_warm_start_reproduces_the_source(burgers_export):
    """A fresh solver of another seed, warm-started and not trained, predicts what the export serves."""
    out, _ = burgers_export
    result = get_preset("burgers").train(quick=True, seed=11, verbose=0, epochs=0, lbfgs_iterations=0,
                                         init=WarmStart(str(out)))
    served = tf.saved_model.load(str(out)).signatures["serving_default"]
    x = _points()
    np.testing.assert_allclose(result.solver.predict_numpy(x), served(inputs=tf.constant(x))["u"].numpy(),
                               rtol=1e-5, atol=1e-6)
    assert result.init["from"] == str(out) and result.init["variables_loaded"] == 10
    cold = get_preset("burgers").train(quick=True, seed=11, verbose=0, epochs=0, lbfgs_iterations=0)
    assert np.abs(cold.solver.predict_numpy(x) - result.solver.predict_numpy(x)).max() > 1e-2


def test_warm_start_to_another_parameter_records_its_origin(burgers_export, tmp_path):
    out, _ = burgers_export
    preset = get_preset("burgers").with_params({"nu": 0.005})
    result = preset.train(quick=True, verbose=0, epochs=0, out=tmp_path / "b", init=WarmStart(str(out)))
    meta = json.loads((tmp_path / "b" / "pinnzoo.json").read_text())
    assert meta["params"]["nu"] == 0.005 and meta["init"]["from"] == str(out)
    assert meta["init"]["preset"] == "burgers" and np.isfinite(result.metrics["rel_l2"])


def test_another_width_fails_with_the_named_error(burgers_export):
    out, _ = burgers_export
    narrow = dataclasses.replace(get_preset("burgers"), prior=PriorSpec("mlp", {"widths": (16,) * 4}))
    with pytest.raises(InitError, match=r"variable 0 is dense_0/kernel \(2, 16\) here, dense_0/kernel \(2, 32\)"):
        narrow.train(quick=True, verbose=0, init=WarmStart(str(out)))
    deeper = dataclasses.replace(get_preset("burgers"), prior=PriorSpec("mlp", {"widths": (32,) * 5}))
    with pytest.raises(InitError, match="variable 8"):
        deeper.train(quick=True, verbose=0, init=WarmStart(str(out)))


def test_another_prior_class_fails(burgers_export):
    out, _ = burgers_export
    with pytest.raises(InitError, match="is mlp, this solver's is modified_mlp"):
        get_preset("burgers_sota").train(quick=True, verbose=0, init=WarmStart(str(out)))


def test_reset_last_layer_keeps_the_rest(burgers_export):
    out, source = burgers_export
    result = get_preset("burgers").train(quick=True, seed=11, verbose=0, epochs=0, lbfgs_iterations=0,
                                         init=WarmStart.parse(out, ["last"]))
    src, new = source.solver.prior.weights, result.solver.prior.weights
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(src[:8], new[:8]))
    assert not np.array_equal(src[8].numpy(), new[8].numpy())  # the head: fresh
    assert result.init["variables_loaded"] == 8


def test_parse_and_bad_sources(burgers_export, tmp_path):
    out, _ = burgers_export
    assert WarmStart.parse(out, ["noise,2"]) == WarmStart(str(out), 2, True)
    with pytest.raises(InitError, match="expected 'noise', 'last'"):
        WarmStart.parse(out, ["head"])
    with pytest.raises(InitError, match="only 5 layers"):
        get_preset("burgers").train(quick=True, verbose=0, init=WarmStart(str(out), reset_layers=6))
    with pytest.raises(InitError, match="no such directory"):
        WarmStart(str(tmp_path / "missing")).load()
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(out, copy)
    data = bytearray((copy / WEIGHTS_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(InitError, match="prior_weights.npz differs from its checksum"):  # the manifest
        WarmStart(str(copy)).load()
    (copy / "manifest.sha256").unlink()  # an export without a manifest: the checksum in pinnzoo.json
    with pytest.raises(InitError, match="does not match the checksum in its pinnzoo.json"):
        WarmStart(str(copy)).load()
    (copy / WEIGHTS_FILE).unlink()
    with pytest.raises(InitError, match="holds no prior weights"):
        WarmStart(str(copy)).load()


@pytest.mark.slow
def test_image_prior_warm_start_keeps_or_redraws_the_input(tmp_path):
    """DIP: the warm-started generator on the source's input gives the exported generator's image."""
    preset = get_preset("dip_denoise")
    out = tmp_path / "dip"
    preset.train(quick=True, verbose=0, seed=2, out=out)
    served = tf.saved_model.load(str(out)).signatures
    exported = served["generate"](noise=served["noise"]()["noise"])["image"].numpy()
    warm = preset.train(quick=True, verbose=0, seed=9, iterations=1, init=WarmStart(str(out)))
    assert warm.init["noise"].startswith("the source's") and warm.solver.noise_seed == 2
    np.testing.assert_array_equal(warm.solver.noise.numpy(), served["noise"]()["noise"].numpy())
    fresh = preset.train(quick=True, verbose=0, seed=9, iterations=1, init=WarmStart(str(out), fresh_noise=True))
    assert fresh.init["noise"] == "fresh (seed 9)" and fresh.solver.noise_seed == 9
    # a fresh input with the source's own seed would be the source's input again: the next seed draws it
    same_seed = preset.train(quick=True, verbose=0, seed=2, iterations=1, init=WarmStart(str(out), fresh_noise=True))
    assert same_seed.solver.noise_seed == 3
    assert not np.allclose(same_seed.solver.noise.numpy(), served["noise"]()["noise"].numpy())
    # the fit forgets its first outputs (the source's image) after one variance window, and says so
    assert warm.init["burn_in_steps"] == preset.quick().recipe.stopping.window
    # before any step, the warm-started generator on its (the source's) input is the exported generator
    from pinnzoo.restoration import build_image_solver

    clean, y, op = preset.quick().degrade()
    solver = build_image_solver(y.shape, op, preset.quick().recipe, seed=9)
    WarmStart(str(out)).apply_image(solver)
    np.testing.assert_allclose(solver.generate().numpy(), exported, rtol=1e-5, atol=1e-6)
    with pytest.raises(InitError, match="is dip, this solver's is deep_decoder"):
        get_preset("deep_decoder_denoise").train(quick=True, verbose=0, init=WarmStart(str(out)))


def test_grid_warm_start_starts_from_the_source_field(tmp_path):
    """darcy_grid: a warm start with no iterations serves the source's field, also on a new draw's problem."""
    preset = get_preset("darcy_grid")
    out = tmp_path / "darcy"
    source = preset.train(quick=True, verbose=0, out=out)
    warm = preset.with_params({"seed": 4}).train(quick=True, verbose=0, lbfgs_iterations=0,
                                                  init=WarmStart(str(out)))
    np.testing.assert_allclose(warm.solver.solution(), source.solver.solution(), rtol=1e-10, atol=1e-12)
    mlp = preset.with_prior("mlp")
    with pytest.raises(InitError, match="is multiscale_grid, this solver's is mlp"):
        mlp.train(quick=True, verbose=0, init=WarmStart(str(out)))


def test_cli_init_errors(burgers_export, tmp_path):
    out, _ = burgers_export
    r = call_cli("train", "burgers_sota", "--quick", "--quiet", "--init", out, "--out", tmp_path / "x")
    assert r.returncode == 2 and "modified_mlp" in r.stderr and "Traceback" not in r.stderr
    r = call_cli("train", "burgers", "--quick", "--init-reset", "last", "--out", tmp_path / "y")
    assert r.returncode == 2 and "--init-reset needs --init" in r.stderr
    r = call_cli("train", "burgers", "--quick", "--init", tmp_path / "nowhere", "--out", tmp_path / "z")
    assert r.returncode == 2 and "no such directory" in r.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()


def _shipped_with_weights(families):
    from conftest import ROOT

    out = []
    for meta_path in sorted((ROOT / "saved_models").glob("*/pinnzoo.json")):
        meta = json.loads(meta_path.read_text())
        if (meta_path.parent / WEIGHTS_FILE).exists() and meta.get("family", "pinn") in families:
            out.append(meta_path.parent)
    return out


def _fem_scored(directory) -> bool:
    """A preset scored against a finite-element or long spectral reference (its solve takes up to a few minutes:
    the slow tier)."""
    meta = json.loads((directory / "pinnzoo.json").read_text())
    problem = getattr(get_preset(meta["preset"]), "make_problem", None)
    return problem is not None and getattr(problem(), "reference_method", "") in ("fem", "spectral")


@pytest.mark.parametrize("directory", [pytest.param(d, marks=[pytest.mark.slow] * _fem_scored(d), id=d.name)
                                       for d in _shipped_with_weights({"pinn", "grid"})])
def test_shipped_weights_reproduce_the_shipped_error(directory):
    """A warm start from a shipped model with no training scores what its metadata says it scores."""
    meta = json.loads((directory / "pinnzoo.json").read_text())
    preset = get_preset(meta["preset"]).with_params(meta.get("set_params") or {})
    result = preset.train(seed=int(meta.get("seed", meta.get("training", {}).get("seed", 0))), verbose=0, epochs=0,
                          lbfgs_iterations=0, init=WarmStart(str(directory)))
    assert result.metrics["rel_l2"] == pytest.approx(meta["metrics"]["rel_l2"], rel=2e-2, abs=1e-7)


def _last_layer_lstsq(solver, batch, variables):
    """The least-squares optimum over ``variables`` by another path: the dense Jacobian of the stacked residual
    vector (``tape.jacobian``) and numpy's ``lstsq`` on ``ρ(θ) = ρ(θ₀) + J (θ − θ₀)``."""
    with tf.GradientTape(persistent=True) as tape:
        rho, _ = solver.residual_vector(batch)
    jac = np.concatenate([tf.reshape(j, [rho.shape[0], -1]).numpy() for j in tape.jacobian(rho, variables)], axis=1)
    step = np.linalg.lstsq(jac, -rho.numpy(), rcond=None)[0]
    residual = rho.numpy() + jac @ step
    return float(residual @ residual)


def test_refit_solves_the_last_layer_of_a_linear_problem():
    """Poisson (linear, hard boundary values), float64: the refit's loss is the least-squares minimum over the
    output layer computed by another derivative path, and only the output layer moved."""
    from pinnzoo.sampling import fixed_batch
    from pinnzoo.solvers import refit_last_layer
    from pinnzoo.families.pinn.fit import build_solver
    from pinnzoo.priors.variables import last_layer_variables

    preset = get_preset("poisson2d")
    solver = build_solver(preset, preset.schedule.replace(dtype="float64"), seed=3, verbose=0)
    batch = fixed_batch(solver, 512, seed=1)
    head = last_layer_variables(solver.prior)
    hidden = [v.numpy() for v in solver.prior.weights[:-len(head)]]
    optimum = _last_layer_lstsq(solver, batch, head)
    out = refit_last_layer(solver, batch)
    assert out["variables"] == sum(int(np.prod(v.shape)) for v in head)
    assert out["loss_after"] < out["loss_before"]
    np.testing.assert_allclose(out["loss_after"], optimum, rtol=1e-6)
    terms = solver.loss_terms(batch)
    np.testing.assert_allclose(float(solver.total_loss(terms)), out["loss_after"], rtol=1e-10)  # left in place
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(hidden, solver.prior.weights))


def test_refit_warm_start_on_a_nonlinear_problem(burgers_export):
    """Burgers at another viscosity: Levenberg-Marquardt on the output layer lowers the loss, keeps the hidden
    layers of the source, and the run records what it did."""
    out, source = burgers_export
    preset = get_preset("burgers").with_params({"nu": 0.005})
    result = preset.train(quick=True, seed=2, verbose=0, epochs=0, lbfgs_iterations=0,
                          init=WarmStart.parse(out, ["refit"]))
    refit = result.init["refit"]
    assert refit["variables"] == 33 and refit["iterations"] >= 1
    assert refit["loss_after"] < refit["loss_before"]
    src, new = source.solver.prior.weights, result.solver.prior.weights
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(src[:8], new[:8]))
    assert not np.array_equal(src[8].numpy(), new[8].numpy())


def test_refit_is_refused_where_there_is_no_output_layer(tmp_path):
    preset = get_preset("darcy_grid")
    out = tmp_path / "darcy"
    preset.train(quick=True, verbose=0, out=out)
    with pytest.raises(InitError, match="refit re-solves the output layer of a PINN"):
        preset.with_params({"seed": 4}).train(quick=True, verbose=0, init=WarmStart.parse(out, ["refit"]))


def test_last_layer_of_a_prior_with_its_own_variables():
    """A Fourier-feature MLP owns a variable outside any layer (its frequencies); the last layer is still the head."""
    from pinnzoo.priors.variables import last_layer_variables

    preset = get_preset("helmholtz2d")
    prior = preset.make_prior(preset.make_problem())
    prior.build((None, 2))
    assert [tuple(v.shape) for v in last_layer_variables(prior)] == [(64, 1), (1,)]
    assert [tuple(v.shape) for v in last_layer_variables(prior, 2)] == [(64, 64), (64,), (64, 1), (1,)]
