"""Building a source package for one release with Debian's own engine: sbuild in unshare mode.

Unshare mode unpacks the release's chroot tarball (made once by
mmdebstrap) into a private user namespace, installs the build
dependencies and dh-venv (``--extra-package``) from the network, then
builds with no network at all: the project comes with its wheelhouse.  It
needs no root, and works as root too; either way the user needs
subordinate ids (``/etc/subuid``, ``/etc/subgid``) and, when not root, the
``newuidmap`` program of the ``uidmap`` package.  Without a usable ``HOME``
(CI runners) sbuild gets an empty one, so no ``~/.sbuildrc`` is needed.
"""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Mapping
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

_NO_HOME = {"", "/nonexistent", "/sbuild-nonexistent"}
_SUBIDS = "100000-165535"


def _user() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def _has_range(path: Path, user: str) -> bool:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return False
    return any(line.split(":")[0] in (user, str(os.getuid())) for line in lines if line.count(":") == 2)


def check(environ: Mapping[str, str]) -> None:
    """Fail, saying what to install or set up, unless sbuild's unshare mode can run here."""
    path = environ.get("PATH", os.defpath)
    if not shutil.which("sbuild", path=path):
        raise DhVenvError(
            "sbuild is not installed: --release builds in a clean chroot with sbuild",
            hint="apt-get install sbuild (or build for this machine's release without --release)",
        )
    if os.getuid() != 0 and not shutil.which("newuidmap", path=path):
        raise DhVenvError(
            "newuidmap is not installed: sbuild's unshare mode needs it to build as a user other than root",
            hint="apt-get install uidmap",
        )
    user = _user()
    missing = [p for p in ("/etc/subuid", "/etc/subgid") if not _has_range(Path(p), user)]
    if missing:
        raise DhVenvError(
            f"sbuild's unshare mode needs subordinate ids for user {user}, and {' and '.join(missing)} "
            f"{'has' if len(missing) == 1 else 'have'} none",
            hint=f"as root: usermod --add-subuids {_SUBIDS} --add-subgids {_SUBIDS} {user}",
        )


def sbuild_env(environ: Mapping[str, str], scratch: Path) -> dict[str, str]:
    """sbuild's environment: the caller's, with a usable ``HOME`` (an empty one when it has none)."""
    env = dict(environ)
    home = env.get("HOME", "")
    if home in _NO_HOME or not os.path.isdir(home):
        env["HOME"] = str(scratch / "home")
        (scratch / "home").mkdir(parents=True, exist_ok=True)
    env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return env


def build(
    dsc: Path, release: str, tarball: Path, dh_venv_deb: Path, out: Path, runner: Runner, env: Mapping[str, str]
) -> list[Path]:
    """Build ``dsc`` for ``release`` in ``tarball``'s chroot; return the packages, left in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    argv: list[str | Path] = [
        "sbuild",
        "--chroot-mode=unshare",
        f"--chroot={tarball}",
        f"--dist={release}",
        "--arch-any",
        "--arch-all",
        "--no-run-lintian",
        "--no-run-piuparts",
        "--no-run-autopkgtest",
        "--no-source-only-changes",
        "--nolog",
        f"--extra-package={dh_venv_deb}",
        f"--build-dir={out.resolve()}",
        dsc.resolve(),
    ]
    try:
        runner.run(argv, env=env, cwd=dsc.parent)
    except CommandError as exc:
        raise DhVenvError(
            f"sbuild could not build {dsc.name} for {release}: {_reason(exc.output)}",
            hint="read sbuild's output above; a build that needs the network must be vendored (dh-venv vendor)",
            details="\n".join(exc.output.splitlines()[-40:]),
        ) from None
    return sorted(p for p in out.iterdir() if p.name.endswith((".deb", ".ddeb")))


def _reason(output: str) -> str:
    """The line of sbuild's output that says why: dh_venv's error, an unmet dependency, else its status."""
    lines = output.splitlines()
    for marker in ("dh_venv: error:", "dh-venv: error:", "unmet dependencies", "E: "):
        found = [line.strip() for line in lines if marker in line]
        if found:
            return found[0]
    status = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Status:")]
    return f"status {status[-1]}" if status else "it failed"
