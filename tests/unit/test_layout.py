"""The shape of dh_venv/: the import rule, no cycles, and debhelper's size discipline.

Layers, from the top: the command lines (``cli``), the pipeline that orders
the stages (``pipeline``) with the front ends beside it (``scaffold``: dh-venv init;
``releases``: chroots, builds and smoke tests per release), the stages (one package each), and the shared
modules below them.  A module imports only from its own package or a lower
layer; a stage imports no other stage except the debhelper glue, and
another stage's frozen values (its ``values`` module), which is what stages
hand each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "dh_venv"
STAGES = ("inputs", "installers", "relocate", "expose", "compiled", "debhelper", "record")
# The pipeline, and the front ends of dh-venv that drive whole builds (init, build, smoke) beside it.
FRONT_ENDS = ("pipeline", "scaffold", "releases")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _unit(path: Path) -> str:
    """The layer unit of a module: a sub-package name, or the top-level module name."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _layer(unit: str) -> int:
    if unit == "cli":
        return 3
    if unit in FRONT_ENDS:
        return 2
    if unit in STAGES:
        return 1
    return 0


def _imported_units(path: Path) -> set[str]:
    """dh_venv units that ``path`` imports (at any depth: function-level imports count).

    A stage's ``values`` module (frozen dataclasses handed to the next stage) is not counted.
    """
    units = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "dh_venv" else [f"dh_venv.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "dh_venv" and len(parts) > 1 and parts[2:3] != ["values"]:
                units.add(parts[1])
    return units


def _code_lines(lines: list[str]) -> int:
    """Lines that are neither blank nor only a comment (docstrings count, as in debhelper's t/size.t)."""
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def test_layers_import_downwards_only() -> None:
    wrong = []
    for path in _modules():
        unit = _unit(path)
        for other in _imported_units(path) - {unit, "__version__"}:
            if other in ("DhVenvError", "Settings"):
                continue
            upward = _layer(other) > _layer(unit)
            sideways = _layer(unit) == 1 and _layer(other) == 1 and other != "debhelper"
            if upward or sideways:
                wrong.append(f"{path.relative_to(PACKAGE.parent)} imports dh_venv.{other}")
    assert not wrong, "imports against the layer rule:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dh_venv"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("dh_venv"))
        graph[name] = deps
    graph = {name: {d for d in deps if d in graph and d != name} for name, deps in graph.items()}
    # Package __init__ modules are faces: an import of dh_venv.x.y goes through dh_venv.x.
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            cycle = " -> ".join([*stack[stack.index(node) :], node])
            pytest.fail(f"import cycle: {cycle}")
        if node in done:
            return
        for dep in sorted(graph[node]):
            visit(dep, [*stack, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])


def test_modules_are_small() -> None:
    big = []
    for path in _modules():
        lines = _code_lines(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            big.append(f"{path.relative_to(PACKAGE.parent)}: {lines} code lines (at most {MAX_MODULE_LINES})")
    assert not big, "\n".join(big)


def test_functions_are_short() -> None:
    long = []
    for path in _modules():
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = lines[node.lineno - 1 : node.end_lineno]
                count = _code_lines(body)
                if count > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {count} lines")
    assert not long, f"functions over {MAX_FUNCTION_LINES} code lines:\n" + "\n".join(long)


def test_code_lines_count_code_only() -> None:
    sample = ['"""Doc."""', "", "# a comment", "x = 1  # trailing", "   ", "def f():", "    return x"]
    assert _code_lines(sample) == 4
