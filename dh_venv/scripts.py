"""Which console scripts of the venv become commands on ``PATH``.

By default: the application's own scripts, read from its
``entry_points.txt`` (``console_scripts`` and ``gui_scripts``), not those
of its dependencies.  The application is the distribution pip installed
from the build copy of the source, recognised by its ``direct_url.json``.
"""

from __future__ import annotations

import configparser
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from dh_venv.errors import DhVenvError


def find_application(venv: Path, built_from: Path) -> Path | None:
    """The ``*.dist-info`` directory of the distribution installed from ``built_from``."""
    wanted = built_from.resolve()
    for direct_url in venv.glob("lib/python3*/site-packages/*.dist-info/direct_url.json"):
        try:
            url = json.loads(direct_url.read_text()).get("url", "")
        except (ValueError, OSError):
            continue
        parsed = urlparse(url)
        if parsed.scheme == "file" and Path(unquote(parsed.path)).resolve() == wanted:
            return direct_url.parent
    return None


def entry_point_scripts(dist_info: Path) -> list[str]:
    """Names of the console and GUI scripts a distribution declares."""
    path = dist_info / "entry_points.txt"
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(path)
    names: list[str] = []
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            names += [n.strip() for n in parser.options(section)]
    return names


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
    with ``--skip-install``.
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
        path = bin_dir / link
        if path in links:
            raise DhVenvError(
                f"console scripts {links[path].name} and {script} would both be linked as {path}",
                hint="rename one with --console-script=NAME=OTHER",
            )
        links[path] = final_venv / "bin" / script
    return links
