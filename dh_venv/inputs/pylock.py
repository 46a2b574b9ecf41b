"""Reading ``pylock.toml`` (PEP 751, lock-version 1.x).

A PEP 751 lock lists every package once per variant with a marker; no
walk is needed: the packages whose marker holds for the target
interpreter, the extras and the dependency groups asked for are the set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from dh_venv.errors import DhVenvError
from dh_venv.inputs.lockfile import (
    REGENERATE,
    Env,
    Table,
    Wanted,
    file_hashes,
    hashes,
    marker_true,
    packages,
    pin,
    strings,
    tables,
)
from dh_venv.inputs.values import PYPI, Lock, Pin

_SET_MARKER = re.compile(r"""(['"])([^'"]+)\1\s+(not\s+in|in)\s+(extras|dependency_groups)""")


def read(path: Path, data: Table, project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    """What ``pylock.toml`` pins for ``env``, with the extras and groups of ``wanted``."""
    version = str(data.get("lock-version", ""))
    if not version.startswith("1."):
        raise DhVenvError(
            f"{path}: lock-version {version or '(none)'} is not supported (dh_venv reads PEP 751 version 1.x)",
            hint="export the lock again with a tool that writes lock-version 1.0",
        )
    _check_python(path, data.get("requires-python"), env)
    groups = set(wanted.groups) or set(strings(path, data.get("default-groups"), "default-groups"))
    sets = {"extras": set(wanted.extras), "dependency_groups": groups}

    def evaluate(marker: object) -> bool:
        if not marker or not isinstance(marker, str):
            return marker_true(marker, env, path)

        # PEP 751's set markers, which packaging 23 cannot parse: decide them here.
        def decide(match: re.Match[str]) -> str:
            member = match.group(2) in sets[match.group(4)]
            if match.group(3) != "in":
                member = not member
            return "python_version >= '0'" if member else "python_version < '0'"

        return marker_true(_SET_MARKER.sub(decide, marker), env, path)

    name = canonicalize_name(project.get("name", ""))
    pins = []
    indexes: list[str] = []
    for package in packages(path, data, "packages"):
        if evaluate(package.get("marker")) and canonicalize_name(package["name"]) != name:
            pins.append(_pin(path, package, indexes))
    return Lock(path, tuple(sorted(pins, key=lambda p: p.name)), tuple(indexes))


def _check_python(path: Path, requires: object, env: Env) -> None:
    if not requires:
        return
    try:
        allowed = SpecifierSet(str(requires))
    except InvalidSpecifier as exc:
        raise DhVenvError(f"{path}: requires-python {requires!r} is not valid: {exc}", hint=REGENERATE) from None
    if env["python_full_version"] not in allowed:
        raise DhVenvError(
            f"{path} is for Python {requires}, not the venv's {env['python_full_version']}",
            hint="build with a matching --python or lock again",
        )


def _pin(path: Path, package: Table, indexes: list[str]) -> Pin:
    """The pin of one ``[[packages]]`` entry; adds its index to ``indexes``."""
    if "directory" in package:
        raise DhVenvError(
            f"{path}: {package['name']} is a local directory, which dh_venv cannot install from a lock",
            hint="build it as a wheel into the wheelhouse and lock that",
        )
    if "vcs" in package or "archive" in package or "version" not in package:
        raise DhVenvError(
            f"{path}: {package['name']} is not an index distribution, which dh_venv cannot install from a lock yet",
            hint="publish it to an index, or build it as a wheel into the wheelhouse and lock that",
        )
    index = package.get("index")
    if isinstance(index, str) and index and index.rstrip("/") != PYPI and index not in indexes:
        indexes.append(index)
    files = [package["sdist"]] if "sdist" in package else []
    files += tables(path, package.get("wheels"), f"[[packages]] {package['name']!r}: wheels")
    return pin(
        path, package["name"], package["version"], hashes(path, files, "hashes"), file_hashes(path, files, "hashes")
    )
