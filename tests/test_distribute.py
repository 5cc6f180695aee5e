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
    assert "trains on one device" in out["grid"]  # a family that does not distribute says so


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


def test_a_two_process_multiworker_cluster_ends_with_identical_weights(tmp_path):
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{p}" for p in ports]}
    procs = []
    try:
        for index in range(2):
            config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
            procs.append(subprocess.Popen([sys.executable, "-c", _WORKER, config, str(tmp_path / f"w{index}")],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        deadline = time.time() + 420
        outputs = [p.communicate(timeout=max(1, deadline - time.time())) for p in procs]
    finally:
        for p in procs:  # always cleaned up, whatever happened
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    results = [_result(subprocess.CompletedProcess(p.args, p.returncode, *o)) for p, o in zip(procs, outputs)]
    assert results[0] == results[1]
    weights = [np.load(tmp_path / f"w{i}" / "prior_weights.npz", allow_pickle=False) for i in range(2)]
    assert weights[0].files and all(np.array_equal(weights[0][k], weights[1][k]) for k in weights[0].files)
    single = _single_device_losses()
    np.testing.assert_allclose(results[0]["loss"], single, rtol=1e-5)  # the global batch, split over the workers


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
from pinnzoo.training import build_solver

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
