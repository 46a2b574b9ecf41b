"""dh_venv's options: the parser, and debhelper's ways of passing options (DH_OPTIONS, -O, dh's selection).

The reference in docs/ is generated from :func:`make_parser`.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from dh_venv import __version__
from dh_venv.errors import DhVenvError
from dh_venv.settings import DEFAULT_BIN_DIR, DEFAULT_INSTALL_ROOT, DEFAULT_PYTHON

PROG = "dh_venv"

# dh-virtualenv options with no counterpart: (warning only?, what to do instead).
_INCUMBENT_ONLY = {
    "--builtin-venv": (True, "dh_venv always creates the venv with virtualenv; the option is ignored"),
    "--setuptools": (True, "setuptools is always available to builds; the option is ignored"),
    "--no-test": (True, "it had no effect in dh-virtualenv either; the option is ignored"),
    "--pip-tool": (False, "use --installer=pip or --installer=uv"),
    "--setuptools-test": (False, "run the tests after dh_venv in override_dh_venv, with the venv's python"),
}


def split_words(name: str, value: str) -> list[str]:
    """The words of the environment variable ``name``, quoted as a shell quotes them."""
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise DhVenvError(
            f"{name} cannot be split into words ({exc}): {value!r}",
            hint=f"fix the quoting in {name} (debian/rules or the build environment)",
        ) from None


def split_list(value: str) -> list[str]:
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


_ArgGroup = argparse._ArgumentGroup


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
    _what_options(own)
    _index_options(own)
    _layout_options(own)
    _build_options(own)
    for name in _INCUMBENT_ONLY:
        p.add_argument(name, nargs="?", const=True, dest=f"incumbent_{name[2:]}", help=argparse.SUPPRESS)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _what_options(own: _ArgGroup) -> None:
    """What goes into the venv: interpreter, project, requirements."""
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
        help="requirements file relative to the project (repeatable; default: requirements.txt if present; none)",
    )
    own.add_argument(
        "--extras", action="append", default=[], metavar="LIST", help="extras of the application (comma-separated)"
    )
    own.add_argument("--preinstall", action="append", default=[], metavar="REQ", help="install REQ first (repeatable)")


def _index_options(own: _ArgGroup) -> None:
    """Where it comes from, and what the installers get on top."""
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


def _layout_options(own: _ArgGroup) -> None:
    """Where the venv goes, and which commands it puts on PATH."""
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


def _build_options(own: _ArgGroup) -> None:
    """Checks, Depends, the installer, locks, the seed and offline builds."""
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
        "--no-sbom",
        action="store_true",
        help="ship no bill of materials (sbom.cdx.json) in /usr/share/doc/PKG; the license summary stays",
    )
    own.add_argument(
        "--license-allow",
        action="append",
        metavar="LIST",
        help="fail the build if a distribution of the venv has a license outside LIST "
        "(comma-separated SPDX identifiers; repeatable)",
    )
    own.add_argument(
        "--group", action="append", default=[], metavar="LIST", help="dependency groups of the lock (comma-separated)"
    )
    own.add_argument(
        "--wheelhouse",
        metavar="DIR",
        help="install only from DIR, no index (default: $DH_VENV_WHEELHOUSE, else debian/wheelhouse if present)",
    )


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
        kept, unknown = _known_tokens(_expand_o(split_words("DH_OPTIONS", environ["DH_OPTIONS"]), parser), parser)
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
