"""What a user may trust: no pickle anywhere (an array file cannot run code), checked over the source."""

from __future__ import annotations

import re

from conftest import ROOT

SOURCES = [p for d in ("pinnzoo", "benchmarks", "examples") for p in sorted((ROOT / d).rglob("*.py"))]


def test_no_pickle_anywhere():
    assert len(SOURCES) > 30
    for path in SOURCES:
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib)\b", text, re.M), path
        assert "allow_pickle=True" not in text, path
        for call in re.finditer(r"np\.load\(([^()]*(\([^()]*\))?[^()]*)\)", text):
            assert "allow_pickle=False" in call.group(1), (path, call.group(0))


def test_the_check_catches_a_pickle_load(tmp_path):
    bad = "import numpy as np\nx = np.load('a.npy')\n"
    assert not all("allow_pickle=False" in c.group(1) for c in re.finditer(r"np\.load\(([^()]*)\)", bad))
