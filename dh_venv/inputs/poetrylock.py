"""Reading ``poetry.lock`` (lock versions 1.1 to 2.x).

Poetry's lock has no root entry: the walk starts from what the project
asks for (PEP 621 ``[project]`` or ``[tool.poetry]``), with Poetry's own
constraint syntax (``^3.8``, ``~1.2``, ``>=3.7,<4 || ^2.7``) decided
here for the target interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dh_venv.errors import DhVenvError
from dh_venv.inputs.lockfile import (
    Env,
    Table,
    Wanted,
    by_name,
    file_hashes,
    hashes,
    marker_true,
    packages,
    pin,
    requirement,
    strings,
    table,
    tables,
    text,
)
from dh_venv.inputs.values import PYPI, Lock

_VERSIONS = ("1.", "2.")


def read(path: Path, data: Table, project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    """What ``poetry.lock`` pins for ``env``, from the project's requirements with ``wanted``."""
    version = str(table(path, data.get("metadata"), "[metadata]").get("lock-version", ""))
    if not version.startswith(_VERSIONS) or version in ("1.0",):
        raise DhVenvError(
            f"{path}: poetry.lock version {version or '(none)'} is not supported (dh_venv reads 1.1 to 2.x)",
            hint="run poetry lock with Poetry 1.2 or later",
        )
    index = by_name(packages(path, data, "package"))
    return _pins(path, _walk(path, index, _roots(path, project, wanted), env))


def _walk(path: Path, index: Mapping[str, list[Table]], roots: list[tuple[str, Any]], env: Env) -> dict[str, Table]:
    """Every package reached from ``roots``, by normalised name."""
    chosen: dict[str, Table] = {}
    todo: list[tuple[str, str | None]] = []

    def want(name: str, spec: Any) -> None:
        key = canonicalize_name(name)
        if key == "python" or not _applies(spec, env, path):
            return
        candidates = index.get(key, [])
        if isinstance(spec, Mapping) and "version" in spec and len(candidates) > 1:
            candidates = [c for c in candidates if _version_ok(str(spec["version"]), str(c.get("version")))] or (
                candidates
            )
        if not candidates:
            raise DhVenvError(
                f"{path} does not lock {name}, which the project needs",
                hint="the lock does not match pyproject.toml: run poetry lock",
            )
        if key not in chosen:
            chosen[key] = candidates[0]
            todo.append((key, None))
        todo.extend((key, extra) for extra in _extras(path, name, spec))

    for name, spec in roots:
        want(name, spec)
    seen: set[tuple[str, str | None]] = set()
    while todo:
        key, extra = todo.pop()
        if (key, extra) not in seen:
            seen.add((key, extra))
            for name, spec in _needs(path, chosen[key], extra):
                want(name, spec)
    return chosen


def _needs(path: Path, package: Table, extra: str | None) -> list[tuple[str, Any]]:
    """(name, spec) of what ``package`` requires, or its ``extra`` adds."""
    where = f"[[package]] {package['name']!r}"
    deps = table(path, package.get("dependencies"), f"{where}: dependencies")
    if extra is None:
        return [
            (name, one)
            for name, spec in deps.items()
            for one in _as_list(spec)
            if not (isinstance(one, Mapping) and one.get("optional"))
        ]
    found = []
    extras = table(path, package.get("extras"), f"{where}: extras")
    for line in strings(path, extras.get(extra), f"{where}: extras.{extra}"):
        name = re.split(r"[\s(\[<>=!~;]", line.strip(), maxsplit=1)[0]
        found += [(name, one) for one in _as_list(deps.get(name, deps.get(canonicalize_name(name), "*")))]
    return found


def _extras(path: Path, name: str, spec: Any) -> list[str]:
    return strings(path, spec.get("extras"), f"the extras of {name}") if isinstance(spec, Mapping) else []


def _pins(path: Path, chosen: Mapping[str, Table]) -> Lock:
    pins = []
    indexes: list[str] = []
    for _key, package in sorted(chosen.items()):
        source = table(path, package.get("source"), f"[[package]] {package['name']!r}: source")
        if source and source.get("type") not in ("legacy", "http"):
            raise DhVenvError(
                f"{path}: {package['name']} comes from a {source.get('type')} source ({source.get('url')}), "
                "which dh_venv cannot install from a lock yet",
                hint="publish it to an index, or build it as a wheel into the wheelhouse and lock that",
            )
        if source.get("type") == "legacy":
            url = text(path, source, "url", f"[[package]] {package['name']!r}: source")
            if url.rstrip("/") != PYPI and url not in indexes:
                indexes.append(url)
        files = tables(path, package.get("files"), f"[[package]] {package['name']!r}: files")
        pins.append(pin(path, package["name"], package.get("version"), hashes(path, files), file_hashes(path, files)))
    return Lock(path, tuple(pins), tuple(indexes))


def _as_list(spec: Any) -> list[Any]:
    return spec if isinstance(spec, list) else [spec]


def _roots(path: Path, project: Mapping[str, Any], wanted: Wanted) -> list[tuple[str, Any]]:
    """(name, poetry-style spec) of what the project itself asks for."""
    pyproject = path.parent / "pyproject.toml"
    roots: list[tuple[str, Any]] = []
    poetry = project.get("tool", {}).get("poetry", {})
    pep621 = project.get("dependencies")
    if pep621 is not None or project.get("optional-dependencies"):
        lines = list(pep621 or [])
        for extra in wanted.extras:
            lines += project.get("optional-dependencies", {}).get(extra, [])
        for line in lines:
            req = requirement(pyproject, line)
            roots.append((req.name, {"markers": str(req.marker) if req.marker else "", "extras": sorted(req.extras)}))
    else:
        extras = {canonicalize_name(n) for e in wanted.extras for n in poetry.get("extras", {}).get(e, [])}
        for name, spec in poetry.get("dependencies", {}).items():
            for one in _as_list(spec):
                if isinstance(one, Mapping) and one.get("optional") and canonicalize_name(name) not in extras:
                    continue
                roots.append((name, one))
    for group in wanted.groups:
        for name, spec in poetry.get("group", {}).get(group, {}).get("dependencies", {}).items():
            roots += [(name, one) for one in _as_list(spec)]
        for line in project.get("dependency-groups", {}).get(group, []):
            if isinstance(line, str):
                roots.append((requirement(pyproject, line).name, {}))
    return roots


def _applies(spec: Any, env: Env, path: Path) -> bool:
    if not isinstance(spec, Mapping):
        return True
    if not marker_true(spec.get("markers") or None, env, path):
        return False
    python = spec.get("python")
    return not python or _version_ok(str(python), env["python_full_version"])


def _version_ok(constraint: str, version: str) -> bool:
    """Whether ``version`` meets a Poetry constraint (``^3.8``, ``~1.2``, ``>=3.7,<4 || ^2.7``)."""
    try:
        v = Version(version)
    except InvalidVersion:
        return True
    for alternative in constraint.split("||"):
        parts = [p.strip() for p in re.split(r",|\s+(?=[<>=!^~])", alternative) if p.strip()]
        if all(_part_ok(p, v) for p in parts):
            return True
    return False


def _part_ok(part: str, v: Version) -> bool:
    if part == "*":
        return True
    if part[0] in "^~" and part[1:2] != "=":
        base = [int(x) for x in re.findall(r"\d+", part[1:])] or [0]
        if part[0] == "^":
            first = next((i for i, x in enumerate(base) if x), len(base) - 1)
            upper = [*base[:first], base[first] + 1]
        else:
            upper = [base[0] + 1] if len(base) == 1 else [base[0], base[1] + 1]
        lower = Version(".".join(map(str, base)))
        return lower <= v < Version(".".join(map(str, upper)))
    if part[0].isdigit():
        part = f"=={part}"
    try:
        return v in SpecifierSet(part)
    except InvalidSpecifier:
        return True
