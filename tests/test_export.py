"""SavedModel export: reload without pinnzoo, signatures, metadata, atomic writes."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pathlib import Path

from conftest import small_solver
from pinnzoo.families.pinn import archive as pinn_archive
from pinnzoo.errors import ExportError
from pinnzoo.export import evaluate_export, load_export, predict_export, read_metadata

ROOT = Path(__file__).resolve().parents[1]
from pinnzoo.families.pinn.archive import export_solver


@pytest.mark.slow
def test_reload_in_fresh_process_without_pinnzoo(quick_export, tmp_path):
    directory, result = quick_export
    pts = np.random.default_rng(0).uniform([-1, 0], [1, 1], (300, 2)).astype(np.float32)
    np.save(tmp_path / "pts.npy", pts)
    expected = result.solver.predict_numpy(pts)
    script = textwrap.dedent(f"""
        import sys, json
        import numpy as np, tensorflow as tf
        m = tf.saved_model.load({str(directory)!r})
        pts = np.load({str(tmp_path / 'pts.npy')!r})
        u = m.signatures["serving_default"](inputs=tf.constant(pts))["u"].numpy()
        c = m.signatures["coordinates"](x=tf.constant(pts[:, :1]), t=tf.constant(pts[:, 1:]))["u"].numpy()
        r = m.signatures["residual"](inputs=tf.constant(pts))
        np.save({str(tmp_path / 'u.npy')!r}, np.hstack([u, c, r["residual"].numpy(), r["u_x"].numpy()]))
        assert not any(k.startswith("pinnzoo") for k in sys.modules), "pinnzoo was imported"
        print(json.dumps(sorted(r.keys())))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["residual", "u_t", "u_x", "u_xx"]
    got = np.load(tmp_path / "u.npy")
    np.testing.assert_allclose(got[:, :1], expected, atol=1e-6)
    np.testing.assert_allclose(got[:, 1:2], expected, atol=1e-6)
    res = result.solver.residual(pts)
    np.testing.assert_allclose(got[:, 2:3], res["residual"].numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[:, 3:4], res["u_x"].numpy(), rtol=1e-4, atol=1e-5)


def test_metadata_matches_recomputation(quick_export):
    directory, result = quick_export
    meta = read_metadata(directory)
    assert meta["preset"] == "burgers" and meta["inputs"] == ["x", "t"] and meta["outputs"] == ["u"]
    assert meta["params"]["nu"] == pytest.approx(0.01 / np.pi)
    assert meta["training"]["seed"] == 3 and meta["training"]["adam_steps"] == result.adam_steps
    curve = meta["training"]["error_curve"]  # (seconds, rel. L2) at each logged epoch, ending at the final error
    assert len(curve) >= 2 and all(a[0] <= b[0] for a, b in zip(curve, curve[1:]))
    assert curve[-1][1] == pytest.approx(result.metrics["rel_l2"], rel=1e-6)
    assert meta["training"]["lbfgs_stops"] == [result.history["lbfgs_info"]["message"]]  # quick: the iteration limit
    assert "ITERATIONS REACHED LIMIT" in meta["training"]["lbfgs_stops"][0]
    for key in ("tensorflow", "keras", "numpy", "pinnzoo"):
        assert key in meta["versions"]
    ev = evaluate_export(directory)
    assert ev["matches_metadata"]
    assert ev["metrics"]["rel_l2"] == pytest.approx(result.metrics["rel_l2"], rel=1e-4)
    assert ev["metrics"]["grid"] == [256, 100]


def test_export_is_atomic(tmp_path, monkeypatch):
    solver = small_solver(seed=1)
    target = tmp_path / "model"
    export_solver(solver, target, {"preset": "first"})
    before = read_metadata(target)

    other = small_solver(seed=2)

    real_archive = pinn_archive._archive

    class Interrupted:
        """Writes the SavedModel files, then is interrupted before the export completes."""

        def __init__(self, solver):
            self.inner = real_archive(solver)

        def write_out(self, path, **kwargs):
            self.inner.write_out(path, **kwargs)
            raise KeyboardInterrupt

    monkeypatch.setattr(pinn_archive, "_archive", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_solver(other, target, {"preset": "second"})
    assert read_metadata(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary folder left behind
    model, meta = load_export(target)
    pts = np.zeros((3, 2))
    np.testing.assert_allclose(predict_export(model, meta, pts), solver.predict_numpy(pts), atol=1e-6)


def test_export_replaces_an_existing_model(tmp_path):
    target = tmp_path / "model"
    export_solver(small_solver(seed=1), target, {"preset": "first"})
    second = small_solver(seed=2)
    export_solver(second, target, {"preset": "second"})
    model, meta = load_export(target)
    assert meta["preset"] == "second"
    pts = np.ones((4, 2)) * 0.3
    np.testing.assert_allclose(predict_export(model, meta, pts), second.predict_numpy(pts), atol=1e-6)


def test_bad_directories(tmp_path):
    with pytest.raises(ExportError, match="no such directory"):
        read_metadata(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match="not a SavedModel"):
        read_metadata(tmp_path / "empty")
    (tmp_path / "empty" / "saved_model.pb").write_bytes(b"junk")
    with pytest.raises(ExportError, match="not a pinnzoo export"):
        read_metadata(tmp_path / "empty")
    (tmp_path / "empty" / "pinnzoo.json").write_text(json.dumps({"problem": "burgers", "inputs": ["x", "t"],
                                                                 "outputs": ["u"], "params": {}}))
    with pytest.raises(ExportError, match="cannot load SavedModel"):
        load_export(tmp_path / "empty")


def test_export_stores_each_weight_once(tmp_path):
    """The SavedModel's checkpoint holds every network weight exactly once (no second copy per variable)."""
    import tensorflow as tf

    solver = small_solver(widths=(24, 24))
    export_solver(solver, tmp_path / "m", {"preset": "test"})
    shapes = tf.train.load_checkpoint(str(tmp_path / "m" / "variables" / "variables")).get_variable_to_shape_map()
    stored = sum(int(np.prod(s)) for k, s in shapes.items() if k != "_CHECKPOINTABLE_OBJECT_GRAPH")
    assert solver.prior.count_params() <= stored <= solver.count_params()


def test_export_stores_each_endpoint_graph_once(tmp_path):
    """Only the signatures are written: each endpoint's traced graph is in the SavedModel once, and the
    signatures still serve what the solver computes."""
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    solver = small_solver(widths=(8,))
    export_solver(solver, tmp_path / "m", {"preset": "test"})
    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((tmp_path / "m" / "saved_model.pb").read_bytes())
    names = [f.signature.name for f in proto.meta_graphs[0].graph_def.library.function]
    for endpoint in ("points", "coordinates", "residual"):
        assert sum(n.startswith(f"__inference_{endpoint}_") for n in names) == 1, (endpoint, names)
    model, meta = load_export(tmp_path / "m")
    pts = np.random.default_rng(0).uniform(0, 1, (6, 2))
    np.testing.assert_allclose(predict_export(model, meta, pts), solver.predict_numpy(pts), atol=1e-6)
    served = model.signatures["residual"](inputs=tf.constant(pts, tf.float32))
    expected = solver.residual(tf.constant(pts, solver.compute_dtype))
    for key, value in expected.items():
        np.testing.assert_allclose(served[key].numpy(), value.numpy(), rtol=1e-4, atol=1e-5)


KILL_SCRIPT = r'''
import sys, numpy as np
sys.path.insert(0, sys.argv[2])
from conftest import small_solver
from pinnzoo.families.pinn.archive import export_solver
target = sys.argv[1]
pts = np.linspace(0, 1, 8).reshape(4, 2)
a, b = small_solver(seed=1), small_solver(seed=2)
np.save(target + ".a.npy", a.predict_numpy(pts)); np.save(target + ".b.npy", b.predict_numpy(pts))
export_solver(a, target, {"preset": "first"})
print("exporting", flush=True)
export_solver(b, target, {"preset": "second"})
print("done", flush=True)
'''


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.7, 1.2])  # before, during and after the write (here)
def test_sigkill_during_export_leaves_an_intact_model(tmp_path, delay):
    """A real process killed with SIGKILL while it replaces an export: the directory holds the old or the new
    model, whole (its manifest matches, it loads and predicts what that model predicted)."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT
    from pinnzoo.manifest import manifest_problems

    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT)
    target = tmp_path / "model"
    proc = subprocess.Popen([sys.executable, str(script), str(target), str(ROOT / "tests")], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "exporting"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert manifest_problems(target) == []
    model, meta = load_export(target)
    expected = np.load(f"{target}.{'a' if meta['preset'] == 'first' else 'b'}.npy")
    np.testing.assert_allclose(predict_export(model, meta, np.linspace(0, 1, 8).reshape(4, 2)), expected, atol=1e-6)


@pytest.mark.slow  # rebuilds and writes a shipped export
def test_a_shipped_export_rewritten_serves_the_same_values(tmp_path, monkeypatch):
    import importlib.util

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("rewrite_exports", ROOT / "benchmarks" / "rewrite_exports.py")
    rewrite_exports = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rewrite_exports)
    import shutil

    copy = tmp_path / "heat_inverse"  # an inverse problem: its identified coefficient is carried over too
    shutil.copytree(ROOT / "saved_models" / "heat_inverse", copy)
    old_model, old_meta = load_export(copy)
    pts = np.random.default_rng(3).uniform(0, 1, (50, 2))
    before = predict_export(old_model, old_meta, pts)
    rewrite_exports.rewrite(copy)
    model, meta = load_export(copy)  # its manifest checked
    assert meta == old_meta
    np.testing.assert_allclose(predict_export(model, meta, pts), before, rtol=0, atol=1e-7)
    served = model.signatures["coefficients"]()
    assert {k: float(v.numpy()) for k, v in served.items()} == pytest.approx(old_meta["identified_params"], rel=1e-6)
