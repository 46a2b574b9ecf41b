"""The pipeline for one binary package: create, install, finalize, scan, expose.

Works on :class:`~dh_venv.settings.Settings` and plain paths; the Debian
side effects go through :mod:`dh_venv.debhelper`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from dh_venv import debhelper, finalize, installers, interpreter, lintian, project, scan, scripts, venv
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_DEFAULT_REQUIREMENTS = "requirements.txt"
_MAX_LISTED_LEAKS = 20


def check_inputs(settings: Settings) -> list[Path]:
    """Validate what can be checked before anything is built; return requirements files."""
    if not settings.skip_install:
        project.check_project(settings.source_dir)
    elif not settings.source_dir.is_dir():
        raise DhVenvError(f"source directory {settings.source_dir} does not exist", hint="fix --sourcedirectory")
    if settings.requirements is None:
        default = settings.source_dir / _DEFAULT_REQUIREMENTS
        return [default] if default.is_file() else []
    files = [settings.source_dir / r for r in settings.requirements]
    for path in files:
        if not path.is_file():
            raise DhVenvError(
                f"requirements file {path} does not exist",
                hint="fix --requirements (paths are relative to the source directory)",
            )
    return files


def build_package(settings: Settings, runner: Runner, version: str, taken: dict[PurePosixPath, str]) -> None:
    """Build the venv of one package into its staging tree.

    ``taken`` maps links already made by earlier packages of this run to
    their package, so two packages cannot ship the same command.
    """
    requirement_files = check_inputs(settings)
    python = interpreter.resolve(settings.python, runner)
    env = settings.env
    staging = settings.staging_venv
    venv.create(
        staging,
        python,
        runner,
        env=env,
        system_site_packages=settings.use_system_packages,
        extra_args=settings.extra_virtualenv_args,
    )
    installer = installers.make_installer(
        settings.installer,
        runner,
        env,
        index_url=settings.index_url,
        extra_index_urls=settings.extra_index_urls,
        extra_args=settings.extra_pip_args,
    )
    if settings.upgrade_pip is not None:
        pip = f"pip=={settings.upgrade_pip}" if settings.upgrade_pip else "pip"
        installer.install(staging, ["--upgrade", pip], cwd=settings.source_dir, what=f"{pip} (--upgrade-pip)")
    if settings.preinstall:
        installer.install(staging, settings.preinstall, cwd=settings.source_dir, what="the --preinstall packages")
    wanted, extras = _requirement_args(settings, runner, requirement_files)
    copy = None
    if not settings.skip_install:
        copy = project.prepare_copy(settings.source_dir, settings.work_dir / "src", runner)
        wanted.append(f"{copy}[{','.join(extras)}]" if extras else str(copy))
    if wanted:
        what = "the application and its requirements" if copy else "the requirements"
        installer.install(staging, wanted, cwd=settings.source_dir, what=what)
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
        installer.check(staging)

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
    blocks = lintian.overrides(
        settings.package, settings.staging_root, settings.final_venv, app / "RECORD" if app else None
    )
    debhelper.PackageFiles(settings.build_dir, settings.package, runner, version).add_lintian_overrides(
        settings.staging_root, lintian.render(blocks)
    )
    taken.update({link: settings.package for link in links})


def _requirement_args(settings: Settings, runner: Runner, files: list[Path]) -> tuple[list[str], list[str]]:
    """pip arguments for the requirements files, and the extras to install.

    Lines that install the project itself are left out (dh_venv installs
    it), and the extras they name are added.
    """
    wanted: list[str] = []
    extras = list(settings.extras)
    for index, path in enumerate(files):
        if not settings.skip_install and not runner.no_act:
            used, dropped, implied = project.without_project(
                path, settings.source_dir, settings.work_dir / f"requirements-{index}.txt"
            )
            for line in dropped:
                runner.log(
                    f"dh_venv: warning: {settings.package}: {path.name}: left out {line!r}, "
                    "which installs the project itself; dh_venv installs it anyway"
                )
            extras += [e for e in implied if e not in extras]
            path = used
        wanted += ["-r", str(path)]
    return wanted, extras


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
