"""SHA-256 manifests: every export writes one, and a truncated, edited or incomplete export is refused."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT, call_cli
from pinnzoo.errors import ExportError
from pinnzoo.export import evaluate_export, load_export
from pinnzoo.manifest import MANIFEST, check_manifest, manifest_problems


@pytest.fixture
def export_copy(quick_export, tmp_path):
    out, _ = quick_export
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    return copy


def test_an_export_lists_every_file(quick_export):
    out, _ = quick_export
    listed = {line.split("  ", 1)[1] for line in (out / MANIFEST).read_text().splitlines()}
    assert {"saved_model.pb", "pinnzoo.json", "prior_weights.npz", "variables/variables.index"} <= listed
    assert manifest_problems(out) == [] and check_manifest(out, required=True)


def test_coreutils_checks_the_same_manifest(quick_export):
    out, _ = quick_export
    if shutil.which("sha256sum") is None:
        pytest.skip("no sha256sum on this machine")
    assert subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=out).returncode == 0


@pytest.mark.parametrize("damage", ["truncate", "edit", "delete", "add"])
def test_damaged_exports_are_refused(export_copy, damage):
    variables = export_copy / "variables" / "variables.data-00000-of-00001"
    if damage == "truncate":
        data = variables.read_bytes()
        variables.write_bytes(data[: len(data) // 2])
    elif damage == "edit":
        meta = export_copy / "pinnzoo.json"
        meta.write_text(meta.read_text().replace('"quick": true', '"quick": false'))
    elif damage == "delete":
        (export_copy / "prior_weights.npz").unlink()
    else:
        (export_copy / "notes.txt").write_text("hello")
    expected = {"truncate": "variables.data.*differs", "edit": "pinnzoo.json differs",
                "delete": "prior_weights.npz is missing", "add": "notes.txt is not in the manifest"}[damage]
    with pytest.raises(ExportError, match=expected):
        load_export(export_copy)
    with pytest.raises(ExportError, match="refusing to load"):
        evaluate_export(export_copy)
    r = call_cli("verify", export_copy)
    assert r.returncode == 2 and "does not match" in r.stderr and "Traceback" not in r.stderr
    r = call_cli("predict", export_copy, "--points", export_copy / "none.npy")
    assert r.returncode == 2


def test_verify_accepts_an_intact_export_and_names_a_missing_manifest(export_copy):
    r = call_cli("verify", export_copy)
    assert r.returncode == 0 and "every file matches" in r.stdout
    (export_copy / MANIFEST).unlink()
    r = call_cli("verify", export_copy)
    assert r.returncode == 2 and "has no manifest.sha256" in r.stderr
    load_export(export_copy)  # without a manifest (an older export) it still loads


def test_every_shipped_model_matches_its_manifest():
    for directory in sorted((ROOT / "saved_models").iterdir()):
        if directory.is_dir():
            assert manifest_problems(directory) == [], directory.name
