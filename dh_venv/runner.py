"""Running external programs: logged with -v, skipped with --no-act.

Every program dh_venv starts goes through :class:`Runner`, so the
verbose output shows exactly what changed the tree, and a failure
becomes a :class:`~dh_venv.errors.CommandError` carrying the output.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from dh_venv import tree
from dh_venv.errors import CommandError, doing
from dh_venv.report import Report

Log = Callable[[str], None]


# The user information of a URL: a token, or user:password.
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``****``."""
    return _USERINFO.sub("****@", text)


class Runner:
    """Run commands as argument lists, never through a shell."""

    def __init__(self, *, log: Log, verbose: bool = False, no_act: bool = False, report: Report | None = None) -> None:
        self.log = log
        self.verbose = verbose or no_act
        self.no_act = no_act
        #: The user-facing lines; the command line chooses the program name.
        self.report = report if report is not None else Report("dh_venv", log)
        # Files written in this run, so that what --no-act did not write reads as a real run wrote it.
        self._written: dict[Path, str] = {}

    def apply(self, what: str, action: Callable[[], object]) -> bool:
        """Show ``what`` (with -v) and do it with ``action``, unless --no-act: the one reader of --no-act.

        Every change the core makes to files goes through here or
        :meth:`run`, so --no-act shows exactly what a real run does.
        Returns whether it was done (what reads its result has nothing to read otherwise).
        """
        self.announce(what)
        if not self.no_act:
            action()
        return not self.no_act

    def write_text(self, path: Path, text: str) -> None:
        """Write a scratch or state file (its directory made), byte for byte as :func:`tree.read_text` read it."""
        self._written[path] = text

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tree.write_text(path, text)

        self.apply(f"write {path}", write)

    def read_text(self, path: Path) -> str:
        """A file's text: as this run wrote it (even under --no-act), else from disk."""
        return self._written[path] if path in self._written else tree.read_text(path)

    def copy_tree(
        self, source: Path, dest: Path, ignore: tree.Ignore | None = None, links: tree.Links | None = None
    ) -> list[Path]:
        """Copy ``source`` to a fresh ``dest`` (see :func:`tree.copy_tree`); return skipped special files."""
        skipped: list[Path] = []

        def copy() -> None:
            if dest.exists():
                shutil.rmtree(dest)
            with doing(f"copy {source} to {dest}"):
                dest.parent.mkdir(parents=True, exist_ok=True)
                skipped.extend(tree.copy_tree(source, dest, ignore, links))

        self.apply(f"cp -a {source} {dest}", copy)
        return skipped

    def announce(self, text: str) -> None:
        """Show an action that changes files, the way debhelper does with -v."""
        if self.verbose:
            self.log(f"\t{text}")

    def run(
        self,
        argv: Sequence[str | Path],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        changes_files: bool = True,
        stream: bool = True,
        stdout_only: bool = False,
    ) -> str:
        """Run ``argv``; return its combined output (its standard output only with ``stdout_only``).

        Commands that only inspect (``changes_files=False``) still run under
        --no-act, since later planning depends on what they print.  With
        ``stream=False`` the output is not shown as it comes, with -v: the
        caller shows it once, after success, or in its error.
        """
        args = [str(a) for a in argv]
        self.announce(redact(shlex.join(args)))
        if self.no_act and changes_files:
            return ""
        shown = self.verbose and changes_files and stream
        lines, errors, code = _spawn(args, env, cwd, stdout_only, self.log if shown else None)
        if code != 0:
            raise CommandError([redact(a) for a in args], code, redact("".join(errors + lines)))
        return "".join(lines)


def _program(name: str) -> str | None:
    """``name`` found on this process's PATH (not the child's environment), as a shell would start it."""
    if "/" in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name)


def _spawn(
    args: list[str], env: Mapping[str, str] | None, cwd: Path | None, stdout_only: bool, show: Log | None
) -> tuple[list[str], list[str], int]:
    """Run ``args`` with no terminal and no input: (output lines, standard error lines, exit status).

    Output lines reach ``show`` as they come; standard error joins the
    output unless ``stdout_only``.  A program that cannot be started is a
    :class:`CommandError` here.  The standard library's subprocess, not a
    wrapper that polls its pipes on a timer: that costs a tenth of a second
    per command, and a build runs dozens.
    """
    program = _program(args[0])
    if program is None:
        raise CommandError([redact(a) for a in args], None, "")
    try:
        child = subprocess.Popen(
            [program, *args[1:]],
            env=dict(env) if env is not None else None,
            cwd=str(cwd) if cwd else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stdout_only else subprocess.STDOUT,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        # Exists but cannot be executed: wrong format, broken shebang.
        raise CommandError(args, None, str(exc), why="could not be executed") from None
    errors: list[str] = []
    reader = None
    if stdout_only:
        assert child.stderr is not None
        reader = threading.Thread(target=lambda: errors.extend(child.stderr or ()), daemon=True)
        reader.start()
    lines: list[str] = []
    assert child.stdout is not None
    with child:
        for line in child.stdout:
            lines.append(line)
            if show is not None:
                show("\t  " + redact(line.rstrip("\n")))
        if reader is not None:
            reader.join()
    return lines, errors, child.wait()
