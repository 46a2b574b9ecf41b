"""The dh_venv command and its sequence steps: options in, one venv per package out.

The command line reads argv and the environment, prints through a
:class:`~dh_venv.report.Report`, and chooses the exit code (through
:mod:`dh_venv.cli.boundary`); the core does none of these.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from dh_venv import __version__
from dh_venv import pipeline as build
from dh_venv.cli.boundary import guarded
from dh_venv.cli.configure import literal_credentials, selection, settings_for
from dh_venv.cli.options import PROG, parse, split_list
from dh_venv.compiled import setaside
from dh_venv.compiled import state as build_state
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError, os_error
from dh_venv.inputs import project
from dh_venv.installers.backend import build_environment
from dh_venv.record import steps as record
from dh_venv.relocate import rescan
from dh_venv.report import Report
from dh_venv.runner import Runner
from dh_venv.settings import Settings


def _runner(opts: argparse.Namespace, environ: Mapping[str, str], report: Report) -> Runner:
    # debhelper's rule for DH_VERBOSE and DH_NO_ACT: set and not empty.
    return Runner(
        log=report.write,
        verbose=opts.verbose or bool(environ.get("DH_VERBOSE")),
        no_act=opts.no_act or bool(environ.get("DH_NO_ACT")),
        report=report,
    )


def _packages(opts: argparse.Namespace, runner: Runner, environ: Mapping[str, str]) -> list[str]:
    """The binary packages to act on: debhelper's selection, less documentation packages unless named."""
    packages = debhelper.list_packages(selection(opts), runner, dict(environ), internal=opts.internal_selection)
    if not opts.package:
        skipped = [p for p in packages if debhelper.is_documentation(p)]
        for package in skipped:
            runner.announce(f"skip {package}: a documentation package gets no venv unless named with -p")
        packages = [p for p in packages if p not in skipped]
    return packages


def run(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """Everything but the last-resort exception handling."""
    opts, warnings = parse(argv, environ)
    warnings += literal_credentials([opts.index_url or "", *opts.extra_index_url], environ)
    for warning in warnings:
        report.warning(warning)
    build_dir = Path.cwd()
    if not (build_dir / "debian" / "control").is_file():
        raise DhVenvError(
            f"{build_dir / 'debian' / 'control'} not found", hint="run dh_venv from the top of the source package"
        )
    runner = _runner(opts, environ, report)
    env = build_environment(environ, build_dir)
    packages = _packages(opts, runner, environ)
    if opts.tmpdir and len(packages) > 1:
        raise DhVenvError("-P/--tmpdir works with one package only", hint="add -p<package>")
    all_settings = []
    for package in packages:
        try:
            all_settings.append(settings_for(package, opts, environ, build_dir, env))
        except DhVenvError as exc:
            raise exc.for_package(package) from None
    own = tuple(project.binary_packages(build_dir / "debian" / "control"))
    # What needs no venv is checked for every package before the first venv is built.
    build.check_before_building(all_settings, runner, own)
    taken: dict[PurePosixPath, str] = {}
    made: list[tuple[Settings, dict[PurePosixPath, PurePosixPath]]] = []
    for settings in all_settings:
        try:
            build.check_predicted_links(settings, made, taken)
            made.append((settings, build.build_package(settings, runner, __version__, taken, own)))
        except DhVenvError as exc:
            _discard_venv(settings, runner)
            raise exc.for_package(settings.package) from None
        except OSError as exc:
            _discard_venv(settings, runner)
            raise os_error(exc, f"build the venv {settings.staging_venv}").for_package(settings.package) from None
    return 0


def _discard_venv(settings: Settings, runner: Runner) -> None:
    """A failed build leaves no half-made venv that a later dh step (or dh_builddeb by hand) would ship."""
    if not runner.no_act:
        shutil.rmtree(settings.staging_venv, ignore_errors=True)


def run_step(step: str, argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """``dh_venv_rescan``, ``dh_venv_setaside`` or ``dh_venv_restore``: the later steps of the sequence."""
    opts, _ = parse(argv, environ)
    runner = _runner(opts, environ, report)
    build_dir = Path.cwd()
    selected = debhelper.list_packages(selection(opts), runner, dict(environ), internal=opts.internal_selection)
    for package in selected:
        notes: list[str] = []
        try:
            if step == "rescan":
                _rescan(build_dir, package, runner, report, notes)
                continue
            if step == "setaside":
                setaside.set_aside(build_dir, package, runner, notes)
                continue
            recommends = [p for v in opts.shlibs_recommends for p in split_list(v)]
            ignore = [p for v in opts.shlibs_ignore for p in split_list(v)]
            for warning in setaside.restore(build_dir, package, runner, recommends, ignore, notes, environ):
                report.warning(warning)
            # After dh_shlibdeps: the bill of materials names what the venv links against.
            for warning in record.write(build_dir, package, runner, __version__, environ):
                report.warning(warning)
        except DhVenvError as exc:
            raise exc.for_package(package) from None
        except OSError as exc:
            what = {"setaside": "set aside the prebuilt files", "rescan": "rescan the venv"}.get(
                step, "restore the prebuilt files"
            )
            raise os_error(exc, what).for_package(package) from None
        finally:
            for note in notes:
                report.notice(note, package)
    return 0


def _rescan(build_dir: Path, package: str, runner: Runner, report: Report, notes: list[str]) -> None:
    """dh_venv_rescan for one package: the venvs dh_venv recorded, and dh-virtualenv's trigger in generated files."""
    for path, line in debhelper.generated_incumbent_triggers(build_dir, package):
        report.warning(
            f"{path}: {line!r} is dh-virtualenv's trigger, which nothing activates or handles any more (the venv "
            "links its interpreter instead of copying it); delete what writes it",
            package,
        )
    state = build_state.current(build_dir, package, notes)
    if state is None:
        return
    staging = build_dir / state.staging[0] if state.staging else build_dir / "debian" / package
    for line in rescan.rescan(build_dir, staging, state.venvs, state.allow_build_path, runner):
        report.info(line, package)


def main(argv: Sequence[str] | None = None, *, step: str | None = None) -> int:
    """Entry point of ``dh_venv`` (and, with ``step``, of ``dh_venv_<step>``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if step is not None:
        name = step
        return guarded(f"{PROG}_{name}", lambda report: run_step(name, args, os.environ, report))
    return guarded(PROG, lambda report: run(args, os.environ, report))
