"""Reading ``uv.lock`` (uv's own format, version 1).

The walk starts at the project's own entry (its source is ``.``), follows
every dependency edge whose marker holds for the target interpreter, with
the extras and groups asked for, and pins what it reaches.  A lock made
from other dependencies than ``pyproject.toml`` declares is stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

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
    specifier,
    strings,
    table,
    tables,
    text,
)
from dh_venv.inputs.values import PYPI, Lock

_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def read(path: Path, data: Table, project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    """What ``uv.lock`` pins for ``env``, from the project's entry with ``wanted``."""
    version = data.get("version")
    if version != 1:
        raise DhVenvError(
            f"{path}: uv.lock version {version} is not supported (dh_venv reads version 1)",
            hint="lock with a uv release that writes version 1, or use uv export --format pylock.toml",
        )
    index = by_name(packages(path, data, "package"))
    name = canonicalize_name(project.get("name", ""))
    roots = [p for p in index.get(name, []) if _is_local(path, p)]
    if not roots:
        raise DhVenvError(
            f"{path} does not lock the project {project.get('name')!r} of pyproject.toml",
            hint="the lock belongs to another project: run uv lock in the source tree",
        )
    _check_fresh(path, roots[0], project)
    chosen = _walk(path, index, roots[0], env, wanted)
    return _pins(path, chosen)


def _edges(path: Path, package: Table, key: str, group: str | None = None) -> list[Table]:
    """The dependency edges of ``package`` under ``key`` (and the extra or group ``group``)."""
    where = f"[[package]] {package['name']!r}: {key}"
    value = package.get(key)
    if group is not None:
        value = table(path, value, where).get(group)
        where = f"{where}.{group}"
    edges = tables(path, value, where)
    for edge in edges:
        text(path, edge, "name", f"{where} entry")
    return edges


def _walk(path: Path, index: Mapping[str, list[Table]], root: Table, env: Env, wanted: Wanted) -> dict[str, Table]:
    """Every package reached from ``root``, by normalised name."""
    chosen: dict[str, Table] = {}
    todo: list[tuple[Table, str | None]] = []

    def follow(edges: Iterable[Table]) -> None:
        for edge in edges:
            if not marker_true(edge.get("marker"), env, path):
                continue
            target = _target(path, index, edge, env)
            key = canonicalize_name(target["name"])
            if key not in chosen:
                chosen[key] = target
                todo.append((target, None))
            where = f"[[package]] {target['name']!r}: the edge to it"
            todo.extend((target, extra) for extra in strings(path, edge.get("extra"), where))

    follow(_edges(path, root, "dependencies"))
    for extra in wanted.extras:
        follow(_edges(path, root, "optional-dependencies", extra))
    for group in wanted.groups:
        follow(_edges(path, root, "dev-dependencies", group))
    seen: set[tuple[str, str | None]] = set()
    while todo:
        package, wanted_extra = todo.pop()
        key = (canonicalize_name(package["name"]), wanted_extra)
        if key in seen:
            continue
        seen.add(key)
        if wanted_extra is None:
            follow(_edges(path, package, "dependencies"))
        else:
            follow(_edges(path, package, "optional-dependencies", wanted_extra))
    return chosen


def _pins(path: Path, chosen: Mapping[str, Table]) -> Lock:
    pins = []
    indexes: list[str] = []
    for _key, package in sorted(chosen.items()):
        source = table(path, package.get("source"), f"[[package]] {package['name']!r}: source")
        if "registry" not in source:
            kind = next(iter(source), "unknown")
            raise DhVenvError(
                f"{path}: {package['name']} comes from a {kind} source ({source.get(kind)}), "
                "which dh_venv cannot install from a lock yet",
                hint="publish it to an index, or build it as a wheel into the wheelhouse and lock that",
            )
        registry = text(path, source, "registry", f"[[package]] {package['name']!r}: source")
        if registry.startswith(("http:", "https:")) and registry.rstrip("/") != PYPI and registry not in indexes:
            indexes.append(registry)
        files = [package["sdist"]] if "sdist" in package else []
        files += tables(path, package.get("wheels"), f"[[package]] {package['name']!r}: wheels")
        pins.append(pin(path, package["name"], package.get("version"), hashes(path, files), file_hashes(path, files)))
    return Lock(path, tuple(pins), tuple(indexes))


def _is_local(path: Path, package: Table) -> bool:
    source = table(path, package.get("source"), f"[[package]] {package['name']!r}: source")
    return any(source.get(k) == "." for k in ("editable", "virtual", "directory"))


def _target(path: Path, index: Mapping[str, list[Table]], edge: Mapping[str, Any], env: Env) -> Table:
    candidates = index.get(canonicalize_name(edge["name"]), [])
    if "version" in edge:
        candidates = [p for p in candidates if p.get("version") == edge["version"]]
    if len(candidates) > 1:
        candidates = [
            p
            for p in candidates
            if not p.get("resolution-markers")
            or any(
                marker_true(m, env, path)
                for m in strings(path, p["resolution-markers"], f"[[package]] {p['name']!r}: resolution-markers")
            )
        ]
    if not candidates:
        raise DhVenvError(
            f"{path} names {edge['name']} as a dependency but does not lock it",
            hint="the lock is damaged: run uv lock again",
        )
    return candidates[0]


def _check_fresh(path: Path, root: Table, project: Mapping[str, Any]) -> None:
    """Fail if pyproject.toml's dependencies are not those the lock was made from."""
    metadata = table(path, root.get("metadata"), "the project's [package.metadata]")
    if "requires-dist" not in metadata or "dependencies" in project.get("dynamic", []):
        return
    locked = set()
    for entry in tables(path, metadata["requires-dist"], "the project's requires-dist"):
        found = _EXTRA_MARKER.search(str(entry.get("marker", "")))
        name = text(path, entry, "name", "an entry of the project's requires-dist")
        extra = found.group(1) if found else None
        locked.add((canonicalize_name(name), specifier(str(entry.get("specifier", ""))), extra))
    declared = set()
    groups: dict[str | None, list[str]] = {None: list(project.get("dependencies", []))}
    groups.update(project.get("optional-dependencies", {}))
    for extra, lines in groups.items():
        for line in lines:
            req = requirement(path.parent / "pyproject.toml", line)
            declared.add((canonicalize_name(req.name), req.specifier if req.url is None else SpecifierSet(), extra))
    if locked != declared:
        changed = sorted({f"{n}{s}" + (f" (extra {e})" if e else "") for n, s, e in locked ^ declared})
        raise DhVenvError(
            f"{path} is stale: pyproject.toml's dependencies differ from the ones it was locked from "
            f"({', '.join(changed)})",
            hint="run uv lock and commit the lock file; dh_venv never installs a different set than the lock",
        )
