"""Nothing an installer writes may land outside the venv.

A console or GUI script name comes from a distribution's
``entry_points.txt`` and becomes a file name under ``bin/``; a name such as
``../../../usr/share/doc/x`` or ``/etc/cron.d/x`` is a path.  pip reduces
such a name to its last part; uv (0.9.7, the version dh_venv pins) joins it
to ``bin/`` as it is, so the file lands in the staging tree outside the venv
or, for an absolute name, on the build machine.  A wheel's own file names
(``../x``, ``/x``, ``.data/data/../../x``) are the other way out.

:func:`check_wheels` looks at the wheels the installer will find in local
directories before it runs; :func:`check_venv` looks at every distribution
installed and at the staging tree after it ran, and fails the build.
"""

from __future__ import annotations

import configparser
import csv
import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from dh_venv import site
from dh_venv.errors import DhVenvError

_MAX_LISTED = 20


def bad_name(name: str) -> bool:
    """Whether a script name is a path (or empty) rather than a file name."""
    return not name or name in (".", "..") or any(c in name for c in "/\\\0") or name != name.strip()


def bad_member(name: str) -> bool:
    """Whether a file name of a wheel (or a RECORD row) is absolute or climbs out with ``..``."""
    return name.startswith("/") or "\0" in name or ".." in PurePosixPath(name.replace("\\", "/")).parts


def script_names(text: str) -> list[tuple[str, str]]:
    """(group, name) of every console and GUI script an ``entry_points.txt`` declares (none if it is no INI file)."""
    try:
        return site.entry_point_scripts(text)
    except configparser.Error:
        return []


def _script_error(dist: str, group: str, name: str, where: str) -> DhVenvError:
    kind = "GUI script" if group == "gui_scripts" else "console script"
    return DhVenvError(
        f"distribution {dist}{where} declares the {kind} {name!r}, a path rather than a file name; "
        "installed, it would be written outside the venv",
        hint="leave that distribution out, or fix its entry points",
    )


def check_wheels(directories: Iterable[Path]) -> None:
    """Refuse a wheel in these directories (wheelhouse, local ``--find-links``) that names paths."""
    for directory in directories:
        for wheel in sorted(directory.glob("*.whl")):
            _check_wheel(wheel)


def _check_wheel(wheel: Path) -> None:
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            for member in names:
                if bad_member(member):
                    raise DhVenvError(
                        f"the wheel {wheel} holds the file {member!r}, whose path leaves the venv",
                        hint="remove the wheel; no installer may unpack it",
                    )
            dist = wheel.name.split("-")[0]
            where = f" ({wheel.name} in {wheel.parent})"
            for member in names:
                parts = member.split("/")
                if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "entry_points.txt":
                    text = archive.read(member).decode("utf-8", "replace")
                    for group, name in script_names(text):
                        if bad_name(name):
                            raise _script_error(f"{dist} {wheel.name.split('-')[1]}", group, name, where)
    except (OSError, zipfile.BadZipFile):
        return  # not readable as a wheel: the installer will say so


def check_venv(venv: Path, staging_root: Path, before: set[str], installer: str) -> None:
    """Fail if a distribution in ``venv`` declares a path as a script name or installed files outside it.

    ``before`` lists the staging tree (:func:`outside_files`) before the
    installer ran; anything new outside the venv is its doing.
    """
    root = os.path.normpath(venv)
    for dist_info in sorted(venv.glob("lib/python3*/site-packages/*.dist-info")):
        dist = " ".join(dist_info.name[: -len(".dist-info")].rsplit("-", 1))
        try:
            text = (dist_info / "entry_points.txt").read_text(errors="replace")
        except OSError:
            text = ""
        bad = [(group, name) for group, name in script_names(text) if bad_name(name)]
        escaped = _recorded_outside(dist_info, root)
        if escaped:
            names = f"; it declares the script(s) {', '.join(repr(n) for _, n in bad)}" if bad else ""
            raise _written_outside(dist, installer, escaped, staging_root, before, names)
        if bad:
            raise _script_error(dist, *bad[0], "")
    new = sorted(str(staging_root / n) for n in outside_files(staging_root, venv) - before)
    if new:
        raise _written_outside("an installed distribution", installer, new, staging_root, before)


def _recorded_outside(dist_info: Path, root: str) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO((dist_info / "RECORD").read_text(errors="surrogateescape"))))
    except (OSError, csv.Error):
        return []
    site = dist_info.parent
    found = []
    for row in rows:
        if row and row[0]:
            path = os.path.normpath(os.path.join(site, row[0]))
            if not (path == root or path.startswith(root + "/")):
                found.append(path)
    return found


def _written_outside(
    dist: str, installer: str, paths: list[str], staging_root: Path, before: set[str], names: str = ""
) -> DhVenvError:
    """The error for files written outside the venv; those new in the staging tree are removed first."""
    on_machine = []
    for path in paths:
        if not Path(path).is_relative_to(staging_root):
            on_machine += [path] if os.path.lexists(path) else []
        elif os.path.lexists(path) and os.path.relpath(path, staging_root) not in before:
            os.unlink(path)  # never shipped by a later step
    shown = [f"  {p}" for p in paths[:_MAX_LISTED]]
    if len(paths) > _MAX_LISTED:
        shown.append(f"  ... and {len(paths) - _MAX_LISTED} more")
    where = f"; {installer} wrote {', '.join(on_machine)} on this build machine: remove it" if on_machine else ""
    return DhVenvError(
        f"{installer} installed {len(paths)} file(s) of {dist} outside the venv{names}{where}",
        hint="leave that distribution out, or fix it",
        details="\n".join(shown),
    )


def outside_files(staging_root: Path, venv: Path) -> set[str]:
    """Files of the staging tree outside ``venv`` (relative to the tree)."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(staging_root):
        here = Path(dirpath)
        if here == venv:
            dirnames.clear()
            continue
        for name in filenames:
            found.add(str((here / name).relative_to(staging_root)))
    return found
