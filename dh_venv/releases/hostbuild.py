"""Building on this machine, for its own release, the way a maintainer does: ``dpkg-buildpackage -us -uc -b``.

The tree is a copy, so the project is never written to; the packages
land beside the copy, where dpkg-buildpackage puts them, and are
returned from there.  Build dependencies are checked, as
dpkg-buildpackage does; a missing one is named with what to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner


def build(tree: Path, runner: Runner, env: Mapping[str, str]) -> list[Path]:
    """Build the binary packages of ``tree``; return them (they are in ``tree``'s parent)."""
    before = set(tree.parent.iterdir())
    try:
        runner.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=env)
    except CommandError as exc:
        raise _failure(exc) from None
    return sorted(p for p in set(tree.parent.iterdir()) - before if p.name.endswith((".deb", ".ddeb")))


def _failure(exc: CommandError) -> DhVenvError:
    lines = exc.output.splitlines()
    unmet = [line.split("Unmet build dependencies:", 1)[1].strip() for line in lines if "Unmet build dep" in line]
    if unmet:
        return DhVenvError(
            f"dpkg-buildpackage: unmet build dependencies on this machine: {unmet[0]}",
            hint="install them (apt-get build-dep ./ does), or build in a clean chroot with --release",
        )
    own = [line.strip() for line in lines if line.startswith("dh_venv") and ": error:" in line]
    errors = own or [line.strip() for line in lines if ": error:" in line or line.startswith("make: ***")]
    why = errors[0] if errors else f"exit status {exc.returncode}"
    return DhVenvError(
        f"the build on this machine failed: {why}",
        hint="the build's last lines are below (-v shows all of it)",
        details="\n".join(lines[-30:]),
    )
