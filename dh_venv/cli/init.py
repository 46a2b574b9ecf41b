"""``dh-venv init``: write a complete ``debian/`` for the Python project in the current directory (or DIR).

A command-line module that :mod:`dh_venv.cli.frontend` dispatches to,
inside the one error boundary: it reads argv and the environment, lets
:mod:`dh_venv.scaffold` compose and write the files, and prints what it
wrote and the command to run next.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv import scaffold
from dh_venv.report import Report
from dh_venv.runner import Runner
from dh_venv.scaffold.compose import check_free

PROG = "dh-venv init"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write a complete debian/ (control, changelog, copyright, rules, source/format, tests/control) "
        "for a Python project, from its own metadata, so that it builds with dh $@ --with python-venv.",
    )
    p.add_argument("directory", nargs="?", default=".", metavar="DIR", help="the project (default: the current one)")
    p.add_argument(
        "--release",
        metavar="NAME",
        help="the Debian release the package is for (the changelog's distribution; default: this machine's)",
    )
    p.add_argument(
        "--service",
        metavar="COMMAND",
        help="also run COMMAND as a systemd service under a system user of the package's name, "
        "made by the postinst (COMMAND's first word: one of the project's commands, a program in the venv, "
        "or an absolute path)",
    )
    p.add_argument(
        "--build-depends",
        action="append",
        default=[],
        metavar="DEPS",
        help="add these Debian packages to Build-Depends (comma-separated, repeatable): what an sdist needs "
        "to compile, e.g. libpq-dev; never guessed",
    )
    p.add_argument("--package", metavar="NAME", help="the Debian package name (default: the project's name)")
    p.add_argument("--force", action="store_true", help="overwrite files of debian/ that exist")
    p.add_argument("-v", "--verbose", action="store_true", help="show every command run")
    return p


def run_init(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """The command; errors are raised as :class:`~dh_venv.errors.DhVenvError` for the front end to print."""
    opts = parser().parse_args(list(argv))
    project = Path(opts.directory).resolve()
    if not opts.force:
        check_free(project)
    request = scaffold.Request(
        release=opts.release,
        service=opts.service,
        build_depends=tuple(d.strip() for arg in opts.build_depends for d in arg.split(",") if d.strip()),
        package=opts.package,
    )
    runner = Runner(log=report.write, verbose=opts.verbose, report=report)
    result = scaffold.compose(project, request, environ, runner)
    written = scaffold.write(result, project, force=opts.force, runner=runner)
    architecture = "any" if "Architecture: any" in result.files["debian/control"] else "all"
    report.info(f"{result.package} {result.version}, Architecture: {architecture}")
    for path in written:
        report.info(f"wrote {path.relative_to(project)}")
    for note in result.notes:
        report.notice(note)
    for warning in result.warnings:
        report.warning(warning)
    where = "" if project == Path.cwd() else f"cd {opts.directory} && "
    report.info(f"next: {where}dh-venv build (or: {where}dpkg-buildpackage -us -uc -b)")
    return 0
