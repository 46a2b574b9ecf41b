"""Finding the Python project in the source tree and preparing a build copy.

The project is built from a copy under ``debian/.debhelper/`` so the
setuptools ``build/`` and ``*.egg-info`` droppings never touch the
maintainer's tree (dpkg-source would see them as changes), and any path
a build backend records stays inside the build directory, where the leak
scan looks.  The copy keeps ``debian/`` when the project's build may
read it: its ``setup.py``, ``setup.cfg`` or ``pyproject.toml`` names
``debian`` (templates read ``debian/changelog``).  Otherwise ``debian/``
stays out, because setuptools' automatic package discovery would take it
for a second top-level package of a flat layout; git still sees a
VCS-versioned copy as clean (:func:`dh_venv.inputs.collect.clean_git_copy`).
What the build itself writes under ``debian/`` never goes in:
``.debhelper/``, ``tmp/`` and the staging trees of the binary packages.
"""

from __future__ import annotations

import re
from pathlib import Path

from dh_venv import tree
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
#: Directories never copied: tool caches and quilt's state.
IGNORED = (".pc", ".tox", ".nox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache")
# Build outputs under debian/, besides the staging tree of each binary package.
_DEBIAN_OUTPUTS = (".debhelper", "tmp")

_NAMES_DEBIAN = re.compile(r"\bdebian\b")

# A setup.cfg-only project has no build entry point pip recognises; this
# is the backend setuptools uses for such trees.
_SETUP_CFG_PYPROJECT = """\
# Written by dh_venv: the source has only setup.cfg.
[build-system]
requires = ["setuptools>=40.9"]
build-backend = "setuptools.build_meta"
"""


def check_project(source_dir: Path) -> None:
    """Fail unless ``source_dir`` holds something pip can install."""
    if not source_dir.is_dir():
        raise DhVenvError(
            f"source directory {source_dir} does not exist",
            hint="fix --sourcedirectory",
        )
    if not any((source_dir / m).is_file() for m in _MARKERS):
        raise DhVenvError(
            f"no Python project in {source_dir}: none of {', '.join(_MARKERS)} found",
            hint="point --sourcedirectory at the project, or use --skip-install to install only requirements",
        )


def prepare_copy(
    source_dir: Path, dest: Path, runner: Runner, skipped: list[Path] | None = None, links: tree.Links | None = None
) -> Path:
    """Copy the project to ``dest`` for building; return the copy.

    Special files (pipes, sockets, devices) are left out and appended to
    ``skipped``; an unreadable file is an error naming it; ``links`` says
    which symlinks may point outside the source tree (:func:`dh_venv.tree.copy_tree`).
    """
    debian = source_dir / "debian"
    outputs = {*_DEBIAN_OUTPUTS, *binary_packages(debian / "control")}
    excluded = set(IGNORED) if reads_debian(source_dir) else {*IGNORED, "debian"}

    def ignore(here: Path, names: list[str]) -> set[str]:
        if here == source_dir:
            return {n for n in names if n in excluded}
        if here == debian:
            return {n for n in names if n in outputs and (here / n).is_dir()}
        return set()

    left_out = runner.copy_tree(source_dir, dest, ignore, links)
    if skipped is not None:
        skipped += left_out
    has_backend = (source_dir / "pyproject.toml").is_file() or (source_dir / "setup.py").is_file()
    if not has_backend and (source_dir / "setup.cfg").is_file():
        runner.write_text(dest / "pyproject.toml", _SETUP_CFG_PYPROJECT)
    return dest


def reads_debian(source_dir: Path) -> bool:
    """Whether building the project may read ``debian/`` (see the module's docstring)."""
    text = "".join((source_dir / n).read_text(errors="replace") for n in _MARKERS if (source_dir / n).is_file())
    return bool(_NAMES_DEBIAN.search(text))


def binary_packages(control: Path) -> list[str]:
    """The ``Package:`` names of ``debian/control``, or none if it cannot be read."""
    try:
        text = control.read_text(errors="replace") if control.is_file() else ""
    except OSError:
        return []
    return re.findall(r"^Package:[ \t]*(\S+)", text, flags=re.MULTILINE | re.IGNORECASE)


def warn_skipped(package: str, runner: Runner, skipped: list[Path]) -> None:
    """Say which special files (pipes, sockets, devices) were left out of a copy."""
    for path in skipped:
        try:
            what = "symlink to nothing" if path.is_symlink() else tree.kind(path.lstat().st_mode) or "special file"
        except OSError:
            what = "special file"
        runner.report.warning(f"{path}: skipped a {what}; only files are built", package)


def requires_python(source_dir: Path) -> str | None:
    """The project's ``requires-python`` (pyproject.toml) or ``python_requires`` (setup.cfg), if any."""
    import configparser
    import tomllib

    try:
        with (source_dir / "pyproject.toml").open("rb") as fh:
            value = tomllib.load(fh).get("project", {}).get("requires-python")
        if isinstance(value, str):
            return value
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        pass
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(source_dir / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    return parser.get("options", "python_requires", fallback=None)
