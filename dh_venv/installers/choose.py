"""Choosing the installer backend, once, before any venv exists.

``--installer=auto`` tries uv and falls back to pip, after a one-line
notice saying why; the backend returned stays what it is for the whole
build.  A new backend is one module and one entry in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.installers.backend import Backend
from dh_venv.installers.pip import PipBackend
from dh_venv.installers.plan import Plan
from dh_venv.installers.uv import UvBackend
from dh_venv.runner import Runner

#: The backends by their ``--installer`` name.
BACKENDS: dict[str, Callable[[Runner, Mapping[str, str], Path], Backend]] = {"pip": PipBackend, "uv": UvBackend}
#: What ``--installer=auto`` tries, in order; the last one can always be had.
AUTO = ("uv", "pip")


def choose(name: str, runner: Runner, env: Mapping[str, str], work_dir: Path, plan: Plan) -> Backend:
    """The backend ``--installer=name`` means for ``plan``, its program ready (see the module's docstring)."""
    if name != "auto" and name not in BACKENDS:
        raise DhVenvError(f"unknown installer {name!r}", hint="use --installer=pip, uv or auto")
    tries = AUTO if name == "auto" else (name,)
    for number, tried in enumerate(tries):
        backend = BACKENDS[tried](runner, env, work_dir)
        try:
            backend.prepare(plan)
        except DhVenvError as exc:
            if number == len(tries) - 1:
                raise
            reason = exc.message.removeprefix(f"--installer={tried}: ")
            runner.report.notice(f"--installer=auto: {reason}; installing with {tries[number + 1]}")
            continue
        return backend
    raise AssertionError("unreachable: the last backend tried is returned or raises")
