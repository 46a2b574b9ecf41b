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
