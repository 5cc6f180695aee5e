"""The README's result tables are generated from shipped metadata and benchmark output, not typed."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tables_are_up_to_date():
    spec = importlib.util.spec_from_file_location("make_readme_tables", ROOT / "benchmarks" / "make_readme_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "README.md").read_text()
    assert module.render(text) == text, "run: python benchmarks/make_readme_tables.py"
