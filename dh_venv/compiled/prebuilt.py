"""Prebuilt wheel files: which they are, and keeping debhelper's hands off them.

A file installed from a downloaded wheel (manylinux libraries patched by
auditwheel, Rust and mypyc extensions, pure Python) must ship exactly as
its ``RECORD`` hash says: ``dh_strip``, ``dh_dwz`` and
``dh_strip_nondeterminism`` rewrite such files or choke on them, and
``dh_shlibdeps`` cannot resolve libraries that load one another without an
RPATH.  Files of distributions built from source in this very build are
ordinary compiled code and go through those commands like any other.

``dh_venv`` records, per binary package, which venvs it built and which
distributions were built from source (pip's ``--report``).
``dh_venv_setaside`` (before ``dh_strip_nondeterminism``) moves every
file of the other distributions whose content matches its ``RECORD`` hash
out of the staging tree; ``dh_venv_restore`` (after ``dh_shlibdeps``)
moves them back, checks the hashes again and adds the system libraries
their ELF files need to ``${shlibs:Depends}``.  Being steps of the
sequence of their own, they hold whatever a maintainer puts in
``override_dh_strip`` and friends.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from dh_venv import elf
from dh_venv.compiled.state import State
from dh_venv.site import Distribution, distributions, normalize, read_record, record_digest, write_record

# Platform tags only auditwheel-repaired (or other portable) wheels carry.
_PORTABLE_PLATFORM = re.compile(r"(manylinux|musllinux)\w*|any")


def read_reports(paths: Iterable[Path]) -> State:
    """Which distributions pip built from source and which it took as wheels."""
    state = State()
    for path in paths:
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        items = report.get("install") if isinstance(report, dict) else None
        for item in items if isinstance(items, list) else []:
            # What does not have the shape pip writes is left to the wheel tags.
            name = _field(item, "metadata", "name")
            if name:
                url = _field(item, "download_info", "url")
                (state.downloaded if url.endswith(".whl") else state.built_here).append(normalize(name))
    return state


def _field(item: object, table: str, key: str) -> str:
    """``item[table][key]`` of an installation report if it is a string, else ``""``."""
    inner = item.get(table) if isinstance(item, dict) else None
    value = inner.get(key) if isinstance(inner, dict) else None
    return value if isinstance(value, str) else ""


def is_prebuilt(dist: Distribution, state: State) -> bool:
    """Whether ``dist`` came as a wheel built elsewhere rather than from source here.

    pip's report decides; for what no report covers (the seed packages,
    installs in ``override_dh_venv``) a portable platform tag (manylinux,
    musllinux, ``any``) means the wheel was built elsewhere.
    """
    if dist.name in state.built_here:
        return False
    if dist.name in state.downloaded:
        return True
    tags = dist.wheel_tags()
    return bool(tags) and all(_portable(t) for t in tags)


def _portable(tag: str) -> bool:
    """Whether a WHEEL ``Tag`` names only portable platforms.

    The platform part may be a compressed set: maturin writes ``manylinux_2_17_x86_64.manylinux2014_x86_64``.
    """
    platforms = tag.rsplit("-", 1)[-1].split(".")
    return all(_PORTABLE_PLATFORM.fullmatch(p) for p in platforms)


def file_hash(path: Path | str, kinds: dict[str, bool] | None = None) -> str:
    """RECORD's form of the sha256 of ``path``; ``kinds`` gets whether it is ELF, from the same read."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        first = f.read(1 << 20)
        if kinds is not None:
            kinds[str(path)] = first.startswith(elf.MAGIC)
        digest.update(first)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return record_digest(digest.digest())


def staging_venvs(staging_root: Path, state: State) -> list[Path]:
    return [staging_root / v.lstrip("/") for v in state.venvs if (staging_root / v.lstrip("/")).is_dir()]


def prebuilt_files(staging_root: Path, state: State, kinds: dict[str, bool] | None = None) -> list[tuple[Path, str]]:
    """Files of prebuilt distributions that still match their RECORD hash.

    A file that no longer matches (rewritten by dh_venv's relocation, or by
    the maintainer in ``override_dh_venv``) is left where it is.  ``kinds``
    gets, for each file read, whether it is ELF.
    """
    files: dict[str, str] = {}
    for venv in staging_venvs(staging_root, state):
        top = str(venv) + "/"
        for dist in distributions(venv):
            if not is_prebuilt(dist, state):
                continue
            site_dir = str(dist.site_packages)
            # Strings and one lstat per row: a venv's prebuilt files number in the thousands.
            for row in dist.record_rows():
                if len(row) < 2 or not row[1].startswith("sha256="):
                    continue
                path = os.path.normpath(os.path.join(site_dir, row[0]))
                if path in files or not path.startswith(top):
                    continue
                try:
                    regular = stat.S_ISREG(os.lstat(path).st_mode)
                except OSError:
                    continue
                if regular and file_hash(path, kinds) == row[1]:
                    files[path] = row[1]
    return sorted((Path(path), digest) for path, digest in files.items())


def refresh_records(staging_root: Path, state: State) -> list[Path]:
    """Bring the RECORD of each distribution built here up to date; return the RECORDs rewritten.

    dh_strip and dh_dwz rewrote its extensions after pip hashed them.
    """
    rewritten = []
    for venv in staging_venvs(staging_root, state):
        for dist in distributions(venv):
            if not is_prebuilt(dist, state) and refresh_record(dist):
                rewritten.append(dist.dist_info / "RECORD")
    return rewritten


def refresh_record(
    dist: Distribution, only: set[Path] | None = None, written: dict[Path, tuple[str, int]] | None = None
) -> bool:
    """Rehash the files of ``dist`` whose content changed since its RECORD was written; whether any did.

    With ``only``, just those files are looked at (the ones the caller
    rewrote); ``written`` gives the hash and size of files the caller
    wrote from bytes it held (they are not read again).
    """
    record = dist.dist_info / "RECORD"
    rows = read_record(record)
    if rows is None:
        return False
    dirty = False
    for row in rows:
        if len(row) < 2 or not row[1].startswith("sha256="):
            continue
        path = Path(os.path.normpath(dist.site_packages / row[0]))
        if only is not None and path not in only:
            continue
        if written and path in written:
            digest, size = written[path]
            if digest != row[1]:
                row[1:] = [digest, str(size)]
                dirty = True
        elif path.is_file() and not path.is_symlink() and file_hash(path) != row[1]:
            row[1:] = [file_hash(path), str(path.stat().st_size)]
            dirty = True
    if dirty:
        write_record(record, rows)
    return dirty


def debug_strippable(venv: Path, state: State, digests: dict[Path, str] | None = None) -> dict[Path, Distribution]:
    """Shared objects of prebuilt wheels that carry debug sections and that stripping cannot break.

    Left alone: anything auditwheel/patchelf rewrote or bundled (an RPATH or
    RUNPATH, a ``*.libs`` directory), where binutils' strip is known to
    produce broken files, and files that no longer match their RECORD.
    """
    found: dict[Path, Distribution] = {}
    for dist in distributions(venv):
        if not is_prebuilt(dist, state):
            continue
        for row in dist.record_rows():
            # The name first: most rows are no shared object, and a Path per row costs.
            if len(row) < 2 or not row[1].startswith("sha256=") or ".so" not in row[0].rsplit("/", 1)[-1]:
                continue
            path, digest = Path(os.path.normpath(dist.site_packages / row[0])), row[1]
            rel = path.relative_to(dist.site_packages) if path.is_relative_to(dist.site_packages) else None
            if rel is None or ".so" not in path.name or any(part.endswith(".libs") for part in rel.parts[:-1]):
                continue
            if path.is_symlink() or not path.is_file() or not elf.is_elf(path):
                continue
            if not any(name.startswith((".debug_", ".zdebug_")) for name in elf.section_names(path)):
                continue
            if elf.read_dynamic(path).rpath or file_hash(path) != digest:
                continue
            found[path] = dist
            if digests is not None:
                digests[path] = digest  # what it is now: checked just above
    return found
