"""What a venv looked like when dh_venv had relocated and scanned it, so dh_venv_rescan can tell it is untouched.

``dh_venv`` calls :func:`take` right after its own rewrite and scan of the
venv; ``dh_venv_rescan`` calls :func:`unchanged` and, when nothing in the
venv is new, gone or written since, skips the second rewrite and scan,
which would find exactly what the first one left.

A file counts as unchanged when its path, type, inode, size and
modification time are those recorded; a symbolic link when its target is
(``dh_link`` makes the venv's links again, as they were).
The change time is not compared: ``dh_fixperms``, and the moves of
``dh_venv_setaside``/``dh_venv_restore``, change it for every file without
changing any content.  A file modified within :data:`RACY_NS` of the
stamp could be written again within the same clock tick without its time
moving: its sha256 is recorded and compared instead (git's answer to the
same race).  Directories count by their paths only (a move into or out of
them changes their times).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from dh_venv import tree

STAMPS = "venv-stamps.json"
#: Twice the coarsest kernel clock tick (HZ=100).
RACY_NS = 20_000_000


def take(work: Path, token: list[str], build_dir: Path, venv: Path, final: str) -> None:
    """Record ``venv`` (staging path; ``final`` on the target) as dh_venv leaves it, for this run's ``token``."""
    stamps = _load(work, token)
    try:
        entries = list(_entries(venv))
        now = time.time_ns()
        racy = {
            rel: tree.sha256_of(venv / rel) for rel, kind, _, mtime in entries if kind == "f" and mtime >= now - RACY_NS
        }
        stamps[final] = {"digest": _digest(entries, racy), "racy": racy, "build_dir": str(build_dir)}
    except OSError:
        stamps.pop(final, None)  # a file it cannot read: dh_venv_rescan does the whole rewrite and scan
    tree.write_atomic(work / STAMPS, json.dumps({"token": token, "venvs": stamps}, indent=1, sort_keys=True) + "\n")


def unchanged(work: Path, token: list[str], build_dir: Path, venv: Path, final: str) -> bool:
    """Whether ``venv`` is as :func:`take` saw it in this run of the sequence, scanned for ``build_dir``."""
    recorded = _load(work, token).get(final)
    if not isinstance(recorded, dict) or recorded.get("build_dir") != str(build_dir):
        return False
    racy = recorded.get("racy")
    if not isinstance(racy, dict) or not venv.is_dir():
        return False
    try:
        if any(not _regular(venv / rel) or tree.sha256_of(venv / rel) != digest for rel, digest in racy.items()):
            return False
        return bool(_digest(_entries(venv), racy) == recorded.get("digest"))
    except OSError:
        return False


def _regular(path: Path) -> bool:
    return stat.S_ISREG(os.lstat(path).st_mode)


def _load(work: Path, token: list[str]) -> dict[str, object]:
    """The stamps of this run (``token``); none of an earlier one, or if the file is missing or damaged."""
    try:
        data = json.loads((work / STAMPS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("token") != token or not isinstance(data.get("venvs"), dict):
        return {}
    return dict(data["venvs"])


def _digest(entries: Iterable[tuple[str, str, str, int]], racy: dict[str, str]) -> str:
    """A sha256 over ``entries``: path and type, and for files not in ``racy`` the signature."""
    digest = hashlib.sha256()
    for rel, kind, signature, _ in entries:
        shown = "racy" if rel in racy else signature
        digest.update(f"{rel}\0{kind}\0{shown}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _entries(venv: Path) -> Iterator[tuple[str, str, str, int]]:
    """(relative path, type, signature, modification time) of every entry below ``venv``, in a stable order."""
    pending = [""]
    while pending:
        top = pending.pop()
        with os.scandir(venv / top) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            rel = f"{top}/{entry.name}" if top else entry.name
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                yield rel, "d", "", st.st_mtime_ns
                pending.append(rel)
            elif stat.S_ISLNK(st.st_mode):
                # dh_link makes links again as they were: only the target counts.
                yield rel, "l", os.readlink(entry.path), st.st_mtime_ns
            else:
                kind = "f" if stat.S_ISREG(st.st_mode) else "o"
                yield rel, kind, f"{st.st_ino} {st.st_size} {st.st_mtime_ns}", st.st_mtime_ns
