"""Files a distribution meant for outside the venv.

setuptools' ``data_files`` with an absolute target (``/etc/app``) cannot
leave a venv: wheels have no place for absolute paths, so the files land
in ``site-packages/etc/app/`` (or, from an old-style install, somewhere
above the venv).  Either way the application will not find them where it
looks, so dh_venv lists them.
"""

from __future__ import annotations

import os
from pathlib import Path

from dh_venv import site as site_model
from dh_venv.report import Report
from dh_venv.settings import Settings

# Top-level directories of the file system, as they appear at the top of
# site-packages when an absolute data_files target was made relative.
_SYSTEM_DIRS = frozenset({"etc", "usr", "var", "opt", "srv", "boot", "home", "root", "run", "tmp", "bin", "sbin"})


def outside_prefix(venv: Path) -> dict[str, list[str]]:
    """Per distribution, the files it installed meant for outside ``venv``.

    Paths are relative to the venv.
    """
    found: dict[str, list[str]] = {}
    root = os.path.realpath(venv)
    resolved: dict[str, str] = {str(venv): root}  # directory -> its real path: one lookup per directory
    for record in sorted(venv.glob("lib/python3*/site-packages/*.dist-info/RECORD")):
        site = record.parent.parent
        top_level = _top_level(record.parent)
        rows = [row[0] for row in site_model.read_record(record, partial=True) or [] if row]
        strays = []
        for name in rows:
            path = os.path.normpath(os.path.join(site, name))
            first = name.split("/", 1)[0]
            escapes = os.path.commonpath([root, _real(path, resolved)]) != root
            if escapes or (first in _SYSTEM_DIRS and first not in top_level and "/" in name):
                strays.append(os.path.relpath(path, venv))
        if strays:
            found[record.parent.name[: -len(".dist-info")]] = sorted(strays)
    return found


def _real(path: str, resolved: dict[str, str]) -> str:
    """``os.path.realpath(path)``, each directory's real path remembered in ``resolved``."""
    if os.path.islink(path):
        return os.path.realpath(path)
    parent, name = os.path.split(path)
    return os.path.join(_real_dir(parent, resolved), name)


def _real_dir(directory: str, resolved: dict[str, str]) -> str:
    if directory not in resolved:
        parent, name = os.path.split(directory)
        if not name or parent == directory or os.path.islink(directory):
            resolved[directory] = os.path.realpath(directory)
        else:
            resolved[directory] = os.path.join(_real_dir(parent, resolved), name)
    return resolved[directory]


def _top_level(dist_info: Path) -> set[str]:
    try:
        return set((dist_info / "top_level.txt").read_text().split())
    except OSError:
        return set()


_MAX_LISTED = 20


def warn_outside_prefix(settings: Settings, report: Report, staging: Path) -> None:
    """List files distributions meant for outside the venv (absolute data_files)."""
    for dist, paths in outside_prefix(staging).items():
        report.warning(
            f"{dist} installs {len(paths)} file(s) meant for outside "
            f"{settings.final_venv} (absolute data_files?); they stay inside the venv, where the application "
            "will not find them at the system path; ship them with debian/*.install instead:",
            settings.package,
        )
        for path in paths[:_MAX_LISTED]:
            report.detail(path)
