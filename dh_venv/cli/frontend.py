"""The dh-venv command, for maintainers: ``dh-venv vendor`` and ``dh-venv migrate``.

Like :mod:`dh_venv.cli.main` (whose options and settings it shares), this is a
command-line module: it reads argv and the environment, prints, and
chooses the exit code.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv import __version__
from dh_venv.cli import build, configure, init, migrate, options, smoke, vendor
from dh_venv.cli.boundary import guarded, say
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.inputs import wheelhouse
from dh_venv.installers.backend import build_environment
from dh_venv.report import Report
from dh_venv.runner import Runner

PROG = "dh-venv"


def _vendor_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"{PROG} vendor",
        description="Fill debian/wheelhouse/ with every file an offline build needs. "
        "Any other option is a dh_venv option (--python, -D, --extras, --group, --lock, --index-url, ...) "
        "and means what it means to dh_venv; give the ones debian/rules gives.",
        add_help=False,
    )
    p.add_argument("--dir", metavar="DIR", help=f"the wheelhouse (default: {wheelhouse.WHEELHOUSE})")
    p.add_argument("--allow-sdists", action="store_true", help="take sdists where no wheel fits (default: wheels only)")
    p.add_argument(
        "--add",
        action="store_true",
        help="keep the files already in the wheelhouse (for packages of one source that need other options)",
    )
    p.add_argument(
        "--python-version",
        action="append",
        default=[],
        metavar="X.Y",
        help="also take the wheels CPython X.Y needs (another release's interpreter), so that one wheelhouse "
        "serves the builds on both; repeatable",
    )
    p.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    return p


def run_vendor(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    own, rest = _vendor_parser().parse_known_args(argv)
    if own.help:
        _vendor_parser().print_help()
        print("\ndh_venv options:")
        options.make_parser().print_help()
        return 0
    for version in own.python_version:
        if not re.fullmatch(r"3\.\d+", version):
            raise DhVenvError(
                f"--python-version={version} is not a CPython 3 version",
                hint="give the X.Y of the other release's /usr/bin/python3 (python3 --version there)",
            )
    build_dir = Path.cwd()
    if not (build_dir / "debian" / "control").is_file():
        raise DhVenvError(
            f"{build_dir / 'debian' / 'control'} not found", hint="run dh-venv vendor at the top of the source package"
        )
    # Only the command line counts: DH_OPTIONS belongs to dh runs.
    clean = {k: v for k, v in environ.items() if not k.startswith(("DH_OPTIONS", "DH_INTERNAL_OPTIONS"))}
    opts, warnings = options.parse(rest, clean)
    for warning in warnings:
        report.warning(warning)
    verbose = opts.verbose or bool(environ.get("DH_VERBOSE"))
    runner = Runner(log=report.write, verbose=verbose, report=report)
    packages = debhelper.list_packages(configure.selection(opts), runner, dict(environ))
    if not packages:
        raise DhVenvError("debian/control lists no package to build", hint="select one with -p")
    env = build_environment(environ, build_dir)
    dest = Path(own.dir) if own.dir else build_dir / wheelhouse.WHEELHOUSE
    dest = dest if dest.is_absolute() else build_dir / dest
    every = []
    for package in packages:
        try:
            every.append(configure.settings_for(package, opts, clean, build_dir, env))
        except DhVenvError as exc:
            raise exc.for_package(package) from None
    result = vendor.vendor(
        every, runner, dest, allow_sdists=own.allow_sdists, add=own.add, python_versions=own.python_version
    )
    package = ", ".join(packages)
    binaries = [n for n in result.files if not n.endswith(".json")]
    listing = debhelper.include_binaries(build_dir, result.directory, binaries, runner)
    if listing is not None:
        report.info(f"listed the wheelhouse in {listing.relative_to(build_dir)} for dpkg-source", package)
    shown = result.directory.relative_to(build_dir) if result.directory.is_relative_to(build_dir) else result.directory
    report.info(
        f"{len(result.files)} files ({result.size / 1e6:.1f} MB) in {shown}, "
        f"hashes in {shown / wheelhouse.MANIFEST}; dh_venv now builds from them without any index",
        package,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dh-venv``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(
            f"usage: {PROG} COMMAND [options]\n\n"
            "  init     write debian/ for a Python project from its metadata\n"
            "  vendor   fill debian/wheelhouse/ for offline builds\n"
            "  migrate  move debian/ from dh-virtualenv to dh-venv (--check: show how)\n"
            "  build    build .deb files from a project, here or per release in a clean chroot\n"
            "  smoke    install, run and purge .deb files in a fresh chroot of their release"
        )
        return 0 if args else 2
    if args[0] == "--version":
        print(f"{PROG} {__version__}")
        return 0
    commands = {
        "init": init.run_init,
        "vendor": run_vendor,
        "migrate": migrate.run_migrate,
        "build": build.run_build,
        "smoke": smoke.run_smoke,
    }
    if args[0] not in commands:
        say(f"{PROG}: error: unknown command {args[0]!r}; the commands are: {', '.join(commands)}")
        return 2
    command = commands[args[0]]
    return guarded(PROG, lambda report: command(args[1:], os.environ, report))
