"""A venv tree kept in dh_venv's cache and copied back, its path rewritten and each file checked.

:mod:`dh_venv.installers.skeleton` keeps the venv virtualenv made this
way (``skeletons/<key>/``), so that a later build with the same inputs
copies it instead of running virtualenv.  An entry is ``tree/`` and
``entry.json`` (the venv's path, the build directory and each file's
sha256), written under a temporary name and renamed.  The venv's path is
rewritten on the copy, so a build in another directory reuses the entry;
an entry that names its build directory other than through the venv's
path is never used in another directory, and nothing is kept where a
``#!`` line would be too long for the kernel or where the path holds a
character that a script would quote.  An entry that does not match what
it recorded is removed with a notice.  Only the :data:`KEEP` most
recently used entries are kept.

(Keeping the whole installed venv this way was measured and dropped: on
the benchmark's mid and heavy inputs, copying and checking the tree cost
more than ``uv pip install --offline`` from uv's cache; docs/speed.rst.)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

#: The cache's subdirectory for the venvs virtualenv made (:mod:`dh_venv.installers.venv`).
SKELETONS = "skeletons"
_COPIED = {
    SKELETONS: "copied the venv virtualenv made in a previous build with the same inputs (key {key})",
}
_INSTEAD = {SKELETONS: "running virtualenv"}
#: How many entries stay (the most recently used).
KEEP = 4
_FORMAT = "1"
# The kernel reads 127 bytes of a #! line; installers write a shell trampoline beyond (with a margin).
_SHEBANG_ROOM = 120
_PLAIN = re.compile(r"[A-Za-z0-9/._+@,:=-]+")


def reusable_path(venv: Path) -> bool:
    """Whether ``venv``'s path is written the same way everywhere, and short enough for a plain ``#!`` line.

    A path with characters a shell or another language quotes may be written quoted in an activate script,
    where rewriting it would miss it.
    """
    return len(os.fsencode(f"#!{venv}/bin/python3")) <= _SHEBANG_ROOM and bool(_PLAIN.fullmatch(str(venv)))


def _walk(venv: Path) -> Iterator[tuple[str, str, int, bytes]]:
    """Every entry under ``venv``, parents first: relative path, kind (dir, link, file), mode, target or contents."""
    for dirpath, dirnames, filenames in os.walk(venv):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, venv)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                yield rel, "link", 0, os.fsencode(os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                yield rel, "dir", stat.S_IMODE(st.st_mode), b""
            else:
                with open(path, "rb") as f:
                    yield rel, "file", stat.S_IMODE(st.st_mode), f.read()


def _write(target: str, data: bytes, mode: int) -> None:
    """A new file ``target`` holding ``data``, with ``mode`` whatever the umask."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def restore(runner: Runner, cache: Path, key: str, venv: Path, build: Path, directory: str = SKELETONS) -> bool:
    """Put the entry ``key`` at ``venv``; False (``venv`` untouched) if there is none.

    ``directory`` is the cache's subdirectory (``venv`` need not exist).
    """
    entry = cache / directory / key
    if not entry.is_dir() or not reusable_path(venv):
        return False
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Beside the package's staging tree (same file system), never in it: an interrupted copy ships nothing.
    scratch = build / "debian" / ".debhelper"
    scratch.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="dh_venv-copy-", dir=scratch))
    try:
        meta = json.loads((entry / "entry.json").read_text())
        paths = (os.fsencode(str(meta["venv"])), os.fsencode(venv), os.fsencode(str(meta["build"])) + b"/")
        done = _copy(entry / "tree", tmp / "venv", meta["files"], *paths, moved=build != Path(meta["build"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(entry, ignore_errors=True)
        runner.report.notice(f"removed the damaged venv cache entry {entry} ({exc}); {_INSTEAD[directory]}")
        return False
    if not done:
        shutil.rmtree(tmp, ignore_errors=True)
        runner.announce(f"the cached venv (key {key[:16]}) names its build directory: {_INSTEAD[directory]}")
        return False
    if venv.exists():
        shutil.rmtree(venv)
    os.rename(tmp / "venv", venv)
    os.rmdir(tmp)
    with contextlib.suppress(OSError):
        os.utime(entry)  # the most recently used
    runner.announce(_COPIED[directory].format(key=key[:16]))
    return True


def _copy(
    src: Path, dest: Path, files: dict[str, list[Any]], old: bytes, new: bytes, build: bytes, *, moved: bool
) -> bool:
    """Copy the entry's tree, checking each file's sha256 and writing ``new`` for ``old``.

    False if something names the old build directory other than through the venv's path.
    """
    os.mkdir(dest)
    for rel in sorted(files):
        kind, mode, recorded = files[rel]
        target = os.path.join(dest, rel)
        if kind == "dir":
            os.mkdir(target)
            continue
        if kind == "link":
            data = os.fsencode(os.readlink(os.path.join(src, rel)))
        else:
            with open(os.path.join(src, rel), "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() != recorded:
                raise ValueError(f"{rel} does not match its sha256")
        if old != new and old in data:
            if b"\0" in data:
                return False
            data = data.replace(old, new)
        if moved and build in data:
            return False
        if kind == "link":
            os.symlink(data, target)
            continue
        _write(target, data, mode)
    for rel in sorted(files, reverse=True):
        if files[rel][0] == "dir":
            os.chmod(os.path.join(dest, rel), files[rel][1])
    return True


def store(cache: Path, key: str, venv: Path, build: Path, directory: str = SKELETONS) -> None:
    """Keep the venv at ``venv`` as the entry ``key`` (unless there is one), then drop the oldest entries."""
    parent = cache / directory
    if (parent / key).is_dir() or not reusable_path(venv):
        return
    parent.mkdir(parents=True, exist_ok=True)
    part = Path(tempfile.mkdtemp(prefix=".part-", dir=parent))
    try:
        files: dict[str, list[object]] = {}
        os.mkdir(part / "tree")
        for rel, kind, mode, data in _walk(venv):  # one pass: read, hash, write
            target = os.path.join(part, "tree", rel)
            if kind == "dir":
                os.mkdir(target)
            elif kind == "link":
                os.symlink(data, target)
            else:
                _write(target, data, 0o644)
            files[rel] = [kind, mode, hashlib.sha256(data).hexdigest() if kind == "file" else None]
        meta = {"venv": str(venv), "build": str(build), "files": files}
        (part / "entry.json").write_text(json.dumps(meta, sort_keys=True))
        os.rename(part, parent / key)
    except OSError as exc:
        shutil.rmtree(part, ignore_errors=True)
        if not (parent / key).is_dir():
            raise DhVenvError(
                f"could not store the installed venv in the cache {parent}: {exc}",
                hint="make the cache directory writable (DH_VENV_CACHE_DIR), or build with DH_VENV_NO_REUSE=1",
            ) from None
    _prune(parent)


def _prune(parent: Path) -> None:
    """Remove all but the :data:`KEEP` most recently used entries."""
    entries = [p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
