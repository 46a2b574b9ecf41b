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

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from dh_venv import elf, tree
from dh_venv.compiled.state import ASIDE, MANIFEST, State, read_json
from dh_venv.errors import DhVenvError
from dh_venv.site import Distribution, distributions, normalize, read_record

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


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256=" + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def staging_venvs(staging_root: Path, state: State) -> list[Path]:
    return [staging_root / v.lstrip("/") for v in state.venvs if (staging_root / v.lstrip("/")).is_dir()]


def prebuilt_files(staging_root: Path, state: State) -> list[tuple[Path, str]]:
    """Files of prebuilt distributions that still match their RECORD hash.

    A file that no longer matches (rewritten by dh_venv's relocation, or by
    the maintainer in ``override_dh_venv``) is left where it is.
    """
    files: dict[Path, str] = {}
    for venv in staging_venvs(staging_root, state):
        for dist in distributions(venv):
            if not is_prebuilt(dist, state):
                continue
            for path, digest in dist.hashed_files():
                if path in files or not path.is_relative_to(venv) or path.is_symlink() or not path.is_file():
                    continue
                if file_hash(path) == digest:
                    files[path] = digest
    return sorted(files.items())


def set_aside(staging_root: Path, work_dir: Path, state: State, notes: list[str]) -> int:
    """Move the prebuilt files out of the staging tree; return how many.

    The list is written (atomically) before the first file moves, so a
    kill at any point leaves a list that :func:`restore` can finish.
    """
    restore(staging_root, work_dir, notes)  # a build that stopped between the two steps
    aside = work_dir / ASIDE
    moves = [
        (path, aside / path.relative_to(staging_root), digest) for path, digest in prebuilt_files(staging_root, state)
    ]
    entries: list[dict[str, object]] = [
        {"path": str(PurePosixPath(path.relative_to(staging_root))), "hash": digest} for path, _, digest in moves
    ]
    tree.write_atomic(work_dir / MANIFEST, json.dumps(entries, indent=0) + "\n")
    made: set[Path] = set()
    for path, target, _ in moves:
        _make_parent(target, made)
        os.replace(path, target)
    # How each file looks where it waits, and whether it is ELF: restore need not read it again.
    for entry, (_, target, _) in zip(entries, moves, strict=True):
        entry["stat"] = _signature(target)
        entry["elf"] = elf.is_elf(target)
    tree.write_atomic(work_dir / MANIFEST, json.dumps(entries, indent=0) + "\n")
    return len(entries)


def _make_parent(path: Path, made: set[Path]) -> None:
    """``mkdir -p`` of the directory of ``path``, once per directory (thousands of files share a few)."""
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)


def _signature(path: Path) -> list[int]:
    """Inode, size and times: a write, a chmod or a replacement changes at least one (the ctime)."""
    st = path.stat()
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _unchanged(entry: dict[str, object], source: Path) -> bool:
    """Whether ``source`` still is the file set aside, by :func:`_signature` alone (no reading)."""
    try:
        return isinstance(entry.get("stat"), list) and entry["stat"] == _signature(source)
    except OSError:
        return False


def _fix_mode(path: Path) -> None:
    """What dh_fixperms, which did not see the file, would have done to its mode.

    No write or set-id bits beyond the owner's; shared libraries not
    executable; everything readable.
    """
    mode = path.stat().st_mode & 0o777
    executable = mode & 0o111 and not re.search(r"\.so(\.[\d.]+)?$", path.name)
    path.chmod(0o755 if executable else 0o644)


def restore(
    staging_root: Path, work_dir: Path, notes: list[str], known: dict[Path, tuple[str, bool | None]] | None = None
) -> list[Path]:
    """Move the set-aside files back, unchanged; return their paths in the staging tree.

    ``known`` gets, for each file with a ``RECORD`` hash, that checked hash
    and whether the file is ELF (None if not known).
    """
    entries = read_json(work_dir / MANIFEST, notes)
    aside = work_dir / ASIDE
    if isinstance(entries, list) and not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("hash"), str) for e in entries
    ):
        notes.append(f"{work_dir / MANIFEST} holds no list of files; discarded it")
        entries = None
    if not isinstance(entries, list):
        if aside.is_dir():
            # No trustworthy list (corrupt, or not written): what is there goes back as it is.
            entries = [
                {"path": str(PurePosixPath(p.relative_to(aside))), "hash": None}
                for p in sorted(aside.rglob("*"))
                if p.is_file() and not p.is_symlink()
            ]
        else:
            return []
    restored = []
    made: set[Path] = set()
    for entry in entries:
        source, target = aside / entry["path"], staging_root / entry["path"]
        if not os.path.lexists(source) and target.is_file() and entry["hash"] in (None, file_hash(target)):
            restored.append(target)  # never moved, or moved back before a kill
            _note(known, target, entry)
            continue
        intact = entry["hash"] is None or _unchanged(entry, source) or entry["hash"] == file_hash(source)
        if not source.is_file() or not intact:
            raise DhVenvError(
                f"prebuilt file {entry['path']} was changed or removed while set aside in {aside}",
                hint="do not touch debian/.debhelper/dh_venv; rebuild from a clean tree",
            )
        if os.path.lexists(target):
            raise DhVenvError(
                f"{target} was recreated while the prebuilt file was set aside",
                hint="a step between dh_venv_setaside and dh_venv_restore wrote into the venv; "
                "do that in override_dh_venv instead",
            )
        _make_parent(target, made)
        os.replace(source, target)
        _fix_mode(target)
        restored.append(target)
        _note(known, target, entry)
    (work_dir / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(aside, ignore_errors=True)
    return restored


def _note(known: dict[Path, tuple[str, bool | None]] | None, target: Path, entry: dict[str, object]) -> None:
    if known is not None and isinstance(entry["hash"], str):
        kind = entry.get("elf")
        known[target] = (entry["hash"], kind if isinstance(kind, bool) else None)


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


def refresh_record(dist: Distribution) -> bool:
    """Rehash the files of ``dist`` whose content changed since its RECORD was written; whether any did."""
    record = dist.dist_info / "RECORD"
    rows = read_record(record)
    if rows is None:
        return False
    dirty = False
    for row in rows:
        if len(row) < 2 or not row[1].startswith("sha256="):
            continue
        path = Path(os.path.normpath(dist.site_packages / row[0]))
        if path.is_file() and not path.is_symlink() and file_hash(path) != row[1]:
            row[1:] = [file_hash(path), str(path.stat().st_size)]
            dirty = True
    if dirty:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        record.write_text(out.getvalue(), encoding="utf-8", errors="surrogateescape")
    return dirty


def debug_strippable(venv: Path, state: State) -> dict[Path, Distribution]:
    """Shared objects of prebuilt wheels that carry debug sections and that stripping cannot break.

    Left alone: anything auditwheel/patchelf rewrote or bundled (an RPATH or
    RUNPATH, a ``*.libs`` directory), where binutils' strip is known to
    produce broken files, and files that no longer match their RECORD.
    """
    found: dict[Path, Distribution] = {}
    for dist in distributions(venv):
        if not is_prebuilt(dist, state):
            continue
        for path, digest in dist.hashed_files():
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
    return found
