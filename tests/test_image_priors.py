"""Image priors and the image-prior solver: shapes, normalisation, EMA/variance bookkeeping, fitting, export."""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.callbacks import VarianceStopping
from pinnzoo.errors import InputError
from pinnzoo.operators import Blur, Downsample, Identity, Mask, random_mask
from pinnzoo.priors import BatchStatNorm, DeepDecoder, SkipNet
from pinnzoo.solvers import ImagePriorSolver


def small_dip(channels=1):
    return SkipNet((8, 8, 8), channels_skip=2, out_channels=channels, input_channels=4)


def test_skipnet_shapes_and_range():
    net = SkipNet((8, 8, 8, 8), channels_skip=(0, 2, 2, 2), out_channels=3, input_channels=5, upsample="nearest")
    assert net.stride == 16 and net.noise_shape(48, 32) == (48, 32, 5)
    out = net(tf.random.uniform((2, 48, 32, 5))).numpy()
    assert out.shape == (2, 48, 32, 3) and out.min() > 0 and out.max() < 1
    clone = SkipNet.from_config(net.get_config())
    assert clone.channels_skip == [0, 2, 2, 2] and clone.upsample == "nearest"


def test_deep_decoder_is_under_parameterised():
    net = DeepDecoder(channels=64, layers=5)
    assert net.noise_shape(256, 256) == (8, 8, 64)
    out = net(tf.random.uniform((1, 8, 8, 64)))
    assert out.shape == (1, 256, 256, 1)
    assert net.count_params() < 256 * 256 / 2      # fewer weights than half the pixels


def test_batch_stat_norm_normalises_each_channel():
    layer = BatchStatNorm()
    x = tf.random.normal((2, 9, 7, 3)) * [1.0, 5.0, 0.1] + [3.0, -2.0, 0.0]
    y = layer(x).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1, atol=1e-3)



def test_batch_stat_norm_fused_kernel_equals_plain_operations():
    layer = BatchStatNorm()
    x = tf.random.stateless_normal((1, 16, 12, 4), seed=[3, 1]) * [1.0, 5.0, 0.1, 2.0] + [3.0, -2.0, 0.0, 1.0]
    layer.build(x.shape)
    layer.gamma.assign([0.5, 2.0, -1.0, 1.5])
    layer.beta.assign([0.1, 0.0, -0.3, 2.0])
    w = tf.random.stateless_normal(x.shape, seed=[4, 1])
    results = []
    for f in (layer, layer.normalise):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
            loss = tf.reduce_sum(tf.sin(y) * w)
        results.append((y, *tape.gradient(loss, [x, layer.gamma, layer.beta])))
    for fused, plain in zip(*results):
        np.testing.assert_allclose(fused.numpy(), plain.numpy(), rtol=1e-4, atol=1e-4)


class _Record(keras.callbacks.Callback):
    """The generator output before each step (input noise off, so x_t = G_{Θ_t}(z))."""

    def on_train_begin(self, logs=None):
        self.outputs = [self.model.generate().numpy()]
        self.variances = []

    def on_train_batch_end(self, batch, logs=None):
        self.outputs.append(self.model.generate().numpy())
        self.variances.append(float(self.model.variance.numpy()))


def _average_and_variances(xs, decay, window):
    """The moving average of outputs ``xs`` (from the first) and the variance of every full window."""
    ema = xs[0]
    for x in xs[1:]:
        ema = decay * ema + (1 - decay) * x
    return ema, [np.mean((np.stack(xs[t - window + 1:t + 1]) - np.mean(xs[t - window + 1:t + 1], axis=0)) ** 2)
                 for t in range(window - 1, len(xs))]


@pytest.mark.slow  # fits a generator for many steps: seconds
def test_moving_average_and_windowed_variance_follow_their_definitions():
    keras.utils.set_random_seed(0)
    y = np.random.default_rng(0).random((1, 24, 20, 1)).astype(np.float32)
    solver = ImagePriorSolver(small_dip(), Identity(), (24, 20, 1), ema_decay=0.9, window=4)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    rec = _Record()
    solver.fit(solver.dataset(y), steps_per_epoch=9, epochs=1, verbose=0, callbacks=[rec])
    xs = rec.outputs[:9]                      # the 9 outputs the steps saw
    ema, variances = _average_and_variances(xs, 0.9, 4)
    np.testing.assert_allclose(solver.average.numpy(), ema, atol=1e-5)
    # at every step once the window is full, including after the buffer wrapped round (running sums)
    np.testing.assert_allclose(rec.variances[3:], variances, rtol=1e-3)
    assert np.isnan(rec.variances[:3]).all()
    best = 3 + int(np.argmin(variances))
    assert int(solver.best_step.numpy()) == best + 1
    # finish() brings back the generator of the kept step and its average
    kept = solver.finish(use_best=True)
    assert kept == best + 1
    np.testing.assert_allclose(solver.generate().numpy(), xs[best], atol=1e-5)


@pytest.mark.slow
def test_average_lag_keeps_the_average_that_many_steps_after_the_minimum():
    """With ``average_lag = L`` the fit keeps the generator of the variance minimum and the average L steps after
    it; a fit that ends sooner keeps its last average."""
    from pinnzoo.restoration import Stopping

    averages = []
    for lag in (0, 2, 50):
        keras.utils.set_random_seed(0)
        y = np.random.default_rng(0).random((1, 24, 20, 1)).astype(np.float32)
        solver = ImagePriorSolver(small_dip(), Identity(), (24, 20, 1), ema_decay=0.9, window=4, average_lag=lag)
        solver.compile(optimizer=keras.optimizers.Adam(0.01))
        rec, averages = _Record(), []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda b, logs: averages.append(solver.average.numpy()))
        solver.fit(solver.dataset(y), steps_per_epoch=20, epochs=1, verbose=0, callbacks=[rec, record])
        best = 4 + int(np.argmin(_average_and_variances(rec.outputs[:20], 0.9, 4)[1]))  # the minimum's step
        assert int(solver.best_step.numpy()) == best and best + 2 <= 20  # so that lag 2 ends inside the fit
        kept = solver.finish(use_best=True)
        assert kept == min(best + lag, 20)
        np.testing.assert_array_equal(solver.image(), averages[kept - 1][0])
        np.testing.assert_allclose(solver.generate().numpy(), rec.outputs[best - 1], atol=1e-5)
    assert not np.allclose(averages[best - 1], averages[best + 1])  # the lag changes the result
    assert ImagePriorSolver.from_config(solver.get_config()).average_lag == 50
    with pytest.raises(InputError, match="average_lag"):
        Stopping(average_lag=-1)


@pytest.mark.slow  # fits a generator for many steps: seconds
def test_burn_in_forgets_the_outputs_before_it():
    """After BurnIn's restart (a warm start's burn-in), the average, the variance window and the kept minimum
    follow their definitions over the outputs after the restart alone."""
    from pinnzoo.callbacks import BurnIn

    keras.utils.set_random_seed(0)
    y = np.random.default_rng(1).random((1, 24, 20, 1)).astype(np.float32)
    solver = ImagePriorSolver(small_dip(), Identity(), (24, 20, 1), ema_decay=0.9, window=4)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    rec, burn = _Record(), BurnIn(5)
    solver.fit(solver.dataset(y), steps_per_epoch=5, epochs=3, verbose=0, callbacks=[burn, rec])
    assert burn.restarted_at == 5 and int(solver.track_origin.numpy()) == 5
    xs = rec.outputs[5:15]                    # the 10 outputs the steps after the restart saw
    ema, variances = _average_and_variances(xs, 0.9, 4)
    np.testing.assert_allclose(solver.average.numpy(), ema, atol=1e-5)
    np.testing.assert_allclose(rec.variances[8:], variances, rtol=1e-3)
    assert np.isnan(rec.variances[5:8]).all()  # the window fills again
    best = 3 + int(np.argmin(variances))
    assert int(solver.best_step.numpy()) == 5 + best + 1
    # a second epoch end past the burn-in does not restart again (nor does a resumed fit: track_origin > 0)
    burn.on_epoch_end(3)
    assert int(solver.track_origin.numpy()) == 5


def _gated_fit(bound, steps=15):
    """A short fit through a 2x downsampling with the discrepancy gate at ``bound`` (inf: off); its recorded
    outputs and variances, the misfit after each step, and the solver."""
    keras.utils.set_random_seed(0)
    y = np.random.default_rng(3).random((1, 12, 10, 1)).astype(np.float32)
    solver = ImagePriorSolver(small_dip(), Downsample(2), (12, 10, 1), ema_decay=0.9, window=4)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    if np.isfinite(bound):
        solver.gate_on_discrepancy(np.sqrt(bound), 1.0)
    rec, misfits = _Record(), []
    record_misfit = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: misfits.append(float(solver.misfit.numpy())))
    solver.fit(solver.dataset(y), steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[rec, record_misfit])
    return y, rec, misfits, solver


@pytest.mark.slow
def test_the_discrepancy_gate_keeps_only_minima_that_explain_the_data():
    """With the gate, the kept step is the variance minimum over the steps whose average's misfit
    mean((A x̄ − y)²) is within the bound; the ungated minimum is excluded by choosing the bound below its
    misfit."""
    y, rec, _, plain = _gated_fit(np.inf)
    xs = rec.outputs[:15]
    _, variances = _average_and_variances(xs, 0.9, 4)
    # the misfit of the average after every step, from the definitions (Downsample(2): 2x2 block means)
    averages = [_average_and_variances(xs[:t + 1], 0.9, 4)[0] for t in range(15)]
    misfits = np.array([np.mean((a.reshape(1, 12, 2, 10, 2, 1).mean(axis=(2, 4)) - y) ** 2) for a in averages])
    ungated = int(plain.best_step.numpy())
    assert ungated == 4 + int(np.argmin(variances))
    bound = 0.999 * misfits[ungated - 1]
    y, rec, recorded, solver = _gated_fit(bound)
    np.testing.assert_allclose(rec.outputs[:15], xs, atol=1e-6)  # the gate does not change the fit
    np.testing.assert_allclose(recorded, misfits, rtol=1e-4)
    eligible = [t for t in range(3, 15) if misfits[t] <= bound]
    expected = 1 + min(eligible, key=lambda t: variances[t - 3]) if eligible else 0
    assert int(solver.best_step.numpy()) == expected != ungated
    assert solver.finish(use_best=True) == (expected or 15)  # no eligible minimum: the last average


def test_gate_stop_uses_the_given_or_the_estimated_noise_level():
    from pinnzoo.restoration import RestoreConfig, Stopping
    from pinnzoo.families.image.fit import gate_stop

    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:64, 0:64] / 64.0
    clean = 0.5 + 0.2 * np.sin(5 * xx) * np.cos(3 * yy)
    y = (clean + 0.1 * rng.standard_normal(clean.shape))[:, :, None].astype(np.float32)
    config = RestoreConfig(stopping=Stopping(discrepancy=1.2))
    solver = ImagePriorSolver(small_dip(), Identity(), y.shape)
    gate = gate_stop(solver, y, config)
    assert gate["sigma_from"].startswith("estimated") and abs(gate["noise_sigma"] - 0.1) < 0.01
    assert float(solver.misfit_bound.numpy()) == pytest.approx(1.2 * gate["noise_sigma"] ** 2)
    assert gate_stop(solver, y, config, 0.05)["misfit_bound"] == pytest.approx(1.2 * 0.05 ** 2)
    assert gate_stop(solver, y, config, 0.0)["misfit_bound"] is None  # noise-free: nothing to gate on
    assert gate_stop(solver, y, RestoreConfig()) is None              # the recipe has no gate
    with pytest.raises(InputError, match="noise_sigma"):
        gate_stop(solver, y, config, -0.1)
    with pytest.raises(InputError, match="discrepancy"):
        Stopping(discrepancy=0.0)


@pytest.mark.slow
def test_a_short_fit_lowers_the_loss_for_every_operator():
    yy, xx = np.mgrid[0:32, 0:32] / 32.0
    clean = (0.5 + 0.3 * np.sin(6 * xx) * np.cos(4 * yy) + 0.1 * (xx > 0.5))[:, :, None].astype(np.float32)
    for op in [Identity(), Blur("gaussian:1.0"), Mask(random_mask(32, 32, 0.5, 0)), Downsample(2)]:
        keras.utils.set_random_seed(0)
        y = op.A(clean[None]).numpy()[0]
        solver = ImagePriorSolver(small_dip(), op, y.shape, input_noise_std=0.01)
        solver.compile(optimizer=keras.optimizers.Adam(0.01))
        hist = solver.fit(solver.dataset(y), steps_per_epoch=20, epochs=3, verbose=0).history["loss"]
        assert hist[-1] < 0.5 * hist[0], (op, hist)
        assert solver.image().shape == clean.shape


def test_odd_sizes_are_padded_and_cropped_not_resized():
    y = np.random.default_rng(2).random((21, 30, 3)).astype(np.float32)
    solver = ImagePriorSolver(small_dip(3), Identity(), y.shape)
    assert solver.padded_shape == (24, 32)
    assert solver.generate().shape == (1, 21, 30, 3)


def test_variance_stopping_fires_after_patience():
    class Fake:
        stop_training = False

        def __init__(self, step, best):
            self.step, self.best_step = tf.constant(step), tf.constant(best)

        def steps_since_best(self):
            return int(self.step) - int(self.best_step)

    cb = VarianceStopping(patience=50)
    cb.set_model(Fake(120, 80))
    cb.on_epoch_end(0)
    assert not cb.model.stop_training
    cb.set_model(Fake(130, 80))
    cb.on_epoch_end(0)
    assert cb.model.stop_training and cb.stopped_at == 130


def test_solver_rejects_bad_settings():
    with pytest.raises(InputError):
        ImagePriorSolver(small_dip(), Identity(), (16, 16, 1), input_noise_std=-1)
    with pytest.raises(InputError):
        ImagePriorSolver(small_dip(), Mask(np.ones((8, 8))), (16, 16, 1))
    solver = ImagePriorSolver(small_dip(), Identity(), (16, 16, 1))
    with pytest.raises(InputError, match="NaN"):
        solver.dataset(np.full((16, 16, 1), np.nan))


@pytest.mark.slow
def test_export_reloads_without_pinnzoo(tmp_path):
    from pinnzoo.families.image.archive import export_image_solver

    keras.utils.set_random_seed(0)
    y = np.random.default_rng(3).random((8, 8, 1)).astype(np.float32)
    solver = ImagePriorSolver(small_dip(), Downsample(2), y.shape, input_noise_std=0.02)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    solver.fit(solver.dataset(y), steps_per_epoch=5, epochs=1, verbose=0)
    export_image_solver(solver, tmp_path / "m", {"task": "superres"})
    np.save(tmp_path / "image.npy", solver.image())
    np.save(tmp_path / "generated.npy", solver.generate().numpy()[0])
    code = textwrap.dedent(f"""
        import sys, numpy as np, tensorflow as tf
        m = tf.saved_model.load({str(tmp_path / 'm')!r})
        image = m.signatures["serving_default"]()["image"].numpy()[0]
        gen = m.signatures["generate"](noise=m.signatures["noise"]()["noise"])["image"].numpy()[0]
        assert image.shape == (16, 16, 1), image.shape
        np.testing.assert_allclose(image, np.load({str(tmp_path / 'image.npy')!r}), atol=1e-6)
        np.testing.assert_allclose(gen, np.load({str(tmp_path / 'generated.npy')!r}), atol=1e-4)
        assert "pinnzoo" not in sys.modules
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]


@pytest.mark.slow
def test_preconditioned_solver_loss_config_and_cosine_schedule():
    from pinnzoo.operators import FourierPreconditioner
    from pinnzoo.restoration import RestoreConfig, restore

    keras.utils.set_random_seed(0)
    blur = Blur("gaussian:1.0")
    y = blur.A(np.random.default_rng(4).random((1, 16, 16, 1)).astype(np.float32)).numpy()[0]
    p = FourierPreconditioner.for_operator(blur, 0.05)
    solver = ImagePriorSolver(small_dip(), blur, y.shape, preconditioner=p)
    solver.compile(optimizer=keras.optimizers.SGD(0.0))  # rate 0: the logged loss is that of the initial weights
    loss = solver.fit(solver.dataset(y), steps_per_epoch=1, epochs=1, verbose=0).history["loss"][0]
    expected = float(tf.reduce_mean(tf.square(p(blur.A(solver.generate()) - y[None]))))
    plain = float(tf.reduce_mean(tf.square(blur.A(solver.generate()) - y[None])))
    assert loss == pytest.approx(expected, rel=1e-5) and abs(loss - plain) > 1e-3 * plain
    clone = ImagePriorSolver.from_config(solver.get_config())
    assert clone.preconditioner.lam == 0.05 and clone.preconditioner.spec == "gaussian:1.0"

    config = RestoreConfig().override(iterations=20, precondition=0.05, lr_schedule="cosine", log_every=10)
    result = restore(y, blur, config, prior=small_dip(), verbose=0)
    assert result.solver.preconditioner.lam == 0.05
    assert float(result.solver.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)  # decayed to 0 at the end
    with pytest.raises(InputError, match="blur operator"):
        restore(y, Identity(), RestoreConfig().override(iterations=2, precondition=0.05), prior=small_dip(),
                verbose=0)
    with pytest.raises(InputError, match="schedule"):
        RestoreConfig().override(lr_schedule="linear")  # a bad recipe fails when it is written
    with pytest.raises(InputError, match="unknown restoration setting 'iteration'"):
        RestoreConfig().override(iteration=5)


def test_data_consistency_keeps_measured_pixels_in_image_export_and_config(tmp_path):
    from pinnzoo.families.image.archive import export_image_solver
    from pinnzoo.restoration import RestoreConfig, restore

    keras.utils.set_random_seed(0)
    m = random_mask(16, 16, 0.5, seed=4)
    op = Mask(m)
    clean = np.random.default_rng(7).random((16, 16, 1)).astype(np.float32)
    y = op.A(clean[None]).numpy()[0]
    config = RestoreConfig().override(iterations=20, data_consistency=True, log_every=10)
    result = restore(y, op, config, prior=small_dip(), reference=clean, verbose=0)
    solver = result.solver
    known = m > 0.5
    np.testing.assert_array_equal(result.image[known], clean[known])      # known pixels exactly as measured
    np.testing.assert_array_equal(result.image[~known], solver.average.numpy()[0][~known])
    assert result.average_scores["psnr"] < result.scores["psnr"]           # the plain average is further off
    assert ImagePriorSolver.from_config(solver.get_config()).data_consistency
    export_image_solver(solver, tmp_path / "m", {"task": "inpaint"})
    served = tf.saved_model.load(str(tmp_path / "m")).signatures["serving_default"]()["image"].numpy()[0]
    np.testing.assert_allclose(served, result.image, atol=1e-7)
    with pytest.raises(InputError, match="data consistency"):
        ImagePriorSolver(small_dip(), Blur("gaussian:1.0"), (16, 16, 1), data_consistency=True)


@pytest.mark.parametrize("shape", [(17, 20, 3, 5, 3, 1), (17, 20, 3, 5, 3, 2), (16, 16, 4, 2, 3, 2), (9, 12, 2, 3, 1, 1),
                                   (10, 11, 2, 2, 5, 2), (12, 12, 3, 4, 4, 3)])
def test_valid_conv2d_has_tensorflows_values_and_gradients(shape):
    from pinnzoo.priors.conv import valid_conv2d

    h, w, c, f, k, s = shape
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((2, h, w, c)), tf.float64)
    kernel = tf.constant(rng.standard_normal((k, k, c, f)), tf.float64)
    weights = tf.constant(rng.standard_normal((2, (h - k) // s + 1, (w - k) // s + 1, f)), tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, kernel])
        ours = tf.reduce_sum(weights * valid_conv2d(x, kernel, s))
        theirs = tf.reduce_sum(weights * tf.nn.conv2d(x, kernel, s, "VALID"))
    assert float(ours) == float(theirs)
    for a, b in zip(tape.gradient(ours, [x, kernel]), tape.gradient(theirs, [x, kernel])):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def test_the_dip_gradient_with_per_tap_matmuls_equals_tensorflows():
    from pinnzoo.priors.conv import matmul_gradient

    net = SkipNet(channels_down=[8, 8], channels_skip=2, input_channels=4, seed=0)
    z = tf.random.stateless_uniform((1, 32, 32, 4), seed=[0, 0], maxval=0.1)
    target = tf.random.stateless_uniform((1, 32, 32, 1), seed=[1, 0])

    def gradient():
        @tf.function
        def value_and_grad():
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(z) - target))
            return loss, tape.gradient(loss, net.trainable_variables)
        return value_and_grad()

    ref_loss, theirs = gradient()
    with matmul_gradient():
        loss, ours = gradient()
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-6)
    scale = max(float(tf.reduce_max(tf.abs(g))) for g in theirs)
    assert max(float(tf.reduce_max(tf.abs(a - b))) for a, b in zip(ours, theirs)) < 1e-5 * scale


def test_the_float32_upsampling_equals_the_float64_safe_one_in_value_and_gradient():
    from pinnzoo.priors.layers import BilinearUpsample2x, upsample2x

    x = tf.random.stateless_uniform((2, 12, 10, 3), seed=[3, 0])
    weights = tf.random.stateless_normal((2, 24, 20, 3), seed=[4, 0])
    layer = BilinearUpsample2x()
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        ours, theirs = layer(x), upsample2x(x)
        a, b = tf.reduce_sum(weights * ours), tf.reduce_sum(weights * theirs)
    assert ours.shape == (2, 24, 20, 3)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)
    np.testing.assert_allclose(tape.gradient(a, x).numpy(), tape.gradient(b, x).numpy(), atol=1e-5)
    x64 = tf.cast(x, tf.float64)
    layer64 = BilinearUpsample2x(dtype="float64")  # a float64 model's layer keeps the XLA-safe path
    np.testing.assert_array_equal(layer64(x64).numpy(), upsample2x(x64).numpy())


@pytest.mark.slow
def test_a_mixed_bfloat16_dip_keeps_float32_weights_and_output_and_tracks_the_float32_network(tmp_path):
    z = tf.random.stateless_uniform((1, 32, 32, 4), seed=[5, 0]) * 0.1
    exact = SkipNet((8, 8, 8), channels_skip=2, input_channels=4, seed=3)
    mixed = SkipNet((8, 8, 8), channels_skip=2, input_channels=4, seed=3, dtype="mixed_bfloat16")
    x, x16 = exact(z), mixed(z)
    assert x16.dtype == tf.float32 and {w.dtype for w in mixed.weights} == {"float32"}
    assert mixed.downs[0][0].conv.compute_dtype == "bfloat16" and mixed.head.compute_dtype == "float32"
    for a, b in zip(exact.weights, mixed.weights):  # the same initial weights
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    rel = float(tf.norm(x16 - x) / tf.norm(x))
    assert 1e-5 < rel < 2e-2  # bfloat16 rounding (8-bit mantissa), not float32's, and no larger
    clone = SkipNet.from_config(mixed.get_config())
    assert clone.dtype_policy.name == "mixed_bfloat16" and clone.ups[0].compute_dtype == "bfloat16"
    y = tf.random.stateless_uniform((1, 32, 32, 1), seed=[6, 0])
    solver = ImagePriorSolver(mixed, Identity(), (32, 32, 1), seed=0)
    solver.compile(optimizer=keras.optimizers.Adam(0.01))
    start = float(tf.reduce_mean((solver.generate() - y) ** 2))  # this solver's own input, before training
    # 60 steps: at 30 the fit reached 0.502 of its start on an AVX2 host (bfloat16 emulated) and < 0.5 with AVX-512
    history = solver.fit(solver.dataset(y[0]), steps_per_epoch=60, epochs=1, verbose=0).history
    assert solver.image().dtype == np.float32 and np.isfinite(history["loss"]).all()
    assert float(tf.reduce_mean((solver.generate() - y) ** 2)) < 0.5 * start
    from pinnzoo.families.image.archive import export_image_solver

    export_image_solver(solver, tmp_path / "m", {"task": "denoise"})  # serves float32 without pinnzoo
    # against the traced generator: eager bfloat16 kernels round differently (seen 9e-3 here after the fit)
    np.save(tmp_path / "generated.npy", tf.function(solver.generate)().numpy()[0])
    code = textwrap.dedent(f"""
        import numpy as np, tensorflow as tf
        m = tf.saved_model.load({str(tmp_path / 'm')!r})
        gen = m.signatures["generate"](noise=m.signatures["noise"]()["noise"])["image"]
        assert gen.dtype == tf.float32, gen.dtype
        np.testing.assert_allclose(gen.numpy()[0], np.load({str(tmp_path / 'generated.npy')!r}), atol=1e-4)
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]
