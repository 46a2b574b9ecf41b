"""The one error boundary of every command: dh_venv, its sequence steps and dh-venv.

A :class:`~dh_venv.errors.DhVenvError` becomes ``PROG: error: PACKAGE: message; hint``
with its details below, exit status 1; an interrupt exits 130; anything
else is a bug in dh-venv: its traceback, one line saying so, exit status 2.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from dh_venv import __version__
from dh_venv.errors import DhVenvError, os_error
from dh_venv.report import Report


def say(line: str) -> None:
    """Write one line for the user (standard error, as debhelper's tools do)."""
    print(line, file=sys.stderr, flush=True)


def source_package(build_dir: Path) -> str | None:
    """``source package NAME`` for errors raised before a binary package is known."""
    try:
        for line in (build_dir / "debian" / "control").read_text().splitlines():
            if line.lower().startswith("source:"):
                return f"source package {line.split(':', 1)[1].strip()}"
    except (OSError, UnicodeDecodeError):
        pass
    return None


def report_error(exc: DhVenvError, prog: str) -> None:
    """Show ``exc`` as ``PROG: error:`` lines."""
    say(f"{prog}: error: {exc}")
    for line in exc.details.rstrip().splitlines():
        say(f"{prog}: error:   {line}" if not line.startswith("  ") else f"{prog}: error: {line}")


def guarded(prog: str, command: Callable[[Report], int]) -> int:
    """Run ``command`` with a :class:`Report` for ``prog``; turn what it raises into lines and an exit status."""
    try:
        return command(Report(prog, say))
    except DhVenvError as exc:
        if exc.package is None:
            exc.package = source_package(Path.cwd())
        report_error(exc, prog)
        return 1
    except OSError as exc:
        # A file operation no stage expected to fail: still the program, the path and the cause.
        report_error(os_error(exc, "finish").for_package(source_package(Path.cwd()) or "?"), prog)
        return 1
    except KeyboardInterrupt:
        say(f"{prog}: error: interrupted")
        return 130
    except Exception:
        traceback.print_exc()
        say(
            f"{prog}: error: internal error (a bug in dh-venv {__version__}); please report it with the traceback above"
        )
        return 2
