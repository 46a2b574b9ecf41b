"""The pipeline for one binary package: create, install, finalize, scan, expose.

Works on :class:`~dh_venv.settings.Settings` and plain paths; the Debian
side effects go through :mod:`dh_venv.debhelper.files`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path, PurePosixPath

from dh_venv import interpreter
from dh_venv.compiled import steps as compiled
from dh_venv.debhelper import files as debhelper
from dh_venv.debhelper import lintian
from dh_venv.errors import DhVenvError
from dh_venv.expose import clashes, scripts
from dh_venv.inputs import collect as inputs
from dh_venv.inputs import project
from dh_venv.installers import lean, venv
from dh_venv.installers import pip as installers
from dh_venv.relocate import finalize, scan
from dh_venv.relocate import outside as records
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_MAX_LISTED_LEAKS = 20


def check_inputs(settings: Settings) -> list[Path]:
    """Validate what can be checked before anything is built; return requirements files."""
    for what, path in (("build directory", settings.build_dir), ("source directory", settings.source_dir)):
        try:
            os.fsencode(path).decode("utf-8")
        except UnicodeDecodeError:
            shown = os.fsencode(path).decode("utf-8", "backslashreplace")
            raise DhVenvError(
                f"the {what} {shown} is not valid UTF-8; pip and Python build backends cannot work there",
                hint="build in a directory whose path is UTF-8",
            ) from None
    if not settings.skip_install:
        project.check_project(settings.source_dir)
    elif not settings.source_dir.is_dir():
        raise DhVenvError(f"source directory {settings.source_dir} does not exist", hint="fix --sourcedirectory")
    return inputs.requirement_files(settings.source_dir, settings.requirements)


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
                _check_other_staging(settings, links, own_packages)
                clashes.check_links(links, settings.final_venv, runner, own_packages or (settings.package,))
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
                hint="expose it from one package only (--console-script, --no-console-scripts)",
            )


def _staged(settings: Settings, package: str, path: PurePosixPath) -> Path:
    """``path`` in the staging tree of another binary package of this source."""
    return settings.build_dir / "debian" / package / str(path).lstrip("/")


def _check_other_staging(
    settings: Settings, links: dict[PurePosixPath, PurePosixPath], own_packages: tuple[str, ...]
) -> None:
    for link in links:
        for other in own_packages:
            if other != settings.package and os.path.lexists(_staged(settings, other, link)):
                raise DhVenvError(
                    f"{link} is already in package {other}",
                    hint="expose it from one package only (--console-script, --no-console-scripts)",
                )


def build_package(
    settings: Settings,
    runner: Runner,
    version: str,
    taken: dict[PurePosixPath, str],
    own_packages: tuple[str, ...] = (),
) -> dict[PurePosixPath, PurePosixPath]:
    """Build the venv of one package into its staging tree.

    ``taken`` maps links already made by earlier packages of this run to
    their package, so two packages cannot ship the same command;
    ``own_packages`` (the binary packages of this source) may own a link's
    path on the build machine.  Returns the links made.
    """
    check_inputs(settings)
    for line in debhelper.incumbent_triggers(settings.build_dir, settings.package):
        runner.log(
            f"dh_venv: warning: {settings.package}: debian/{settings.package}.triggers: {line!r} is "
            "dh-virtualenv's trigger, which nothing activates or handles any more (the venv links "
            "its interpreter instead of copying it); delete the line"
        )
    python = interpreter.resolve(settings.python, runner)
    env = compiled.build_environment(settings.env, settings.work_dir, runner)
    staging = settings.staging_venv
    copy = None
    if not settings.skip_install:
        skipped: list[Path] = []
        copy = project.prepare_copy(settings.source_dir, settings.work_dir / "src", runner, skipped)
        project.warn_skipped(settings.package, runner, skipped)
    wanted = inputs.collect(settings, runner, python, copy)
    backend = installers.make_backend(settings.installer, runner, env, settings.work_dir)
    backend.prepare(wanted)
    backend.create(
        staging,
        python,
        system_site_packages=settings.use_system_packages,
        extra_args=settings.extra_virtualenv_args,
        seed=wanted.sources,
        lean=not settings.keep_seed,
    )
    seeded = clashes.seed(staging) if not runner.no_act else None
    reports = backend.install(staging, wanted, report=compiled.report_path(staging, settings.work_dir))
    if runner.no_act:
        # What follows reads the venv, which --no-act did not make.
        if settings.check:
            runner.announce(f"{venv.python_of(staging)} -m pip check")
        runner.announce(f"rewrite {staging} for {settings.final_venv}, then scan it for {settings.build_dir}")
        if settings.expose_scripts:
            runner.announce(f"link the console scripts of {settings.final_venv}/bin into {settings.bin_dir}")
        _plan_debian(settings, runner, version, python, {})
        return {}
    if seeded is not None:
        clashes.check_venv_scripts(staging, seeded)
    _warn_outside_prefix(settings, runner, staging)
    if settings.check:
        backend.check(staging)
    app = scripts.find_application(staging, copy) if copy else None
    if not settings.keep_seed:
        _leave_out_seed(settings, runner, backend, staging, wanted, python, app)
    compiled.check_architecture(settings)
    compiled.strip_prebuilt_debug(settings, runner, reports)

    app_scripts = scripts.entry_point_scripts(app) if app else []
    links = _plan_exposure(settings, runner, staging, app_scripts) if settings.expose_scripts else {}
    if links:
        for link in links:
            if link in taken:
                raise DhVenvError(
                    f"{link} is already linked by package {taken[link]}",
                    hint="expose it from one package only (--console-script, --no-console-scripts)",
                )
        _check_other_staging(settings, links, own_packages)
        clashes.check_links(links, settings.final_venv, runner, own_packages or (settings.package,))

    runner.announce(f"rewrite {staging} for {settings.final_venv}")
    finalize.finalize(staging, settings.final_venv)
    _fail_on_leaks(settings, staging)
    _plan_debian(settings, runner, version, python, links)
    compiled.record(settings, reports)
    blocks = lintian.overrides(
        settings.package, settings.staging_root, settings.final_venv, app / "RECORD" if app else None
    )
    debhelper.PackageFiles(settings.build_dir, settings.package, runner, version).add_lintian_overrides(
        settings.staging_root, lintian.render(blocks)
    )
    taken.update({link: settings.package for link in links})
    return links


def _leave_out_seed(
    settings: Settings,
    runner: Runner,
    backend: installers.Backend,
    staging: Path,
    wanted: inputs.Inputs,
    python: interpreter.Interpreter,
    app: Path | None,
) -> None:
    """Remove pip, setuptools and wheel unless asked for or required; warn about undeclared pkg_resources users."""
    dists = lean.installed(staging)
    if backend.seeded:
        app_name = lean.installed_name(app) if app else None
        keep = lean.needed(dists, lean.requested(wanted, app_name), inputs.marker_environment(python, runner))
        backend.remove_seed(staging, keep)
        dists = {name: reqs for name, reqs in dists.items() if name not in lean.SEED or name in keep}
    if "setuptools" not in dists:
        users = lean.pkg_resources_users(staging)
        if users:
            shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
            runner.log(
                f"dh_venv: warning: {settings.package}: {shown} import(s) pkg_resources, which comes with "
                "setuptools, and no installed distribution requires setuptools, so the venv has none; if the "
                "application needs it at run time, add setuptools to the requirements (or build with --keep-seed)"
            )


def _plan_exposure(
    settings: Settings, runner: Runner, staging: Path, app_scripts: list[str]
) -> dict[PurePosixPath, PurePosixPath]:
    """The console-script links to make, in agreement with debian/<package>.links."""
    package, final = settings.package, settings.final_venv
    own = debhelper.maintainer_links(settings.build_dir, package)
    if settings.console_scripts is None and scripts.defers_to(own, final):
        # The maintainer chose the commands (as dh-virtualenv packages do).
        left = [n for n in sorted(set(app_scripts)) if final / "bin" / n not in own.values()]
        if left:
            runner.log(
                f"dh_venv: {package}: debian/{package}.links links into the venv, so dh_venv links no "
                f"console scripts itself (not linked: {', '.join(left)}); --console-script links them"
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
                runner.log(
                    f"dh_venv: {package}: {link} is already in the package, so the console script "
                    f"{target.name} is not linked there; --console-script=NAME=OTHER links it elsewhere"
                )
    for link, target in sorted(links.items()):
        if link in own and own[link] != target:
            raise DhVenvError(
                f"debian/{package}.links links {link} to {own[link]}, and dh_venv would link it to {target}",
                hint="delete the line, or link the script elsewhere with --console-script=NAME=OTHER",
            )
    if settings.console_scripts is None and links:
        runner.log(
            f"dh_venv: {package}: linked the application's console scripts as {', '.join(map(str, sorted(links)))}; "
            "--no-console-scripts leaves them off PATH, as dh-virtualenv did"
        )
    return links


def _fail_on_leaks(settings: Settings, staging: Path) -> None:
    """Stop the build, listing the files, if the venv still names the build directory."""
    leaks = scan.find_leaks([staging], scan.needles_for(settings.build_dir), settings.allow_build_path)
    if not leaks:
        return
    shown = [f"  {p.relative_to(settings.staging_root)}" for p in leaks[:_MAX_LISTED_LEAKS]]
    if len(leaks) > _MAX_LISTED_LEAKS:
        shown.append(f"  ... and {len(leaks) - _MAX_LISTED_LEAKS} more")
    raise DhVenvError(
        f"{len(leaks)} file(s) of the venv still contain the build path {settings.build_dir}",
        hint="they would be broken on the target; stop the project from recording absolute build paths, "
        "or, if the path is harmless there, allow the file with --allow-build-path=PATTERN",
        details="\n".join(shown),
    )


def _warn_outside_prefix(settings: Settings, runner: Runner, staging: Path) -> None:
    """List files distributions meant for outside the venv (absolute data_files)."""
    for dist, paths in records.outside_prefix(staging).items():
        runner.log(
            f"dh_venv: warning: {settings.package}: {dist} installs {len(paths)} file(s) meant for outside "
            f"{settings.final_venv} (absolute data_files?); they stay inside the venv, where the application "
            "will not find them at the system path; ship them with debian/*.install instead:"
        )
        for path in paths[:_MAX_LISTED_LEAKS]:
            runner.log(f"dh_venv: warning:   {path}")


def _plan_debian(
    settings: Settings,
    runner: Runner,
    version: str,
    python: interpreter.Interpreter,
    links: dict[PurePosixPath, PurePosixPath],
) -> None:
    """Links, dependency on the interpreter and maintainer-script snippets."""
    debhelper.make_links(settings.staging_root, links, runner)
    files = debhelper.PackageFiles(settings.build_dir, settings.package, runner, version)
    depends = debhelper.interpreter_package(python.path, runner)
    if depends:
        files.add_depends(depends)
    else:
        runner.log(
            f"dh_venv: warning: {settings.package}: {python.path} belongs to no Debian package; "
            "add the interpreter to Depends yourself"
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
        for script in ("postinst", "prerm", "postrm"):
            files.add_autoscript(script, f"{script}-venv", values)
        # An upgrade of the interpreter's package re-runs postinst "triggered".
        files.add_trigger("interest-noawait", str(python.path))
