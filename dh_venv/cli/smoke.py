"""``dh-venv smoke PKG.deb...``: the packages installed, run and purged in a fresh system of their release.

A command-line module that :mod:`dh_venv.cli.frontend` dispatches to: it
reads argv, prints one line per check and a summary on standard output,
and fails (``dh-venv: error:``, exit status 1) when a check failed.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.releases import chroots
from dh_venv.releases.smoke import Outcome, smoke
from dh_venv.report import Report
from dh_venv.runner import Runner

PROG = "dh-venv smoke"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Install the packages into a fresh chroot of their Debian release (made once with mmdebstrap "
        f"and kept in the chroot cache, ${chroots.VARIABLE}), run each command they put in /usr/bin with --version "
        "(else --help) or the tests of debian/tests/control, purge them, and check that nothing is left of their "
        "venvs or in /usr/bin.",
    )
    p.add_argument("debs", nargs="+", metavar="PKG.deb", type=Path, help="the packages, all of one release")
    p.add_argument(
        "--release",
        metavar="NAME",
        help="the Debian release to test on (default: the one whose python3.X the packages depend on)",
    )
    p.add_argument(
        "--tests",
        metavar="FILE",
        type=Path,
        help="an autopkgtest control file whose tests to run instead of --version (default: debian/tests/control "
        "of the source package in the current directory, when it builds one of the packages)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show the commands run")
    return p


def _line(text: str) -> None:
    print(text, flush=True)


def show(outcome: Outcome) -> None:
    """One line per check (with the output of a failed one below it) and the summary."""
    _line(f"{PROG}: {', '.join(outcome.packages)} in a fresh {outcome.release} system ({outcome.tarball.name})")
    for check in outcome.checks:
        _line(f"{check.status} {check.what}: {check.subject}" + (f" ({check.detail})" if check.detail else ""))
        if check.status == "FAIL":
            for line in check.output.splitlines():
                _line(f"     | {line}")
    counts = ", ".join(f"{outcome.count(s)} {word}" for s, word in (("PASS", "passed"), ("FAIL", "failed")))
    skipped = outcome.count("SKIP")
    _line(f"{PROG}: {counts}{f', {skipped} skipped' if skipped else ''} in {outcome.seconds:.0f} s")


def run_smoke(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """The command; errors are raised as :class:`DhVenvError` for the front end to print."""
    opts = parser().parse_args(list(argv))
    runner = Runner(log=report.write, verbose=opts.verbose, report=report)
    outcome = smoke(opts.debs, runner, environ, release=opts.release, tests=opts.tests, cwd=Path.cwd())
    show(outcome)
    check(outcome)
    return 0


def check(outcome: Outcome) -> None:
    """Raise the error that names the failed checks, if any failed (``dh-venv build --smoke`` too)."""
    failed = [f"{c.what} {c.subject}" for c in outcome.checks if c.status == "FAIL"]
    if failed:
        raise DhVenvError(
            f"the smoke test on {outcome.release} failed: {'; '.join(failed)}",
            package=", ".join(outcome.packages),
            hint="see the FAIL lines above",
        )
