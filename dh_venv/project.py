"""Finding the Python project in the source tree and preparing a build copy.

The project is built from a copy under ``debian/.debhelper/`` so the
setuptools ``build/`` and ``*.egg-info`` droppings never touch the
maintainer's tree (dpkg-source would see them as changes), and any path
a build backend records stays inside the build directory, where the leak
scan looks.  The copy leaves out ``debian/``: setuptools' flat-layout
discovery would take it for a package, and it holds the build's own
outputs.  Git still sees a VCS-versioned copy as clean: see
:func:`dh_venv.inputs.clean_git_copy`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
_IGNORED = (".pc", ".tox", ".nox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache")

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

    def ignore(directory: str, names: list[str]) -> list[str]:
        here = Path(directory)
        if here == source_dir:
            # debian/ would look like a package to flat-layout discovery; VCS-versioned
            # projects still see a clean tree (inputs.vcs_build_env).
            return [n for n in names if n in _IGNORED or n == "debian"]
        return []

    shutil.copytree(source_dir, dest, symlinks=True, ignore=ignore)
    has_backend = (dest / "pyproject.toml").is_file() or (dest / "setup.py").is_file()
    if not has_backend and (dest / "setup.cfg").is_file():
        (dest / "pyproject.toml").write_text(_SETUP_CFG_PYPROJECT)
    return dest


def binary_packages(control: Path) -> list[str]:
    """The ``Package:`` names of ``debian/control``, or none if it cannot be read."""
    try:
        text = control.read_text(errors="replace")
    except OSError:
        return []
    return re.findall(r"^Package:[ \t]*(\S+)", text, flags=re.MULTILINE | re.IGNORECASE)


_NESTED = ("-r", "--requirement", "-c", "--constraint")
_EXTRAS = re.compile(r"\[([^\]]*)\]$")


def _self_reference(spec: str, source_dir: Path) -> list[str] | None:
    """The extras of a requirement naming the project itself (``.``, ``-e .[x]``), else None."""
    words = spec.split(None, 1)
    if words and words[0] in ("-e", "--editable"):
        spec = words[1] if len(words) > 1 else ""
    elif spec.startswith("--editable="):
        spec = spec.split("=", 1)[1]
    spec = spec.removeprefix("file:")
    match = _EXTRAS.search(spec)
    path = spec[: match.start()] if match else spec
    if not path.startswith((".", "/")) or Path(source_dir, path).resolve() != source_dir.resolve():
        return None
    return [e.strip() for e in match.group(1).split(",") if e.strip()] if match else []


def without_project(requirements: Path, source_dir: Path, dest: Path) -> tuple[Path, list[str], list[str]]:
    """Drop lines of ``requirements`` that install the project itself.

    dh-virtualenv users often list ``.`` or ``-e .`` in requirements.txt;
    dh_venv installs the project anyway, and pip refuses the same project
    from two places.  Returns the file to use (a copy in ``dest`` when
    something was dropped, with nested ``-r``/``-c`` paths made absolute),
    the dropped lines and the extras they asked for.
    """
    kept: list[str] = []
    dropped: list[str] = []
    extras: list[str] = []
    for line in requirements.read_text().splitlines():
        spec = line.split(" #", 1)[0].strip()
        wanted = _self_reference(spec, source_dir)
        if wanted is not None:
            dropped.append(line.strip())
            extras += wanted
            continue
        option, _, value = spec.partition("=") if spec.startswith("--") else spec.partition(" ")
        if option in _NESTED and value.strip():
            line = f"{option} {(requirements.parent / value.strip()).resolve()}"
        kept.append(line)
    if not dropped:
        return requirements, [], []
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(kept) + "\n")
    return dest, dropped, extras
