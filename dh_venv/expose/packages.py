"""Two binary packages of one source may not share a venv directory or a command.

Checked for every package of the run before the first venv is built, and
again for links only known once a venv exists, against what earlier
packages of this run (or an earlier dh_venv call of this build) made.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path, PurePosixPath

from dh_venv import caches
from dh_venv.errors import DhVenvError
from dh_venv.expose import clashes
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_ONE_PACKAGE = "expose it from one package only (--console-script, --no-console-scripts)"


def check_before_building(packages: list[Settings], runner: Runner, own_packages: tuple[str, ...]) -> None:
    """Checks that need no venv, for every package of the run, before the first venv is built.

    Two packages may not share a venv directory or a link, in this run or
    with a package an earlier dh_venv call of this build filled; link
    names given with ``--console-script`` must not clash with the system.
    """
    venvs: dict[PurePosixPath, str] = {}
    planned: dict[str, dict[PurePosixPath, PurePosixPath]] = {}
    for settings in packages:
        for final, other in venvs.items():
            if (
                final == settings.final_venv
                or final in settings.final_venv.parents
                or settings.final_venv in final.parents
            ):
                raise DhVenvError(
                    f"the venv {settings.final_venv} would overlap the venv {final} of package {other}; "
                    "installing both would overwrite each other's files",
                    package=settings.package,
                    hint="give each package its own --install-suffix",
                )
        for other in own_packages:
            if other != settings.package and _staged(settings, other, settings.final_venv).exists():
                raise DhVenvError(
                    f"package {other} already has its venv at {settings.final_venv}",
                    package=settings.package,
                    hint="give each package its own --install-suffix",
                )
        venvs[settings.final_venv] = settings.package
        if settings.expose_scripts and settings.console_scripts is not None:
            links = {
                settings.bin_dir / link: settings.final_venv / "bin" / script
                for script, link in settings.console_scripts
            }
            planned[settings.package] = links
            try:
                check_other_staging(settings, links, own_packages)
                clashes.check_links(
                    links, settings.final_venv, runner, own_packages or (settings.package,), _cache(settings)
                )
            except DhVenvError as exc:
                raise exc.for_package(settings.package) from None
    clashes.duplicate_links(planned)


def check_predicted_links(
    settings: Settings, made: list[tuple[Settings, dict[PurePosixPath, PurePosixPath]]], taken: dict[PurePosixPath, str]
) -> None:
    """Before building a venv: fail if it would link what an earlier package of this run linked.

    A package built from the same project with the same options as an
    earlier one exposes the same console scripts.
    """
    for earlier, links in made:
        same = replace(
            earlier, package=settings.package, venv_name=settings.venv_name, staging_root=settings.staging_root
        )
        clash = sorted(link for link in links if link in taken) if same == settings else []
        if clash:
            raise DhVenvError(
                f"{clash[0]} would be linked by both {earlier.package} and {settings.package} "
                "(same project, same console-script options)",
                hint=_ONE_PACKAGE,
            )


def _staged(settings: Settings, package: str, path: PurePosixPath) -> Path:
    """``path`` in the staging tree of another binary package of this source."""
    return settings.build_dir / "debian" / package / str(path).lstrip("/")


def check_other_staging(
    settings: Settings, links: dict[PurePosixPath, PurePosixPath], own_packages: tuple[str, ...]
) -> None:
    for link in links:
        for other in own_packages:
            if other != settings.package and os.path.lexists(_staged(settings, other, link)):
                raise DhVenvError(
                    f"{link} is already in package {other}",
                    hint=_ONE_PACKAGE,
                )


def check_new_links(
    settings: Settings,
    links: dict[PurePosixPath, PurePosixPath],
    taken: dict[PurePosixPath, str],
    runner: Runner,
    own_packages: tuple[str, ...],
) -> None:
    """Links known once the venv exists: not linked by an earlier package, not owned on the system."""
    for link in links:
        if link in taken:
            raise DhVenvError(f"{link} is already linked by package {taken[link]}", hint=_ONE_PACKAGE)
    check_other_staging(settings, links, own_packages)
    clashes.check_links(links, settings.final_venv, runner, own_packages or (settings.package,), _cache(settings))


def _cache(settings: Settings) -> Path | None:
    """Where dpkg's answers are kept until its database changes; None when nothing may be reused."""
    return caches.reuse_root(settings.env, settings.build_dir)
