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
from dh_venv.cli import steps
from dh_venv.cli.boundary import guarded
from dh_venv.cli.configure import literal_credentials, selection, settings_for
from dh_venv.cli.options import PROG, parse
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError, os_error
from dh_venv.inputs import project
from dh_venv.installers.backend import build_environment
from dh_venv.report import Report
from dh_venv.runner import Runner
from dh_venv.settings import Settings


def _packages(opts: argparse.Namespace, runner: Runner, environ: Mapping[str, str]) -> list[str]:
    """The binary packages to act on: debhelper's selection, less documentation packages unless named."""
    packages = debhelper.list_packages(
        selection(opts), runner, dict(environ), internal=opts.internal_selection, remember=True
    )
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
    runner = steps.runner_for(opts, environ, report)
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


def main(argv: Sequence[str] | None = None, *, step: str | None = None) -> int:
    """Entry point of ``dh_venv`` (``step``: of ``dh_venv_<step>``, which bin/ now runs through :mod:`.steps`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if step is not None:
        return steps.main(step, args)
    return guarded(PROG, lambda report: run(args, os.environ, report))
