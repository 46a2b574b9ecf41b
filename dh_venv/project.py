"""Finding the Python project in the source tree and preparing a build copy.

The project is built from a copy under ``debian/.debhelper/`` so the
setuptools ``build/`` and ``*.egg-info`` droppings never touch the
maintainer's tree (dpkg-source would see them as changes), and any path
a build backend records stays inside the build directory, where the leak
scan looks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
_IGNORED = ("debian", ".pc", ".tox", ".nox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache")

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


def prepare_copy(source_dir: Path, dest: Path, runner: Runner) -> Path:
    """Copy the project to ``dest`` for building; return the copy."""
    runner.announce(f"cp -a {source_dir} {dest}")
    if runner.no_act:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        source_dir,
        dest,
        symlinks=True,
        ignore=lambda d, names: [n for n in names if n in _IGNORED and Path(d) == source_dir],
    )
    has_backend = (dest / "pyproject.toml").is_file() or (dest / "setup.py").is_file()
    if not has_backend and (dest / "setup.cfg").is_file():
        (dest / "pyproject.toml").write_text(_SETUP_CFG_PYPROJECT)
    return dest
