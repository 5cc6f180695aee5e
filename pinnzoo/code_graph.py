"""pinnzoo's own import graph, read from the source (nothing is imported): which modules a module pulls in.

Every import counts — at module level, inside functions, and of a package's ``__init__`` (its face). Used by the
import-layer test and by :mod:`pinnzoo.recipe` (the code a preset family's training runs).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def modules(root: Path = PACKAGE) -> dict:
    """``pinnzoo.a.b`` → its file, packages under their own name."""
    found = {}
    for path in root.rglob("*.py"):
        name = ".".join(("pinnzoo", *path.relative_to(root).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


def _targets(node, module: str, is_package: bool) -> list:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def imports_of(module: str, path: Path, found: dict) -> set:
    """The pinnzoo modules ``module`` (the file ``path``) imports; an imported name resolves to its module."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for target in _targets(node, module, path.name == "__init__.py"):
            while target and target not in found:
                target = target.rpartition(".")[0]
            if target and target != module:
                out.add(target)
    return out


def import_graph(root: Path = PACKAGE) -> dict:
    """module → the set of pinnzoo modules it imports."""
    found = modules(root)
    return {module: imports_of(module, path, found) for module, path in found.items()}


def closure(starts, graph: dict, skip=lambda module: False) -> set:
    """The modules reachable from ``starts`` in ``graph``, not entering (nor keeping) those ``skip`` names."""
    seen, todo = set(), [m for m in starts if not skip(m)]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(w for w in graph.get(module, ()) if w not in seen and not skip(w))
    return seen
