"""The package's import graph has no cycle.

Every module under `cleaner/` is parsed (never imported) and each `import cleaner...` and
`from cleaner... import ...` in it becomes an edge, in two kinds:

- module-level: runs when the module is imported (also inside a class body, `try` or `if`);
- function-level: runs when the function is first called (a lazy import inside a `def`).

Both kinds count: a cycle closed by a lazy import does not fail at import time, but it still
ties two modules that cannot be understood, tested or moved apart. A failure lists each cycle
with the kind and line of every edge, module-level cycles first. Imports under
`if TYPE_CHECKING:` never run and are left out. `from a.b import c` is an edge to the module
`a.b.c` when there is one, else to `a.b`; the parent packages that Python initialises on the
way (`a`, `a.b`) are not edges of their own, so a package's `__init__` may hand on the names of
its submodules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cleaner

PACKAGE_DIR = Path(cleaner.__file__).parent
ImportNode = ast.Import | ast.ImportFrom


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function: runs on the first call, not at import

    def describe(self) -> str:
        kind = "function-level" if self.lazy else "module-level"
        return f"{self.source} -> {self.target} ({kind}, line {self.line})"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _imports(nodes: Iterable[ast.AST], lazy: bool = False) -> Iterator[tuple[ImportNode, bool]]:
    """Every import statement among `nodes` and below them that runs, and whether it runs
    lazily (inside a function)."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, lazy
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.orelse, lazy)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(ast.iter_child_nodes(node), True)
        else:
            yield from _imports(ast.iter_child_nodes(node), lazy)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module `name` names, or its longest prefix that is one of ours; None if not ours."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _targets(node: ImportNode, module: str, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        found = (_resolve(alias.name, modules) for alias in node.names)
        return {target for target in found if target is not None}
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if modules[module].name != "__init__.py":
            package.pop()
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base]) if base else ".".join(package)
    targets: set[str] = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        target = submodule if submodule in modules else _resolve(base, modules)
        if target is not None:
            targets.add(target)
    return targets


def import_edges() -> list[Edge]:
    """Every edge of the package's import graph, in module order."""
    modules = _modules()
    edges: list[Edge] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node, lazy in _imports(tree.body):
            for target in sorted(_targets(node, module, modules)):
                if target != module:
                    edges.append(Edge(module, target, node.lineno, lazy))
    return edges


def _cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle through each group of modules that reach each other, shortest first."""
    graph: dict[str, list[Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge)
    cycles: list[list[Edge]] = []
    covered: set[str] = set()
    for start in sorted(graph):
        if start in covered:
            continue
        path = _path_back(graph, start)
        if path:
            cycles.append(path)
            covered.update(edge.source for edge in path)
    return sorted(cycles, key=len)


def _path_back(graph: dict[str, list[Edge]], start: str) -> list[Edge] | None:
    """The shortest chain of edges from `start` back to itself (breadth first), or None."""
    previous: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for edge in graph.get(node, []):
                if edge.target == start:
                    chain = [edge]
                    while chain[0].source != start:
                        chain.insert(0, previous[chain[0].source])
                    return chain
                if edge.target not in previous:
                    previous[edge.target] = edge
                    following.append(edge.target)
        frontier = following
    return None


def _report(title: str, cycles: list[list[Edge]]) -> str:
    lines = [f"{title}: {len(cycles)}"]
    for cycle in cycles:
        lines.append("  cycle: " + " -> ".join([*(edge.source for edge in cycle), cycle[0].source]))
        lines.extend(f"    {edge.describe()}" for edge in cycle)
    return "\n".join(lines)


def test_the_walk_sees_both_kinds_of_import() -> None:
    edges = import_edges()
    pairs = {(edge.source, edge.target, edge.lazy) for edge in edges}
    # module-level, through a package's __init__ and a `from package import name`
    assert ("cleaner.io.readers.inputs", "cleaner.io.readers.jsonl", False) in pairs
    assert ("cleaner.io", "cleaner.io.readers", False) in pairs
    # function-level: the Ray executor is imported only when it is used
    assert ("cleaner.run.job", "cleaner.run.ray_executor", True) in pairs


def test_a_cycle_is_found_and_printed() -> None:
    edges = [
        Edge("pkg.a", "pkg.b", 3, False),
        Edge("pkg.b", "pkg.c", 5, False),
        Edge("pkg.c", "pkg.a", 9, True),
        Edge("pkg.c", "pkg.d", 10, False),
    ]
    (cycle,) = _cycles(edges)
    text = _report("cycles", [cycle])
    assert "cycle: pkg.a -> pkg.b -> pkg.c -> pkg.a" in text
    assert "pkg.c -> pkg.a (function-level, line 9)" in text
    assert _cycles(edges[:2] + edges[3:]) == []


def test_no_import_cycle() -> None:
    edges = import_edges()
    eager = _cycles([edge for edge in edges if not edge.lazy])
    lazy = [cycle for cycle in _cycles(edges) if any(edge.lazy for edge in cycle)]
    message = "\n".join(
        [
            _report("cycles of module-level imports", eager),
            _report("cycles closed by function-level (lazy) imports", lazy),
        ]
    )
    assert not eager and not lazy, message
