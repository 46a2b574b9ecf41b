"""The pipeline for one binary package, in stage order.

check -> inputs -> create and install (installers; they also leave out
what the venv does not need) -> relocate (finalize, scan) -> expose
(console-script links) -> Debian integration (links, Depends, maintainer
scripts, lintian overrides) -> compiled-code records;
what each distribution came from is recorded (record) before relocating.
Each stage is a package of :mod:`dh_venv`; this module only orders them
and hands each the frozen values the one before made.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from dh_venv import caches, errors, interpreter, tree
from dh_venv.compiled import binaries, flags, setaside
from dh_venv.compiled import state as build_state
from dh_venv.debhelper import integrate
from dh_venv.errors import DhVenvError
from dh_venv.expose import clashes, links, packages, scripts
from dh_venv.inputs import project, requirements, vcs
from dh_venv.inputs.collect import collect
from dh_venv.inputs.markers import marker_environment
from dh_venv.inputs.pyproject import read_pyproject
from dh_venv.inputs.values import Inputs
from dh_venv.installers import escapes, launchers, lean, projectwheel, uvtool
from dh_venv.installers import plan as install_plan
from dh_venv.installers.backend import Backend
from dh_venv.installers.choose import choose
from dh_venv.record import provenance
from dh_venv.record import steps as record
from dh_venv.relocate import finalize, outside, scan
from dh_venv.runner import Runner
from dh_venv.settings import Settings

check_predicted_links = packages.check_predicted_links


def check_before_building(all_settings: list[Settings], runner: Runner, own_packages: tuple[str, ...]) -> None:
    """What needs no venv, for every package of the run; then what earlier dh_venv calls built."""
    for settings in all_settings:
        integrate.check_maintainer_scripts(settings, own_packages)
    packages.check_before_building(all_settings, runner, own_packages)
    for settings in all_settings:
        _check_earlier_call(settings, own_packages)


def _check_earlier_call(settings: Settings, own_packages: tuple[str, ...]) -> None:
    """Fail before building if an earlier dh_venv call put this project's console scripts into another package.

    Built from the same project with the default console scripts, this
    package would link the same commands.
    """
    if settings.skip_install or not settings.expose_scripts or settings.console_scripts is not None:
        return
    for other in own_packages:
        state = build_state.current(settings.build_dir, other, []) if other != settings.package else None
        if state is None or str(settings.source_dir) not in state.projects:
            continue
        clash = [link for link in state.links if PurePosixPath(link).parent == settings.bin_dir]
        if clash:
            raise DhVenvError(
                f"package {other} already links {clash[0]} from the project {settings.source_dir} "
                "(an earlier dh_venv call); this package would link the same console scripts",
                package=settings.package,
                hint="expose them from one package only (--console-script, --no-console-scripts)",
            )


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
    policy = tree.Links(
        settings.build_dir,
        settings.source_dir,
        frozenset(settings.allow_links),
        f"debian/{settings.package}.venv-links",
    )
    copy = project.prepare_copy(settings.source_dir, settings.work_dir / "src", runner, skipped, policy)
    project.warn_skipped(settings.package, runner, skipped)
    return copy


def _announce_rest(
    settings: Settings, runner: Runner, backend: Backend, version: str, python: interpreter.Interpreter
) -> None:
    """Under --no-act: what follows reads the venv, which was not made; say what it would do."""
    staging = settings.staging_venv
    if settings.check:
        backend.check(staging)
    runner.announce(f"rewrite {staging} for {settings.final_venv}, then scan it for {settings.build_dir}")
    if settings.expose_scripts:
        runner.announce(f"link the console scripts of {settings.final_venv}/bin into {settings.bin_dir}")
    integrate.integrate(settings, runner, version, python, {})


def _begin(settings: Settings, runner: Runner) -> interpreter.Interpreter:
    """Drop the state of an unfinished earlier build; the interpreter, if the project accepts it."""
    notes: list[str] = []

    def begin() -> None:
        with errors.doing(f"record the build of {settings.package} under {settings.build_dir}/debian/.debhelper"):
            build_state.begin(settings.build_dir, settings.package, notes)

    runner.apply(f"record the build of {settings.package} in debian/.debhelper", begin)
    for note in notes:
        runner.report.notice(note, settings.package)
    integrate.warn_incumbent_triggers(settings, runner)
    reuse = settings.env.get(projectwheel.NO_REUSE) != "1"
    python = interpreter.resolve(
        settings.python, runner, caches.cache_root(settings.env, settings.build_dir) if reuse else None
    )
    spec = project.requires_python(settings.source_dir) if not settings.skip_install else None
    if spec:
        interpreter.check_requires(spec, python, runner)
    return python


def _create(settings: Settings, backend: Backend, python: interpreter.Interpreter, wanted: Inputs) -> None:
    """The venv, seeded only when --keep-seed asks for it (then with all of pip, setuptools and wheel)."""
    staging = settings.staging_venv
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
    python = _begin(settings, runner)
    env = flags.build_environment(settings.env, settings.work_dir, runner)
    staging = settings.staging_venv
    copy = _build_copy(settings, runner)
    wanted = collect(settings, runner, python, copy)
    to_install = install_plan.plan(wanted, settings.work_dir)
    backend = choose(settings.installer, runner, env, settings.work_dir, to_install)
    # Nothing may be written outside the venv: the wheels in local directories are checked
    # before the venv exists, what the installer installed after it ran.
    local = uvtool.local_find_links([*settings.extra_pip_args, *to_install.extra_args])[0]
    escapes.check_wheels([*([wanted.sources.wheelhouse] if wanted.sources.wheelhouse else []), *local])
    _create(settings, backend, python, wanted)
    # What follows reads the venv: under --no-act there is none, and the plan ends here.
    seeded = clashes.seed(staging) if (staging / "pyvenv.cfg").exists() else None
    before = escapes.outside_files(settings.staging_root, staging) if seeded is not None else set()
    reports = backend.install(staging, to_install, report=flags.report_path(staging, settings.work_dir))
    if seeded is None:
        _announce_rest(settings, runner, backend, version, python)
        return {}
    escapes.check_venv(staging, settings.staging_root, before, backend.name)
    clashes.check_venv_scripts(staging, seeded)
    outside.warn_outside_prefix(settings, runner.report, staging)
    if settings.check:
        backend.check(staging)
    app = scripts.find_application(staging, copy) if copy else None
    _check_vcs_version(settings, app, wanted)
    if not settings.keep_seed:
        markers = marker_environment(python, runner)
        lean.leave_out_seed(settings, runner, backend, staging, wanted, markers, app)
    launchers.leave_out(staging, runner)
    binaries.check_architecture(settings)
    binaries.strip_prebuilt_debug(settings, runner, reports)
    made = _expose(settings, runner, staging, app, taken, own_packages)
    # Before finalizing, which drops uv's build records and local direct_url.json files.
    known = provenance.known_files(wanted.lock.pins if wanted.lock else (), wanted.sources.wheelhouse)
    record.capture(settings, runner, python.path, reports, known, app)
    runner.announce(f"rewrite {staging} for {settings.final_venv}")
    finalize.finalize(staging, settings.final_venv)
    scan.fail_on_leaks(staging, settings.staging_root, settings.build_dir, settings.allow_build_path)
    integrate.integrate(settings, runner, version, python, made)
    setaside.record(settings, reports, made)
    integrate.add_lintian_overrides(settings, runner, version, app)
    taken.update({link: settings.package for link in made})
    return made


def _check_vcs_version(settings: Settings, app: Path | None, wanted: Inputs) -> None:
    """A version from git must be the upstream version of debian/changelog."""
    if app is None or wanted.project is None or not vcs.is_vcs_versioned(read_pyproject(settings.source_dir)):
        return
    expected = vcs.upstream_version(settings.build_dir / "debian" / "changelog")
    if expected:
        vcs.check_built_version(settings.package, app, expected, {**settings.env, **wanted.build_env})


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
    app_scripts = scripts.application_scripts(app) if app else []
    made = links.choose_links(settings, runner, staging, app_scripts)
    if made:
        packages.check_new_links(settings, made, taken, runner, own_packages)
    return made
