"""No hand-typed measurements: every measured number in README.md and docs/ comes from a generated block.

A number with a unit (%, dB, s, ms, min, h, MB, ×) or in exponent notation (``2.4e-5``, ``× 10⁻⁴``) outside the
``<!-- NAME:start -->`` … ``<!-- NAME:end -->`` blocks is taken for a measurement typed by hand. Settings,
targets and tolerances are not measurements: they are written as code (`` `≤ 1e-3` ``, `` `σ = 25/255` ``), which
this scan skips with code blocks and links.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_BLOCK = re.compile(r"<!-- (\w+):start -->.*?<!-- \1:end -->", re.S)
_FENCE = re.compile(r"```.*?```", re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\([^)]*\)")
_MEASURED = re.compile(r"(?<![\w.\-/])(?:\d[\d,]*(?:\.\d+)?(?:e[-+−]?\d+|\s?×\s?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
                       r"|\d[\d,]*(?:\.\d+)?\s?(?:%|dB|ms|s|min|h|GiB|MiB|MB|KB|CPU-min|×(?!\s?\d)))(?!\w)")

def typed_numbers(text: str) -> list[tuple[int, str]]:
    """``(line, number)`` of every measurement-like number outside generated blocks, code and links."""
    keep_lines = lambda m: "\n" * m.group(0).count("\n")  # noqa: E731 - line numbers stay those of the page
    text = _FENCE.sub(keep_lines, _BLOCK.sub(keep_lines, text))
    return [(k + 1, m.group(0)) for k, line in enumerate(text.split("\n"))
            for m in _MEASURED.finditer(_LINK.sub("]", _CODE.sub(" ", line)))]


def test_the_scan_sees_typed_measurements_and_skips_blocks_code_and_settings():
    page = ("The fit took 512 s and reached 30.11 dB (rel. L2 2.4e-5, 3.2× faster).\n"
            "<!-- t:start -->\n| 9 s | 1e-3 |\n<!-- t:end -->\n"
            "Target `≤ 1e-3`, a 256 × 256 image, step 3 of 10, [a link](x.md#1e-3), version 2.21.\n```\n5 s\n```\n")
    assert typed_numbers(page) == [(1, "512 s"), (1, "30.11 dB"), (1, "2.4e-5"), (1, "3.2×")]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_measurement_is_typed_outside_a_generated_block(page):
    found = typed_numbers(page.read_text())
    assert not found, f"{page.name}: measurements typed by hand (line, number): {found[:20]}"
