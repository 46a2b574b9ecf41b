"""The dh_venv command: debhelper-style options in, one venv per package out.

This is the only module that reads argv and the environment, prints, or
chooses an exit code.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from dh_venv import __version__
from dh_venv import pipeline as build
from dh_venv.compiled import steps as compiled
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.inputs import collect as inputs
from dh_venv.inputs import project
from dh_venv.installers.pip import build_environment
from dh_venv.runner import Runner
from dh_venv.settings import DEFAULT_BIN_DIR, DEFAULT_INSTALL_ROOT, DEFAULT_PYTHON, Settings

PROG = "dh_venv"

# dh-virtualenv options with no counterpart: (warning only?, what to do instead).
_INCUMBENT_ONLY = {
    "--builtin-venv": (True, "dh_venv always creates the venv with virtualenv; the option is ignored"),
    "--setuptools": (True, "setuptools is always available to builds; the option is ignored"),
    "--no-test": (True, "it had no effect in dh-virtualenv either; the option is ignored"),
    "--pip-tool": (False, "use --installer=pip or --installer=uv"),
    "--setuptools-test": (False, "run the tests after dh_venv in override_dh_venv, with the venv's python"),
}


# postrm removes the venv directory on purge, so the venv may be neither a
# top-level directory (checked by depth) nor one of these shared ones.
_SHARED_DIRS = {
    *(f"/usr/{d}" for d in ("bin", "sbin", "lib", "lib64", "libexec", "share", "include", "src", "local", "games")),
    *(f"/usr/local/{d}" for d in ("bin", "sbin", "lib", "share", "include", "src", "etc")),
    *(f"/var/{d}" for d in ("lib", "cache", "log", "opt", "local")),
    "/usr/lib/python3",
}


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _absolute_dir(value: str) -> bool:
    """An absolute, normalised path below the root (``/usr/sbin``, ``/usr/games/x``)."""
    path = PurePosixPath(value)
    return value.startswith("/") and str(path) == value and ".." not in path.parts and len(path.parts) > 1


def _console_script(value: str) -> tuple[str, str]:
    name, sep, link = value.partition("=")
    bad_link = "/" in link and not (_absolute_dir(link) and len(PurePosixPath(link).parts) > 2)
    if not name or (sep and not link) or "/" in name or bad_link:
        raise argparse.ArgumentTypeError(f"expected NAME, NAME=LINK or NAME=/DIR/LINK, got {value!r}")
    return name, link or name


def _link_dir(value: str) -> PurePosixPath:
    if not _absolute_dir(value):
        raise argparse.ArgumentTypeError(f"expected an absolute directory such as /usr/sbin, got {value!r}")
    return PurePosixPath(value)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise DhVenvError(message, hint=f"see {PROG}(1)")


def make_parser() -> argparse.ArgumentParser:
    """The option parser; the reference in docs/ is generated from it."""
    p = _Parser(prog=PROG, add_help=True, description="Build a virtualenv into a Debian binary package.")
    shared = p.add_argument_group("debhelper shared options")
    shared.add_argument("-p", "--package", action="append", default=[], metavar="PKG", help="act on PKG (repeatable)")
    shared.add_argument(
        "-N", "--no-package", action="append", default=[], metavar="PKG", help="do not act on PKG (repeatable)"
    )
    shared.add_argument("-a", "--arch", action="store_true", help="act on arch-dependent packages")
    shared.add_argument("-i", "--indep", action="store_true", help="act on arch-independent packages")
    shared.add_argument("-v", "--verbose", action="store_true", help="show every command that changes files")
    shared.add_argument(
        "-n", "--no-scripts", "--noscripts", action="store_true", help="do not add maintainer-script snippets"
    )
    shared.add_argument("-P", "--tmpdir", metavar="DIR", help="staging directory (one package only)")
    shared.add_argument("--no-act", action="store_true", help="show what would be done, change nothing")
    shared.add_argument(
        "-O", action="append", default=[], metavar="OPT", help="apply OPT if dh_venv knows it, else ignore it"
    )

    own = p.add_argument_group("venv options")
    own.add_argument(
        "--python", metavar="PATH", help=f"interpreter the venv is built for (default: {DEFAULT_PYTHON} resolved)"
    )
    own.add_argument(
        "-D", "--sourcedirectory", "--sourcedir", metavar="DIR", help="the Python project (default: the source root)"
    )
    own.add_argument(
        "--requirements",
        action="append",
        metavar="FILE",
        help="requirements file, relative to the project (repeatable; default: requirements.txt if present)",
    )
    own.add_argument(
        "--extras", action="append", default=[], metavar="LIST", help="extras of the application (comma-separated)"
    )
    own.add_argument("--preinstall", action="append", default=[], metavar="REQ", help="install REQ first (repeatable)")
    own.add_argument(
        "--index-url",
        "--pypi-url",
        metavar="URL",
        help="package index instead of PyPI (--pypi-url: dh-virtualenv's old name)",
    )
    own.add_argument(
        "--extra-index-url", action="append", default=[], metavar="URL", help="additional index (repeatable)"
    )
    own.add_argument(
        "--extra-pip-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for pip install (repeatable)",
    )
    own.add_argument(
        "--extra-virtualenv-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for virtualenv (repeatable)",
    )
    own.add_argument(
        "--upgrade-pip", action="store_true", help="upgrade pip in the venv from the index before installing"
    )
    own.add_argument("--upgrade-pip-to", metavar="VERSION", help="install pip VERSION in the venv before installing")
    own.add_argument("--skip-install", action="store_true", help="install the requirements only, not the project")
    own.add_argument(
        "-S", "--use-system-packages", action="store_true", help="let the venv see the system's site-packages"
    )
    own.add_argument(
        "--install-root",
        metavar="DIR",
        help=f"directory of the venvs (default: $DH_VENV_INSTALL_ROOT or {DEFAULT_INSTALL_ROOT})",
    )
    own.add_argument("--install-suffix", metavar="NAME", help="venv directory name (default: the package name)")
    own.add_argument(
        "--console-script",
        action="append",
        type=_console_script,
        metavar="NAME[=LINK]",
        help="link only these scripts of the venv (a dependency's too), optionally renamed; "
        "LINK may be an absolute path such as /usr/sbin/NAME (repeatable)",
    )
    own.add_argument(
        "--console-script-dir",
        type=_link_dir,
        metavar="DIR",
        help=f"directory for the links of console scripts (default: {DEFAULT_BIN_DIR})",
    )
    own.add_argument("--no-console-scripts", action="store_true", help="link no console scripts into /usr/bin")
    own.add_argument(
        "--allow-build-path",
        action="append",
        default=[],
        metavar="PATTERN",
        help="let venv files matching PATTERN (relative to the venv, shell wildcards) name the build directory "
        "(repeatable)",
    )
    own.add_argument(
        "--shlibs-recommends",
        action="append",
        default=[],
        metavar="PKGS",
        help="move these library packages from ${shlibs:Depends} to ${shlibs:Recommends} (comma-separated)",
    )
    own.add_argument(
        "--shlibs-ignore",
        action="append",
        default=[],
        metavar="PKGS",
        help="leave these library packages out of ${shlibs:Depends} (comma-separated)",
    )
    own.add_argument(
        "--installer",
        choices=["pip", "uv", "auto"],
        default="auto",
        help="installer backend: auto (the default: uv if it can be had, else pip after a notice), uv, or pip",
    )
    own.add_argument(
        "--lock", metavar="FILE", help="install exactly what this lock file pins (relative to the project)"
    )
    own.add_argument("--no-lock", action="store_true", help="ignore uv.lock, poetry.lock and pylock.toml")
    own.add_argument(
        "--keep-seed",
        action="store_true",
        help="ship pip, setuptools and wheel in the venv even when nothing asks for or requires them",
    )
    own.add_argument(
        "--group", action="append", default=[], metavar="LIST", help="dependency groups of the lock (comma-separated)"
    )
    own.add_argument(
        "--wheelhouse",
        metavar="DIR",
        help="install only from DIR, no index (default: $DH_VENV_WHEELHOUSE, else debian/wheelhouse if present)",
    )
    for name in _INCUMBENT_ONLY:
        p.add_argument(name, nargs="?", const=True, dest=f"incumbent_{name[2:]}", help=argparse.SUPPRESS)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _expand_o(tokens: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Replace ``-O<opt>`` by ``<opt>`` when the parser knows it, else drop it."""
    known = parser._option_string_actions
    out: list[str] = []
    it = iter(tokens)
    for tok in it:
        if tok == "-O":
            tok = "-O" + next(it, "")
        if tok.startswith("-O") and not tok.startswith("--"):
            inner = tok[2:]
            if inner.split("=", 1)[0] in known:
                out.append(inner)
            continue
        out.append(tok)
    return out


def _known_tokens(tokens: list[str], parser: argparse.ArgumentParser) -> tuple[list[str], list[str]]:
    """Split ``tokens`` into our options (with their values) and the rest."""
    known = parser._option_string_actions
    kept: list[str] = []
    unknown: list[str] = []
    it = iter(tokens)
    for tok in it:
        name, has_value, _ = tok.partition("=")
        action = known.get(name) or (known.get(tok[:2]) if len(tok) > 2 and tok[1] != "-" else None)
        if action is None:
            unknown.append(tok)
            continue
        kept.append(tok)
        if action.nargs != 0 and not has_value and tok in known:
            kept.append(next(it, ""))
    return kept, unknown


def _join_values(tokens: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Turn ``--opt VALUE`` into ``--opt=VALUE`` for long options that take one value.

    dh_virtualenv (optparse) takes the next word as the value even when it
    starts with ``-`` (``--extra-pip-arg "--no-cache-dir"``); argparse
    would read it as an option.
    """
    known = parser._option_string_actions
    out: list[str] = []
    it = iter(tokens)
    for tok in it:
        action = known.get(tok)
        if tok.startswith("--") and action is not None and action.nargs is None and action.option_strings:
            value = next(it, None)
            out.append(tok if value is None else f"{tok}={value}")
        else:
            out.append(tok)
    return out


_SELECTION_FLAGS = {"-a", "--arch", "-s", "--same-arch", "-i", "--indep"}
_SELECTION_VALUES = ("-p", "--package", "-N", "--no-package")


def _split_selection(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Split ``tokens`` into package selection options (-p/-N/-a/-i) and the rest."""
    selection: list[str] = []
    rest: list[str] = []
    it = iter(tokens)
    for tok in it:
        if tok in _SELECTION_FLAGS:
            selection.append(tok)
        elif tok in _SELECTION_VALUES:
            selection += [tok, next(it, "")]
        elif tok.startswith(("-p", "-N", "--package=", "--no-package=")):
            selection.append(tok)
        else:
            rest.append(tok)
    return selection, rest


def parse(argv: Sequence[str], environ: Mapping[str, str]) -> tuple[argparse.Namespace, list[str]]:
    """Parse DH_OPTIONS, DH_INTERNAL_OPTIONS and argv like debhelper does.

    Returns the options and warnings to print.
    """
    parser = make_parser()
    warnings: list[str] = []
    tokens: list[str] = []
    if environ.get("DH_OPTIONS"):
        # DH_OPTIONS goes to every debhelper command: skip what is not ours.
        kept, unknown = _known_tokens(_expand_o(shlex.split(environ["DH_OPTIONS"]), parser), parser)
        if unknown:
            warnings.append("ignored unknown options in DH_OPTIONS: " + " ".join(unknown))
        tokens += kept
    internal_selection: list[str] = []
    if environ.get("DH_INTERNAL_OPTIONS"):
        # dh's package selection for an override target is not folded into
        # ours: dh_listpackages applies it the way every debhelper command
        # does (a -p in the override cannot re-add a package dh excluded).
        internal = [t for t in environ["DH_INTERNAL_OPTIONS"].split("\x1e") if t]
        internal_selection, rest = _split_selection(internal)
        tokens += rest
    tokens += list(argv)
    opts = parser.parse_args(_join_values(_expand_o(tokens, parser), parser))
    opts.internal_selection = internal_selection
    for name, (warn_only, why) in _INCUMBENT_ONLY.items():
        if getattr(opts, f"incumbent_{name[2:]}") is not None:
            if not warn_only:
                raise DhVenvError(f"{name} is a dh-virtualenv option dh_venv does not have", hint=why)
            warnings.append(f"{name}: {why}")
    return opts, warnings


def settings_for(
    package: str, opts: argparse.Namespace, environ: Mapping[str, str], build_dir: Path, env: dict[str, str]
) -> Settings:
    """The settings for one package from parsed options and the environment."""
    root = opts.install_root or environ.get("DH_VENV_INSTALL_ROOT") or environ.get("DH_VIRTUALENV_INSTALL_ROOT")
    install_root = PurePosixPath(root) if root else DEFAULT_INSTALL_ROOT
    if not install_root.is_absolute():
        raise DhVenvError(f"install root {install_root} is not an absolute path", hint="fix --install-root")
    name = opts.install_suffix if opts.install_suffix is not None else package
    if not name or "/" in name or name in (".", ".."):
        raise DhVenvError(
            f"--install-suffix {name!r} is not a directory name", package=package, hint="give a plain name"
        )
    final = install_root / name
    if str(final) in _SHARED_DIRS or len(final.parts) < 3:
        raise DhVenvError(
            f"the venv would be {final}, a directory other packages share; purging would remove it",
            hint="choose a dedicated directory with --install-root and --install-suffix",
        )
    staging = Path(opts.tmpdir) if opts.tmpdir else build_dir / "debian" / package
    build_options = environ.get("DEB_BUILD_OPTIONS", "").split()
    extras = [e for value in opts.extras for e in _split_list(value)]
    pip_args = [*opts.extra_pip_arg, *shlex.split(environ.get("DH_VENV_PIP_ARGS", ""))]
    return Settings(
        package=package,
        build_dir=build_dir,
        source_dir=(build_dir / (opts.sourcedirectory or ".")).resolve(),
        staging_root=(build_dir / staging).resolve() if not staging.is_absolute() else staging,
        install_root=install_root,
        venv_name=name,
        python=opts.python or DEFAULT_PYTHON,
        requirements=tuple(opts.requirements) if opts.requirements is not None else None,
        extras=tuple(extras),
        preinstall=tuple(opts.preinstall),
        upgrade_pip=opts.upgrade_pip_to or ("" if opts.upgrade_pip else None),
        index_url=opts.index_url,
        extra_index_urls=tuple(opts.extra_index_url),
        extra_pip_args=tuple(pip_args),
        extra_virtualenv_args=tuple(opts.extra_virtualenv_arg),
        skip_install=opts.skip_install,
        use_system_packages=opts.use_system_packages,
        console_scripts=tuple(opts.console_script) if opts.console_script else None,
        expose_scripts=not opts.no_console_scripts,
        bin_dir=opts.console_script_dir or DEFAULT_BIN_DIR,
        maintainer_scripts=not opts.no_scripts,
        check="nocheck" not in build_options,
        shlibs_recommends=tuple(p for v in opts.shlibs_recommends for p in _split_list(v)),
        shlibs_ignore=tuple(p for v in opts.shlibs_ignore for p in _split_list(v)),
        installer=opts.installer,
        allow_build_path=tuple(opts.allow_build_path),
        lock=opts.lock,
        use_locks=not opts.no_lock,
        keep_seed=opts.keep_seed,
        groups=tuple(g for value in opts.group for g in _split_list(value)),
        wheelhouse=inputs.wheelhouse_for(build_dir, opts.wheelhouse or environ.get("DH_VENV_WHEELHOUSE")),
        env=env,
    )


def _selection(opts: argparse.Namespace) -> list[str]:
    args = [f"-p{p}" for p in opts.package] + [f"-N{p}" for p in opts.no_package]
    if opts.arch:
        args.append("-a")
    if opts.indep:
        args.append("-i")
    return args


def _source_package(build_dir: Path) -> str | None:
    """``source package NAME`` for errors raised before a binary package is known."""
    try:
        for line in (build_dir / "debian" / "control").read_text().splitlines():
            if line.lower().startswith("source:"):
                return f"source package {line.split(':', 1)[1].strip()}"
    except OSError:
        pass
    return None


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _report(exc: DhVenvError, prog: str = PROG) -> None:
    _say(f"{prog}: error: {exc}")
    for line in exc.details.rstrip().splitlines():
        _say(f"{prog}: error:   {line}" if not line.startswith("  ") else f"{prog}: error: {line}")


def run(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """Everything but the last-resort exception handling."""
    opts, warnings = parse(argv, environ)
    # debhelper's rule for DH_VERBOSE and DH_NO_ACT: set and not empty.
    verbose = opts.verbose or bool(environ.get("DH_VERBOSE"))
    no_act = opts.no_act or bool(environ.get("DH_NO_ACT"))
    for warning in warnings:
        _say(f"{PROG}: warning: {warning}")
    build_dir = Path.cwd()
    if not (build_dir / "debian" / "control").is_file():
        raise DhVenvError(
            f"{build_dir / 'debian' / 'control'} not found", hint="run dh_venv from the top of the source package"
        )
    runner = Runner(log=_say, verbose=verbose, no_act=no_act)
    env = build_environment(environ, build_dir)
    packages = debhelper.list_packages(_selection(opts), runner, dict(environ), internal=opts.internal_selection)
    if not opts.package:
        skipped = [p for p in packages if debhelper.is_documentation(p)]
        for package in skipped:
            runner.announce(f"skip {package}: a documentation package gets no venv unless named with -p")
        packages = [p for p in packages if p not in skipped]
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
            raise exc.for_package(settings.package) from None
    return 0


def run_step(step: str, argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """``dh_venv_setaside`` or ``dh_venv_restore``: the steps around dh_strip and dh_shlibdeps."""
    opts, _ = parse(argv, environ)
    runner = Runner(
        log=_say,
        verbose=opts.verbose or bool(environ.get("DH_VERBOSE")),
        no_act=opts.no_act or bool(environ.get("DH_NO_ACT")),
    )
    build_dir = Path.cwd()
    selected = debhelper.list_packages(_selection(opts), runner, dict(environ), internal=opts.internal_selection)
    for package in selected:
        try:
            if step == "setaside":
                compiled.set_aside(build_dir, package, runner)
                continue
            recommends = [p for v in opts.shlibs_recommends for p in _split_list(v)]
            ignore = [p for v in opts.shlibs_ignore for p in _split_list(v)]
            for warning in compiled.restore(build_dir, package, runner, recommends, ignore):
                _say(f"{PROG}_{step}: warning: {warning}")
        except DhVenvError as exc:
            raise exc.for_package(package) from None
    return 0


def main(argv: Sequence[str] | None = None, *, step: str | None = None) -> int:
    """Entry point of ``dh_venv`` (and, with ``step``, of ``dh_venv_<step>``)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        return run_step(step, args, os.environ) if step else run(args, os.environ)
    except DhVenvError as exc:
        if exc.package is None:
            exc.package = _source_package(Path.cwd())
        _report(exc, f"{PROG}_{step}" if step else PROG)
        return 1
    except KeyboardInterrupt:
        _say(f"{PROG}: error: interrupted")
        return 130
    except Exception:
        traceback.print_exc()
        _say(
            f"{PROG}: error: internal error (a bug in dh_venv {__version__}); please report it with the traceback above"
        )
        return 2
