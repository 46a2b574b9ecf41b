"""Which console scripts of the venv become commands on ``PATH``.

By default: the application's own scripts, read from its
``entry_points.txt`` (``console_scripts`` and ``gui_scripts``) and its
``RECORD`` (files it installs into ``bin/``: setuptools' ``scripts=``),
not those of its dependencies.  The application is the distribution pip installed
from the build copy of the source, recognised by its ``direct_url.json``.
``--console-script`` names any script of the venv instead (a dependency's
too) and may put its link in any directory; a package whose
``debian/<package>.links`` already links into the venv has made that
choice itself, so the default then links nothing (see :func:`defers_to`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from dh_venv import site
from dh_venv.errors import DhVenvError


def find_application(venv: Path, built_from: Path) -> Path | None:
    """The ``*.dist-info`` directory of the distribution installed from ``built_from``."""
    wanted = built_from.resolve()
    for dist in site.distributions(venv):
        url = dist.direct_url()
        parsed = urlparse(url) if url else None
        if parsed and parsed.scheme == "file" and Path(unquote(parsed.path)).resolve() == wanted:
            return dist.dist_info
    return None


def declared_scripts(dist_info: Path, *, strict: bool = False) -> list[str]:
    """Names of the console and GUI scripts a distribution declares (see :meth:`site.Distribution.script_names`)."""
    return site.at(dist_info).script_names(strict=strict)


def entry_point_scripts(dist_info: Path) -> list[str]:
    """Names of the console and GUI scripts the application declares (an error if they cannot be read)."""
    return declared_scripts(dist_info, strict=True)


def record_scripts(dist_info: Path) -> list[str]:
    """Names of the files a distribution's ``RECORD`` installs into the venv's ``bin/`` (``scripts=`` files too)."""
    try:
        rows = (dist_info / "RECORD").read_text(errors="replace").splitlines()
    except OSError:
        return []
    bin_dir = Path(os.path.normpath(dist_info.parent.parent.parent.parent / "bin"))
    names = []
    for row in rows:
        name = row.split(",", 1)[0].strip('"')
        path = Path(os.path.normpath(dist_info.parent / name)) if not name.startswith("/") else Path(name)
        if path.parent == bin_dir and not name.endswith((".pyc", ".pyo")):
            names.append(path.name)
    return names


def application_scripts(dist_info: Path) -> list[str]:
    """The application's own commands: its entry points and the scripts its ``RECORD`` puts into ``bin/``."""
    return sorted({*entry_point_scripts(dist_info), *record_scripts(dist_info)})


def link_path(link: str, bin_dir: PurePosixPath) -> PurePosixPath:
    """Where the link ``link`` (a name, or an absolute path) goes."""
    return PurePosixPath(link) if link.startswith("/") else bin_dir / link


def defers_to(maintainer_links: dict[PurePosixPath, PurePosixPath], final_venv: PurePosixPath) -> bool:
    """Whether the maintainer's own links (``debian/<package>.links``) point into the venv."""
    return any(target == final_venv or final_venv in target.parents for target in maintainer_links.values())


def plan_links(
    venv: Path,
    final_venv: PurePosixPath,
    bin_dir: PurePosixPath,
    app_scripts: Iterable[str],
    selected: tuple[tuple[str, str], ...] | None,
) -> dict[PurePosixPath, PurePosixPath]:
    """Map each link (``/usr/bin/<name>``) to its target in the final venv.

    ``selected`` (from ``--console-script``) may name any executable in the
    venv's ``bin/``, which covers applications installed from requirements
    with ``--skip-install`` and commands of dependencies; a link given as
    an absolute path goes there instead of into ``bin_dir``.
    """
    if selected is None:
        pairs = [(name, name) for name in sorted(set(app_scripts))]
    else:
        pairs = list(selected)
        for script, _ in pairs:
            if not (venv / "bin" / script).is_file():
                known = ", ".join(sorted(set(app_scripts))) or "none"
                raise DhVenvError(
                    f"--console-script {script}: no such script in {final_venv}/bin",
                    hint=f"the application's own scripts are: {known}",
                )
    links: dict[PurePosixPath, PurePosixPath] = {}
    for script, link in pairs:
        if not (venv / "bin" / script).exists():
            raise DhVenvError(
                f"console script {script} is declared by the application but missing from {final_venv}/bin",
                hint="check the project's entry points",
            )
        path = link_path(link, bin_dir)
        if path == final_venv or final_venv in path.parents:
            raise DhVenvError(
                f"console script {script} would be linked as {path}, inside the venv",
                hint="give a link outside the venv in --console-script=NAME=/DIR/LINK",
            )
        if path in links:
            raise DhVenvError(
                f"console scripts {links[path].name} and {script} would both be linked as {path}",
                hint="rename one with --console-script=NAME=OTHER",
            )
        links[path] = final_venv / "bin" / script
    return links
