"""Regenerate the figures in docs/figures/ from the shipped models (what `pinnzoo plot` draws).

    python benchmarks/make_figures.py            # rewrite docs/figures/MODEL-FIGURE.png
    python benchmarks/make_figures.py --check    # exit 1 if a figure the docs show is missing

Each figure is drawn from a shipped SavedModel loaded with plain TensorFlow and a reference computed by
pinnzoo's own code (Cole–Hopf, the analytic Helmholtz field, the sparse direct solve, the clean test image).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pinnzoo.plotting import plot

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "figures"
#: the shipped models drawn, the main preset of each family
MODELS = ("burgers", "helmholtz2d", "dip_deblur", "dip_inpaint", "darcy_grid", "heat2d_grid", "darcy_inverse")


def figure_paths() -> list[Path]:
    """Every figure file of the models in :data:`MODELS` (after a run)."""
    return sorted(OUT.glob("*.png"))


def make() -> list[Path]:
    written = []
    for model in MODELS:
        tmp = OUT / f".{model}"
        for path in plot(ROOT / "saved_models" / model, tmp):
            target = OUT / f"{model}-{path.name}"
            path.replace(target)
            written.append(target)
        tmp.rmdir()
    return written


def missing() -> list[str]:
    """Figures the README and docs link to that do not exist."""
    import re

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    links = {m for page in pages for m in re.findall(r"!\[[^\]]*\]\((?:\.\./)?(docs/figures/[^)]+|figures/[^)]+)\)",
                                                        page.read_text())}
    return sorted(link for link in links if not (ROOT / (link if link.startswith("docs/") else f"docs/{link}")).exists())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if not args.check:
        for path in make():
            print(f"wrote {path.relative_to(ROOT)}")
    gone = missing()
    for link in gone:
        print(f"missing: {link}", file=sys.stderr)
    return 1 if gone else 0


if __name__ == "__main__":
    sys.exit(main())
