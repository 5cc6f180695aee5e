"""The registries (presets, problems, priors, operators, tasks, PSFs) and the seeds of every prior."""

import numpy as np
import pytest

from pinnzoo.errors import InputError, PresetError, ProblemError
from pinnzoo.operators import OPERATORS, Blur, Identity, operator_from_config
from pinnzoo.operators.blur import PSFS, parse_psf
from pinnzoo.priors import PRIORS, CoordinateNetwork, ForwardJets, ImageGenerator, PriorSpec, build_prior, prior_name
from pinnzoo.problems import PROBLEMS
from pinnzoo.registry import Registry
from pinnzoo.tasks import TASKS, make_operator

SMALL = {"mlp": {"widths": (6, 6)}, "fourier_mlp": {"widths": (6,), "features": 4},
         "modified_mlp": {"widths": (6, 6)}, "parallel_mlp": {"widths": (6, 6)}, "dip": {"channels_down": [4, 4], "input_channels": 3},
         "deep_decoder": {"channels": 4, "layers": 2}, "raw_grid": {}, "multiscale_grid": {"levels": 3}}
#: priors whose initial weights are not random (the grids start from zero): the seed cannot change them
DETERMINISTIC = {"raw_grid", "multiscale_grid"}


def _weights(name, seed):
    net = build_prior(name, 2, seed=seed, **SMALL[name])
    x = np.zeros((1, *net.noise_shape(8, 8)) if isinstance(net, ImageGenerator) else (5, 2), np.float32)
    net(x)
    return [w.numpy() for w in net.weights]


@pytest.mark.parametrize("name", PRIORS.names())
def test_every_prior_honours_its_seed(name):
    assert set(SMALL) == set(PRIORS.names())  # a new prior needs an entry above
    a, b, c = _weights(name, 7), _weights(name, 7), _weights(name, 8)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    random = [i for i, x in enumerate(a) if np.std(x) > 0]  # the random initial weights (not zero biases, ones)
    if name in DETERMINISTIC:
        assert not random and all(np.array_equal(x, y) for x, y in zip(a, c))
        return
    assert random and all(not np.array_equal(a[i], c[i]) for i in random)


def test_unseeded_priors_follow_keras_global_seed():
    import keras

    def draw():
        keras.utils.set_random_seed(3)
        return _weights("mlp", None)

    assert all(np.array_equal(x, y) for x, y in zip(draw(), draw()))


def test_prior_registry_builds_the_right_families():
    for name, cls in PRIORS.items():  # noqa: B007
        net = build_prior(name, 1, **SMALL[name])
        assert type(net) is cls and prior_name(net) == name
        assert isinstance(net, ImageGenerator) != isinstance(net, CoordinateNetwork)
    assert isinstance(build_prior("mlp", 1), ForwardJets) and not isinstance(build_prior("modified_mlp", 1), ForwardJets)
    with pytest.raises(InputError, match="did you mean 'deep_decoder'"):
        PriorSpec("deep_decodr")
    with pytest.raises(InputError, match="prior 'dip'"):
        build_prior("dip", 1, widths=(3,))


def test_operator_task_and_psf_registries():
    assert set(TASKS.names()) == {"denoise", "deblur", "inpaint", "superres", "backward-heat"}
    assert {type(make_operator(t, psf="box:3", mask=np.ones((4, 4)), scale=2, kappa_t=1.0)).name for t in TASKS} == set(OPERATORS)
    blur = make_operator("deblur", psf="gaussian:1.5")
    assert isinstance(operator_from_config(blur.get_config()), Blur)
    assert isinstance(TASKS.get("denoise").make(), Identity)
    with pytest.raises(InputError, match="did you mean 'deblur'"):
        TASKS.get("deblurr")
    with pytest.raises(InputError, match="deblur needs --psf"):
        make_operator("deblur")
    with pytest.raises(InputError, match="unknown operator"):
        operator_from_config({"name": "rotate"})
    assert set(PSFS.names()) == {"gaussian", "box", "motion"}
    np.testing.assert_allclose(parse_psf("box:3"), np.full((3, 3), 1 / 9))


def test_registry_contract():
    reg = Registry("widget", PresetError)
    reg.register("a", 1)
    with pytest.raises(PresetError, match="already registered"):
        reg.register("a", 2)
    with reg.temporarily("a", 3), reg.temporarily("b", 4):
        assert reg.get("a") == 3 and reg.names() == ["a", "b"]
    assert reg.get("a") == 1 and "b" not in reg
    with pytest.raises(ProblemError, match="did you mean 'burgers'"):
        PROBLEMS.get("burger")
