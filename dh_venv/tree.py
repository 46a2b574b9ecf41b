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
import hashlib
import os
import pwd
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Links:
    """What a copy does with symlinks (see :func:`copy_tree`).

    ``root`` is the source package's tree, ``project`` the directory being
    copied (inside it or equal), ``allowed`` the link paths (relative to
    ``project``) whose target may lie outside ``root``, ``allow_list``
    where the maintainer lists them (named in the error).
    """

    root: Path
    project: Path
    allowed: frozenset[str] = frozenset()
    allow_list: str = ""


def copy_tree(source: Path, dest: Path, ignore: Ignore | None = None, links: Links | None = None) -> list[Path]:
    """Copy ``source`` to ``dest`` (which must not exist); return skipped special files.

    ``ignore(directory, names)`` returns the names to leave out of a
    directory; modes and times are kept.  Without ``links``, symlinks are
    copied as symlinks.  With it, no byte from outside ``links.root``
    reaches the copy: a relative link to a place inside the project stays
    a link (it works in the copy too); a link to elsewhere in the source
    tree is replaced by what it points to; a link whose target leaves the
    source tree is an error naming it, unless it is allowed, and then it
    is replaced by its target's content.
    """
    copier = _Copier(ignore, links, [], [])
    copier.directory(source, dest, source)
    return copier.skipped


@dataclass
class _Copier:
    ignore: Ignore | None
    links: Links | None
    skipped: list[Path]
    #: Real paths of the directories being copied through links (loop guard).
    following: list[str]

    def directory(self, source: Path, dest: Path, logical: Path) -> None:
        try:
            names = sorted(os.listdir(source))
        except OSError as exc:
            raise unreadable(source, exc, "list the directory") from None
        left_out = self.ignore(logical, names) if self.ignore else set()
        dest.mkdir(parents=True)
        for name in names:
            if name not in left_out:
                self.entry(source / name, dest / name, logical / name, followed=source != logical)
        with contextlib.suppress(OSError):
            shutil.copystat(source, dest)

    def entry(self, src: Path, dst: Path, logical: Path, *, followed: bool) -> None:
        try:
            mode = src.lstat().st_mode
        except OSError as exc:
            raise unreadable(src, exc, "look at") from None
        if stat.S_ISLNK(mode):
            self.link(src, dst, logical, followed=followed)
        elif stat.S_ISDIR(mode):
            self.directory(src, dst, logical)
        elif stat.S_ISREG(mode):
            try:
                shutil.copy2(src, dst, follow_symlinks=False)
            except PermissionError as exc:
                raise unreadable(src, exc) from None
        else:
            self.skipped.append(logical)

    def link(self, src: Path, dst: Path, logical: Path, *, followed: bool) -> None:
        target = os.readlink(src)
        if self.links is None:
            os.symlink(target, dst)
            return
        real = os.path.realpath(src)
        root, project = os.path.realpath(self.links.root), os.path.realpath(self.links.project)
        lexical = os.path.normpath(os.path.join(os.path.dirname(logical), target))
        if not _inside(real, root):
            rel = os.path.relpath(logical, self.links.project)
            if rel not in self.links.allowed:
                hint = "replace the link by the file"
                if self.links.allow_list:
                    hint += f", or list {rel} in {self.links.allow_list} if that content is meant to ship"
                raise DhVenvError(
                    f"the symlink {logical} points to {target}, outside the source tree {self.links.root}; "
                    "the build would ship its content from the build machine",
                    hint=hint,
                )
        elif not followed and not os.path.isabs(target) and _inside(real, project) and _inside(lexical, project):
            os.symlink(target, dst)  # resolves to the same file in the copy
            return
        if not os.path.exists(real):
            self.skipped.append(logical)  # dangling: nothing to copy
        elif os.path.isdir(real):
            if real in self.following:
                raise DhVenvError(f"the symlink {logical} points to {target}, a directory that contains it")
            self.following.append(real)
            self.directory(Path(real), dst, logical)
            self.following.pop()
        else:
            self.entry(Path(real), dst, logical, followed=True)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file and a rename: a kill leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        # A failed write names no file: name the one being written.
        raise OSError(exc.errno, exc.strerror, str(exc.filename or path)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file at ``path``, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
