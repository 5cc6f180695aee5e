"""tf.distribute training: MirroredStrategy on two logical CPU devices follows the single-device trajectory, and a
real two-process MultiWorkerMirroredStrategy cluster on localhost ends with identical weights on both workers."""

import json
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from conftest import run_cli
from pinnzoo.distribute import get_strategy, shard
from pinnzoo.errors import InputError

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)

_MIRRORED = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
from pinnzoo.errors import InputError
from pinnzoo.presets import get_preset

preset, out = get_preset("burgers"), {}
runs = {name: preset.train(quick=True, seed=0, verbose=0, strategy=name, lbfgs_iterations=0)
        for name in ("default", "mirrored")}
out["replicas"] = int(runs["mirrored"].solver.distribute_strategy.num_replicas_in_sync)
out["loss"] = {name: r.history["adam"]["loss"] for name, r in runs.items()}
out["rel_l2"] = {name: r.metrics["rel_l2"] for name, r in runs.items()}
a, b = (runs[name].solver.get_weights() for name in ("default", "mirrored"))
out["max_weight_diff"] = max(float(np.abs(x - y).max()) for x, y in zip(a, b))
try:
    get_preset("darcy_grid").train(quick=True, verbose=0, strategy="mirrored")
    out["grid"] = "trained"
except InputError as exc:
    out["grid"] = str(exc)
print("RESULT " + json.dumps(out))
"""


def _result(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def test_mirrored_on_two_devices_follows_the_single_device_trajectory():
    proc = subprocess.run([sys.executable, "-c", _MIRRORED], capture_output=True, text=True, timeout=600)
    out = _result(proc)
    assert out["replicas"] == 2
    np.testing.assert_allclose(out["loss"]["mirrored"], out["loss"]["default"], rtol=1e-5)
    assert out["max_weight_diff"] < 1e-5  # the same steps, up to the order of floating-point sums
    assert out["rel_l2"]["mirrored"] == pytest.approx(out["rel_l2"]["default"], rel=1e-4)
    assert "fits one instance on one device" in out["grid"]  # one instance cannot be sharded: it says how to


_INSTANCES = """
import dataclasses, json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
from pinnzoo.errors import InputError
from pinnzoo.operators import Identity
from pinnzoo.presets import get_preset
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.restoration import RestoreConfig, restore, restore_many

out = {}
rng = np.random.default_rng(0)
ys = [rng.random((32, 32, 1)).astype(np.float32) for _ in range(2)]
spec = PriorSpec("dip", {"channels_down": (8, 8, 8), "channels_skip": 2, "input_channels": 4})
config = dataclasses.replace(RestoreConfig(), prior=spec).override(iterations=40, patience=10, log_every=5)
config = dataclasses.replace(config, stopping=dataclasses.replace(config.stopping, window=5))
single = [restore(y, Identity(), config, seed=s, verbose=0) for y, s in zip(ys, (3, 4))]
mirrored = restore_many(ys, Identity(), config, seeds=(3, 4), strategy="mirrored", verbose=0)
out["replicas"] = int(mirrored[0].solver.distribute_strategy.num_replicas_in_sync)
out["image_diff"] = max(float(np.abs(a.image - b.image).max()) for a, b in zip(single, mirrored))
out["image_steps"] = [[a.steps, a.kept_step, b.steps, b.kept_step] for a, b in zip(single, mirrored)]
try:
    restore_many(ys[:1], Identity(), config, strategy="mirrored", verbose=0)
except InputError as exc:
    out["one_image"] = str(exc)
grid = get_preset("darcy_grid")
sharded = grid.train_instances([{"seed": 1}, {"seed": 2}], strategy="mirrored", quick=True, verbose=0)
alone = [grid.with_params({"seed": s}).train(quick=True, verbose=0) for s in (1, 2)]
out["grid_diff"] = max(float(np.abs(a.solver.solution() - b.solver.solution()).max()) for a, b in zip(alone, sharded))
out["grid_errors"] = [[a.metrics["rel_l2"], b.metrics["rel_l2"]] for a, b in zip(alone, sharded)]
print("RESULT " + json.dumps(out))
"""


def test_independent_instances_sharded_over_two_devices_equal_their_separate_fits():
    """Image fits (an instance batch, one member per replica) and grid fits (one L-BFGS thread per replica)
    under MirroredStrategy on two logical CPU devices end where their single-device fits end."""
    out = _result(subprocess.run([sys.executable, "-c", _INSTANCES], capture_output=True, text=True, timeout=900))
    assert out["replicas"] == 2
    assert out["image_diff"] < 1e-6
    assert all(a == c and b == d for a, b, c, d in out["image_steps"])
    assert "multiple of 2" in out["one_image"]
    assert out["grid_diff"] < 1e-9
    assert all(a == b for a, b in out["grid_errors"])


_WORKER = """
import json, os, sys
os.environ["TF_CONFIG"] = sys.argv[1]
from pinnzoo.presets import get_preset
r = get_preset("burgers").train(quick=True, seed=0, verbose=0, strategy="multiworker", lbfgs_iterations=20,
                                out=sys.argv[2])
print("RESULT " + json.dumps({"loss": r.history["adam"]["loss"], "rel_l2": r.metrics["rel_l2"]}), flush=True)
"""


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _run_cluster(script, extra_args, timeout=420):
    """Run ``script`` as the two workers of a localhost cluster (TF_CONFIG as argv[1], ``extra_args[i]`` after
    it); both processes are killed whatever happens. Returns each worker's RESULT."""
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{p}" for p in ports]}
    procs = []
    try:
        for index in range(2):
            config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
            procs.append(subprocess.Popen([sys.executable, "-c", script, config, *extra_args[index]],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        deadline = time.time() + timeout
        outputs = [p.communicate(timeout=max(1, deadline - time.time())) for p in procs]
    finally:
        for p in procs:  # always cleaned up, whatever happened
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    return [_result(subprocess.CompletedProcess(p.args, p.returncode, *o)) for p, o in zip(procs, outputs)]


def test_a_two_process_multiworker_cluster_ends_with_identical_weights(tmp_path):
    results = _run_cluster(_WORKER, [[str(tmp_path / f"w{i}")] for i in range(2)])
    assert results[0] == results[1]
    weights = [np.load(tmp_path / f"w{i}" / "prior_weights.npz", allow_pickle=False) for i in range(2)]
    assert weights[0].files and all(np.array_equal(weights[0][k], weights[1][k]) for k in weights[0].files)
    single = _single_device_losses()
    np.testing.assert_allclose(results[0]["loss"], single, rtol=1e-5)  # the global batch, split over the workers


_INSTANCE_WORKER = """
import dataclasses, json, os, sys
os.environ["TF_CONFIG"] = sys.argv[1]
import numpy as np
from pinnzoo.operators import Identity
from pinnzoo.presets import get_preset
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.restoration import RestoreConfig, restore_many
sys.path.insert(0, sys.argv[2])
from test_distribute import instance_images, INSTANCE_CONFIG
results = restore_many(instance_images(), Identity(), INSTANCE_CONFIG(), seeds=(3, 4), strategy="multiworker", verbose=0)
grid = get_preset("darcy_grid").train_instances([{"seed": 1}, {"seed": 2}], strategy="multiworker", quick=True,
                                                verbose=0)
print("RESULT " + json.dumps({"images": [r.image.ravel().tolist() for r in results],
                              "steps": [[r.steps, r.kept_step] for r in results],
                              "grid": [None if g is None else g.metrics["rel_l2"] for g in grid]}), flush=True)
"""


def instance_images():
    rng = np.random.default_rng(0)
    return [rng.random((32, 32, 1)).astype(np.float32) for _ in range(2)]


def INSTANCE_CONFIG():  # noqa: N802 - read by the worker script as a constant-like factory
    import dataclasses

    from pinnzoo.priors.registry import PriorSpec
    from pinnzoo.restoration import RestoreConfig

    spec = PriorSpec("dip", {"channels_down": (8, 8, 8), "channels_skip": 2, "input_channels": 4})
    config = dataclasses.replace(RestoreConfig(), prior=spec).override(iterations=40, patience=10, log_every=5)
    return dataclasses.replace(config, stopping=dataclasses.replace(config.stopping, window=5))


def test_a_two_process_cluster_shards_independent_instances(tmp_path):
    """Two image fits as an instance batch on a two-worker cluster (one member per worker) and two grid fits
    (one per worker): both workers hold both restored images, equal to the single-device fits; each worker
    fitted its own grid instance, equal to the single-device fit of it."""
    from pathlib import Path

    from pinnzoo.operators import Identity
    from pinnzoo.presets import get_preset
    from pinnzoo.restoration import restore

    here = str(Path(__file__).parent)
    results = _run_cluster(_INSTANCE_WORKER, [[here], [here]])
    single = [restore(y, Identity(), INSTANCE_CONFIG(), seed=s, verbose=0) for y, s in zip(instance_images(), (3, 4))]
    for worker in results:
        for image, steps, alone in zip(worker["images"], worker["steps"], single):
            np.testing.assert_allclose(np.reshape(image, alone.image.shape), alone.image, atol=1e-6)
            assert steps == [alone.steps, alone.kept_step]
    assert results[0]["grid"][1] is None and results[1]["grid"][0] is None  # each fitted its own block
    grid = get_preset("darcy_grid")
    for i, seed in enumerate((1, 2)):
        assert results[i]["grid"][i] == grid.with_params({"seed": seed}).train(quick=True, verbose=0).metrics["rel_l2"]


def _single_device_losses():
    from pinnzoo.presets import get_preset

    return get_preset("burgers").train(quick=True, seed=0, verbose=0, lbfgs_iterations=0).history["adam"]["loss"]


def test_a_batch_splits_into_equal_shards_or_is_refused():
    batch = {"residual": tf.reshape(tf.range(12.0), (6, 2)), "initial": tf.ones((4, 2))}
    parts = [shard(batch, i, 2) for i in range(2)]
    for name, value in batch.items():
        np.testing.assert_array_equal(tf.concat([p[name] for p in parts], axis=0), value)
    with pytest.raises(InputError, match="equal shards"):
        shard({"residual": tf.ones((5, 2))}, 0, 2)


def test_strategy_names_are_checked(tmp_path):
    assert get_strategy("default") is tf.distribute.get_strategy()
    with pytest.raises(InputError, match="did you mean 'mirrored'"):
        get_strategy("mirord")
    proc = run_cli("train", "burgers", "--quick", "--strategy", "mirord", "--out", tmp_path / "m")
    assert proc.returncode == 2 and "did you mean 'mirrored'" in proc.stderr and "Traceback" not in proc.stderr



_RESUMABLE = """
import dataclasses
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from pinnzoo.checkpoint import checkpoint_path
from pinnzoo.presets import get_preset
out = sys.argv[1]
preset = get_preset("heat1d")
adam = dataclasses.replace(preset.schedule.adam, steps_per_epoch=150)  # a short epoch: the resume, not the fit, is tested
preset.train(epochs=3, lbfgs_iterations=0, seed=3, strategy="mirrored", out=out, checkpoint=checkpoint_path(out),
             schedule=dataclasses.replace(preset.schedule, adam=adam), resume=sys.argv[2] == "resume")
"""


def test_a_mirrored_run_killed_mid_adam_resumes_to_the_uninterrupted_weights(tmp_path):
    from test_resume import _kill_when, _weights

    def command(out, mode):
        return [sys.executable, "-c", _RESUMABLE, str(out), mode]

    full = subprocess.run(command(tmp_path / "full", "fresh"), capture_output=True, text=True, timeout=600)
    assert full.returncode == 0, full.stderr[-3000:]
    cut = tmp_path / "cut"
    _kill_when([], "Epoch 3/3", command=command(cut, "fresh"))  # two epochs checkpointed, the third under way
    resumed = subprocess.run(command(cut, "resume"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "150/150" in resumed.stdout and "Epoch 1/3" not in resumed.stdout  # only the third epoch ran again
    a, b = _weights(tmp_path / "full"), _weights(cut)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # bit for bit


_GATHERED = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
from pinnzoo.distribute import get_strategy
from pinnzoo.presets import get_preset
from pinnzoo.sampling import fixed_batch
from pinnzoo.solvers import flat_value_and_gradient, lbfgs_refine
from pinnzoo.families.pinn.fit import build_solver

preset = get_preset("burgers")
solver = build_solver(preset, preset.schedule.quick(), 0, get_strategy("mirrored"), verbose=0)
batch = fixed_batch(solver, 512, seed=1)
whole, get_flat = flat_value_and_gradient(solver, batch, False)
shards, _ = flat_value_and_gradient(solver, batch, False, gather=True)
x = tf.constant(get_flat())
(l1, g1, t1), (l2, g2, t2) = whole(x), shards(x)
out = {"loss": [float(l1), float(l2)], "grad_diff": float(np.abs(g1 - g2).max()), "grad_max": float(np.abs(g1).max()),
       "terms": {k: [float(t1[k]), float(t2[k])] for k in t1}}
runs = {}
for gather in (False, True):
    start = get_flat()
    h = lbfgs_refine(solver, batch, maxiter=30, verbose=0, jit_compile=False, gather=gather)
    runs[str(gather)] = h.history["loss"][-1]
    whole(tf.constant(start))  # back to the same starting weights
out["lbfgs"] = runs
print("RESULT " + json.dumps(out))
"""


def test_lbfgs_gathered_over_replicas_equals_the_one_device_evaluation():
    proc = subprocess.run([sys.executable, "-c", _GATHERED], capture_output=True, text=True, timeout=600)
    out = _result(proc)
    assert out["loss"][1] == pytest.approx(out["loss"][0], rel=1e-5)
    assert out["grad_diff"] <= 1e-4 * out["grad_max"]
    for name, (one, gathered) in out["terms"].items():
        assert gathered == pytest.approx(one, rel=1e-4, abs=1e-7), name
    assert out["lbfgs"]["True"] == pytest.approx(out["lbfgs"]["False"], rel=1e-2)
