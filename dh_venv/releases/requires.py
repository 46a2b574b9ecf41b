"""Whether a release's interpreter can run the project: its ``requires-python`` against ``python3.X``.

Checked before anything is built, for every requested release; an
excluded release is an error naming the supported releases that fit.  A
release's interpreter is ``/usr/bin/python3`` resolved on this machine for
its own release, else the one in that release's build chroot (made once).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.inputs import project
from dh_venv.releases import chroots, targets
from dh_venv.runner import Runner


def version_of(package: str) -> str:
    """``3.13`` for ``python3.13``."""
    return package.removeprefix("python")


def interpreter_of(release: str, runner: Runner, environ: Mapping[str, str], extra: Sequence[str]) -> str:
    """``python3.X``, the interpreter of ``release``."""
    if release == targets.host_release() and os.path.exists(targets.PYTHON3):
        return os.path.basename(os.path.realpath(targets.PYTHON3))
    tarball = chroots.tarball(release, "buildd", runner, environ, extra=extra)
    found = chroots.interpreter(tarball)
    if found is None:
        raise DhVenvError(f"the {release} chroot {tarball} has no /usr/bin/python3", hint=f"remove {tarball}")
    return found


def _fits(spec: object, version: str) -> bool:
    from packaging.specifiers import SpecifierSet

    assert isinstance(spec, SpecifierSet)
    return spec.contains(version, prereleases=True) or spec.contains(f"{version}.99", prereleases=True)


def check(
    project_dir: Path, releases: Sequence[str], runner: Runner, environ: Mapping[str, str], *, extra: Sequence[str]
) -> None:
    """Fail, naming the releases that fit, if a release's interpreter is outside the project's requires-python."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    text = project.requires_python(project_dir)
    if not text:
        return
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        return  # the installer names a malformed requirement better
    for release in releases:
        found = interpreter_of(release, runner, environ, extra)
        if _fits(spec, version_of(found)):
            continue
        every = {r.codename: interpreter_of(r.codename, runner, environ, extra) for r in targets.supported()}
        fits = [name for name, python in every.items() if _fits(spec, version_of(python))]
        shown = ", ".join(f"{name} has {python}" for name, python in every.items())
        raise DhVenvError(
            f"{project_dir} requires Python {text} (requires-python), which {release}'s {found} is not",
            hint=f"build for {' and '.join(fits)} instead ({shown})"
            if fits
            else f"no supported release fits ({shown}): change requires-python",
        )
