"""Generate ``pinnzoo/catalog.json`` (:mod:`pinnzoo.catalog`) from the registries.

    python -m pinnzoo.presets.catalog          # rewrite it
    python -m pinnzoo.presets.catalog --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import sys

from pinnzoo.catalog import CATALOG, entry
from pinnzoo.operators.blur import psf_specs
from pinnzoo.presets import FAMILIES, PRESETS
from pinnzoo.priors import PRIORS, ImageGenerator
from pinnzoo.restoration import LR_SCHEDULES
from pinnzoo.tasks import TASKS, task_parameters


def build() -> dict:
    """The catalog of the registries as they are now."""
    return {
        "presets": [entry(p) for p in PRESETS.values()],
        "families": {name: list(cls.required_metadata()) for name, cls in FAMILIES.items()},
        "tasks": TASKS.names(),
        "task_parameters": {name: {**p.describe(), "tasks": [t.name for t in TASKS.values() if p in t.parameters]}
                            for name, p in task_parameters().items()},
        "image_priors": [n for n, c in PRIORS.items() if issubclass(c, ImageGenerator)],
        "psf_specs": psf_specs(),
        "lr_schedules": list(LR_SCHEDULES),
    }


def text(catalog: dict) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if catalog.json is stale, write nothing")
    args = ap.parse_args(argv)
    fresh = text(build())
    if args.check:
        stale = not CATALOG.exists() or CATALOG.read_text() != fresh
        print(f"{CATALOG}: {'stale: run python -m pinnzoo.presets.catalog' if stale else 'current'}")
        return int(stale)
    CATALOG.write_text(fresh)
    print(f"wrote {CATALOG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
