"""What the lock file readers share: loading, typed access, markers, hashes.

A lock file is user input: every value is checked for the type the
format gives it before it is used, so a damaged or hand-edited lock ends
in a ``DhVenvError`` naming the file, the entry and what is wrong, never
in a ``KeyError`` of ours.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Pin

Env = Mapping[str, str]
Table = dict[str, Any]

#: What to do about a lock file that is damaged.
REGENERATE = "fix or regenerate the lock file"


@dataclass(frozen=True)
class Wanted:
    """What to take from the lock besides the project's main dependencies."""

    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


def load(path: Path) -> Table:
    """The TOML document of the lock file ``path``."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DhVenvError(f"cannot read lock file {path}: {exc}", hint=REGENERATE) from None


def malformed(path: Path, where: str, what: str) -> DhVenvError:
    """The error for a value of the lock that has not the type its format gives it."""
    return DhVenvError(f"{path}: {where} {what}", hint=REGENERATE)


def table(path: Path, value: object, where: str) -> Table:
    """``value`` if it is a table (absent: an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise malformed(path, where, f"is not a table but {value!r}")
    return value


def tables(path: Path, value: object, where: str) -> list[Table]:
    """``value`` if it is an array of tables (absent: an empty one)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise malformed(path, where, f"is not an array of tables but {value!r}")
    return value


def strings(path: Path, value: object, where: str) -> list[str]:
    """``value`` if it is an array of strings (absent: an empty one)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise malformed(path, where, f"is not an array of strings but {value!r}")
    return value


def text(path: Path, entry: Mapping[str, Any], key: str, where: str) -> str:
    """The string ``entry[key]``, which must be there."""
    value = entry.get(key)
    if value is None:
        raise malformed(path, where, f"has no {key}")
    if not isinstance(value, str) or not value:
        raise malformed(path, where, f"has {key} = {value!r}, which is not a non-empty string")
    return value


def packages(path: Path, data: Mapping[str, Any], key: str) -> list[Table]:
    """The ``[[key]]`` entries of the lock, each checked to have a name."""
    found = tables(path, data.get(key), f"[[{key}]]")
    for number, entry in enumerate(found, 1):
        text(path, entry, "name", f"[[{key}]] entry {number}")
    return found


def by_name(entries: Iterable[Table]) -> dict[str, list[Table]]:
    """Entries (already checked by :func:`packages`) by normalised name."""
    found: dict[str, list[Table]] = {}
    for entry in entries:
        found.setdefault(canonicalize_name(entry["name"]), []).append(entry)
    return found


def marker_true(marker: object, env: Env, path: Path, *, extra: str = "") -> bool:
    """Whether the lock's ``marker`` holds for the target interpreter ``env``."""
    if not marker:
        return True
    if not isinstance(marker, str):
        raise malformed(path, "a marker", f"is not a string but {marker!r}")
    try:
        return Marker(marker).evaluate({**env, "extra": extra})
    except InvalidMarker as exc:
        raise DhVenvError(f"{path}: invalid marker {marker!r}: {_first_line(exc)}", hint=REGENERATE) from None


def hashes(path: Path, files: Iterable[object], key: str = "hash") -> tuple[str, ...]:
    """The ``algorithm:digest`` hashes of a lock entry's files."""
    found: list[str] = []
    for f in files:
        value = table(path, f, "a file entry").get(key)
        if isinstance(value, str) and ":" in value:
            found.append(value)
        elif isinstance(value, Mapping):  # PEP 751: {algorithm = digest}
            found += [f"{alg}:{digest}" for alg, digest in value.items()]
    return tuple(sorted(set(found)))


def file_hashes(path: Path, files: Iterable[object], key: str = "hash") -> tuple[tuple[str, str], ...]:
    """(file name, ``sha256:<hex>``) of the files of a lock entry that name their file and sha256."""
    found = set()
    for f in files:
        entry = table(path, f, "a file entry")
        where = entry.get("name") or entry.get("file") or entry.get("filename") or entry.get("url") or entry.get("path")
        filename = str(where or "").rsplit("/", 1)[-1].split("#", 1)[0]
        value = entry.get(key)
        if isinstance(value, Mapping):  # PEP 751: {algorithm = digest}
            value = f"sha256:{value['sha256']}" if isinstance(value.get("sha256"), str) else None
        if filename and isinstance(value, str) and value.startswith("sha256:"):
            found.add((filename, value))
    return tuple(sorted(found))


def pin(path: Path, name: str, version: object, found: tuple[str, ...], files: tuple[tuple[str, str], ...] = ()) -> Pin:
    """The pin of ``name``; a lock entry without hashes is refused."""
    if not isinstance(version, str) or not version:
        raise malformed(path, f"the entry of {name}", f"has version = {version!r}, which is not a non-empty string")
    try:
        Version(version)
    except InvalidVersion:
        what = f"has version = {version!r}, which is not a PEP 440 version"
        raise malformed(path, f"the entry of {name}", what) from None
    if not found:
        raise DhVenvError(
            f"{path}: {name}=={version} has no file hashes",
            hint="dh_venv installs locked distributions only with verified hashes; regenerate the lock with hashes",
        )
    return Pin(canonicalize_name(name), version, found, files)


def specifier(text: str) -> SpecifierSet:
    """A version specifier of the lock; one that does not parse allows any version."""
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return SpecifierSet()


def requirement(path: Path, line: object, where: str = "") -> Requirement:
    """The PEP 508 requirement ``line`` of ``path`` (``where``: the table it is in)."""
    place = f"{path}{f' {where}' if where else ''}"
    if not isinstance(line, str):
        raise DhVenvError(f"{place}: requirement {line!r} is not a string", hint="write it as a PEP 508 string")
    try:
        return Requirement(line)
    except InvalidRequirement as exc:
        raise DhVenvError(
            f"{place}: invalid requirement {line!r}: {_first_line(exc)}", hint="write it as a PEP 508 requirement"
        ) from None


def _first_line(exc: Exception) -> str:
    """packaging's message without the lines that draw a caret under the position."""
    return next(iter(str(exc).splitlines()), "")
