"""The pipeline for one binary package, in stage order.

check -> inputs -> create and install (installers) -> relocate (finalize,
scan) -> expose (console-script links) -> Debian integration (links,
Depends, maintainer scripts, lintian overrides) -> compiled-code records;
what each distribution came from is recorded (record) before relocating.
Each stage is a package of :mod:`dh_venv`; this module only orders them
and hands each the frozen values the one before made.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from dh_venv import interpreter
from dh_venv.compiled import steps as compiled
from dh_venv.debhelper import integrate
from dh_venv.errors import DhVenvError
from dh_venv.expose import clashes, links, packages, scripts
from dh_venv.inputs import project, requirements
from dh_venv.inputs.collect import collect
from dh_venv.inputs.markers import marker_environment
from dh_venv.installers import lean, venv
from dh_venv.installers import plan as install_plan
from dh_venv.installers.choose import choose
from dh_venv.record import provenance
from dh_venv.record import steps as record
from dh_venv.relocate import finalize, outside, scan
from dh_venv.runner import Runner
from dh_venv.settings import Settings

# Checks of the whole run, before the first venv is built (see dh_venv.expose.packages).
check_before_building = packages.check_before_building
check_predicted_links = packages.check_predicted_links


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
    return requirements.requirement_files(settings.source_dir, settings.requirements)


def _build_copy(settings: Settings, runner: Runner) -> Path | None:
    """The project copied under debian/.debhelper/, where its build leaves no droppings."""
    if settings.skip_install:
        return None
    skipped: list[Path] = []
    copy = project.prepare_copy(settings.source_dir, settings.work_dir / "src", runner, skipped)
    project.warn_skipped(settings.package, runner, skipped)
    return copy


def _announce_rest(settings: Settings, runner: Runner, version: str, python: interpreter.Interpreter) -> None:
    """Under --no-act: what follows reads the venv, which was not made; say what it would do."""
    staging = settings.staging_venv
    if settings.check:
        runner.announce(f"{venv.python_of(staging)} -m pip check")
    runner.announce(f"rewrite {staging} for {settings.final_venv}, then scan it for {settings.build_dir}")
    if settings.expose_scripts:
        runner.announce(f"link the console scripts of {settings.final_venv}/bin into {settings.bin_dir}")
    integrate.integrate(settings, runner, version, python, {})


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
    integrate.warn_incumbent_triggers(settings, runner)
    python = interpreter.resolve(settings.python, runner)
    env = compiled.build_environment(settings.env, settings.work_dir, runner)
    staging = settings.staging_venv
    copy = _build_copy(settings, runner)
    wanted = collect(settings, runner, python, copy)
    to_install = install_plan.plan(wanted, settings.work_dir)
    backend = choose(settings.installer, runner, env, settings.work_dir, to_install)
    backend.create(
        staging,
        python,
        system_site_packages=settings.use_system_packages,
        extra_args=settings.extra_virtualenv_args,
        seed=wanted.sources,
        lean=not settings.keep_seed,
    )
    if settings.keep_seed and (staging / "pyvenv.cfg").exists():
        lean.complete_seed(backend, staging, wanted, settings.work_dir)
    # What follows reads the venv: under --no-act there is none, and the plan ends here.
    seeded = clashes.seed(staging) if (staging / "pyvenv.cfg").exists() else None
    reports = backend.install(staging, to_install, report=compiled.report_path(staging, settings.work_dir))
    if seeded is None:
        _announce_rest(settings, runner, version, python)
        return {}
    clashes.check_venv_scripts(staging, seeded)
    outside.warn_outside_prefix(settings, runner.report, staging)
    if settings.check:
        backend.check(staging)
    app = scripts.find_application(staging, copy) if copy else None
    if not settings.keep_seed:
        markers = marker_environment(python, runner)
        lean.leave_out_seed(settings, runner, backend, staging, wanted, markers, app)
    compiled.check_architecture(settings)
    compiled.strip_prebuilt_debug(settings, runner, reports)
    made = _expose(settings, runner, staging, app, taken, own_packages)
    # Before finalizing, which drops uv's build records and local direct_url.json files.
    known = provenance.known_files(wanted.lock.pins if wanted.lock else (), wanted.sources.wheelhouse)
    record.capture(settings, runner, python.path, reports, known, app)
    runner.announce(f"rewrite {staging} for {settings.final_venv}")
    finalize.finalize(staging, settings.final_venv)
    scan.fail_on_leaks(staging, settings.staging_root, settings.build_dir, settings.allow_build_path)
    integrate.integrate(settings, runner, version, python, made)
    compiled.record(settings, reports)
    integrate.add_lintian_overrides(settings, runner, version, app)
    taken.update({link: settings.package for link in made})
    return made


def _expose(
    settings: Settings,
    runner: Runner,
    staging: Path,
    app: Path | None,
    taken: dict[PurePosixPath, str],
    own_packages: tuple[str, ...],
) -> dict[PurePosixPath, PurePosixPath]:
    """The console-script links of this package, checked against the run and the system."""
    if not settings.expose_scripts:
        return {}
    app_scripts = scripts.entry_point_scripts(app) if app else []
    made = links.choose_links(settings, runner, staging, app_scripts)
    if made:
        packages.check_new_links(settings, made, taken, runner, own_packages)
    return made
