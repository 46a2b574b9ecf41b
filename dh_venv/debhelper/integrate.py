"""What a venv package needs from Debian around the venv: links, Depends, maintainer scripts, overrides.

The interpreter's package goes into ``${misc:Depends}``; the postinst
byte-compiles the venv, prerm and postrm remove what was generated
(postrm snippets are prepended, so they are added in reverse order); an
upgrade of the interpreter's package re-runs postinst through a trigger;
lintian overrides say why a venv's layout is not a defect.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from dh_venv import caches
from dh_venv.debhelper import files as debhelper
from dh_venv.debhelper import lintian
from dh_venv.errors import DhVenvError
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner
from dh_venv.settings import Settings


def integrate(
    settings: Settings,
    runner: Runner,
    version: str,
    python: Interpreter,
    links: dict[PurePosixPath, PurePosixPath],
) -> None:
    """Links, dependency on the interpreter and maintainer-script snippets."""
    debhelper.make_links(settings.staging_root, links, runner)
    files = debhelper.PackageFiles(settings.build_dir, settings.package, runner, version)
    depends = debhelper.interpreter_package(python.path, runner, caches.reuse_root(settings.env, settings.build_dir))
    if depends:
        files.add_depends(depends)
    else:
        runner.report.warning(
            f"{python.path} belongs to no Debian package; add the interpreter to Depends yourself", settings.package
        )
    if settings.maintainer_scripts:
        values = {
            "VENV": str(settings.final_venv),
            "ROOT": str(settings.final_venv.parent),
            "PACKAGE": settings.package,
            "PYTHON": str(python.path),
        }
        # postrm snippets are prepended: added in the reverse of their order.
        if settings.final_venv.parts[1:2] == ("opt",):
            files.add_autoscript("postrm", "postrm-venv-opt", values)
        files.add_autoscript("postrm", "postrm-venv-root", values)
        files.add_autoscript("postrm", "postrm-venv-renamed", values)
        for script in ("preinst", "postinst", "prerm", "postrm"):
            files.add_autoscript(script, f"{script}-venv", values)
        # An upgrade from a version with its venv elsewhere removes the old one.
        files.add_autoscript("postinst", "postinst-venv-renamed", values)
        # An upgrade of the interpreter's package re-runs postinst "triggered".
        files.add_trigger("interest-noawait", str(python.path))


def add_lintian_overrides(settings: Settings, runner: Runner, version: str, app: Path | None) -> None:
    """The venv's own lintian overrides, merged into the maintainer's."""
    blocks = lintian.overrides(
        settings.package, settings.staging_root, settings.final_venv, app / "RECORD" if app else None
    )
    debhelper.PackageFiles(settings.build_dir, settings.package, runner, version).add_lintian_overrides(
        settings.staging_root, lintian.render(blocks)
    )


def check_maintainer_scripts(settings: Settings, own_packages: tuple[str, ...]) -> None:
    """Fail if the package's own maintainer scripts would never run dh_venv's snippets.

    No dpkg mechanism byte-compiles for a package without its postinst: a
    trigger runs that same postinst, which then lacks the snippet too.
    """
    if not settings.maintainer_scripts:
        return
    main = own_packages[0] if own_packages else settings.package
    missing = debhelper.without_token(settings.build_dir, settings.package, main)
    if missing:
        raise DhVenvError(
            f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no #DEBHELPER# line, so dh_venv's "
            "snippets (byte-compiling the venv after install, removing the bytecode before removal and the venv "
            "on purge) would never run: without bytecode every start of the application compiles anew",
            package=settings.package,
            hint="add a line #DEBHELPER# (before the final exit 0; dh-venv migrate --add-debhelper-token does it), "
            "or build with -n/--noscripts to go without the snippets",
        )


def warn_incumbent_triggers(settings: Settings, runner: Runner) -> None:
    """dh-virtualenv's interpreter trigger in debian/<package>.triggers is dead: say so."""
    for line in debhelper.incumbent_triggers(settings.build_dir, settings.package):
        runner.report.warning(
            f"debian/{settings.package}.triggers: {line!r} is "
            "dh-virtualenv's trigger, which nothing activates or handles any more (the venv links "
            "its interpreter instead of copying it); delete the line",
            settings.package,
        )
