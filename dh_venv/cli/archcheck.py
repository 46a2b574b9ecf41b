"""For ``dh-venv migrate``: compiled wheels in an ``Architecture: all`` package, before any build.

dh_venv refuses an ``Architecture: all`` package whose venv holds ELF
files (dh-virtualenv shipped amd64 binaries in an ``_all.deb``).  Before
any build, the requirement set is resolved the way the build would
resolve it (same options, same index or wheelhouse), downloaded into a
scratch directory, and every wheel with a platform tag is named.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from dh_venv import interpreter
from dh_venv.errors import DhVenvError
from dh_venv.inputs import project
from dh_venv.inputs.collect import collect
from dh_venv.installers import plan
from dh_venv.installers.pip import PipBackend
from dh_venv.migration import Decision
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_SDISTS = (".tar.gz", ".zip", ".tar.bz2")


def compiled_files(settings: Settings, runner: Runner) -> tuple[list[str], list[str]]:
    """(wheels with a platform tag, sdists) the requirement set of ``settings`` resolves to."""
    # The venv's own tooling tells nothing about the application's files.
    settings = dataclasses.replace(settings, upgrade_pip=None)
    with tempfile.TemporaryDirectory(prefix="dh-venv-migrate-") as scratch:
        tmp = Path(scratch)
        python = interpreter.resolve(settings.python, runner)
        # pip downloads, whichever installer the build uses (as dh-venv vendor does).
        fetcher = PipBackend(runner, settings.env, tmp)
        fetcher.create(tmp / "venv", python, system_site_packages=False, extra_args=settings.extra_virtualenv_args)
        copy = None if settings.skip_install else project.prepare_copy(settings.source_dir, tmp / "src", runner)
        wanted = collect(settings, runner, python, copy)
        files = tmp / "files"
        files.mkdir()
        fetcher.download(tmp / "venv", plan.plan(wanted, tmp), files, allow_sdists=True)
        names = sorted(p.name for p in files.iterdir())
    wheels = [n for n in names if n.endswith(".whl") and not n[: -len(".whl")].endswith("-any")]
    sdists = [n for n in names if n.endswith(_SDISTS)]
    return wheels, sdists


def architecture_all(settings: Settings, runner: Runner) -> Decision | None:
    """The decision an ``Architecture: all`` package needs, if any."""
    where = "debian/control"
    try:
        wheels, sdists = compiled_files(settings, runner)
    except DhVenvError as exc:
        said = [line.strip() for line in exc.details.splitlines() if line.strip()]
        return Decision(
            where,
            f"{settings.package} is Architecture: all, and its requirement set could not be resolved to tell "
            f"whether it holds compiled files ({exc.message}{': ' + said[-1] if said else ''})",
            "dh_venv refuses an Architecture: all venv with ELF files; if it has some, "
            "dh-venv migrate --arch-any makes the package Architecture: any",
        )
    if wheels:
        return Decision(
            where,
            f"{settings.package} is Architecture: all, and its requirement set has compiled wheels "
            f"({', '.join(wheels)}); dh_venv refuses ELF files in an Architecture: all package",
            "dh-venv migrate --arch-any makes it Architecture: any (with ${shlibs:Depends})",
        )
    if sdists:
        return Decision(
            where,
            f"{settings.package} is Architecture: all, and its requirement set has sdists that may compile code "
            f"({', '.join(sdists)})",
            "if the build reports ELF files, dh-venv migrate --arch-any makes it Architecture: any",
        )
    return None
