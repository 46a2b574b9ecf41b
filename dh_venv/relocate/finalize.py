"""Make a venv built in the staging tree correct at its final path.

One walk over the tree rewrites every text file and symlink that names
the staging location, drops compiled bytecode and ``direct_url.json``
files pointing at local paths, and then brings each ``RECORD`` back in
line with what is on disk (hashes and sizes of rewritten files, no rows
for removed ones).  What cannot be rewritten is left for :mod:`scan`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dh_venv import site, tree
from dh_venv.errors import DhVenvError

# Version-control metadata (an editable VCS install's checkout, a copied
# tree) has no place in a package.
_VCS_DIRS = (".git", ".hg", ".svn", ".bzr")

# pip (distlib) and uv write this shell trampoline instead of a #! line
# when the interpreter path is longer than the kernel's #! limit, which the
# staging path can be while the final one is not: the form would then
# depend on the build directory.  uv quotes the path, pip does not.
_TRAMPOLINE = re.compile(rb"""\A#!/bin/sh\n'''exec' ('?)([^\s"']+)\1 "\$0" "\$@"\n' '''\n""")
# uv's records of how it built a local project (a timestamp among them):
# of no use on the target, and different in every build.
_UV_BUILD_STATE = ("uv_cache.json", "uv_build.json")
_SHEBANG_MAX = 127
# What virtualenv puts at the top of a venv for the build machine's tools
# (newer releases add CACHEDIR.TAG, which makes backup tools skip the
# installed application): none of it belongs in a package.
_VENV_MARKERS = (".gitignore", ".hgignore", "CACHEDIR.TAG")


@dataclass
class Report:
    """What finalizing changed, for verbose output and tests."""

    rewritten: list[Path] = field(default_factory=list)
    relinked: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def finalize(staging_venv: Path, final_venv: PurePosixPath) -> Report:
    """Relocate ``staging_venv`` so it works at ``final_venv``."""
    pairs = _replacements(staging_venv, final_venv)
    report = Report()
    records: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(staging_venv):
        here = Path(dirpath)
        for name in list(dirnames):
            path = here / name
            if (name == "__pycache__" or name in _VCS_DIRS) and not path.is_symlink():
                shutil.rmtree(path)
                report.removed.append(path)
                dirnames.remove(name)
            elif path.is_symlink():
                _relink(path, pairs, report)
        for name in filenames:
            path = here / name
            if path.is_symlink():
                _relink(path, pairs, report)
            elif (
                name.endswith((".pyc", ".pyo"))
                or (name == "direct_url.json" and _is_local(path))
                or (name in _UV_BUILD_STATE and here.name.endswith(".dist-info"))
            ):
                path.unlink()
                report.removed.append(path)
            elif (name in _VENV_MARKERS and here == staging_venv) or name == ".git":
                path.unlink()  # virtualenv's markers; a submodule's .git file
                report.removed.append(path)
            else:
                _only_regular(path)
                # An installed distribution's; not one a distribution vendors inside itself
                # (setuptools >= 71, trixie's: its own RECORD has their hashes).
                if name == "RECORD" and here.name.endswith(".dist-info") and here.parent.name == "site-packages":
                    records.append(path)
                _rewrite(path, pairs, report)
    changed = {str(p) for p in (*report.rewritten, *report.removed)}
    for record in records:
        _fix_record(record, staging_venv, final_venv, changed)
    return report


def _replacements(staging_venv: Path, final_venv: PurePosixPath) -> list[tuple[bytes, bytes]]:
    final = os.fsencode(final_venv)
    forms = {str(staging_venv), os.path.realpath(staging_venv)}
    # Longest first, so a path that contains another is replaced whole.
    return [(os.fsencode(f), final) for f in sorted(forms, key=len, reverse=True)]


def _only_regular(path: Path) -> None:
    """Refuse what a package cannot sensibly ship: pipes, sockets, devices."""
    what = tree.kind(path.lstat().st_mode)
    if what:
        raise DhVenvError(
            f"the venv holds a {what}, {path}; a package cannot ship it",
            hint="remove it from the venv (in override_dh_venv, after dh_venv)",
        )


def _rewrite(path: Path, pairs: list[tuple[bytes, bytes]], report: Report) -> None:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise tree.unreadable(path, exc) from None
    if not any(old in data for old, _ in pairs) or b"\0" in data:
        return
    for old, new in pairs:
        data = data.replace(old, new)
    match = _TRAMPOLINE.match(data)
    if match and len(match.group(2)) + 2 <= _SHEBANG_MAX:
        data = b"#!" + match.group(2) + b"\n" + data[match.end() :]
    mode = path.stat().st_mode
    path.write_bytes(data)
    os.chmod(path, mode)
    report.rewritten.append(path)


def _relink(path: Path, pairs: list[tuple[bytes, bytes]], report: Report) -> None:
    target = os.fsencode(os.readlink(path))
    new = target
    for old, final in pairs:
        new = new.replace(old, final)
    if new != target:
        path.unlink()
        os.symlink(os.fsdecode(new), path)
        report.relinked.append(path)


def _is_local(direct_url: Path) -> bool:
    """A ``direct_url.json`` naming a local path means nothing on the target."""
    try:
        url = json.loads(direct_url.read_text()).get("url", "")
    except (ValueError, OSError, AttributeError):
        return True
    return str(url).startswith("file:")


def _record_hash(path: Path) -> str:
    return site.record_digest(hashlib.sha256(path.read_bytes()).digest())


def _fix_record(record: Path, staging_venv: Path, final_venv: PurePosixPath, changed: set[str]) -> None:
    """``record`` without bytecode rows, and with the hashes of the files rewritten (``changed``: their paths)."""
    base = str(record.parent.parent)
    final = str(final_venv) + "/"
    rows: list[list[str]] = []
    dirty = False
    original = [row for row in site.read_record(record) or [] if row]
    for row in original:
        name = row[0]
        # Strings, not Paths: a venv's RECORDs have thousands of rows.
        joined = (
            os.path.join(str(staging_venv), name[len(final) :]) if name.startswith(final) else os.path.join(base, name)
        )
        target = os.path.normpath(joined)
        if name.endswith((".pyc", ".pyo")) or "__pycache__" in target.split("/"):
            # Bytecode never ships (postinst compiles it); virtualenv's
            # seeder even lists .pyc files that do not exist.
            dirty = True
            continue
        if target in changed or os.path.dirname(target) in changed:
            dirty = True
            if not os.path.exists(target):
                continue
            if len(row) >= 3 and row[1]:
                row = [name, _record_hash(Path(target)), str(os.stat(target).st_size)]
        rows.append(row)
    if dirty or str(record) in changed:
        # virtualenv's seeder writes rows in directory order, which differs
        # between two builds of the same source: a rewritten RECORD is sorted.
        rows.sort(key=lambda row: row[0])
        site.write_record(record, rows)
