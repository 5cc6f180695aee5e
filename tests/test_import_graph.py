"""The package's import graph: no cycles, and no import that climbs back up the layers below.

Every import counts — at module level, inside functions, and of a package's ``__init__`` (its face) — so a cycle
cannot hide behind an import deferred into a function.
"""

from pinnzoo.code_graph import import_graph

#: the layers, lowest first: a module may import from its own layer and the ones before it
LAYERS = (
    ("foundation", ("_version", "code_graph", "errors", "registry", "parameters", "dtypes", "manifest", "family",
                    "recipe", "catalog")),
    ("numerics", ("references", "geometry", "problems", "grids", "operators", "priors", "regularizers", "metrics", "image_io", "ntk",
                  "sampling", "optimizers", "tasks", "baselines", "distribute")),
    ("solvers", ("solvers", "callbacks", "divergence", "checkpoint", "run_log")),
    ("run services", ("export", "warm_start", "serving", "litert", "plotting", "lifecycle")),
    ("families", ("families",)),
    ("faces", ("presets", "restoration", "cli", "")),
)


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of ``pinnzoo.X...`` (``""`` is the package itself)."""
    first = module.split(".")[1] if "." in module else ""
    for i, (_, names) in enumerate(LAYERS):
        if first in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to tests/test_import_graph.py's LAYERS")


def cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward(graph: dict) -> list:
    """``(importer, imported)`` pairs where the imported module sits in a higher layer."""
    return sorted((m, w) for m, targets in graph.items() for w in targets if layer_of(w) > layer_of(m))


def test_the_graph_walker_sees_a_cycle_and_an_upward_import(tmp_path):
    pkg = tmp_path / "pinnzoo"
    (pkg / "families").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "errors.py").write_text("def f():\n    from pinnzoo.families import thing\n")  # deferred, still counted
    (pkg / "families" / "__init__.py").write_text("from pinnzoo.errors import f\nthing = 1\n")
    graph = import_graph(pkg)
    assert cycles(graph) == [["pinnzoo.errors", "pinnzoo.families"]]
    assert upward(graph) == [("pinnzoo.errors", "pinnzoo.families")]


def test_pinnzoo_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_no_module_imports_from_a_layer_above_its_own():
    assert upward(import_graph()) == []
