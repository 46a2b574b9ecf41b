"""The one exception type the CLI turns into ``dh_venv: error:`` lines, and errors two stages raise alike."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


# How a failed file operation reads: (cause with {path}, what to do).
_CAUSES = {
    errno.ENOSPC: ("no space left on the device holding {path}", "free space there (df -h) and build again"),
    errno.EDQUOT: ("the disk quota of the build user is used up on {path}", "free space there and build again"),
    errno.EROFS: ("the file system holding {path} is read-only", "build in a writable directory"),
    errno.EACCES: ("permission denied on {path}", "let the user running the build write there"),
    errno.EPERM: ("operation not permitted on {path}", "let the user running the build write there"),
    errno.ENOENT: ("{path} does not exist", "check the path, and that nothing removes it during the build"),
}
_OUTPUT_CAUSES = (
    (errno.ENOSPC, re.compile(r"No space left on device|os error 28|\[Errno 28\]")),
    (errno.EDQUOT, re.compile(r"Disk quota exceeded|os error 122|\[Errno 122\]")),
    (errno.EROFS, re.compile(r"Read-only file system|os error 30|\[Errno 30\]")),
)
_UNWRITABLE = re.compile(r"is not write-able at (/\S+)")
# A path quoted in an OSError or a uv message: '/x/y' or `/x/y`.
_QUOTED_PATH = re.compile(r"['`\"](/[^'`\"]+)['`\"]")


_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def os_error(exc: OSError, operation: str, where: Path | str | None = None) -> DhVenvError:
    """``could not OPERATION: CAUSE`` for a failed file operation, naming the path.

    A copy names the destination second (``filename2``), which is where
    space ran out; ``where`` stands in for an error that names no file.
    """
    path = exc.filename2 if exc.filename2 is not None and exc.errno in _WRITING else exc.filename
    path = path if path is not None else where if where is not None else "?"
    path = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    cause, hint = _CAUSES.get(exc.errno or 0, (f"{{path}}: {exc.strerror or exc}", "build again"))
    return DhVenvError(f"could not {operation}: {cause.format(path=path)}", hint=hint)


def output_trouble(output: str, fallback: Path | str) -> tuple[str, str] | None:
    """(cause, what to do) when a program's ``output`` says the disk is full or read-only, else None.

    The path is the one the program names, else ``fallback``.
    """
    unwritable = _UNWRITABLE.search(output)
    if unwritable:
        # virtualenv says neither why nor which; the file system does.
        path = unwritable.group(1)
        try:
            read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
        except OSError:
            read_only = False
        cause, hint = _CAUSES[errno.EROFS if read_only else errno.EACCES]
        return cause.format(path=path), hint
    for number, pattern in _OUTPUT_CAUSES:
        match = pattern.search(output)
        if match is None:
            continue
        before = output[: match.start()].splitlines()[-1:] or [""]
        after = output[match.start() :].splitlines()[:1] or [""]
        quoted = _QUOTED_PATH.findall(before[0] + after[0])
        cause, hint = _CAUSES[number]
        return cause.format(path=quoted[-1] if quoted else fallback), hint
    return None


@contextmanager
def doing(operation: str, where: Path | str | None = None) -> Iterator[None]:
    """Turn an OSError inside the block into a DhVenvError naming ``operation`` (and ``where``)."""
    try:
        yield
    except OSError as exc:
        raise os_error(exc, operation, where) from None
