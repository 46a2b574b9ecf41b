"""``dh-venv build``: argv in, the built packages (path, size, Depends) and the time taken out."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import dh_venv
from dh_venv.cli import smoke as smoke_cli
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.releases import build, smoke, targets
from dh_venv.report import Report
from dh_venv.runner import Runner

PROG = "dh-venv build"
# Runs this very dh-venv's vendor command, whether it is installed or run from a checkout.
_VENDOR = "import sys; sys.path.insert(0, sys.argv.pop(1)); from dh_venv.cli.frontend import main; sys.exit(main())"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Build .deb files from a Python project, with or without debian/ (without: with what "
        "dh-venv init would write, in a copy; the project is never written to). On this machine by default "
        "(dpkg-buildpackage -us -uc -b); with --release, in a clean chroot of that release (sbuild in unshare mode).",
    )
    p.add_argument("project", nargs="?", default=".", help="the project directory (default: the current one)")
    p.add_argument(
        "--release",
        action="append",
        default=[],
        metavar="NAME",
        help="build in a clean chroot of this Debian release (bookworm, trixie, ...); repeatable",
    )
    p.add_argument(
        "--output",
        metavar="DIR",
        help="where the packages go (default: the project's parent directory, as dpkg-buildpackage does); "
        "a --release build's go into DIR/NAME/",
    )
    p.add_argument(
        "--dh-venv-deb",
        metavar="DEB",
        help="the dh-venv package to install into the chroots (default: the installed one, made into a .deb "
        "with dpkg-repack)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="then test each release's packages as dh-venv smoke does: installed, run and purged in a fresh "
        "system of that release",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show every command and its output")
    return p


def _vendor(runner: Runner, environ: Mapping[str, str]) -> build.Vendor:
    here = str(Path(dh_venv.__file__).resolve().parents[1])

    def vendor(tree: Path, versions: Sequence[str]) -> None:
        argv = [sys.executable, "-c", _VENDOR, here, "vendor"]
        argv += [f"--python-version={v}" for v in versions]
        runner.report.info(f"vendoring the project for Python {', '.join(versions)} (dh-venv vendor)")
        try:
            runner.run(argv, cwd=tree, env=environ)
        except CommandError as exc:
            said = [line for line in exc.output.splitlines() if line.startswith("dh-venv: error: ")]
            raise DhVenvError(
                "dh-venv vendor could not fill the wheelhouse the chroot builds from: "
                + (said[0].removeprefix("dh-venv: error: ") if said else f"exit status {exc.returncode}"),
                hint="its output is below; a project that does not build on this machine does not build in a chroot",
                details="\n".join(line.removeprefix("dh-venv: error: ") for line in said[1:]),
            ) from None

    return vendor


def run_build(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    opts = parser().parse_args(argv)
    started = time.monotonic()
    runner = Runner(log=report.write, verbose=opts.verbose, report=report)
    project = Path(os.path.abspath(opts.project))
    output = Path(os.path.abspath(opts.output)) if opts.output else project.parent
    request = build.Request(
        project=project,
        output=output,
        releases=tuple(dict.fromkeys(opts.release)),
        dh_venv_deb=Path(os.path.abspath(opts.dh_venv_deb)) if opts.dh_venv_deb else None,
    )
    results = build.build(request, runner, environ, _vendor(runner, environ))
    for result in results:
        where = (
            f"{result.release}, in a clean chroot (sbuild)" if result.chroot else f"{result.release}, on this machine"
        )
        count = len(result.packages)
        report.info(f"built {count} package{'s' if count != 1 else ''} for {where} in {result.seconds:.0f} s:")
        for package in result.packages:
            size = f"{package.size / 1e6:.1f} MB" if package.size >= 1e6 else f"{package.size / 1e3:.0f} kB"
            report.info(f"  {package.path}  {size}  Depends: {package.depends or '-'}")
    if opts.smoke:
        _smoke(results, runner, environ, project)
    report.info(f"done in {time.monotonic() - started:.0f} s")
    return 0


def _smoke(results: Sequence[build.Result], runner: Runner, environ: Mapping[str, str], project: Path) -> None:
    """``dh-venv smoke`` on each result; the first failure is raised once every release was tried."""
    failures = []
    for result in results:
        release = result.release if result.release in {r.codename for r in targets.supported()} else None
        outcome = smoke.smoke([p.path for p in result.packages], runner, environ, release=release, cwd=project)
        smoke_cli.show(outcome)
        try:
            smoke_cli.check(outcome)
        except DhVenvError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]
