"""The venv virtualenv makes, copied from a previous build instead of running virtualenv again.

virtualenv's output (``--no-seed``: ``pyvenv.cfg``, the activate scripts,
the interpreter links, ``_virtualenv.pth``) depends only on what
:func:`skeleton_key` hashes: the interpreter running virtualenv and the one
the venv is for (each by its real path, size, times, inode and device, so
an update makes a new key), virtualenv's own files, the options it gets,
the venv's name, its ``VIRTUALENV_*`` variables and configuration file.
The first build keeps what virtualenv made in dh_venv's cache
(``skeletons/``, through :mod:`dh_venv.installers.snapshot`, which rewrites
the venv's path and checks every file); later builds copy it.  Only into a
directory that does not exist yet or holds an earlier venv (files
``dh_install`` put there make virtualenv run), and never with
``DH_VENV_NO_REUSE=1``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from dh_venv import caches
from dh_venv.installers import snapshot
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner

_FORMAT = "1"
_NO_REUSE = "DH_VENV_NO_REUSE"


def skeleton_key(python: Interpreter, args: Sequence[str], env: Mapping[str, str], venv: Path) -> str:
    """What virtualenv's output depends on, hashed; "" if part of it cannot be read."""
    spec = importlib.util.find_spec("virtualenv")
    if spec is None or spec.origin is None:
        return ""
    package = Path(spec.origin).parent
    own = [caches.file_identity(package / name) for name in ("__init__.py", "version.py", "run/__init__.py")]
    parts: list[object] = [_FORMAT, caches.file_identity(os.path.realpath(sys.executable)), *own]
    parts += [caches.file_identity(python.path), python.version, venv.name, *args]
    parts += sorted((k, v) for k, v in env.items() if k.startswith("VIRTUALENV_"))
    home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "/nonexistent"), ".config")
    for config in (env.get("VIRTUALENV_CONFIG_FILE", ""), os.path.join(home, "virtualenv", "virtualenv.ini")):
        try:
            parts.append(Path(config).read_text(errors="replace") if config else "")
        except OSError:
            parts.append("<none>")
    if any(part is None for part in parts):
        return ""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def create(
    runner: Runner,
    venv: Path,
    python: Interpreter,
    env: Mapping[str, str],
    args: Sequence[str],
    build: Path | None,
    make: Callable[[], None],
) -> None:
    """The venv at ``venv``: copied from the cache, else made by ``make()`` (virtualenv) and kept."""
    cache = Path(env[caches.VARIABLE]) if env.get(caches.VARIABLE) else None
    fresh = not venv.exists() or (venv / "pyvenv.cfg").exists()
    if cache is None or build is None or runner.no_act or env.get(_NO_REUSE) == "1" or not fresh:
        make()
        return
    key = skeleton_key(python, args, env, venv)
    if key and snapshot.restore(runner, cache, key, venv, build, snapshot.SKELETONS):
        return
    make()
    if key and (venv / "pyvenv.cfg").exists():
        snapshot.store(cache, key, venv, build, snapshot.SKELETONS)
