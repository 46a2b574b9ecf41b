"""Compiled files in the finished venv: the ``Architecture: all`` check, debug sections of prebuilt extensions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dh_venv import elf
from dh_venv.compiled import prebuilt
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings

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
    byte-identical. ``DEB_BUILD_OPTIONS=nostrip`` keeps everything.
    """
    if not settings.strip:
        return 0
    state = prebuilt.read_reports(r for r in reports if r is not None)
    found = prebuilt.debug_strippable(settings.staging_venv, state)
    if not found:
        return 0
    try:
        runner.run(["strip", "--strip-debug", *sorted(found)], env={"PATH": "/usr/bin:/bin"})
    except CommandError as exc:
        raise DhVenvError(
            "strip could not remove the debug information of prebuilt extensions",
            hint="install binutils, or build with DEB_BUILD_OPTIONS=nostrip",
            details=exc.output.strip(),
        ) from None
    for dist in {id(d): d for d in found.values()}.values():
        prebuilt.refresh_record(dist)
    return len(found)
