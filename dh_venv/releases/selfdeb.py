"""The dh-venv package a chroot build installs: dh-venv is not in Debian's archive.

sbuild installs it into the clean chroot with ``--extra-package``, before
the build dependencies (``dh-sequence-python-venv`` is what it provides).
The ``.deb`` is the one given (``--dh-venv-deb``), else the package
installed on this machine, put back together from its installed files by
``dpkg-repack`` (under ``fakeroot`` when not root).  dh-venv is
``Architecture: all`` and depends only on what every supported release has,
so one package serves every release.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dh_venv import __version__
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

PACKAGE = "dh-venv"
_WHERE = "(make deb in dh-venv's source tree builds it into build/)"


def given(path: Path) -> Path:
    """Check a ``.deb`` given with ``--dh-venv-deb``: it must be dh-venv's."""
    if not path.is_file() or not path.name.endswith(".deb"):
        raise DhVenvError(f"--dh-venv-deb={path}: no such .deb file", hint=f"give the dh-venv .deb {_WHERE}")
    name = path.name.split("_")[0]
    if name != PACKAGE:
        raise DhVenvError(
            f"--dh-venv-deb={path} is the package {name}, not {PACKAGE}", hint=f"give the dh-venv .deb {_WHERE}"
        )
    return path.resolve()


def repack(dest: Path, runner: Runner) -> Path:
    """The installed dh-venv as a ``.deb`` in ``dest``, made with dpkg-repack."""
    try:
        version = runner.run(
            ["dpkg-query", "-W", "-f=${Version} ${db:Status-Status}", PACKAGE], changes_files=False, stdout_only=True
        ).split()
    except CommandError:
        version = []
    if version[1:] != ["installed"]:
        raise DhVenvError(
            f"a chroot build installs {PACKAGE} into the chroot, and {PACKAGE} is not installed "
            "as a Debian package on this machine",
            hint=f"give its .deb with --dh-venv-deb {_WHERE}, or install it",
        )
    if version[0] != __version__:
        raise DhVenvError(
            f"the installed {PACKAGE} package is version {version[0]}, but this is dh-venv {__version__}",
            hint=f"install this version, or give its .deb with --dh-venv-deb {_WHERE}",
        )
    if not shutil.which("dpkg-repack"):
        raise DhVenvError(
            f"dpkg-repack is not installed: it makes the .deb of the installed {PACKAGE} for the chroot",
            hint=f"apt-get install dpkg-repack, or give the .deb with --dh-venv-deb {_WHERE}",
        )
    dest.mkdir(parents=True, exist_ok=True)
    fakeroot = [] if os.geteuid() == 0 else ["fakeroot", "-u"]
    runner.run([*fakeroot, "dpkg-repack", PACKAGE], cwd=dest, stream=False)
    [deb] = dest.glob(f"{PACKAGE}_*.deb")
    return deb
