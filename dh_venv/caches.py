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

import os
import pwd
from collections.abc import Mapping
from pathlib import Path

from dh_venv.errors import DhVenvError

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
