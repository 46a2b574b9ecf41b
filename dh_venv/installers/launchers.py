"""Windows launchers left out of the venv: the ``.exe`` files pip and setuptools carry.

pip (in its vendored distlib) and setuptools ship small Windows programs
(``t64.exe``, ``w64-arm.exe``, ``cli-64.exe``, ``gui.exe`` ...) that they
copy beside a script they install on Windows, and never read on Linux.
Debian's python3-setuptools leaves them out, and so does the venv: they are
up to 0.85 MB of a venv that keeps pip and setuptools (as much as 0.7 MB for
bookworm's setuptools wheel alone), which every build would compress again
and every machine store.  Each file goes with its line in the
distribution's ``RECORD``, so the venv stays consistent and pip still
uninstalls or upgrades the distribution cleanly.

Standalone distlib keeps its launchers: making Windows launchers from any
system is part of its API.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from dh_venv import site
from dh_venv.runner import Runner

#: Where each distribution keeps its launchers, relative to site-packages.
_PLACES = {"pip": "pip/_vendor/distlib", "setuptools": "setuptools"}
_NAME = re.compile(r"[a-z]+[0-9]*(-[a-z0-9]+)?\.exe")  # t32.exe, w64-arm.exe, cli-arm64.exe, gui.exe
_PE_MAGIC = b"MZ"


def launchers(venv: Path) -> dict[site.Distribution, list[str]]:
    """The Windows launchers of each distribution of ``venv`` that has some, as its RECORD names them."""
    found: dict[site.Distribution, list[str]] = {}
    for dist in site.distributions(venv):
        place = _PLACES.get(dist.name)
        if place is None:
            continue
        names = [row[0] for row in dist.record_rows() if _is_launcher(dist.site_packages, row[0], place)]
        if names:
            found[dist] = names
    return found


def _is_launcher(site_packages: Path, name: str, place: str) -> bool:
    if posixpath.dirname(name) != place or not _NAME.fullmatch(posixpath.basename(name)):
        return False
    path = site_packages / name
    if path.is_symlink():
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == _PE_MAGIC
    except OSError:
        return False


def leave_out(venv: Path, runner: Runner) -> int:
    """Remove the Windows launchers of pip and setuptools from ``venv`` and from their RECORD; return how many."""
    found = launchers(venv)
    if not found:
        return 0
    count = sum(len(names) for names in found.values())

    def remove() -> None:
        for dist, names in found.items():
            gone = set(names)
            rows = site.read_record(dist.dist_info / "RECORD") or []
            site.write_record(dist.dist_info / "RECORD", [row for row in rows if not row or row[0] not in gone])
            for name in names:
                os.unlink(dist.site_packages / name)

    shown = ", ".join(dist.display_name for dist in found)
    runner.apply(f"leave out {count} Windows launcher(s) (.exe) of {shown}: Linux never runs them", remove)
    return count
