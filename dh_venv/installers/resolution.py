"""Installing an unchanged, fully pinned set again without asking the index.

When every distribution an install put into the venv is pinned with ``==``
by the requirements files (or hash-checked from a lock), a second install
of the same inputs can only pick the same versions.  Asking the index again
is then the cost of a warm build (a revalidation request per project), so
the installer runs offline from its own cache instead (``uv pip install
--offline``).  If that fails (the cache lost a file), the run is repeated
online.

The key (:func:`resolution_key`) is a sha256 over the steps' arguments,
the contents of every requirements file they read (nested ``-r`` and ``-c``
too), the index options, the interpreter and the installer with its
version; the build directory is written as ``<build>``.  A key is
remembered as a file ``resolutions/<key>`` in dh_venv's cache
(:mod:`dh_venv.caches`) after an online install found the set fully pinned.
``DH_VENV_NO_REUSE=1`` asks the index again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from dh_venv import site
from dh_venv.installers.plan import Plan, Step
from dh_venv.installers.projectwheel import build_dir_of, interpreter_identity

#: The cache's subdirectory for remembered resolutions.
DIRECTORY = "resolutions"
_FORMAT = "1"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;,*]+)\s*(?:;.*)?$")
_NESTED = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)$")


def resolution_key(plan: Plan, steps: Sequence[Step], venv: Path, installer: str) -> str:
    """The key of installing ``steps`` of ``plan`` into ``venv`` (see the module's docstring); "" for none."""
    build = build_dir_of(plan.work_dir) if plan.work_dir else None

    def norm(text: str) -> str:
        return text.replace(str(build), "<build>") if build is not None else text

    h = hashlib.sha256()

    def feed(*parts: object) -> None:
        for part in parts:
            data = norm(str(part)).encode("utf-8", "surrogateescape")
            h.update(len(data).to_bytes(8, "big") + data)

    python = interpreter_identity(venv)
    if not python:
        return ""
    feed("format", _FORMAT, "installer", installer, "python", *python)
    feed("sources", repr(plan.sources), "args", *plan.extra_args)
    for step in steps:
        feed("step", step.upgrade, step.no_deps, step.require_hashes, *step.requirements)
        for path, text in _files(step.requirement_files):
            feed("file", path, text)
    return h.hexdigest()


def _files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Each requirements file and the files it names with ``-r``/``-c``, with their text."""
    out: list[tuple[Path, str]] = []
    todo = list(paths)
    while todo:
        path = todo.pop(0)
        if any(path == seen for seen, _ in out):
            continue
        try:
            text = path.read_text(errors="surrogateescape")
        except OSError:
            text = "<unreadable>"
        out.append((path, text))
        for line in _lines(text):
            nested = _NESTED.match(line)
            if nested:
                todo.append(path.parent / nested.group(1))
    return out


def _lines(text: str) -> list[str]:
    """Logical lines without comments and ``--hash`` options."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        line = re.sub(r"\s--hash[=\s]\S+", "", line).strip()
        if line:
            out.append(line)
    return out


def pins(steps: Sequence[Step]) -> dict[str, str]:
    """Every ``name==version`` the steps' requirements and their files name (normalised name to version)."""
    found: dict[str, str] = {}
    lines = [line for step in steps for _, text in _files(step.requirement_files) for line in _lines(text)]
    for line in [*lines, *(r for step in steps for r in step.requirements)]:
        pin = _PIN.match(line)
        if pin:
            found[site.normalize(pin.group(1))] = pin.group(2)
    return found


def fully_pinned(venv: Path, steps: Sequence[Step], before: set[str], project: str | None) -> bool:
    """Whether every distribution the steps installed into ``venv`` is pinned to the version installed."""
    pinned = pins(steps)
    for dist in site.distributions(venv):
        if dist.name in before or dist.name == project:
            continue
        if pinned.get(dist.name) != dist.version:
            return False
    return True


def known(cache: Path, key: str) -> bool:
    """Whether an install of ``key`` was found fully pinned before."""
    return (cache / DIRECTORY / key).is_file()


def remember(cache: Path, key: str, venv: Path) -> None:
    """Record ``key`` (and what it installed, for whoever looks), atomically."""
    parent = cache / DIRECTORY
    parent.mkdir(parents=True, exist_ok=True)
    installed = {d.name: d.version for d in site.distributions(venv)}
    fd, part = tempfile.mkstemp(prefix=".part-", dir=parent)
    with os.fdopen(fd, "w") as f:
        json.dump({"installed": installed}, f, indent=1, sort_keys=True)
    os.replace(part, parent / key)
