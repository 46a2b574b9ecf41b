"""The values ``dh-venv init`` exchanges: what the maintainer asked for, what the project says, what is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dh_venv.record.licenses import License


@dataclass(frozen=True)
class Request:
    """What the maintainer asked ``dh-venv init`` (or ``dh-venv build`` on a bare project) for."""

    #: The target release's codename (the changelog's distribution); None: this machine's release.
    release: str | None = None
    #: The command line of a systemd service run as a dedicated system user (``--service``).
    service: str | None = None
    #: Build dependencies the maintainer names (``--build-depends``), added to Build-Depends as they are.
    build_depends: tuple[str, ...] = ()
    #: The binary and source package name (``--package``); None: from the project's name.
    package: str | None = None


@dataclass(frozen=True)
class Project:
    """What the project's own metadata (its built wheel) and its resolved requirement set say."""

    name: str
    version: str
    summary: str = ""
    #: The readme (core metadata's description) and its content type.
    readme: str = ""
    readme_type: str = ""
    license: License = field(default_factory=License)
    #: License file name (as the wheel names it) -> its text.
    license_files: Mapping[str, str] = field(default_factory=dict)
    #: Project URLs: label -> URL, plus ``Home-page`` as "Home-page".
    urls: Mapping[str, str] = field(default_factory=dict)
    #: Authors, as "Name" or "Name <email>".
    authors: tuple[str, ...] = ()
    #: The application's console scripts (entry points of the project itself).
    scripts: tuple[str, ...] = ()
    #: Distribution files of the resolved set (the project's wheel included) that hold compiled code.
    compiled: tuple[str, ...] = ()
    #: Sdists of the resolved set that could not be built here, so whether they compile code is not known.
    unbuilt: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scaffold:
    """A complete ``debian/`` for a project: file texts by path relative to the project."""

    package: str
    #: The Debian version, with the ``-1`` revision.
    version: str
    files: Mapping[str, str]
    #: Paths of ``files`` to write executable (``debian/rules``).
    executable: frozenset[str] = frozenset()
    #: Lines for the maintainer: choices made on their behalf, things to check.
    notes: tuple[str, ...] = ()
    #: What the maintainer must still do in the files (a license text that was not found).
    warnings: tuple[str, ...] = ()
