"""Versions from VCS metadata, for a project built without it or from a copy.

setuptools-scm and hatch-vcs take the project's version from git.  A
tarball has none, so the upstream version of ``debian/changelog`` is
passed instead; a git checkout's build copy gets its index marked so git
sees it as clean as the checkout itself.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dh_venv.errors import CommandError
from dh_venv.runner import Runner

# Build backends that take the version from VCS metadata.
_VCS_VERSIONED = re.compile(r"^(setuptools[-_]scm|hatch[-_]vcs)\b", re.IGNORECASE)


def vcs_version_env(source_dir: Path, build_dir: Path, pyproject: Mapping[str, Any]) -> dict[str, str]:
    """``SETUPTOOLS_SCM_PRETEND_VERSION`` for a VCS-versioned project built without VCS metadata.

    A tarball has no ``.git`` (and an unpacked Debian source no
    ``PKG-INFO``), so setuptools-scm and hatch-vcs would fail or invent a
    version; the upstream version of ``debian/changelog`` is the right one.
    """
    requires = pyproject.get("build-system", {}).get("requires", [])
    if not any(_VCS_VERSIONED.match(r) for r in requires):
        return {}
    # The build copy has VCS metadata only if the project's own directory has it.
    if (source_dir / ".git").exists() or (source_dir / "PKG-INFO").is_file():
        return {}
    version = upstream_version(build_dir / "debian" / "changelog")
    return {"SETUPTOOLS_SCM_PRETEND_VERSION": version} if version else {}


def upstream_version(changelog: Path) -> str | None:
    """The upstream part of the newest ``debian/changelog`` version, as a PEP 440 version."""
    try:
        first = changelog.read_text(errors="replace").split("\n", 1)[0]
    except OSError:
        return None
    match = re.match(r"^\S+ \(([^)]+)\)", first)
    if not match:
        return None
    version = match.group(1).split(":", 1)[-1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    version = re.sub(r"[+~](dfsg|ds|repack)[.\d]*$", "", version)
    return version.replace("~", "")


def clean_git_copy(copy: Path, runner: Runner) -> None:
    """Make git see the build copy of a git checkout as clean, as the checkout itself is.

    The copy leaves out ``debian/`` and other files git tracks; ``git
    describe --dirty`` (setuptools-scm, hatch-vcs) would call a clean
    tagged checkout dirty and invent a ``.devN+g<sha>.d<date>`` version.
    The copy's own index (copied with ``.git``) marks what the copy left
    out as skip-worktree; the maintainer's index is never touched.  (An
    environment variable cannot do it: setuptools-scm drops ``GIT_*``.)
    """
    git_dir = copy / ".git"
    if not git_dir.exists():  # not made under --no-act
        return
    if not git_dir.is_dir():
        runner.report.warning(
            f"{copy.name}: .git is a file (a worktree or submodule), so the build copy "
            "cannot be marked clean; a version from setuptools-scm or hatch-vcs may get a .dev suffix"
        )
        return
    env = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
    git = ["git", "-c", f"safe.directory={copy}", "-C", str(copy)]
    # It exits non-zero when files differ; ls-files says which.
    with contextlib.suppress(CommandError):
        runner.run([*git, "update-index", "-q", "--refresh"], env=env)
    try:
        missing = runner.run([*git, "ls-files", "--deleted"], env=env, changes_files=False).splitlines()
        for start in range(0, len(missing), 500):
            runner.run([*git, "update-index", "--skip-worktree", "--", *missing[start : start + 500]], env=env)
    except CommandError as exc:
        runner.report.warning(f"git could not mark the build copy {copy} clean: {exc}")
