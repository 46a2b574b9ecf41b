"""The one exception type the CLI turns into ``dh_venv: error:`` lines, and errors two stages raise alike."""

from __future__ import annotations


class DhVenvError(Exception):
    """A failure the user can act on.

    ``message`` says what went wrong, ``hint`` what to do about it, and
    ``details`` carries captured output (pip's reason) shown below the line.
    """

    def __init__(
        self,
        message: str,
        *,
        package: str | None = None,
        hint: str | None = None,
        details: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.package = package
        self.hint = hint
        self.details = details

    def for_package(self, package: str) -> DhVenvError:
        """Attach the binary package name if the raiser did not know it."""
        if self.package is None:
            self.package = package
        return self

    def __str__(self) -> str:
        text = f"{self.package}: {self.message}" if self.package else self.message
        if self.hint:
            text = f"{text}; {self.hint}"
        return text


class CommandError(DhVenvError):
    """An external program failed; carries the command and its output."""

    def __init__(self, argv: list[str], returncode: int | None, output: str, *, why: str = "") -> None:
        shown = " ".join(argv)
        why = why or (f"exited with status {returncode}" if returncode is not None else "was not found")
        super().__init__(f"command failed ({why}): {shown}", details=output)
        self.argv = argv
        self.returncode = returncode
        self.output = output


def replaced_script(dist: str, name: str) -> DhVenvError:
    """The error for distribution ``dist`` (name and version) declaring a script the venv needs.

    :mod:`dh_venv.expose.clashes` finds such a script in the venv; uv refuses to install it
    (:mod:`dh_venv.installers.uv`): either way the user reads the same error.
    """
    return DhVenvError(
        f"distribution {dist} declares the console script {name}, "
        f"which replaced the venv's own bin/{name}; the venv would not work",
        hint="rename that entry point in the project (--console-script only renames the link "
        "outside the venv), or do not install that distribution",
    )
