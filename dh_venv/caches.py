"""Where dh_venv keeps what makes the next build faster: downloads, built wheels, uv.

One directory holds pip's cache, uv's cache, virtualenv's app data and the
unpacked uv program.  It is shared by every build and package of the user
that runs the build, so a second build downloads nothing it already has:

1. ``$DH_VENV_CACHE_DIR`` when set (a relative path is taken from the build directory; inside the
   source tree only under ``debian/.debhelper/``, which no copy of the project takes);
2. else ``$XDG_CACHE_HOME/dh-venv`` or ``~/.cache/dh-venv``, when ``HOME`` is a writable directory;
3. else (sbuild and pbuilder set ``HOME`` to a directory that does not exist)
   ``debian/.debhelper/dh_venv/cache`` in the build tree, which ``dh_clean`` removes.

Nothing in it goes into a package: the venv is installed from it, never linked to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

VARIABLE = "DH_VENV_CACHE_DIR"
_NO_HOME = {"/nonexistent", "/sbuild-nonexistent"}


def build_tree_cache(build_dir: Path) -> Path:
    """The cache inside the build tree, for builds without a usable home directory."""
    return build_dir / "debian" / ".debhelper" / "dh_venv" / "cache"


def cache_root(environ: Mapping[str, str], build_dir: Path) -> Path:
    """The cache directory for a build in ``build_dir`` (see the module's docstring)."""
    chosen = environ.get(VARIABLE, "")
    if chosen:
        path = Path(chosen)
        path = path if path.is_absolute() else build_dir / path
        inside = path.resolve().is_relative_to(build_dir.resolve())
        if inside and not path.resolve().is_relative_to((build_dir / "debian" / ".debhelper").resolve()):
            where = (
                "inside debian/, where a package's staging tree could ship it"
                if path.resolve().is_relative_to((build_dir / "debian").resolve())
                else f"inside the source tree {build_dir}, so every build would copy it with the project"
            )
            raise DhVenvError(
                f"{VARIABLE}={chosen} is {where}",
                hint=f"point {VARIABLE} outside the source tree, or under debian/.debhelper/",
            )
        _check_writable(path, chosen)
        return path
    home = environ.get("HOME", "")
    # sbuild's and pbuilder's HOME: meant not to exist, even where something created it.
    if home and home not in _NO_HOME and os.path.isdir(home) and os.access(home, os.W_OK | os.X_OK):
        base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        if os.path.isabs(base):
            return Path(base) / "dh-venv"
    return build_tree_cache(build_dir)


def _check_writable(path: Path, chosen: str) -> None:
    """A cache named by the variable must be usable by the user who builds (sbuild, fakeroot, setpriv)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        usable = os.access(path, os.W_OK | os.X_OK)
    except OSError:
        usable = False
    if not usable:
        try:
            user = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            user = str(os.getuid())
        raise DhVenvError(
            f"{VARIABLE}={chosen}: the directory {path} cannot be created or written by user {user}",
            hint=f"point {VARIABLE} at a directory that user may write, or unset it",
        )


#: The cache's subdirectory for the answers of programs whose inputs are known (:func:`answer`).
ANSWERS = "answers"
_ANSWER_FORMAT = "1"


def answer(cache: Path | None, key: Sequence[object], ask: Callable[[], str], runner: Runner, what: str) -> str:
    """What ``ask()`` returns, kept in ``cache`` under a hash of ``key`` (everything the answer depends on).

    ``what`` names the question for ``-v`` when a kept answer is used.  A
    damaged entry is removed with a notice.  Without a cache, or with
    ``None`` in ``key`` (an input that could not be read): ``ask()``.
    """
    if cache is None or any(part is None for part in key):
        return ask()
    name = hashlib.sha256(json.dumps([_ANSWER_FORMAT, *key], default=str).encode()).hexdigest()
    entry = cache / ANSWERS / name
    if entry.exists():
        try:
            kept = json.loads(entry.read_text())["out"]
            if not isinstance(kept, str):
                raise TypeError(f"not a string: {kept!r}")
            runner.announce(f"{what}: the answer kept in the cache (key {name[:16]}), nothing it depends on changed")
            return kept
        except (OSError, ValueError, KeyError, TypeError) as exc:
            entry.unlink(missing_ok=True)
            runner.report.notice(f"removed the damaged cache entry {entry} ({exc}); asking again")
    out = ask()
    if not runner.no_act:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, part = tempfile.mkstemp(prefix=".part-", dir=entry.parent)
            with os.fdopen(fd, "w") as f:
                json.dump({"out": out}, f)
            os.replace(part, entry)
    return out


def reuse_root(environ: Mapping[str, str], build_dir: Path) -> Path | None:
    """The cache directory whose entries a build may reuse; None with ``DH_VENV_NO_REUSE=1``."""
    if environ.get("DH_VENV_NO_REUSE") == "1":
        return None
    return cache_root(environ, build_dir)


def file_identity(path: str | Path) -> tuple[object, ...] | None:
    """What changes when ``path`` is replaced or written: size, times, inode, device; None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def dpkg_database() -> tuple[object, ...]:
    """What ``dpkg-query``'s answers depend on: dpkg's status, diversions, file lists and pending updates.

    dh_venv runs dpkg-query with nothing but ``PATH``: the database is the default one.
    """
    names = ("status", "diversions", "statoverride", "info", "updates", "triggers")
    return tuple(file_identity(os.path.join("/var/lib/dpkg", name)) or name for name in names)
