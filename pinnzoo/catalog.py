"""What the command line shows without importing TensorFlow: the shipped presets (family, description, target,
declared parameters), the imaging tasks, the image priors, the PSFs and learning-rate schedules.

``catalog.json`` beside this file is generated from the registries by ``python -m pinnzoo.presets.catalog``
and checked against them by ``tests/test_catalog.py``, as the README's tables are; ``pinnzoo --help``, ``list``,
``list --params`` and argument errors read it, so they answer in well under a second.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pinnzoo.errors import ExportError, PresetError
from pinnzoo.family import PRESETS
from pinnzoo.registry import Registry

CATALOG = Path(__file__).with_name("catalog.json")


@functools.lru_cache(maxsize=1)
def load() -> dict:
    """The catalog as written by :func:`pinnzoo.presets.catalog.build`."""
    return json.loads(CATALOG.read_text())


def entry(preset) -> dict:
    """The catalog entry of a preset object: what ``pinnzoo list`` shows of it."""
    return {"name": preset.name, "family": preset.family, "description": preset.description,
            "target": preset.target_text(), "parameters": [_parameter_line(p) for p in preset.parameters()]}


def _parameter_line(p) -> str:
    return f"{p.name} = {p.text(p.default)}  ({p.range_text()}; {p.kind}{'; ' + p.doc if p.doc else ''})"


def presets() -> Registry:
    """Preset name → its entry: the shipped presets of the catalog, and any preset registered in this process
    (:data:`pinnzoo.family.PRESETS`, as a caller of :func:`pinnzoo.cli.main` may have); an unknown name raises
    :class:`PresetError` with the closest match."""
    registry: Registry = Registry("preset", PresetError)
    for item in load()["presets"]:
        registry.register(item["name"], item)
    for name, preset in PRESETS.items():
        if name not in registry:
            registry.register(name, entry(preset))
    return registry


def preset_lines() -> list[str]:
    """``pinnzoo list``: one line per preset, its description and target."""
    entries = presets().values()
    width = max(len(e["name"]) for e in entries)
    return [f"{e['name']:<{width}}  {e['description']}  [{e['target']}]" for e in entries]


def parameter_lines(name: str) -> list[str]:
    """``pinnzoo list --params NAME``: one line per declared parameter of a preset, or the flags a restoration
    task (``pinnzoo restore NAME``) declares."""
    known = load()
    if name in known["tasks"]:
        declared = [f"{p['flag']}  ({p['help']}{'; ' + p['range'] if 'range' in p else ''})"
                    for p in known["task_parameters"].values() if name in p["tasks"]]
    else:
        declared = presets().get(name)["parameters"]
    return declared or [f"{name} declares no parameters"]


def check_metadata(directory, meta: dict) -> None:
    """The checks :func:`pinnzoo.export.read_metadata` makes of an export's ``pinnzoo.json`` — a known preset
    family and the fields it needs — from the catalog (``pinnzoo verify`` without TensorFlow)."""
    name = meta.get("family") or meta.get("kind") or "pinn"  # exports before "family" carry "kind" or nothing
    families = load()["families"]
    path = Path(directory) / "pinnzoo.json"
    if not isinstance(name, str) or name not in families:
        raise ExportError(f"{path}: unknown preset family {name!r}; available preset families: "
                          f"{', '.join(sorted(families))}")
    for key in families[name]:
        if key not in meta:
            raise ExportError(f"{path} lacks the field {key!r}")
