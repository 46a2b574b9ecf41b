"""Reading lock files into the exact set of distributions to install.

Three formats: ``uv.lock`` (uv's own, version 1), ``poetry.lock`` (lock
versions 1.1 to 2.1) and ``pylock.toml`` (PEP 751, version 1.x).  Each is
walked from the project's own requirements, evaluating every marker for
the target interpreter, so the result is exactly what the lock says that
interpreter gets: names, versions and the hashes of every file.
"""

from __future__ import annotations

import re
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

#: Lock file names in the order they are looked for.
LOCK_NAMES = ("uv.lock", "poetry.lock", "pylock.toml")
PYPI = "https://pypi.org/simple"

Env = Mapping[str, str]


@dataclass(frozen=True)
class Pin:
    """One locked distribution: exact version, and the hashes of its files."""

    name: str
    version: str
    hashes: tuple[str, ...]

    def requirement_line(self) -> str:
        """The hashed requirements-file line pip verifies."""
        return " ".join([f"{self.name}=={self.version}", *(f"--hash={h}" for h in self.hashes)])


@dataclass(frozen=True)
class Lock:
    """What a lock file pins for one interpreter."""

    path: Path
    pins: tuple[Pin, ...]
    #: Indexes the lock was made against, other than PyPI.
    indexes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wanted:
    """What to take from the lock besides the project's main dependencies."""

    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


def find(source_dir: Path) -> Path | None:
    """The lock file of the project, by precedence, or None."""
    for name in LOCK_NAMES:
        if (source_dir / name).is_file():
            return source_dir / name
    return None


def read(path: Path, project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    """Read the lock file ``path`` for the target marker environment ``env``."""
    data = _load(path)
    if path.name == "uv.lock":
        lock = _read_uv(path, data, project, env, wanted)
    elif path.name == "poetry.lock":
        lock = _read_poetry(path, data, project, env, wanted)
    elif path.name.startswith("pylock.") and path.suffix == ".toml":
        lock = _read_pylock(path, data, project, env, wanted)
    else:
        raise DhVenvError(
            f"{path}: not a lock file dh_venv knows",
            hint=f"name a {', '.join(LOCK_NAMES)} or pylock.<name>.toml file with --lock",
        )
    check_matches_project(lock, project, env, wanted)
    return lock


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DhVenvError(f"cannot read lock file {path}: {exc}", hint="fix or regenerate the lock file") from None


def _marker_true(marker: str | None, env: Env, path: Path, *, extra: str = "") -> bool:
    if not marker:
        return True
    try:
        return Marker(marker).evaluate({**env, "extra": extra})
    except InvalidMarker as exc:
        raise DhVenvError(f"{path}: invalid marker {marker!r}: {exc}", hint="fix or regenerate the lock file") from None


def _hashes(files: Iterable[Mapping[str, Any]], key: str = "hash") -> tuple[str, ...]:
    found: list[str] = []
    for f in files:
        value = f.get(key)
        if isinstance(value, str) and ":" in value:
            found.append(value)
        elif isinstance(value, Mapping):  # PEP 751: {algorithm = digest}
            found += [f"{alg}:{digest}" for alg, digest in value.items()]
    return tuple(sorted(set(found)))


def _pin(path: Path, name: str, version: str, hashes: tuple[str, ...]) -> Pin:
    if not hashes:
        raise DhVenvError(
            f"{path}: {name}=={version} has no file hashes",
            hint="dh_venv installs locked distributions only with verified hashes; regenerate the lock with hashes",
        )
    return Pin(canonicalize_name(name), version, hashes)


# -- uv.lock -----------------------------------------------------------------


def _read_uv(path: Path, data: dict[str, Any], project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    version = data.get("version")
    if version != 1:
        raise DhVenvError(
            f"{path}: uv.lock version {version} is not supported (dh_venv reads version 1)",
            hint="lock with a uv release that writes version 1, or use uv export --format pylock.toml",
        )
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in data.get("package", []):
        packages.setdefault(canonicalize_name(package["name"]), []).append(package)
    name = canonicalize_name(project.get("name", ""))
    roots = [p for p in packages.get(name, []) if _uv_is_local(p)]
    if not roots:
        raise DhVenvError(
            f"{path} does not lock the project {project.get('name')!r} of pyproject.toml",
            hint="the lock belongs to another project: run uv lock in the source tree",
        )
    root = roots[0]
    _uv_check_fresh(path, root, project)

    chosen: dict[str, dict[str, Any]] = {}
    todo: list[tuple[dict[str, Any], str | None]] = []

    def follow(edges: Iterable[Mapping[str, Any]]) -> None:
        for edge in edges:
            if not _marker_true(edge.get("marker"), env, path):
                continue
            target = _uv_target(path, packages, edge, env)
            key = canonicalize_name(target["name"])
            if key not in chosen:
                chosen[key] = target
                todo.append((target, None))
            for extra in edge.get("extra", []):
                todo.append((target, extra))

    follow(root.get("dependencies", []))
    for extra in wanted.extras:
        follow(root.get("optional-dependencies", {}).get(extra, []))
    for group in wanted.groups:
        follow(root.get("dev-dependencies", {}).get(group, []))
    seen: set[tuple[str, str | None]] = set()
    while todo:
        package, wanted_extra = todo.pop()
        key2 = (canonicalize_name(package["name"]), wanted_extra)
        if key2 in seen:
            continue
        seen.add(key2)
        if wanted_extra is None:
            follow(package.get("dependencies", []))
        else:
            follow(package.get("optional-dependencies", {}).get(wanted_extra, []))

    pins = []
    indexes = []
    for _key, package in sorted(chosen.items()):
        source = package.get("source", {})
        if "registry" not in source:
            kind = next(iter(source), "unknown")
            raise DhVenvError(
                f"{path}: {package['name']} comes from a {kind} source ({source.get(kind)}), "
                "which dh_venv cannot install from a lock yet",
                hint="publish it to an index, or build it as a wheel into the wheelhouse and lock that",
            )
        registry = source["registry"]
        if registry.startswith(("http:", "https:")) and registry.rstrip("/") != PYPI and registry not in indexes:
            indexes.append(registry)
        files = [package["sdist"]] if "sdist" in package else []
        files += package.get("wheels", [])
        pins.append(_pin(path, package["name"], package["version"], _hashes(files)))
    return Lock(path, tuple(pins), tuple(indexes))


def _uv_is_local(package: Mapping[str, Any]) -> bool:
    source = package.get("source", {})
    return any(source.get(k) == "." for k in ("editable", "virtual", "directory"))


def _uv_target(
    path: Path, packages: Mapping[str, list[dict[str, Any]]], edge: Mapping[str, Any], env: Env
) -> dict[str, Any]:
    candidates = packages.get(canonicalize_name(edge["name"]), [])
    if "version" in edge:
        candidates = [p for p in candidates if p.get("version") == edge["version"]]
    if len(candidates) > 1:
        candidates = [
            p
            for p in candidates
            if not p.get("resolution-markers") or any(_marker_true(m, env, path) for m in p["resolution-markers"])
        ]
    if not candidates:
        raise DhVenvError(
            f"{path} names {edge['name']} as a dependency but does not lock it",
            hint="the lock is damaged: run uv lock again",
        )
    return candidates[0]


_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def _uv_check_fresh(path: Path, root: Mapping[str, Any], project: Mapping[str, Any]) -> None:
    """Fail if pyproject.toml's dependencies are not those the lock was made from."""
    metadata = root.get("metadata")
    if metadata is None or "requires-dist" not in metadata or "dependencies" in project.get("dynamic", []):
        return
    locked = set()
    for entry in metadata["requires-dist"]:
        found = _EXTRA_MARKER.search(entry.get("marker", ""))
        locked.add(
            (canonicalize_name(entry["name"]), _spec(entry.get("specifier", "")), found.group(1) if found else None)
        )
    declared = set()
    groups: dict[str | None, list[str]] = {None: list(project.get("dependencies", []))}
    groups.update(project.get("optional-dependencies", {}))
    for extra, lines in groups.items():
        for line in lines:
            req = _requirement(path.parent / "pyproject.toml", line)
            declared.add((canonicalize_name(req.name), req.specifier if req.url is None else SpecifierSet(), extra))
    if locked != declared:
        changed = sorted(
            {f"{n}{s}" + (f" (extra {e})" if e else "") for n, s, e in locked ^ declared},
        )
        raise DhVenvError(
            f"{path} is stale: pyproject.toml's dependencies differ from the ones it was locked from "
            f"({', '.join(changed)})",
            hint="run uv lock and commit the lock file; dh_venv never installs a different set than the lock",
        )


def _spec(text: str) -> SpecifierSet:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return SpecifierSet()


def _requirement(path: Path, line: str) -> Requirement:
    try:
        return Requirement(line)
    except InvalidRequirement as exc:
        raise DhVenvError(f"{path}: invalid requirement {line!r}: {exc}", hint="fix the requirement") from None


# -- poetry.lock ---------------------------------------------------------------

_POETRY_VERSIONS = ("1.", "2.")


def _read_poetry(path: Path, data: dict[str, Any], project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    version = str(data.get("metadata", {}).get("lock-version", ""))
    if not version.startswith(_POETRY_VERSIONS) or version in ("1.0",):
        raise DhVenvError(
            f"{path}: poetry.lock version {version or '(none)'} is not supported (dh_venv reads 1.1 to 2.x)",
            hint="run poetry lock with Poetry 1.2 or later",
        )
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in data.get("package", []):
        packages.setdefault(canonicalize_name(package["name"]), []).append(package)

    chosen: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, str | None]] = []

    def want(name: str, spec: Any, extras: Iterable[str] = ()) -> None:
        key = canonicalize_name(name)
        if key == "python" or not _poetry_applies(spec, env, path):
            return
        candidates = packages.get(key, [])
        if isinstance(spec, Mapping) and "version" in spec and len(candidates) > 1:
            candidates = [c for c in candidates if _poetry_version_ok(str(spec["version"]), c["version"])] or candidates
        if not candidates:
            raise DhVenvError(
                f"{path} does not lock {name}, which the project needs",
                hint="the lock does not match pyproject.toml: run poetry lock",
            )
        if key not in chosen:
            chosen[key] = candidates[0]
            todo.append((key, None))
        for extra in extras:
            todo.append((key, extra))

    for name, spec in _poetry_roots(project, wanted):
        extras = spec.get("extras", []) if isinstance(spec, Mapping) else []
        want(name, spec, extras)
    seen: set[tuple[str, str | None]] = set()
    while todo:
        key, extra = todo.pop()
        if (key, extra) in seen:
            continue
        seen.add((key, extra))
        package = chosen[key]
        deps: dict[str, Any] = package.get("dependencies", {})
        if extra is None:
            for name, spec in deps.items():
                for one in spec if isinstance(spec, list) else [spec]:
                    if not (isinstance(one, Mapping) and one.get("optional")):
                        want(name, one, one.get("extras", []) if isinstance(one, Mapping) else [])
        else:
            for line in package.get("extras", {}).get(extra, []):
                req_name = re.split(r"[\s(\[<>=!~;]", line.strip(), maxsplit=1)[0]
                for one in _as_list(deps.get(req_name, deps.get(canonicalize_name(req_name), "*"))):
                    want(req_name, one, one.get("extras", []) if isinstance(one, Mapping) else [])

    pins = []
    indexes = []
    for _key, package in sorted(chosen.items()):
        source = package.get("source", {})
        if source and source.get("type") not in ("legacy", "http"):
            raise DhVenvError(
                f"{path}: {package['name']} comes from a {source.get('type')} source ({source.get('url')}), "
                "which dh_venv cannot install from a lock yet",
                hint="publish it to an index, or build it as a wheel into the wheelhouse and lock that",
            )
        if source.get("type") == "legacy" and source["url"].rstrip("/") != PYPI and source["url"] not in indexes:
            indexes.append(source["url"])
        pins.append(_pin(path, package["name"], package["version"], _hashes(package.get("files", []))))
    return Lock(path, tuple(pins), tuple(indexes))


def _as_list(spec: Any) -> list[Any]:
    return spec if isinstance(spec, list) else [spec]


def _poetry_roots(project: Mapping[str, Any], wanted: Wanted) -> list[tuple[str, Any]]:
    """(name, poetry-style spec) of what the project itself asks for."""
    roots: list[tuple[str, Any]] = []
    poetry = project.get("tool", {}).get("poetry", {})
    pep621 = project.get("dependencies")
    if pep621 is not None or project.get("optional-dependencies"):
        lines = list(pep621 or [])
        for extra in wanted.extras:
            lines += project.get("optional-dependencies", {}).get(extra, [])
        for line in lines:
            req = Requirement(line)
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
                roots.append((Requirement(line).name, {}))
    return roots


def _poetry_applies(spec: Any, env: Env, path: Path) -> bool:
    if not isinstance(spec, Mapping):
        return True
    if not _marker_true(spec.get("markers") or None, env, path):
        return False
    python = spec.get("python")
    return not python or _poetry_version_ok(str(python), env["python_full_version"])


def _poetry_version_ok(constraint: str, version: str) -> bool:
    """Whether ``version`` meets a Poetry constraint (``^3.8``, ``~1.2``, ``>=3.7,<4 || ^2.7``)."""
    try:
        v = Version(version)
    except InvalidVersion:
        return True
    for alternative in constraint.split("||"):
        parts = [p.strip() for p in re.split(r",|\s+(?=[<>=!^~])", alternative) if p.strip()]
        if all(_poetry_part_ok(p, v) for p in parts):
            return True
    return False


def _poetry_part_ok(part: str, v: Version) -> bool:
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


# -- pylock.toml (PEP 751) -----------------------------------------------------

_SET_MARKER = re.compile(r"""(['"])([^'"]+)\1\s+(not\s+in|in)\s+(extras|dependency_groups)""")


def _read_pylock(path: Path, data: dict[str, Any], project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    version = str(data.get("lock-version", ""))
    if not version.startswith("1."):
        raise DhVenvError(
            f"{path}: lock-version {version or '(none)'} is not supported (dh_venv reads PEP 751 version 1.x)",
            hint="export the lock again with a tool that writes lock-version 1.0",
        )
    requires = data.get("requires-python")
    if requires and env["python_full_version"] not in SpecifierSet(requires):
        raise DhVenvError(
            f"{path} is for Python {requires}, not the venv's {env['python_full_version']}",
            hint="build with a matching --python or lock again",
        )
    groups = set(wanted.groups) or set(data.get("default-groups", []))
    sets = {"extras": set(wanted.extras), "dependency_groups": groups}

    def evaluate(marker: str | None) -> bool:
        if not marker:
            return True

        # PEP 751's set markers, which packaging 23 cannot parse: decide them here.
        def decide(match: re.Match[str]) -> str:
            member = match.group(2) in sets[match.group(4)]
            if match.group(3) != "in":
                member = not member
            return "python_version >= '0'" if member else "python_version < '0'"

        return _marker_true(_SET_MARKER.sub(decide, marker), env, path)

    name = canonicalize_name(project.get("name", ""))
    pins = []
    indexes: list[str] = []
    for package in data.get("packages", []):
        if not evaluate(package.get("marker")):
            continue
        if "directory" in package or canonicalize_name(package.get("name", "")) == name:
            if canonicalize_name(package.get("name", "")) == name:
                continue
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
        if index and index.rstrip("/") != PYPI and index not in indexes:
            indexes.append(index)
        files = [package["sdist"]] if "sdist" in package else []
        files += package.get("wheels", [])
        pins.append(_pin(path, package["name"], package["version"], _hashes(files, "hashes")))
    return Lock(path, tuple(sorted(pins, key=lambda p: p.name)), tuple(indexes))


# -- all formats -----------------------------------------------------------------


def check_matches_project(lock: Lock, project: Mapping[str, Any], env: Env, wanted: Wanted) -> None:
    """Fail if a static dependency of the project is missing from the lock or not satisfied by it."""
    pins = {p.name: p for p in lock.pins}
    lines = list(project.get("dependencies", []))
    for extra in wanted.extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    for line in lines:
        req = _requirement(lock.path.parent / "pyproject.toml", line)
        if req.marker and not req.marker.evaluate({**env, "extra": ""}):
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            raise DhVenvError(
                f"{lock.path} does not lock {req.name}, which pyproject.toml requires ({line})",
                hint="the lock does not match the project: lock again and commit the lock file",
            )
        if not req.specifier.contains(pin.version, prereleases=True):
            raise DhVenvError(
                f"{lock.path} locks {req.name} {pin.version}, but pyproject.toml requires {line}",
                hint="the lock is stale: lock again and commit the lock file",
            )
