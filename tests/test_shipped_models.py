"""Every shipped SavedModel loads with plain TF and meets its metadata, and its target or a stated miss."""

import re
from pathlib import Path

import pytest

from pinnzoo.export import evaluate_export

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "saved_models"
SHIPPED = sorted(p for p in MODELS.iterdir() if (p / "pinnzoo.json").exists()) if MODELS.exists() else []


def headline_met_cell(preset: str) -> str:
    """The ``met`` cell of ``preset``'s row in the README's generated headline table."""
    block = re.search(r"<!-- headline:start -->(.*?)<!-- headline:end -->", (ROOT / "README.md").read_text(), re.S)
    row = next(line for line in block.group(1).splitlines() if line.startswith(f"| `{preset}` |"))
    return [cell.strip() for cell in row.split(" | ")][4]


def test_burgers_is_shipped():
    assert MODELS / "burgers" in SHIPPED


@pytest.mark.parametrize("directory", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_model_recomputes_to_its_metadata_and_target(directory):
    """The recomputed score is the recorded one; it meets the target, or the README says it does not
    (issue 55: a miss of today's recipe is stated, never hidden by keeping an older export)."""
    result = evaluate_export(directory)
    assert result["matches_metadata"], result
    assert not result["stored_metrics"].get("quick", False)
    cell = headline_met_cell(result["preset"])
    assert cell == "yes" if result["meets_target"] else cell.startswith("**no**"), (cell, result)
