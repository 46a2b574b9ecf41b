"""Compiled files in the finished venv: the ``Architecture: all`` check, debug sections of prebuilt extensions."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from dh_venv import caches, elf
from dh_venv.compiled import prebuilt
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings
from dh_venv.site import record_digest

_MAX_LISTED = 10


def check_architecture(settings: Settings) -> None:
    """An ``Architecture: all`` package must not carry ELF files."""
    arch = debhelper.control_field(settings.build_dir, settings.package, "Architecture").split()
    if arch != ["all"]:
        return
    found = list(elf.find_elf_files(settings.staging_venv))
    if found:
        shown = [f"  {p.relative_to(settings.staging_root)}" for p in found[:_MAX_LISTED]]
        if len(found) > _MAX_LISTED:
            shown.append(f"  ... and {len(found) - _MAX_LISTED} more")
        raise DhVenvError(
            f"the package is Architecture: all, but its venv holds {len(found)} compiled (ELF) file(s)",
            hint="set Architecture: any in debian/control (and add ${shlibs:Depends} to Depends)",
            details="\n".join(shown),
        )


def strip_prebuilt_debug(settings: Settings, runner: Runner, reports: Iterable[Path | None]) -> int:
    """Drop the debug sections of prebuilt extension modules that can be stripped safely; return how many.

    Prebuilt wheels often ship their extensions with full debug information
    (most of their size), which ``dh_strip`` never sees (``dh_venv_setaside``
    keeps prebuilt files away from it). ``strip --strip-debug`` keeps the
    symbol table; files ``prebuilt.debug_strippable`` leaves out stay
    byte-identical. ``DEB_BUILD_OPTIONS=nostrip`` keeps everything.  The
    stripped form is kept in dh_venv's cache (``stripped/``) by the sha256
    of the file before and the identity of ``strip``: a warm build writes
    it without running strip (not with ``DH_VENV_NO_REUSE=1``); forms no
    build used for 30 days are removed.
    """
    if not settings.strip:
        return 0
    state = prebuilt.read_reports(r for r in reports if r is not None)
    digests: dict[Path, str] = {}
    found = prebuilt.debug_strippable(settings.staging_venv, state, digests)
    if not found:
        return 0
    cache = None if settings.env.get("DH_VENV_NO_REUSE") == "1" else caches.cache_root(settings.env, settings.build_dir)
    strip = shutil.which("strip", path=_PATH)
    tool = caches.file_identity(os.path.realpath(strip)) if strip else None
    store = cache / STRIPPED if cache is not None and tool else None
    keys = {path: _strip_key(digests[path], tool) for path in sorted(found)} if store else {}
    # The RECORD hash and size of each stripped file, from the bytes written (no second read).
    written: dict[Path, tuple[str, int]] = {}
    kept = {path: body for path, key in keys.items() if store and (body := _kept(runner, store / key)) is not None}
    todo = [path for path in sorted(found) if path not in kept]
    if kept:
        what = f"write the stripped form of {len(kept)} prebuilt file(s) kept in {store}, unchanged since"
        runner.apply(what, lambda: _write(kept, written))
    if todo:
        try:
            runner.run(["strip", "--strip-debug", *todo], env={"PATH": _PATH})
        except CommandError as exc:
            raise DhVenvError(
                "strip could not remove the debug information of prebuilt extensions",
                hint="install binutils, or build with DEB_BUILD_OPTIONS=nostrip",
                details=exc.output.strip(),
            ) from None
        if store is not None and not runner.no_act:
            for path in todo:
                _keep(store / keys[path], path, written)
            _prune(store)
    for dist in {id(d): d for d in found.values()}.values():
        prebuilt.refresh_record(dist, {path for path, owner in found.items() if owner is dist}, written)
    return len(found)


#: The cache's subdirectory for stripped prebuilt files, by the sha256 of the file before and strip's identity.
STRIPPED = "stripped"
_PATH = "/usr/bin:/bin"


def _strip_key(digest: str, tool: object) -> str:
    """A key of the file's sha256 before stripping (``digest``: RECORD's form, checked) and strip's identity."""
    return hashlib.sha256(repr(("2", tool, digest)).encode()).hexdigest()


def _write(bodies: dict[Path, bytes], written: dict[Path, tuple[str, int]]) -> None:
    for path, body in bodies.items():
        path.write_bytes(body)
        written[path] = (record_digest(hashlib.sha256(body).digest()), len(body))


def _kept(runner: Runner, entry: Path) -> bytes | None:
    """The stripped form kept in ``entry``, if any; a damaged one is removed with a notice."""
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # used: kept by _prune
    digest, _, body = data.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        entry.unlink(missing_ok=True)
        runner.report.notice(f"removed the damaged cache entry {entry} (not the sha256 it recorded); stripping again")
        return None
    return body


def _keep(entry: Path, path: Path, written: dict[Path, tuple[str, int]] | None = None) -> None:
    """Keep the stripped form of ``path``: its sha256, a newline, its bytes (a cache that cannot be written: slower).

    ``written`` gets its RECORD hash and size.
    """
    with contextlib.suppress(OSError):
        body = path.read_bytes()
        if written is not None:
            written[path] = (record_digest(hashlib.sha256(body).digest()), len(body))
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=".part-", dir=entry.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(part, entry)


#: Stripped forms unused for this long are removed when new ones are kept.
_UNUSED_DAYS = 30


def _prune(store: Path) -> None:
    """Remove the stripped forms no build used for :data:`_UNUSED_DAYS` days."""
    limit = time.time() - _UNUSED_DAYS * 86400
    for entry in store.iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < limit:
                entry.unlink()
