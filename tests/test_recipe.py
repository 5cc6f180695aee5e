"""Recipe fingerprints (pinnzoo.recipe): an export says whether today's preset and training code give it."""

import dataclasses
import functools
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import small_preset, tiny_schedule
from pinnzoo.errors import PresetError
from pinnzoo.family import PRESETS, preset_names, get_preset
from pinnzoo.manifest import METADATA, check_manifest
from pinnzoo.recipe import (CODE_LOCK, canonical, code_hash, code_lock, differences, recipe_status, run_recipe,
                            training_modules)

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models"


def test_canonical_is_plain_json_and_names_what_code_it_holds():
    @dataclasses.dataclass(frozen=True)
    class Spec:
        f: object
        a: np.ndarray

    data = canonical(Spec(functools.partial(np.linspace, 0, num=3), np.arange(3.0)))
    assert json.loads(json.dumps(data)) == data
    assert data["f"]["_partial"] == {"_callable": "numpy.linspace"} and data["f"]["args"] == [0]
    assert data["a"]["shape"] == [3] and len(data["a"]["_array"]) == 64
    assert canonical(Spec(np.cos, np.arange(3.0)))["a"] == data["a"]
    assert canonical(Spec(np.cos, np.arange(3.0) + 1))["a"] != data["a"]
    with pytest.raises(PresetError, match="no canonical form"):
        canonical(object())


def test_differences_name_the_changed_fields():
    assert differences({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}, "d": 0}) == ["a.c", "d"]
    assert differences({"a": 1}, {"a": 1}) == []


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_has_a_stable_recipe(name):
    one = run_recipe(get_preset(name), seed=0, quick=False)
    two = run_recipe(get_preset(name), seed=0, quick=False)
    assert one["fingerprint"] == two["fingerprint"]
    assert run_recipe(get_preset(name), seed=1, quick=False)["fingerprint"] != one["fingerprint"]
    assert run_recipe(get_preset(name).quick(), seed=0, quick=True)["fingerprint"] != one["fingerprint"]


def test_training_code_is_as_locked():
    """A family's training code changed: bump its version in pinnzoo/training_code.json (its exports become stale)
    or, if training is unchanged (same weights from a quick run before and after), python -m pinnzoo.recipe --lock."""
    lock = code_lock()
    changed = [f for f in lock if code_hash(f) != lock[f]["sha256"]]
    assert not changed, f"training code of {changed} differs from {CODE_LOCK.name}: {test_training_code_is_as_locked.__doc__}"


def test_training_code_is_the_wing_and_what_it_imports_but_not_presentation():
    mods = training_modules("grid")
    assert "pinnzoo.families.grid.fit" in mods and "pinnzoo.solvers.grid" in mods and "pinnzoo.lifecycle" in mods
    assert not [m for m in mods if "figures" in m or m.startswith(("pinnzoo.plotting", "pinnzoo.cli", "pinnzoo.export"))]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A tiny registered PINN preset trained and exported once; its pinnzoo.json."""
    preset = small_preset("_recipe_probe", schedule=tiny_schedule(steps=5, execution=5))
    with PRESETS.temporarily(preset.name, preset):
        out = tmp_path_factory.mktemp("recipe") / "probe"
        preset.train(out=out, verbose=0)
    return preset, json.loads((out / METADATA).read_text())


def test_an_export_of_todays_preset_is_current(recorded):
    preset, meta = recorded
    with PRESETS.temporarily(preset.name, preset):
        assert recipe_status(meta) == {"recipe_current": True, "recipe_reason": "today's preset and training code"}


def test_a_changed_preset_makes_the_export_stale_and_says_what_changed(recorded):
    preset, meta = recorded
    changed = dataclasses.replace(preset, schedule=tiny_schedule(steps=6, execution=5))
    with PRESETS.temporarily(preset.name, changed):
        status = recipe_status(meta)
    assert not status["recipe_current"]
    assert "preset.schedule.adam.steps_per_epoch" in status["recipe_reason"]


def test_a_new_training_code_version_makes_the_export_stale(recorded, monkeypatch, tmp_path):
    preset, meta = recorded
    lock = code_lock()
    lock["pinn"]["version"] += 1
    (tmp_path / "lock.json").write_text(json.dumps(lock))
    monkeypatch.setattr("pinnzoo.recipe.CODE_LOCK", tmp_path / "lock.json")
    with PRESETS.temporarily(preset.name, preset):
        status = recipe_status(meta)
    assert not status["recipe_current"] and "training code of family pinn is now version" in status["recipe_reason"]


def test_set_parameters_and_overrides_are_part_of_the_recipe(recorded, tmp_path):
    preset, meta = recorded
    with PRESETS.temporarily(preset.name, preset):
        preset.with_params({"a": 0.2}).train(out=tmp_path / "set", verbose=0)
        preset.train(out=tmp_path / "short", verbose=0, epochs=2)
        set_meta, short_meta = (json.loads((tmp_path / d / METADATA).read_text()) for d in ("set", "short"))
        assert recipe_status(set_meta)["recipe_current"]  # today's preset at a = 0.2
        assert set_meta["recipe_fingerprint"]["fingerprint"] != meta["recipe_fingerprint"]["fingerprint"]
        short = recipe_status(short_meta)
    assert not short["recipe_current"] and "preset.schedule.adam.epochs" in short["recipe_reason"]


def test_an_export_without_a_recipe_is_not_current():
    assert recipe_status({"preset": "burgers"})["recipe_current"] is False


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.iterdir() if (p / METADATA).exists()))
def test_every_shipped_export_is_what_todays_preset_gives(name):
    directory = SHIPPED / name
    meta = json.loads((directory / METADATA).read_text())
    status = recipe_status(meta)
    assert status["recipe_current"], f"{name}: {status['recipe_reason']}"
    assert meta["recipe_fingerprint"]["definition"]["quick"] is False and meta["recipe_fingerprint"]["definition"]["init"] is None
    assert (directory / "prior_weights.npz").exists() and (directory / "history.csv").exists()
    check_manifest(directory)
