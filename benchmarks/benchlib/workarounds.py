"""dh-virtualenv's known workarounds: each is added only after a build failed without it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Workaround:
    """A debian/rules fragment, and the build log line that asks for it."""

    key: str
    rules: str
    pattern: str
    why: str


WORKAROUNDS = (
    Workaround(
        key="empty override_dh_auto_configure",
        rules="override_dh_auto_configure:\n",
        pattern=r"This feature was removed in compat 12",
        why=(
            "dh-virtualenv takes dh_auto_build/test/install/clean out of the sequence but not "
            "dh_auto_configure, which picks debhelper's python_distutils build system for a "
            "setup.py; that build system is gone in compat 12+"
        ),
    ),
    Workaround(
        key="override_dh_virtualenv with --python=/usr/bin/python3 --builtin-venv",
        rules="override_dh_virtualenv:\n\tdh_virtualenv --python=/usr/bin/python3 --builtin-venv\n",
        pattern=r"No such file or directory: 'virtualenv'|virtualenv: (command )?not found",
        why="dh_virtualenv runs a 'virtualenv' command from PATH unless told to use python3 -m venv",
    ),
    Workaround(
        key="empty override_dh_dwz",
        rules="override_dh_dwz:\n",
        pattern=r"dh_dwz: error",
        why="dwz rejects the prebuilt libraries of wheels from the index",
    ),
    Workaround(
        key="override_dh_shlibdeps excluding site-packages",
        rules="override_dh_shlibdeps:\n\tdh_shlibdeps -Xsite-packages/\n",
        pattern=r"dpkg-shlibdeps: error: cannot find library",
        why=(
            "libraries bundled by older auditwheel releases load each other without an RPATH, "
            "so dpkg-shlibdeps cannot resolve them (Depends then misses the venv's system libraries)"
        ),
    ),
)
BUILTIN_VENV = WORKAROUNDS[1]


def rules_for(workarounds: Sequence[Workaround]) -> str:
    return "".join("\n" + w.rules for w in workarounds)
