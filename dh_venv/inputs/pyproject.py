"""Reading the project's ``pyproject.toml``: its name and what it depends on.

Every table the inputs stage and the lock readers look at is checked here,
where the file enters: the right TOML types, and PEP 508 strings that
parse.  A malformed file ends in an error naming the file, the table and
the value, before any venv exists, instead of a crash later or a build
backend's error halfway through pip.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from dh_venv.errors import DhVenvError

_FIX = "fix pyproject.toml"
_PEP508 = "write it as a PEP 508 requirement, such as 'name[extra]>=1.0; python_version >= \"3.9\"'"


def read_pyproject(source_dir: Path) -> dict[str, Any]:
    """``[project]`` of pyproject.toml with ``tool`` and ``dependency-groups`` merged in; {} if none."""
    path = source_dir / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DhVenvError(f"{path} is not valid TOML: {exc}", hint=_FIX) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DhVenvError(f"cannot read {path}: {exc}", hint=_FIX) from None
    return from_data(path, data)


def from_data(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """The view of :func:`read_pyproject` on the TOML document ``data`` of ``path``, once checked."""
    check(path, data)
    result: dict[str, Any] = dict(data.get("project", {}))
    result["tool"] = data.get("tool", {})
    result["dependency-groups"] = data.get("dependency-groups", {})
    result["build-system"] = data.get("build-system", {})
    if "name" not in result and "poetry" in result["tool"]:
        result["name"] = result["tool"]["poetry"].get("name", "")
    return result


def check(path: Path, data: Mapping[str, Any]) -> None:
    """Fail on a value dh_venv reads that has not the type or syntax the specifications give it."""
    project = _table(path, data, "project", "[project]")
    _string(path, project, "name", "[project] name")
    _strings(path, project, "dynamic", "[project] dynamic")
    _requirements(path, project, "dependencies", "[project] dependencies")
    extras = _table(path, project, "optional-dependencies", "[project.optional-dependencies]")
    for extra in extras:
        _requirements(path, extras, extra, f"[project.optional-dependencies] {extra}")
    groups = _table(path, data, "dependency-groups", "[dependency-groups]")
    for group, lines in groups.items():
        where = f"[dependency-groups] {group}"
        if not isinstance(lines, list):
            raise _wrong(path, where, "an array of PEP 508 strings and include-group tables", lines)
        for line in lines:
            if not isinstance(line, dict):  # {include-group = "name"}
                _requirement(path, line, where)
    build = _table(path, data, "build-system", "[build-system]")
    _requirements(path, build, "requires", "[build-system] requires")
    tool = _table(path, data, "tool", "[tool]")
    poetry = _table(path, tool, "poetry", "[tool.poetry]")
    _string(path, poetry, "name", "[tool.poetry] name")
    _table(path, poetry, "dependencies", "[tool.poetry.dependencies]")
    for extra in _table(path, poetry, "extras", "[tool.poetry.extras]"):
        _strings(path, poetry["extras"], extra, f"[tool.poetry.extras] {extra}")
    for group in _table(path, poetry, "group", "[tool.poetry.group]"):
        where = f"[tool.poetry.group.{group}]"
        _table(path, _table(path, poetry["group"], group, where), "dependencies", f"{where[:-1]}.dependencies]")


def _wrong(path: Path, where: str, kind: str, value: object) -> DhVenvError:
    return DhVenvError(f"{path}: {where} must be {kind}, not {value!r}", hint=_FIX)


def _table(path: Path, parent: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise _wrong(path, where, "a table", value)
    return value


def _string(path: Path, parent: Mapping[str, Any], key: str, where: str) -> None:
    if key in parent and not isinstance(parent[key], str):
        raise _wrong(path, where, "a string", parent[key])


def _strings(path: Path, parent: Mapping[str, Any], key: str, where: str) -> None:
    value = parent.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(path, where, "an array of strings", value)


def _requirements(path: Path, parent: Mapping[str, Any], key: str, where: str) -> None:
    value = parent.get(key, [])
    if not isinstance(value, list):
        raise _wrong(path, where, "an array of PEP 508 strings", value)
    for line in value:
        _requirement(path, line, where)


def _requirement(path: Path, line: object, where: str) -> None:
    if not isinstance(line, str):
        raise _wrong(path, f"each entry of {where}", "a PEP 508 string", line)
    try:
        Requirement(line)
    except InvalidRequirement as exc:
        raise DhVenvError(f"{path}: {where}: invalid requirement {line!r}: {_first_line(exc)}", hint=_PEP508) from None


def _first_line(exc: Exception) -> str:
    """packaging's message without the lines that draw a caret under the position."""
    return next(iter(str(exc).splitlines()), "")
