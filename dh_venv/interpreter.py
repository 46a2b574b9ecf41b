"""Choosing the interpreter the venv is bound to.

The default is ``/usr/bin/python3`` resolved to the real
``/usr/bin/python3.X``; a bare name is looked up in ``/usr/bin`` and
``/bin`` only, so a pyenv or conda shim first on ``PATH`` is never baked
into a package.

What the interpreter says about itself (its version, its PEP 508 marker
values) is asked once and kept in dh_venv's cache
(:func:`dh_venv.caches.answer`), keyed by the question and the
interpreter's identity: its real path, size, modification and change
times, inode and device (a Python update replaces the binary) and the
running kernel and host (which ``platform`` reports).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from dh_venv import caches
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

_SEARCH_PATH = "/usr/bin:/bin"
_PROBE = "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.implementation.name)"


@dataclass(frozen=True)
class Interpreter:
    """A resolved interpreter: its real path and ``X.Y`` version; where its answers are kept, if anywhere."""

    path: Path
    version: str
    cache: Path | None = field(default=None, compare=False)


def resolve(requested: str, runner: Runner, cache: Path | None = None) -> Interpreter:
    """Resolve ``requested`` (path or bare name) and ask it for its version; keep its answers in ``cache``."""
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
        out = ask(Interpreter(real, "", cache), _PROBE, runner)
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
    return Interpreter(path=real, version=lines[0], cache=cache)


def ask(python: Interpreter, code: str, runner: Runner) -> str:
    """What ``python -I -c code`` prints; kept in ``python.cache`` (see the module's docstring).

    Raises :class:`CommandError` as running it does.
    """
    key = ["interpreter", code, caches.file_identity(python.path), *os.uname()]
    return caches.answer(
        python.cache,
        key,
        lambda: runner.run([python.path, "-I", "-c", code], env={"PATH": _SEARCH_PATH}, changes_files=False),
        runner,
        f"{python.path} -I -c {_shown(code)}",
    )


def _shown(code: str) -> str:
    """The first line of a probe's code, for -v."""
    first = code.strip().splitlines()[0]
    return first if len(first) < 60 else first[:57] + "..."


def check_requires(spec: str, python: Interpreter, runner: Runner) -> None:
    """Fail early, saying what to do, if ``python`` does not satisfy the project's ``requires-python``."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        wanted = SpecifierSet(spec)
    except InvalidSpecifier:
        return  # the installer names a malformed requirement better
    try:
        full = ask(python, "import platform; print(platform.python_version())", runner).strip()
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
