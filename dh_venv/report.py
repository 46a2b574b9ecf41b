"""How the core speaks to the user: warnings, notices and plain lines, rendered by the command line.

The core never formats ``dh_venv: warning:`` itself: it calls
:class:`Report`, which the command line built with its own program name,
so ``dh-venv vendor`` and ``dh_venv_restore`` say who they are.  Every line
reads ``PROG: [KIND: ]PACKAGE: text``, as debhelper's own tools write.
"""

from __future__ import annotations

from collections.abc import Callable

Write = Callable[[str], None]


class Report:
    """The user-facing lines of one command run."""

    def __init__(self, prog: str, write: Write) -> None:
        self.prog = prog
        self.write = write

    def _line(self, kind: str, text: str, package: str | None) -> None:
        head = f"{self.prog}: {kind}: " if kind else f"{self.prog}: "
        self.write(f"{head}{package}: {text}" if package else f"{head}{text}")

    def warning(self, text: str, package: str | None = None) -> None:
        """Something the maintainer should change; the build goes on."""
        self._line("warning", text, package)

    def notice(self, text: str, package: str | None = None) -> None:
        """A choice made on the maintainer's behalf, said once."""
        self._line("notice", text, package)

    def info(self, text: str, package: str | None = None) -> None:
        """What was done, when the maintainer may want to know."""
        self._line("", text, package)

    def detail(self, text: str, kind: str = "warning") -> None:
        """A continuation line under a warning or an error (a file of a list)."""
        self.write(f"{self.prog}: {kind}:   {text}")
