"""Which of the venv's seed (pip, setuptools, wheel) the application needs at run time.

A venv created for pip starts with pip, setuptools and wheel.  The package
keeps one only when it was asked for (a requirement, ``--preinstall``,
``--upgrade-pip``, a lock pin) or an installed distribution requires it,
with its environment markers and the extras actually requested taken into
account.  Everything else is removed before the tree is finalized.

With ``--keep-seed`` all three stay, on every release: where the release's
virtualenv seeds fewer (trixie's seeds pip only, for Python >= 3.12),
:func:`missing_seed` says how to install the rest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dh_venv import site
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.runner import Runner
from dh_venv.settings import Settings

if TYPE_CHECKING:
    from dh_venv.installers.backend import Backend

SEED = frozenset({"pip", "setuptools", "wheel"})
_NESTED = re.compile(r"^(-r|--requirement)(\s+|=)(?P<path>\S+)")
# Top-level names of site-packages that belong to the seed (their own pkg_resources imports do not count).
_SEED_DIRS = frozenset({"setuptools", "pkg_resources", "pip", "_distutils_hack", "wheel"})
_RUNTIME_IMPORT = re.compile(rb"^(import|from)\s+pkg_resources\b", re.MULTILINE)


def missing_seed(venv: Path, sources: Sources, debian_wheels: Path) -> tuple[str, ...]:
    """pip arguments that install what the venv lacks of pip, setuptools and wheel; () if nothing.

    From a wheelhouse the names alone (it holds what ``dh-venv vendor``
    put there); otherwise the versions this release packages in
    ``debian_wheels`` (python3-setuptools-whl, python3-wheel-whl: what
    virtualenv seeds from where it seeds them), found there or on the index.
    """
    missing = sorted(SEED - set(installed(venv)))
    if not missing or sources.offline or not debian_wheels.is_dir():
        return tuple(missing)
    args = ["--find-links", str(debian_wheels)]
    for name in missing:
        found = sorted(debian_wheels.glob(f"{name}-*-py3-none-any.whl"))
        args.append(f"{name}=={found[-1].name.split('-')[1]}" if found else name)
    return tuple(args)


def complete_seed(backend: Backend, venv: Path, wanted: Inputs, work_dir: Path) -> None:
    """``--keep-seed``: install the part of pip, setuptools and wheel that virtualenv did not seed."""
    from dh_venv.installers import plan
    from dh_venv.installers import venv as _venv

    seed = missing_seed(venv, wanted.sources, Path(_venv.WHEELS))
    if seed:
        only = Inputs(sources=wanted.sources, seed=seed, extra_args=wanted.extra_args)
        backend.install(venv, plan.plan(only, work_dir))


def requested(inputs: Inputs, app: str | None) -> dict[str, set[str]]:
    """Distribution names the build asks for by name, each with the extras asked for."""
    asked: dict[str, set[str]] = {}

    def add(text: str) -> None:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            return  # a path, URL or option: nothing named
        asked.setdefault(canonicalize_name(req.name), set()).update(req.extras)

    if inputs.lock is not None:
        for pin in inputs.lock.pins:
            asked.setdefault(canonicalize_name(pin.name), set())
    if inputs.upgrade_pip is not None:
        asked.setdefault("pip", set())
    for item in inputs.preinstall:
        add(item)
    for line in _requirement_lines(inputs.requirement_files, set()):
        add(line)
    if app is not None:
        asked.setdefault(canonicalize_name(app), set()).update(inputs.extras)
    return asked


def _requirement_lines(files: Iterable[Path], seen: set[Path]) -> list[str]:
    """The requirement lines of ``files`` and the files they include with ``-r`` (not ``-c``)."""
    lines: list[str] = []
    for path in files:
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for raw in path.read_text(errors="replace").splitlines():
            line = raw.split(" #", 1)[0].strip()
            nested = _NESTED.match(line)
            if nested:
                lines += _requirement_lines([path.parent / nested["path"]], seen)
            elif line and not line.startswith(("-", "#")):
                lines.append(line.split(" --", 1)[0].strip())
    return lines


def installed_name(dist_info: Path) -> str | None:
    """The distribution name a ``*.dist-info`` directory records."""
    name = site.at(dist_info).metadata.get("Name")
    return str(name) if name else None


def installed(venv: Path) -> dict[str, list[Requirement]]:
    """Every distribution in the venv's site-packages, with its ``Requires-Dist``."""
    return {dist.name: dist.requires() for dist in site.distributions(venv) if dist.metadata.get("Name")}


def needed(
    dists: Mapping[str, list[Requirement]], asked: Mapping[str, set[str]], markers: Mapping[str, str]
) -> set[str]:
    """The seed distributions asked for or required, through the requirements that apply."""
    extras: dict[str, set[str]] = {name: set(wanted) for name, wanted in asked.items()}
    keep = {name for name in asked if name in SEED}
    changed = True
    while changed:
        changed = False
        for name, reqs in dists.items():
            if name in SEED and name not in keep:
                continue
            for req in reqs:
                if not _applies(req, extras.get(name, set()), markers):
                    continue
                dep = canonicalize_name(req.name)
                if dep in SEED and dep not in keep:
                    keep.add(dep)
                    changed = True
                if not req.extras <= extras.setdefault(dep, set()):
                    extras[dep] |= req.extras
                    changed = True
    return keep


def _applies(req: Requirement, extras: set[str], markers: Mapping[str, str]) -> bool:
    if req.marker is None:
        return True
    for extra in ("", *sorted(extras)):
        try:
            if req.marker.evaluate({**markers, "extra": extra}):
                return True
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
            return True  # unreadable: keep what it names, rather than break the application
    return False


def pkg_resources_users(venv: Path) -> list[str]:
    """Files of the venv, outside the seed, that import ``pkg_resources`` at module level."""
    users = []
    for packages in sorted(venv.glob("lib/python3*/site-packages")):
        # os.walk and plain strings: a venv has thousands of modules, read on every build.
        for top, dirs, names in os.walk(packages):
            if top == str(packages):
                dirs[:] = [d for d in dirs if d not in _SEED_DIRS]
            for name in names:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(top, name)
                try:
                    with open(path, "rb") as fh:
                        data = fh.read()
                except OSError:
                    continue
                if b"pkg_resources" in data and _RUNTIME_IMPORT.search(data):
                    users.append(os.path.relpath(path, venv))
    return sorted(users, key=lambda user: user.split("/"))  # as Paths sort


def leave_out_seed(
    settings: Settings,
    runner: Runner,
    backend: Backend,
    staging: Path,
    wanted: Inputs,
    markers: Mapping[str, str],
    app: Path | None,
) -> None:
    """Remove pip, setuptools and wheel unless asked for or required; warn about undeclared pkg_resources users."""
    if backend.seeded:
        dists = installed(staging)
        app_name = installed_name(app) if app else None
        keep = needed(dists, requested(wanted, app_name), markers)
        backend.remove_seed(staging, keep)
        names = {name for name in dists if name not in SEED or name in keep}
    else:  # nothing to remove: only the names matter, not the requirements
        names = {dist.name for dist in site.distributions(staging) if dist.metadata.get("Name")}
    if "setuptools" not in names:
        users = pkg_resources_users(staging)
        if users:
            shown = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
            runner.report.warning(
                f"{shown} import(s) pkg_resources, which comes with "
                "setuptools, and no installed distribution requires setuptools, so the venv has none; if the "
                "application needs it at run time, add setuptools to the requirements (or build with --keep-seed)",
                settings.package,
            )
