"""The pipeline for one binary package: create, install, finalize, scan, expose.

Works on :class:`~dh_venv.settings.Settings` and plain paths; the Debian
side effects go through :mod:`dh_venv.debhelper`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from dh_venv import debhelper, finalize, inputs, installers, interpreter, project, scan, scripts, venv
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_MAX_LISTED_LEAKS = 20


def check_inputs(settings: Settings) -> list[Path]:
    """Validate what can be checked before anything is built; return requirements files."""
    if not settings.skip_install:
        project.check_project(settings.source_dir)
    elif not settings.source_dir.is_dir():
        raise DhVenvError(f"source directory {settings.source_dir} does not exist", hint="fix --sourcedirectory")
    return inputs.requirement_files(settings.source_dir, settings.requirements)


def build_package(settings: Settings, runner: Runner, version: str, taken: dict[PurePosixPath, str]) -> None:
    """Build the venv of one package into its staging tree.

    ``taken`` maps links already made by earlier packages of this run to
    their package, so two packages cannot ship the same command.
    """
    check_inputs(settings)
    python = interpreter.resolve(settings.python, runner)
    staging = settings.staging_venv
    copy = None
    if not settings.skip_install:
        copy = project.prepare_copy(settings.source_dir, settings.work_dir / "src", runner)
    wanted = inputs.collect(settings, runner, python, copy)
    backend = installers.make_backend(settings.installer, runner, settings.env, settings.work_dir)
    backend.create(
        staging,
        python,
        system_site_packages=settings.use_system_packages,
        extra_args=settings.extra_virtualenv_args,
        seed=wanted.sources,
    )
    backend.install(staging, wanted)
    if runner.no_act:
        # What follows reads the venv, which --no-act did not make.
        if settings.check:
            runner.announce(f"{venv.python_of(staging)} -m pip check")
        runner.announce(f"rewrite {staging} for {settings.final_venv}, then scan it for {settings.build_dir}")
        if settings.expose_scripts:
            runner.announce(f"link the console scripts of {settings.final_venv}/bin into {settings.bin_dir}")
        _plan_debian(settings, runner, version, python, {})
        return
    if settings.check:
        backend.check(staging)
    if wanted.lock is not None and not settings.keep_seed:
        # Exactly what the lock says: the venv's seed goes unless the lock pins it.
        backend.remove_seed(staging, {p.name for p in wanted.lock.pins})

    app = scripts.find_application(staging, copy) if copy else None
    app_scripts = scripts.entry_point_scripts(app) if app else []
    links = {}
    if settings.expose_scripts:
        links = scripts.plan_links(
            staging, settings.final_venv, settings.bin_dir, app_scripts, settings.console_scripts
        )
        for link in links:
            if link in taken:
                raise DhVenvError(
                    f"{link} is already linked by package {taken[link]}",
                    hint="expose it from one package only (--console-script, --no-console-scripts)",
                )

    runner.announce(f"rewrite {staging} for {settings.final_venv}")
    finalize.finalize(staging, settings.final_venv)
    _fail_on_leaks(settings, staging)
    _plan_debian(settings, runner, version, python, links)
    taken.update({link: settings.package for link in links})


def _fail_on_leaks(settings: Settings, staging: Path) -> None:
    """Stop the build, listing the files, if the venv still names the build directory."""
    leaks = scan.find_leaks([staging], scan.needles_for(settings.build_dir))
    if not leaks:
        return
    shown = [f"  {p.relative_to(settings.staging_root)}" for p in leaks[:_MAX_LISTED_LEAKS]]
    if len(leaks) > _MAX_LISTED_LEAKS:
        shown.append(f"  ... and {len(leaks) - _MAX_LISTED_LEAKS} more")
    raise DhVenvError(
        f"{len(leaks)} file(s) of the venv still contain the build path {settings.build_dir}",
        hint="they would be broken on the target; stop the project from recording absolute build paths",
        details="\n".join(shown),
    )


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
        values = {"VENV": str(settings.final_venv), "PACKAGE": settings.package}
        for script in ("postinst", "prerm", "postrm"):
            files.add_autoscript(script, f"{script}-venv", values)
