"""The frozen values the inputs stage hands to the installers.

:class:`Inputs` says what goes into one venv, from where (:class:`Sources`)
and, for a lock file, with which hashes (:class:`Lock` of :class:`Pin`).
Other stages import these value types only, never the readers that make
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The index the Python world installs from when nothing else is named.
PYPI = "https://pypi.org/simple"


@dataclass(frozen=True)
class Pin:
    """One locked distribution: exact version, and the hashes of its files."""

    name: str
    version: str
    hashes: tuple[str, ...]
    #: (file name, ``sha256:<hex>``) of each file the lock lists, for telling which one was installed.
    files: tuple[tuple[str, str], ...] = ()

    def requirement_line(self) -> str:
        """The hashed requirements-file line pip verifies."""
        return " ".join([f"{self.name}=={self.version}", *(f"--hash={h}" for h in self.hashes)])


@dataclass(frozen=True)
class Lock:
    """What a lock file pins for one interpreter."""

    path: Path
    pins: tuple[Pin, ...]
    #: Indexes the lock was made against, other than PyPI.
    indexes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Where distributions come from."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    #: A directory of distribution files; when set, no index is used at all.
    wheelhouse: Path | None = None
    #: (name, version) of the venv's seed (pip, setuptools, wheel) in the wheelhouse.
    seed: tuple[tuple[str, str], ...] = ()

    @property
    def offline(self) -> bool:
        return self.wheelhouse is not None


@dataclass(frozen=True)
class Inputs:
    """Everything an installer backend installs into one venv."""

    sources: Sources
    #: ``--upgrade-pip``: ``None`` no, ``""`` the newest, else this version.
    upgrade_pip: str | None = None
    #: pip arguments that add what virtualenv left out of the seed (``--keep-seed``), first of all.
    seed: tuple[str, ...] = ()
    preinstall: tuple[str, ...] = ()
    #: Requirements files (with nested ``-r``/``-c`` kept working).
    requirement_files: tuple[Path, ...] = ()
    #: The requirements files pin every requirement with ``--hash``.
    hashed: bool = False
    #: The locked set; when set, nothing else is resolved.
    lock: Lock | None = None
    #: The project to build and install (its build copy), or None.
    project: Path | None = None
    extras: tuple[str, ...] = ()
    #: Environment for building the project (``SETUPTOOLS_SCM_PRETEND_VERSION``).
    build_env: Mapping[str, str] = field(default_factory=dict)
    #: Installer options of the user (``--extra-pip-arg``), passed through as they are.
    extra_args: tuple[str, ...] = ()
    #: Where relative paths in requirements files (``./libs/x.whl``) are resolved: the project.
    source_dir: Path | None = None

    @property
    def verified(self) -> bool:
        """Every requirement is pinned and hash-checked, so the project goes in without dependencies."""
        return self.lock is not None or self.hashed
