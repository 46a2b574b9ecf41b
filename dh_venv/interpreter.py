"""Choosing the interpreter the venv is bound to.

The default is ``/usr/bin/python3`` resolved to the real
``/usr/bin/python3.X``; a bare name is looked up in ``/usr/bin`` and
``/bin`` only, so a pyenv or conda shim first on ``PATH`` is never baked
into a package.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

_SEARCH_PATH = "/usr/bin:/bin"
_PROBE = "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.implementation.name)"


@dataclass(frozen=True)
class Interpreter:
    """A resolved interpreter: its real path and ``X.Y`` version."""

    path: Path
    version: str


def resolve(requested: str, runner: Runner) -> Interpreter:
    """Resolve ``requested`` (path or bare name) and ask it for its version."""
    if "/" in requested:
        found: str | None = requested
    else:
        found = shutil.which(requested, path=_SEARCH_PATH)
    if not found or not os.path.exists(found):
        raise DhVenvError(
            f"interpreter {requested} does not exist",
            hint="install it, or give an existing one with --python=/usr/bin/python3.X",
        )
    real = Path(os.path.realpath(found))
    if not os.access(real, os.X_OK):
        raise DhVenvError(f"interpreter {real} is not executable", hint="check --python")
    try:
        out = runner.run([real, "-I", "-c", _PROBE], env={"PATH": _SEARCH_PATH}, changes_files=False)
    except CommandError as exc:
        raise DhVenvError(
            f"interpreter {real} does not run",
            hint="give a working Python 3 with --python",
            details=exc.output,
        ) from None
    lines = out.split()
    if len(lines) != 2 or lines[1] != "cpython" or not lines[0].startswith("3."):
        raise DhVenvError(
            f"interpreter {real} is not CPython 3 (it said: {out.strip()!r})",
            hint="give a CPython 3 interpreter with --python",
        )
    return Interpreter(path=real, version=lines[0])


def check_requires(spec: str, python: Interpreter, runner: Runner) -> None:
    """Fail early, saying what to do, if ``python`` does not satisfy the project's ``requires-python``."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        wanted = SpecifierSet(spec)
    except InvalidSpecifier:
        return  # the installer names a malformed requirement better
    try:
        full = runner.run(
            [python.path, "-I", "-c", "import platform; print(platform.python_version())"],
            env={"PATH": _SEARCH_PATH},
            changes_files=False,
        ).strip()
    except CommandError:
        full = python.version
    if wanted.contains(full, prereleases=True):
        return
    minors = [m for m in range(0, 40) if wanted.contains(f"3.{m}", True) or wanted.contains(f"3.{m}.99", True)]
    installed = [f"/usr/bin/python3.{m}" for m in minors if os.access(f"/usr/bin/python3.{m}", os.X_OK)]
    current = int(python.version.split(".")[1])
    release = _release()
    use = (
        f"use --python={installed[0]}"
        if installed
        else f"use --python with an installed python3.{minors[0]}"
        if minors
        else "no Python 3 satisfies it"
    )
    other = _neighbour(release, later=bool(minors) and minors[0] > current) if minors else None
    shown = ", ".join(f"{s.operator} {s.version}" for s in sorted(wanted, key=str))
    raise DhVenvError(
        f"this project needs Python {shown}; {release or 'this machine'} has {python.version}: {use}"
        + (f", or target {other}" if other else "")
    )


def _release() -> str | None:
    """The codename of the machine's Debian release (``VERSION_CODENAME`` of os-release)."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"') or None
    except OSError:
        pass
    return None


def _neighbour(release: str | None, *, later: bool) -> str | None:
    """The next (or previous) numbered Debian release after ``release``, from distro-info-data."""
    try:
        rows = Path("/usr/share/distro-info/debian.csv").read_text().splitlines()[1:]
    except OSError:
        return None
    numbered = [row.split(",") for row in rows if row.split(",")[0].isdigit()]
    names = [row[2] for row in sorted(numbered, key=lambda r: int(r[0]))]
    if release not in names:
        return None
    index = names.index(release) + (1 if later else -1)
    return names[index] if 0 <= index < len(names) else None
