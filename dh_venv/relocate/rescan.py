"""``dh_venv_rescan``: the venv again, after whatever ran between dh_venv and the packaging steps.

Maintainers change the venv after ``dh_venv``: the venv's own pip in
``override_dh_venv``, files a later override copies in, patches.  Those
files name the build directory (pip's shebangs, ``__pycache__`` compiled
against the staging path, ``RECORD`` hashes, ``direct_url.json``) exactly
as dh_venv's own installs did.  This step, which the add-on runs after
``dh_venv_restore`` (so after ``dh_strip``: a helper compiled with ``-g``
no longer names the build directory) and before ``dh_installdeb``,
relocates the venvs dh_venv recorded once more
(:func:`~dh_venv.relocate.finalize.finalize` leaves alone what is already
right) and fails the build if a build path remains.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from dh_venv.relocate import finalize, scan
from dh_venv.runner import Runner


def rescan(
    build_dir: Path, staging_root: Path, venvs: Iterable[str], allowed: Iterable[str], runner: Runner
) -> list[str]:
    """Relocate and scan ``venvs`` (final paths) in ``staging_root``; return one line per venv it had to fix."""
    changed = []
    for venv in venvs:
        staging_venv = staging_root / venv.lstrip("/")
        runner.announce(f"rewrite {staging_venv} for {venv} again, then scan it for {build_dir}")
        if runner.no_act or not staging_venv.is_dir():
            continue
        report = finalize.finalize(staging_venv, PurePosixPath(venv))
        bytecode = [p for p in report.removed if p.name == "__pycache__" or p.suffix in (".pyc", ".pyo")]
        rewritten = len(report.rewritten) + len(report.relinked)
        if bytecode or rewritten:
            changed.append(
                f"{venv}: what ran after dh_venv left {rewritten} file(s) naming the build directory "
                f"and {len(bytecode)} bytecode director(y/ies) or file(s); relocated and removed"
            )
        scan.fail_on_leaks(staging_venv, staging_root, build_dir, allowed, after="after dh_venv")
    return changed
