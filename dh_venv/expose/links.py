"""The console-script links of one package, in agreement with ``debian/<package>.links``.

The maintainer's own links into the venv win (dh-virtualenv packages
choose their commands that way); a file the package already has where a
default link would go wins too; an explicit ``--console-script`` that
contradicts ``debian/<package>.links`` is an error.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.expose import scripts
from dh_venv.runner import Runner
from dh_venv.settings import Settings


def choose_links(
    settings: Settings, runner: Runner, staging: Path, app_scripts: list[str]
) -> dict[PurePosixPath, PurePosixPath]:
    """The console-script links to make, in agreement with debian/<package>.links."""
    package, final = settings.package, settings.final_venv
    own = debhelper.maintainer_links(settings.build_dir, package)
    if settings.console_scripts is None and scripts.defers_to(own, final):
        # The maintainer chose the commands (as dh-virtualenv packages do).
        left = [n for n in sorted(set(app_scripts)) if final / "bin" / n not in own.values()]
        if left:
            runner.report.info(
                f"debian/{package}.links links into the venv, so dh_venv links no "
                f"console scripts itself (not linked: {', '.join(left)}); --console-script links them",
                package,
            )
        return {}
    links = scripts.plan_links(staging, final, settings.bin_dir, app_scripts, settings.console_scripts)
    if settings.console_scripts is None:
        # A default link gives way to a file the package already has there
        # (a wrapper script from debian/*.install, as dh-virtualenv packages ship).
        for link, target in sorted(links.items()):
            path = settings.staging_root / str(link).lstrip("/")
            if path.is_symlink() and os.readlink(path) == str(target):
                continue
            if path.exists() or path.is_symlink():
                del links[link]
                runner.report.info(
                    f"{link} is already in the package, so the console script "
                    f"{target.name} is not linked there; --console-script=NAME=OTHER links it elsewhere",
                    package,
                )
    for link, target in sorted(links.items()):
        if link in own and own[link] != target:
            raise DhVenvError(
                f"debian/{package}.links links {link} to {own[link]}, and dh_venv would link it to {target}",
                hint="delete the line, or link the script elsewhere with --console-script=NAME=OTHER",
            )
    if settings.console_scripts is None and not app_scripts:
        runner.report.info(
            f"the application declares no console script and installs no script into {final}/bin, so the "
            f"package puts no command on PATH; --console-script=NAME links a script of the venv (a dependency's "
            f"too), --no-console-scripts says none is wanted",
            package,
        )
    if settings.console_scripts is None and links:
        runner.report.info(
            f"linked the application's console scripts as {', '.join(map(str, sorted(links)))}; "
            "--no-console-scripts leaves them off PATH, as dh-virtualenv did",
            package,
        )
    return links
