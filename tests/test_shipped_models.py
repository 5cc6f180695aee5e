"""Every shipped SavedModel loads with plain TF and meets its metadata and its target."""

from pathlib import Path

import pytest

from pinnzoo.export import evaluate_export

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)

MODELS = Path(__file__).resolve().parents[1] / "saved_models"
SHIPPED = sorted(p for p in MODELS.iterdir() if (p / "pinnzoo.json").exists()) if MODELS.exists() else []


def test_burgers_is_shipped():
    assert MODELS / "burgers" in SHIPPED


@pytest.mark.parametrize("directory", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_model_recomputes_to_its_metadata_and_target(directory):
    result = evaluate_export(directory)
    assert result["matches_metadata"], result
    assert result["meets_target"], result
    assert not result["stored_metrics"].get("quick", False)
