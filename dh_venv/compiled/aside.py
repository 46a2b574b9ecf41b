"""Moving the prebuilt files out of the staging tree and back (see :mod:`dh_venv.compiled.prebuilt` for why).

A directory whose every file is one being set aside (a prebuilt
distribution's package directory, most of a venv) moves in one rename
instead of file by file: making and removing directories is what cost most
here (about 0.4 ms and 1 ms each on ext4), far more than renaming files.
The list of files still names each file, with the directory it moved in
(``via``), so everything below reads and checks files as before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path, PurePosixPath

from dh_venv import elf, tree
from dh_venv.compiled.prebuilt import file_hash, prebuilt_files
from dh_venv.compiled.state import ASIDE, MANIFEST, State, read_json
from dh_venv.errors import DhVenvError


def set_aside(staging_root: Path, work_dir: Path, state: State, notes: list[str]) -> int:
    """Move the prebuilt files out of the staging tree; return how many.

    The list is written (atomically) before the first file moves, so a
    kill at any point leaves a list that :func:`restore` can finish.
    """
    restore(staging_root, work_dir, notes)  # a build that stopped between the two steps
    aside = work_dir / ASIDE
    kinds: dict[str, bool] = {}
    found = prebuilt_files(staging_root, state, kinds)
    prefix = len(str(staging_root)) + 1  # every file is below it: no relative_to (a tenth of this step's time)
    rels = [str(path)[prefix:] for path, _ in found]
    whole = whole_directories(staging_root, rels)
    entries: list[dict[str, object]] = []
    for rel, (_, digest) in zip(rels, found, strict=True):
        entry: dict[str, object] = {"path": rel, "hash": digest}
        # The outermost such directory is the one that moves.
        via = next((d for d in _ancestors(rel) if d in whole), None)
        if via is not None:
            entry["via"] = via
        entries.append(entry)
    tree.write_atomic(work_dir / MANIFEST, _listing(entries))
    made: set[Path] = set()
    for directory in sorted(whole):
        if not any(d in whole for d in _ancestors(directory)):
            _make_parent(aside / directory, made)
            os.replace(staging_root / directory, aside / directory)
    for entry in entries:
        if "via" not in entry:
            target = aside / str(entry["path"])
            _make_parent(target, made)
            os.replace(staging_root / str(entry["path"]), target)
    # How each file looks where it waits, and whether it is ELF: restore need not read it again.
    for entry in entries:
        target = aside / str(entry["path"])
        entry["stat"] = _signature(target)
        source = f"{staging_root}/{entry['path']}"
        entry["elf"] = kinds[source] if source in kinds else elf.is_elf(target)
    tree.write_atomic(work_dir / MANIFEST, _listing(entries))
    return len(entries)


def _listing(entries: list[dict[str, object]]) -> str:
    """The list as JSON, one file a line (json's C encoder: ``indent`` would take the slow one)."""
    return "[\n" + ",\n".join(json.dumps(e, separators=(",", ":")) for e in entries) + "\n]\n"


def whole_directories(root: Path, files: list[str]) -> set[str]:
    """The directories below ``root`` holding nothing but some of ``files`` (regular files) and such directories.

    Paths are relative to ``root``, with ``/``.
    """
    moving = set(files)
    candidates = {d for rel in files for d in _ancestors(rel)}
    whole: set[str] = set()
    for directory in sorted(candidates, key=lambda d: d.count("/"), reverse=True):
        with os.scandir(root / directory) as it:
            children = [(f"{directory}/{e.name}", e.stat(follow_symlinks=False).st_mode) for e in it]
        if children and all(
            (stat.S_ISREG(mode) and rel in moving) or (stat.S_ISDIR(mode) and rel in whole) for rel, mode in children
        ):
            whole.add(directory)
    return whole


def _ancestors(rel: str) -> list[str]:
    """The directories ``rel`` is in, outermost first: ``a/b/c`` -> ``a``, ``a/b``."""
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _make_parent(path: Path, made: set[Path]) -> None:
    """``mkdir -p`` of the directory of ``path``, once per directory (thousands of files share a few)."""
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)


def _signature(path: Path) -> list[int]:
    """Inode, size and times: a write, a chmod or a replacement changes at least one (the ctime)."""
    st = path.stat()
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _fix_mode(path: Path, mode: int) -> None:
    """What dh_fixperms, which did not see the file, would have done to its mode (``mode``: the file's now).

    No write or set-id bits beyond the owner's; shared libraries not
    executable; everything readable.
    """
    executable = mode & 0o111 and not re.search(r"\.so(\.[\d.]+)?$", path.name)
    wanted = 0o755 if executable else 0o644
    if stat.S_IMODE(mode) != wanted:
        path.chmod(wanted)


def _entries(work_dir: Path, notes: list[str]) -> list[dict[str, object]] | None:
    """The list :func:`set_aside` wrote; else what is set aside, as it is; None if nothing is."""
    entries = read_json(work_dir / MANIFEST, notes)
    aside = work_dir / ASIDE
    if isinstance(entries, list) and not all(
        isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("hash"), str) for e in entries
    ):
        notes.append(f"{work_dir / MANIFEST} holds no list of files; discarded it")
        entries = None
    if isinstance(entries, list):
        return entries
    if not aside.is_dir():
        return None
    # No trustworthy list (corrupt, or not written): what is there goes back as it is.
    return [
        {"path": str(PurePosixPath(p.relative_to(aside))), "hash": None}
        for p in sorted(aside.rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]


def _move_directories_back(staging_root: Path, aside: Path, entries: list[dict[str, object]]) -> None:
    """Put back the directories that moved whole (their files are checked one by one afterwards).

    Their directories, which dh_fixperms did not see either, get its mode.
    """
    made: set[Path] = set()
    vias = dict.fromkeys(str(e["via"]) for e in entries if isinstance(e.get("via"), str))
    for via in vias:
        source, target = aside / via, staging_root / via
        if source.is_dir() and not source.is_symlink() and not os.path.lexists(target):
            _make_parent(target, made)
            os.replace(source, target)
            for directory in [target, *(Path(d) for d, _, _ in os.walk(target) if d != str(target))]:
                directory.chmod(0o755)


def restore(
    staging_root: Path, work_dir: Path, notes: list[str], known: dict[Path, tuple[str, bool | None]] | None = None
) -> list[Path]:
    """Move the set-aside files back, unchanged; return their paths in the staging tree.

    ``known`` gets, for each file with a ``RECORD`` hash, that checked hash
    and whether the file is ELF (None if not known).
    """
    entries = _entries(work_dir, notes)
    if entries is None:
        return []
    aside = work_dir / ASIDE
    _move_directories_back(staging_root, aside, entries)
    restored = []
    made: set[Path] = set()
    for entry in entries:
        source, target = aside / str(entry["path"]), staging_root / str(entry["path"])
        # One lstat per place: thousands of files come back on every build.
        waiting = _lstat(source)
        if waiting is None:
            # Moved back in its directory, never moved, or moved back before a kill.
            there = _lstat(target)
            if there is None or not _intact(entry, target, there):
                raise _changed(entry, aside)
            _fix_mode(target, there.st_mode)
            restored.append(target)
            _note(known, target, entry)
            continue
        if not _intact(entry, source, waiting):
            raise _changed(entry, aside)
        if os.path.lexists(target):
            raise DhVenvError(
                f"{target} was recreated while the prebuilt file was set aside",
                hint="a step between dh_venv_setaside and dh_venv_restore wrote into the venv; "
                "do that in override_dh_venv instead",
            )
        _make_parent(target, made)
        os.replace(source, target)
        _fix_mode(target, waiting.st_mode)
        restored.append(target)
        _note(known, target, entry)
    (work_dir / MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(aside, ignore_errors=True)
    return restored


def _lstat(path: Path) -> os.stat_result | None:
    """``path``'s lstat; None where nothing is (as ``os.path.lexists`` tells)."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def _changed(entry: dict[str, object], aside: Path) -> DhVenvError:
    return DhVenvError(
        f"prebuilt file {entry['path']} was changed or removed while set aside in {aside}",
        hint="do not touch debian/.debhelper/dh_venv; rebuild from a clean tree",
    )


def _intact(entry: dict[str, object], path: Path, st: os.stat_result) -> bool:
    """Whether ``path`` (``st``: its lstat) is the file the entry lists: same inode and times, else same hash."""
    if not stat.S_ISREG(st.st_mode):
        return False
    signature = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    return entry["hash"] is None or entry.get("stat") == signature or entry["hash"] == file_hash(path)


def _note(known: dict[Path, tuple[str, bool | None]] | None, target: Path, entry: dict[str, object]) -> None:
    if known is not None and isinstance(entry["hash"], str):
        kind = entry.get("elf")
        known[target] = (entry["hash"], kind if isinstance(kind, bool) else None)
