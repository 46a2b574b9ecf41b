"""``dh-venv build``: from a Python project to ``.deb`` files, on this machine or per release with sbuild.

The project is copied to a scratch directory and never written to; a
project without ``debian/`` gets the one ``dh-venv init`` would write, in
the copy only.  Without a release the copy is built on this machine
(:mod:`~dh_venv.releases.hostbuild`); for each ``--release`` it is built in
a clean chroot of that release (:mod:`~dh_venv.releases.sbuild`), which
has no network during the build: the project is vendored first for every
requested release's interpreter (as ``dh-venv vendor --python-version``
does; a ``debian/wheelhouse/`` the project already has is used as it is),
one source package is made, and each release builds it with the dh-venv
package put into its chroot (:mod:`~dh_venv.releases.selfdeb`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dh_venv import scaffold
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs import wheelhouse
from dh_venv.releases import chroots, hostbuild, sbuild, selfdeb, source, targets
from dh_venv.releases import requires as python_requires
from dh_venv.runner import Runner

#: Fills ``debian/wheelhouse/`` of a tree for the given ``X.Y`` interpreters (``dh-venv vendor``).
Vendor = Callable[[Path, Sequence[str]], None]
#: Installed in the cached build chroot, so that each build installs little: what dh-venv itself depends on.
BUILD_CHROOT_EXTRA = (
    "python3",
    "debhelper",
    "dpkg-dev",
    "python3-virtualenv",
    "python3-debian",
    "python3-packaging",
    "python3-license-expression",
)
# Left out of the copy: they are no part of a source package.
_VCS = {".git", ".hg", ".svn", ".bzr"}
_JUNK = {".tox", ".nox", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


@dataclass(frozen=True)
class Request:
    """What ``dh-venv build`` was asked for."""

    project: Path
    #: This machine's packages go here; each release's into a directory of its name below it.
    output: Path
    #: Releases to build for in a chroot; none: on this machine.
    releases: tuple[str, ...] = ()
    #: The dh-venv package for the chroots; None: the installed one, repacked.
    dh_venv_deb: Path | None = None


@dataclass(frozen=True)
class Package:
    """One built ``.deb``."""

    path: Path
    size: int
    depends: str


@dataclass(frozen=True)
class Result:
    """What one build made: for a release (``chroot``) or on this machine."""

    release: str
    chroot: bool
    packages: tuple[Package, ...]
    seconds: float


def build(request: Request, runner: Runner, environ: Mapping[str, str], vendor: Vendor) -> list[Result]:
    """Build ``request``; return one result per release (one for this machine without releases).

    An error names the project (its source package, else its directory's name).
    """
    try:
        return _build(request, runner, environ, vendor)
    except DhVenvError as exc:
        raise exc.for_package(_name(request.project)) from None


def _name(directory: Path) -> str:
    control = directory / "debian" / "control"
    try:
        for line in control.read_text().splitlines():
            if line.lower().startswith("source:"):
                return line.split(":", 1)[1].strip()
    except (OSError, UnicodeDecodeError):
        pass
    return directory.name


def _build(request: Request, runner: Runner, environ: Mapping[str, str], vendor: Vendor) -> list[Result]:
    if not request.project.is_dir():
        raise DhVenvError(f"{request.project} is not a directory", hint="give the project's directory")
    if not any((request.project / m).is_file() for m in ("pyproject.toml", "setup.py", "setup.cfg")):
        raise DhVenvError(
            f"no Python project in {request.project}: none of pyproject.toml, setup.py, setup.cfg found",
            hint="run dh-venv build in the project's directory, or give that directory",
        )
    for name in request.releases:
        targets.release_named(name)
    if request.releases:
        sbuild.check(environ)
        python_requires.check(request.project, request.releases, runner, environ, extra=BUILD_CHROOT_EXTRA)
    with tempfile.TemporaryDirectory(prefix="dh-venv-build-") as scratch:
        tree = Path(scratch) / "src" / "project"
        _copy(request, tree, runner)
        if not (tree / "debian" / "control").is_file():
            _scaffold(tree, request, runner, environ)
        if not request.releases:
            started = time.monotonic()
            debs = hostbuild.build(tree, runner, environ)
            host = targets.host_release() or "this machine"
            return [_result(host, False, debs, request.output, runner, started)]
        return _in_chroots(tree, Path(scratch), request, runner, environ, vendor)


def _copy(request: Request, tree: Path, runner: Runner) -> None:
    """The project, less what is no part of it (and VCS directories, which no source package carries)."""
    top = request.project.resolve()
    output = request.output.resolve()
    left_out = _JUNK | (_VCS if request.releases else set())

    def ignore(here: Path, names: list[str]) -> set[str]:
        dropped = {n for n in names if n in left_out}
        return dropped | {n for n in names if (here / n).resolve() == output and here.resolve() != output}

    runner.copy_tree(top, tree, ignore)


def _scaffold(tree: Path, request: Request, runner: Runner, environ: Mapping[str, str]) -> None:
    """Write what ``dh-venv init`` would into the copy."""
    release = request.releases[0] if request.releases else None
    composed = scaffold.compose(tree, scaffold.Request(release=release), environ, runner)
    scaffold.write(composed, tree, force=False, runner=runner)
    runner.report.info(
        f"{request.project} has no debian/: built with what dh-venv init writes (into a copy; "
        "dh-venv init writes it into the project)",
        composed.package,
    )


def _in_chroots(
    tree: Path, scratch: Path, request: Request, runner: Runner, environ: Mapping[str, str], vendor: Vendor
) -> list[Result]:
    tarballs = {r: chroots.tarball(r, "buildd", runner, environ, extra=BUILD_CHROOT_EXTRA) for r in request.releases}
    wanted = {r: python_requires.version_of(chroots.interpreter(t) or "") for r, t in tarballs.items()}
    vendored = _vendored(tree)
    if vendored is None:
        vendor(tree, sorted({v for v in wanted.values() if v}))
    else:
        for release, version in wanted.items():
            if version not in vendored:
                raise DhVenvError(
                    f"the project's {wheelhouse.WHEELHOUSE} holds the files for Python {', '.join(sorted(vendored))}, "
                    f"not for {release}'s {version}, and the build in the chroot has no network",
                    hint=f"run dh-venv vendor --python-version={version} in the project, or remove "
                    f"{wheelhouse.WHEELHOUSE} and let dh-venv build vendor into its copy",
                )
    deb = selfdeb.given(request.dh_venv_deb) if request.dh_venv_deb else selfdeb.repack(scratch / "self", runner)
    dsc = source.dsc(tree, runner)
    env = sbuild.sbuild_env(environ, scratch)
    results = []
    for release in request.releases:
        started = time.monotonic()
        runner.report.info(f"building {dsc.name} for {release} with sbuild in {tarballs[release].name}")
        debs = sbuild.build(dsc, release, tarballs[release], deb, scratch / "out" / release, runner, env)
        results.append(_result(release, True, debs, request.output / release, runner, started))
    return results


def _vendored(tree: Path) -> set[str] | None:
    """The Python versions the tree's wheelhouse was vendored for; None without a wheelhouse manifest."""
    manifest = tree / wheelhouse.WHEELHOUSE / wheelhouse.MANIFEST
    if not manifest.is_file():
        return None
    try:
        python = json.loads(manifest.read_text()).get("python", "")
    except (OSError, ValueError, AttributeError) as exc:
        raise DhVenvError(f"{manifest} is damaged ({exc})", hint="run dh-venv vendor again") from None
    return set(str(python).split())


def _result(release: str, chroot: bool, debs: list[Path], output: Path, runner: Runner, started: float) -> Result:
    """Move ``debs`` to ``output`` and describe them."""
    if not debs:
        raise DhVenvError(f"the build for {release} made no .deb", hint="check debian/control's packages")
    packages = []
    runner.apply(f"mkdir -p {output}", lambda: output.mkdir(parents=True, exist_ok=True))
    for deb in debs:
        dest = output / deb.name
        runner.apply(f"cp {deb} {dest}", lambda d=deb, t=dest: shutil.copy2(d, t))  # type: ignore[misc]
        packages.append(Package(dest, os.path.getsize(deb), _depends(deb, runner)))
    return Result(release, chroot, tuple(packages), time.monotonic() - started)


def _depends(deb: Path, runner: Runner) -> str:
    try:
        return runner.run(["dpkg-deb", "-f", deb, "Depends"], changes_files=False, stdout_only=True).strip()
    except CommandError:
        return ""
