"""Copying and reading source trees that may hold odd files.

A maintainer's tree can hold what no Python build wants: a named pipe or
a socket left by a tool, a device node, a ``.env`` only its owner can
read, a file name that is not UTF-8.  :func:`copy_tree` copies regular
files, directories and symlinks, skips special files (returned so the
caller can warn) and turns an unreadable file into one error naming the
file and the user the build runs as.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from dh_venv.errors import DhVenvError

_KINDS = {
    stat.S_IFIFO: "named pipe",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}

Ignore = Callable[[Path, list[str]], set[str]]


def kind(mode: int) -> str | None:
    """``named pipe``, ``socket``, ... for a special file's mode; None otherwise."""
    return _KINDS.get(stat.S_IFMT(mode))


def build_user() -> str:
    """The real user the build runs as, even under fakeroot.

    fakeroot makes ``getuid()`` answer 0, but file access is checked with
    the real uid, which ``/proc/self/status`` still shows.
    """
    uid = os.getuid()
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
                break
    except (OSError, ValueError, IndexError):
        pass
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    under = " under fakeroot" if os.environ.get("FAKEROOTKEY") else ""
    return f"user {name} (uid {uid}){under}"


def unreadable(path: Path, exc: OSError, what: str = "read") -> DhVenvError:
    """The error for a file the build cannot read."""
    return DhVenvError(
        f"cannot {what} {os.fsdecode(path)!s} as {build_user()}: {exc.strerror}",
        hint="make it readable to the user running the build, or remove it from the source tree",
    )


def read_text(path: Path) -> str:
    """A text file's content; bytes that are not UTF-8 survive a round trip.

    Unreadable files and special files are errors naming the file.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise unreadable(path, exc, "look at") from None
    if not stat.S_ISREG(mode):
        raise DhVenvError(
            f"{path} is a {kind(mode) or 'directory'}, not a regular file",
            hint="point the option at a text file",
        )
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise unreadable(path, exc) from None


def write_text(path: Path, text: str) -> None:
    """Write what :func:`read_text` read, byte for byte."""
    path.write_text(text, encoding="utf-8", errors="surrogateescape")


def copy_tree(source: Path, dest: Path, ignore: Ignore | None = None) -> list[Path]:
    """Copy ``source`` to ``dest`` (which must not exist); return skipped special files.

    ``ignore(directory, names)`` returns the names to leave out of a
    directory.  Symlinks are copied as symlinks; modes and times are kept.
    """
    skipped: list[Path] = []
    _copy_dir(source, dest, ignore, skipped)
    return skipped


def _copy_dir(source: Path, dest: Path, ignore: Ignore | None, skipped: list[Path]) -> None:
    try:
        names = sorted(os.listdir(source))
    except OSError as exc:
        raise unreadable(source, exc, "list the directory") from None
    left_out = ignore(source, names) if ignore else set()
    dest.mkdir(parents=True)
    for name in names:
        if name in left_out:
            continue
        src, dst = source / name, dest / name
        try:
            mode = src.lstat().st_mode
        except OSError as exc:
            raise unreadable(src, exc, "look at") from None
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(src), dst)
        elif stat.S_ISDIR(mode):
            _copy_dir(src, dst, ignore, skipped)
        elif stat.S_ISREG(mode):
            try:
                shutil.copy2(src, dst, follow_symlinks=False)
            except PermissionError as exc:
                raise unreadable(src, exc) from None
        else:
            skipped.append(src)
    with contextlib.suppress(OSError):
        shutil.copystat(source, dest)
