"""The installed venv of an unchanged pinned set, copied instead of installed again.

When the pinned set is one a previous build resolved (:mod:`resolution`),
installing it again can only put the same files into the same skeleton.
So after such an install the venv is stored in dh_venv's cache
(:mod:`dh_venv.caches`, ``venvs/<key>/``), and the next build with the same
key copies it into place instead of running the installer: the copy also
checks every file against the sha256 recorded with it.

The key (:func:`snapshot_key`) is a sha256 over the resolution's key (the
steps, the requirements files, the index options, the interpreter, the
installer and its version, the project's wheel) and the skeleton virtualenv
made: every file of the venv before the install (names, modes, symlink
targets, contents), with the venv's path written as a placeholder.  The
venv's path is rewritten on the copy, so a build in another directory
reuses the entry; an entry that names its build directory other than through
the venv's path (an editable install, a local ``file:`` requirement) is
never used in another directory, and nothing is reused where a script's
``#!`` line would be too long for the kernel (the installer writes another
form there) or where the path holds a character that a script would quote.
``uv pip check`` is not run again on a venv copied from an entry that
passed it.

An entry is ``tree/`` and ``entry.json`` (the venv's path and each file's
sha256), written under a temporary name and renamed.  An entry that does not
match what it recorded is removed with a notice, and the set installed.
Only the :data:`KEEP` most recently used entries are kept.
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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

#: The cache's subdirectory for installed venvs.
DIRECTORY = "venvs"
#: ... and for the venvs virtualenv made (:mod:`dh_venv.installers.venv`).
SKELETONS = "skeletons"
_COPIED = {
    DIRECTORY: "copied the venv a previous build installed from the same inputs (key {key})",
    SKELETONS: "copied the venv virtualenv made in a previous build with the same inputs (key {key})",
}
_INSTEAD = {DIRECTORY: "installing the set", SKELETONS: "running virtualenv"}
#: How many entries stay (the most recently used); a venv can be hundreds of megabytes.
KEEP = 4
_FORMAT = "1"
# The kernel reads 127 bytes of a #! line; installers write a shell trampoline beyond (with a margin).
_SHEBANG_ROOM = 120
_PLAIN = re.compile(r"[A-Za-z0-9/._+@,:=-]+")
_CHECKED = "checked"
# What a build from source reads (a pinned sdist is built by the install).
_COMPILING = frozenset({
    "CC", "CXX", "CPP", "LD", "LDSHARED", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "FFLAGS", "FCFLAGS",
    "OBJCFLAGS", "OBJCXXFLAGS", "RUSTFLAGS",
})  # fmt: skip


def reusable_path(venv: Path) -> bool:
    """Whether ``venv``'s path is written the same way everywhere, and short enough for a plain ``#!`` line.

    A path with characters a shell or another language quotes may be written quoted in an activate script,
    where rewriting it would miss it.
    """
    return len(os.fsencode(f"#!{venv}/bin/python3")) <= _SHEBANG_ROOM and bool(_PLAIN.fullmatch(str(venv)))


def snapshot_key(resolution: str, venv: Path, env: Mapping[str, str], build: Path) -> str:
    """The key of the venv that installing ``resolution`` into the skeleton at ``venv`` makes.

    The compilers and their flags in ``env`` are in it too (a pinned sdist is built by the install),
    with the build directory ``build`` written as a placeholder.
    """
    h = hashlib.sha256()
    name = os.fsencode(venv)

    def feed(*parts: bytes) -> None:
        for part in parts:
            h.update(len(part).to_bytes(8, "big") + part)

    feed(b"format", _FORMAT.encode(), b"resolution", resolution.encode())
    for variable in sorted(v for v in env if v in _COMPILING):
        feed(variable.encode(), os.fsencode(env[variable].replace(str(build), "<build>")))
    for rel, kind, mode, data in sorted(_walk(venv)):
        feed(os.fsencode(rel), kind.encode(), str(mode).encode(), data.replace(name, b"<venv>"))
    return h.hexdigest()


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


def restore(runner: Runner, cache: Path, key: str, venv: Path, build: Path, directory: str = DIRECTORY) -> bool:
    """Replace the skeleton at ``venv`` by the entry ``key``; False (the skeleton untouched) if there is none.

    ``directory`` is the cache's subdirectory: :data:`DIRECTORY`, or :data:`SKELETONS` (``venv`` need not exist).
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


def store(cache: Path, key: str, venv: Path, build: Path, directory: str = DIRECTORY) -> None:
    """Keep the venv just installed as the entry ``key`` (unless there is one), then drop the oldest entries."""
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


def checked(cache: Path, key: str) -> bool:
    """Whether the venv of entry ``key`` passed the installer's check in the build that stored it or since."""
    return (cache / DIRECTORY / key / _CHECKED).is_file()


def mark_checked(cache: Path, key: str) -> None:
    """Record that the venv of entry ``key`` passed the installer's check."""
    with contextlib.suppress(OSError):
        (cache / DIRECTORY / key / _CHECKED).touch()
