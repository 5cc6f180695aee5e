"""Recipe fingerprints: everything that determines a run's training, hashed, so that an export can say whether
today's preset and code would give it (``pinnzoo evaluate DIR --json`` → ``"recipe_current"``).

A run's recipe (``pinnzoo.json["recipe_fingerprint"]``, written by :mod:`pinnzoo.lifecycle`) holds

* ``definition``: the preset as it trained — every field of its frozen dataclass in canonical JSON (problem and
  problem parameters, prior configuration, schedule or fit with the run's overrides folded in; a factory by its
  qualified name, its code counted below), whether it was the quick version, the seed, and the warm start's
  source (``None`` from scratch);
* ``params``: the preset's declared parameters at the run's values (what ``--set`` can change);
* ``code``: the family and the version of its training code (:data:`CODE_LOCK`);
* ``fingerprint``: SHA-256 of ``definition`` and ``code``.

**Training code** is the family's wing (``pinnzoo/families/<family>/`` but its figures and archive writers) and
every pinnzoo module it imports, figures, export writing, serving and the command line left out. The lock file
records, per family, a version and the SHA-256 of that code's syntax trees (comments and docstrings do not
count). When the code changes, ``tests/test_recipe.py`` fails until a developer decides: **bump the family's
version** (what it trains changed: every export of the family is stale until retrained, as
``benchmarks/reproduce.py`` does), or **relock** (``python -m pinnzoo.recipe --lock``) when the training is
unchanged — a quick run of the family's presets giving the same weights before and after.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import hashlib
import json
import sys
from typing import Mapping

import numpy as np

from pinnzoo.code_graph import PACKAGE, import_graph, modules
from pinnzoo.code_graph import closure as import_closure
from pinnzoo.errors import PresetError
from pinnzoo.family import FAMILIES, get_preset, load_builtin

#: family → {"version", "sha256"} of its training code
CODE_LOCK = PACKAGE / "training_code.json"
#: modules that present, write or serve a run but do not train it
_NOT_TRAINING = ("pinnzoo.plotting", "pinnzoo.cli", "pinnzoo.catalog", "pinnzoo.serving", "pinnzoo.litert",
                 "pinnzoo.export", "pinnzoo.manifest", "pinnzoo.presets", "pinnzoo.restoration")
_NOT_TRAINING_FILES = ("figures", "archive")


def canonical(value):
    """``value`` as plain JSON data that is the same in every process: dataclasses as ``{"_type": name, field:
    ...}``, mappings with string keys, tuples as lists, arrays by their SHA-256, callables by qualified name."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else repr(value)
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, np.generic):
        return canonical(value.item())
    if isinstance(value, np.ndarray):
        return {"_array": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                "shape": list(value.shape), "dtype": str(value.dtype)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"_type": type(value).__qualname__,
                **{f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, functools.partial):
        return {"_partial": canonical(value.func), "args": canonical(value.args), "kwargs": canonical(value.keywords)}
    if callable(value) and hasattr(value, "__qualname__"):
        return {"_callable": f"{value.__module__}.{value.__qualname__}"}
    raise PresetError(f"a recipe holds {type(value).__name__} {value!r}, which has no canonical form")


def digest(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# -- training code -------------------------------------------------------------------------------------------
def _skipped(module: str) -> bool:
    return (module.startswith(_NOT_TRAINING) or module.rsplit(".", 1)[-1] in _NOT_TRAINING_FILES
            or module in ("pinnzoo", "pinnzoo.families"))


def training_modules(family: str) -> list[str]:
    """The modules ``family``'s training runs: its wing and what it imports (see the module's docstring)."""
    wing = f"pinnzoo.families.{family}"
    starts = [m for m in modules() if m == wing or m.startswith(wing + ".")]
    if not starts:
        raise PresetError(f"no family wing {wing}")
    return sorted(import_closure([*starts, "pinnzoo.lifecycle"], _graph(), _skipped))


@functools.lru_cache(maxsize=1)
def _graph() -> dict:
    return import_graph()


@functools.lru_cache(maxsize=None)
def _syntax(module: str) -> str:
    """The module's syntax tree without docstrings (and so without comments or layout)."""
    tree = ast.parse(modules()[module].read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def code_hash(family: str) -> str:
    return digest([[m, _syntax(m)] for m in training_modules(family)])


def code_lock() -> dict:
    return json.loads(CODE_LOCK.read_text())


def code_version(family: str) -> int:
    lock = code_lock()
    if family not in lock:
        raise PresetError(f"{CODE_LOCK.name} has no version for family {family!r}: run python -m pinnzoo.recipe --lock")
    return int(lock[family]["version"])


def write_lock(families) -> dict:
    """Record the current hash of every family's training code, keeping the versions (new families: 1)."""
    old = code_lock() if CODE_LOCK.exists() else {}
    lock = {f: {"version": int(old.get(f, {}).get("version", 1)), "sha256": code_hash(f)} for f in sorted(families)}
    CODE_LOCK.write_text(json.dumps(lock, indent=1) + "\n")
    return lock


# -- recipes -------------------------------------------------------------------------------------------------
def declared_params(preset) -> dict:
    return {p.name: canonical(p.default) for p in preset.parameters()}


def run_recipe(preset, *, seed: int, quick: bool, init=None) -> dict:
    """The recipe of a run of ``preset`` (as it trained: overrides folded in) — see the module's docstring."""
    definition = {"preset": canonical(preset), "quick": bool(quick), "seed": int(seed), "init": canonical(init)}
    code = {"family": preset.family, "version": code_version(preset.family)}
    return {"fingerprint": digest({"definition": definition, "code": code}), "code": code,
            "params": declared_params(preset), "definition": definition}


def todays_recipe(recorded: dict) -> dict:
    """What today's registered preset gives for the run ``recorded`` describes (its name, parameters, seed,
    quick or not), from scratch."""
    d = recorded["definition"]
    preset = get_preset(d["preset"]["name"])
    declared = declared_params(preset)
    preset = preset.with_params({k: v for k, v in (recorded.get("params") or {}).items() if declared.get(k) != v})
    return run_recipe(preset.quick() if d["quick"] else preset, seed=d["seed"], quick=d["quick"])


def differences(a, b, path: str = "") -> list[str]:
    """Dotted paths where the JSON data ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(set(a) | set(b)) for p in differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))]
    return [] if a == b else [path or "(all)"]


def recipe_status(meta: dict) -> dict:
    """``{"recipe_current": bool, "recipe_reason": text}``: whether today's preset and training code give the
    export with metadata ``meta`` (its recipe recomputed and compared with the one it records)."""
    recorded = meta.get("recipe_fingerprint")
    if not recorded:
        return {"recipe_current": False, "recipe_reason": "no recipe recorded (trained before recipes were, or "
                                                          "not by a preset)"}
    try:
        today = todays_recipe(recorded)
    except Exception as exc:  # a preset renamed, a parameter gone: not today's recipe, said why
        return {"recipe_current": False, "recipe_reason": f"today's preset cannot rebuild it: {exc}"}
    if today["fingerprint"] == recorded["fingerprint"]:
        return {"recipe_current": True, "recipe_reason": "today's preset and training code"}
    changed = differences(recorded["definition"], today["definition"])
    reasons = [f"changed since: {', '.join(changed[:6])}{' ...' if len(changed) > 6 else ''}"] if changed else []
    if recorded["code"] != today["code"]:
        reasons.append(f"training code of family {today['code']['family']} is now version {today['code']['version']} "
                       f"(the export's: {recorded['code'].get('version')})")
    return {"recipe_current": False, "recipe_reason": "; ".join(reasons) or "fingerprint differs"}


def main(argv=None) -> int:
    """``python -m pinnzoo.recipe --lock``: record the training code's hashes (versions kept);
    ``--check``: exit 1 if a family's code differs from the lock."""
    load_builtin()
    args = sys.argv[1:] if argv is None else argv
    if args == ["--lock"]:
        print(json.dumps(write_lock(FAMILIES.names()), indent=1))
        return 0
    lock = code_lock()
    stale = [f for f in FAMILIES.names() if lock.get(f, {}).get("sha256") != code_hash(f)]
    print("\n".join(f"{f}: training code differs from {CODE_LOCK.name}" for f in stale) or "training code as locked")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
