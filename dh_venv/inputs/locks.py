"""Reading lock files into the exact set of distributions to install.

Three formats, one reader each: ``uv.lock`` (:mod:`~dh_venv.inputs.uvlock`),
``poetry.lock`` (:mod:`~dh_venv.inputs.poetrylock`) and ``pylock.toml``
(:mod:`~dh_venv.inputs.pylock`).  Each is read for the target
interpreter, evaluating every marker, so the result is exactly what the
lock says that interpreter gets: names, versions and the hashes of every
file.  Whatever the format, the result must satisfy the project's own
static dependencies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dh_venv.errors import DhVenvError
from dh_venv.inputs import poetrylock, pylock, uvlock
from dh_venv.inputs.lockfile import Env, Table, Wanted, load, requirement
from dh_venv.inputs.values import PYPI, Lock, Pin

__all__ = ["LOCK_NAMES", "PYPI", "Lock", "Pin", "Wanted", "check_matches_project", "find", "read"]

#: Lock file names in the order they are looked for.
LOCK_NAMES = ("uv.lock", "poetry.lock", "pylock.toml")

Reader = Callable[[Path, Table, Mapping[str, Any], Env, Wanted], Lock]


def find(source_dir: Path) -> Path | None:
    """The lock file of the project, by precedence, or None."""
    for name in LOCK_NAMES:
        if (source_dir / name).is_file():
            return source_dir / name
    return None


def read(path: Path, project: Mapping[str, Any], env: Env, wanted: Wanted) -> Lock:
    """Read the lock file ``path`` for the target marker environment ``env``."""
    lock = _reader(path)(path, load(path), project, env, wanted)
    check_matches_project(lock, project, env, wanted)
    return lock


def _reader(path: Path) -> Reader:
    if path.name == "uv.lock":
        return uvlock.read
    if path.name == "poetry.lock":
        return poetrylock.read
    if path.name.startswith("pylock.") and path.suffix == ".toml":
        return pylock.read
    raise DhVenvError(
        f"{path}: not a lock file dh_venv knows",
        hint=f"name a {', '.join(LOCK_NAMES)} or pylock.<name>.toml file with --lock",
    )


def check_matches_project(lock: Lock, project: Mapping[str, Any], env: Env, wanted: Wanted) -> None:
    """Fail if a static dependency of the project is missing from the lock or not satisfied by it."""
    pins = {p.name: p for p in lock.pins}
    lines = list(project.get("dependencies", []))
    for extra in wanted.extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    for line in lines:
        req = requirement(lock.path.parent / "pyproject.toml", line)
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
