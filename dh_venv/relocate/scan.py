"""Scanning a finished tree for paths of the build machine.

The build directory is matched as a *path*, not as a substring: it must
start where a path can start (beginning of the data, a quote, whitespace,
``=``, ``:``, ``,``, ``(``, ``file://`` or a compiler flag such as
``-I``) and end where a path component ends (``/``, a quote, whitespace,
NUL, ``:``, ``;``, ``,``, a closing bracket or the end of the data).  A build
directory of one component (``/build``, ``/code``, ``/data``) is also a
word pip's files use as a path of their own (Android's ``/data``): it
counts only when followed by ``/`` and the name of something in it
(``/build/debian/...``, ``/build/src``).  So builds there do not trip
over the URLs and words that pip and setuptools ship, while
``/build/debian/...`` in a script, a ``.pth`` file or a shared library is
still found.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from dh_venv.errors import DhVenvError

# Shorter needles would match ordinary text ("/src", "/tmp").
_MIN_NEEDLE = 5
# What may come before the build path: not a character of a word, a URL or
# a longer path ...
_BEFORE = rb"(?:(?<![A-Za-z0-9._~%+@/\\-])|(?<=file://)|(?<=[\s\"'=,:;(\[{]-[A-Za-z])|(?<=^-[A-Za-z]))"
# ... and what may follow it.
_AFTER = rb"(?=[/\"'\s\0:;,)\]}>=\\]|\Z)"


def needles_for(build_dir: Path) -> list[bytes]:
    """The byte strings that betray ``build_dir``: literal and resolved.

    A very short build directory ("/src") is searched as ``/src/debian/``,
    where the staging tree and the build copy live, rather than not at all.
    """
    needles = set()
    for form in {str(build_dir), os.path.realpath(build_dir)}:
        needles.add(form if len(form) >= _MIN_NEEDLE else os.path.join(form, "debian", ""))
    return [os.fsencode(n) for n in sorted(needles)]


def _pattern(needles: list[bytes]) -> re.Pattern[bytes]:
    parts = []
    for needle in needles:
        if needle.endswith(b"/"):
            parts.append(re.escape(needle))
        elif needle.count(b"/") == 1:
            # A one-component build directory (/build, /code, /data) is a
            # word too: "/data" is Android's data directory in platformdirs.
            # It counts only followed by a name that is in it.
            names = sorted({b"debian", *_entries(needle)}, key=len, reverse=True)
            parts.append(re.escape(needle) + b"/(?:" + b"|".join(map(re.escape, names)) + b")" + _AFTER)
        else:
            parts.append(re.escape(needle) + _AFTER)
    return re.compile(_BEFORE + b"(?:" + b"|".join(parts) + b")")


def _entries(directory: bytes) -> list[bytes]:
    try:
        return [os.fsencode(n) for n in os.listdir(directory)]
    except OSError:
        return []


def contains_path(data: bytes, needles: list[bytes]) -> bool:
    """Whether ``data`` names one of ``needles`` as a path."""
    if not any(n in data for n in needles):
        return False
    return _pattern(needles).search(data) is not None


def find_leaks(roots: Iterable[Path], needles: list[bytes], allowed: Iterable[str] = ()) -> list[Path]:
    """Every file or symlink under ``roots`` that names one of ``needles``.

    ``allowed`` holds shell patterns (``fnmatch``) matched against a file's
    path relative to its root; matching files are not reported.  Special
    files (pipes, sockets, devices) hold no text and are skipped; a file
    that cannot be read is an error naming it.
    """
    patterns = list(allowed)
    pattern = _pattern(needles)
    leaks: list[Path] = []
    for root in roots:
        if root.is_symlink() or root.is_file():
            base = root.parent
            candidates: Iterable[tuple[str, list[str], list[str]]] = [(str(root.parent), [], [root.name])]
        else:
            base = root
            candidates = os.walk(root)
        for dirpath, dirnames, filenames in candidates:
            for name in [*dirnames, *filenames]:
                path = Path(dirpath, name)
                data = _content(path)
                if data is None or not any(n in data for n in needles) or not pattern.search(data):
                    continue
                relative = str(path.relative_to(base))
                if any(fnmatch.fnmatch(relative, p) for p in patterns):
                    continue
                leaks.append(path)
    return sorted(leaks)


def _content(path: Path) -> bytes | None:
    """A symlink's target or a regular file's bytes; None for anything else."""
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            return os.fsencode(os.readlink(path))
        if stat.S_ISREG(mode):
            return path.read_bytes()
    except PermissionError as exc:
        raise DhVenvError(
            f"cannot read {path} to scan it for build paths: {exc.strerror}",
            hint="make it readable to the user running the build",
        ) from None
    return None


_MAX_LISTED_LEAKS = 20


def fail_on_leaks(
    staging: Path, staging_root: Path, build_dir: Path, allowed: Iterable[str] = (), *, after: str = ""
) -> None:
    """Stop the build, listing the files, if the venv still names the build directory.

    ``after`` says when the files were written, if not by dh_venv's own installs.
    """
    leaks = find_leaks([staging], needles_for(build_dir), allowed)
    if not leaks:
        return
    shown = [f"  {p.relative_to(staging_root)}" for p in leaks[:_MAX_LISTED_LEAKS]]
    if len(leaks) > _MAX_LISTED_LEAKS:
        shown.append(f"  ... and {len(leaks) - _MAX_LISTED_LEAKS} more")
    written = f" (written {after})" if after else ""
    raise DhVenvError(
        f"{len(leaks)} file(s) of the venv{written} still contain the build path {build_dir}",
        hint="they would be broken on the target; stop the project from recording absolute build paths, "
        "or, if the path is harmless there, allow the file with --allow-build-path=PATTERN",
        details="\n".join(shown),
    )
