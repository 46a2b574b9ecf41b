"""The later steps of the python-venv sequence: ``dh_venv_setaside``, ``dh_venv_restore``, ``dh_venv_rescan``.

Apart from :mod:`dh_venv.cli.main` so that each step imports only its own
stage: they run on every build, and the whole pipeline's imports were most
of a warm ``dh_venv_restore``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv import __version__
from dh_venv.cli.boundary import guarded
from dh_venv.cli.configure import selection
from dh_venv.cli.options import PROG, parse, split_list
from dh_venv.debhelper import packagelist
from dh_venv.errors import DhVenvError, os_error
from dh_venv.report import Report
from dh_venv.runner import Runner

_DOING = {
    "setaside": "set aside the prebuilt files",
    "rescan": "rescan the venv",
    "restore": "restore the prebuilt files",
}


def runner_for(opts: argparse.Namespace, environ: Mapping[str, str], report: Report) -> Runner:
    # debhelper's rule for DH_VERBOSE and DH_NO_ACT: set and not empty.
    return Runner(
        log=report.write,
        verbose=opts.verbose or bool(environ.get("DH_VERBOSE")),
        no_act=opts.no_act or bool(environ.get("DH_NO_ACT")),
        report=report,
    )


def run_step(step: str, argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """``dh_venv_rescan``, ``dh_venv_setaside`` or ``dh_venv_restore``: the later steps of the sequence."""
    opts, _ = parse(argv, environ)
    runner = runner_for(opts, environ, report)
    build_dir = Path.cwd()
    selected = packagelist.list_packages(
        selection(opts), runner, dict(environ), internal=opts.internal_selection, remember=True
    )
    for package in selected:
        notes: list[str] = []
        try:
            if step == "rescan":
                _rescan(build_dir, package, runner, report, notes, reuse=environ.get("DH_VENV_NO_REUSE") != "1")
            elif step == "setaside":
                from dh_venv.compiled import setaside

                setaside.set_aside(build_dir, package, runner, notes)
            else:
                _restore(opts, build_dir, package, runner, report, notes, environ)
        except DhVenvError as exc:
            raise exc.for_package(package) from None
        except OSError as exc:
            raise os_error(exc, _DOING[step]).for_package(package) from None
        finally:
            for note in notes:
                report.notice(note, package)
    return 0


def _rescan(build_dir: Path, package: str, runner: Runner, report: Report, notes: list[str], reuse: bool) -> None:
    """dh_venv_rescan for one package: the venvs dh_venv recorded, and dh-virtualenv's trigger in generated files.

    A venv nothing touched since dh_venv relocated and scanned it is skipped,
    unless ``reuse`` is off (``DH_VENV_NO_REUSE=1``).
    """
    from dh_venv.debhelper import files as debhelper

    for path, line in debhelper.generated_incumbent_triggers(build_dir, package):
        report.warning(
            f"{path}: {line!r} is dh-virtualenv's trigger, which nothing activates or handles any more (the venv "
            "links its interpreter instead of copying it); delete what writes it",
            package,
        )
    from dh_venv.compiled import stamp
    from dh_venv.compiled import state as build_state
    from dh_venv.settings import work_dir

    state = build_state.current(build_dir, package, notes)
    if state is None:
        return
    staging = build_dir / state.staging[0] if state.staging else build_dir / "debian" / package
    work = work_dir(build_dir, package)
    changed = []
    for venv in state.venvs:
        if reuse and stamp.unchanged(work, state.token, build_dir, staging / venv.lstrip("/"), venv):
            runner.announce(f"{venv} is as dh_venv relocated and scanned it (no file new, gone or written since)")
        else:
            changed.append(venv)
    if not changed:
        return
    from dh_venv.relocate import rescan

    for line in rescan.rescan(build_dir, staging, changed, state.allow_build_path, runner):
        report.info(line, package)


def _restore(
    opts: argparse.Namespace,
    build_dir: Path,
    package: str,
    runner: Runner,
    report: Report,
    notes: list[str],
    environ: Mapping[str, str],
) -> None:
    from dh_venv.compiled import setaside
    from dh_venv.record import steps as record

    recommends = [p for v in opts.shlibs_recommends for p in split_list(v)]
    ignore = [p for v in opts.shlibs_ignore for p in split_list(v)]
    for warning in setaside.restore(build_dir, package, runner, recommends, ignore, notes, environ):
        report.warning(warning)
    # After dh_shlibdeps: the bill of materials names what the venv links against.
    for warning in record.write(build_dir, package, runner, __version__, environ):
        report.warning(warning)


def main(step: str, argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dh_venv_<step>``."""
    if step not in _DOING:
        raise ValueError(f"unknown step {step!r}")
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded(f"{PROG}_{step}", lambda report: run_step(step, args, os.environ, report))
