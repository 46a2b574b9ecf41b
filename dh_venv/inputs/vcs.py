"""Versions from VCS metadata, for a project built without it or from a copy.

setuptools-scm and hatch-vcs take the project's version from git.  A
tarball has none, so the upstream version of ``debian/changelog`` is
passed instead; a git checkout's build copy gets its index marked so git
sees it as clean as the checkout itself.

The usual packaging branch is the upstream tag with ``debian/`` committed on
top: ``git describe`` then says ``1.7.1-1-g<sha>`` and the build backend
invents ``1.7.2.dev1+g<sha>``, although the package is 1.7.1.  When the
only changes since the tag of the changelog's upstream version (``v1.7.1``
or ``1.7.1``) are under ``debian/``, the project is built as that version.
Otherwise a built version that differs from the changelog's stops the
build, naming both and the fix.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

PRETEND = "SETUPTOOLS_SCM_PRETEND_VERSION"
# Build backends that take the version from VCS metadata.
_VCS_VERSIONED = re.compile(r"^(setuptools[-_]scm|hatch[-_]vcs)\b", re.IGNORECASE)
_GIT_ENV = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}


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


def is_vcs_versioned(pyproject: Mapping[str, Any]) -> bool:
    """Whether the project's build backend takes its version from VCS metadata."""
    requires = pyproject.get("build-system", {}).get("requires", [])
    return any(_VCS_VERSIONED.match(str(r)) for r in requires)


def tag_plus_debian(build_dir: Path, version: str, runner: Runner) -> str | None:
    """The tag of ``version`` if the checkout differs from it only under ``debian/``, else None."""
    if not (build_dir / ".git").exists():
        return None
    git = ["git", "-c", f"safe.directory={build_dir}", "-C", str(build_dir)]
    for tag in (f"v{version}", version):
        try:
            runner.run([*git, "rev-parse", "-q", "--verify", f"refs/tags/{tag}"], env=_GIT_ENV, changes_files=False)
        except CommandError:
            continue
        try:
            changed = runner.run(
                [*git, "diff", "--name-only", "--relative", tag, "--"],
                env=_GIT_ENV,
                changes_files=False,
                stream=False,
                stdout_only=True,
            ).splitlines()
        except CommandError:
            return None
        return tag if all(name.startswith("debian/") for name in changed if name) else None
    return None


def normalized(version: str) -> str:
    """A version compared loosely as PEP 440 does (case, a leading ``v``, separators before pre-releases)."""
    text = version.strip().lower().removeprefix("v")
    return re.sub(r"[-_.]?(a|b|rc|dev|post)[-_.]?(?=\d)", r"\1", text).replace("-", ".").replace("_", ".")


def check_built_version(package: str, dist_info: Path, expected: str, env: Mapping[str, str]) -> None:
    """Fail if the application built from git got another version than ``debian/changelog`` gives."""
    match = re.fullmatch(r"[^-]+-(.+)\.dist-info", dist_info.name)
    if match is None or PRETEND in env:
        return
    built = match.group(1)
    if normalized(built) == normalized(expected):
        return
    raise DhVenvError(
        f"the application was built as version {built} (from git, by setuptools-scm or hatch-vcs), but "
        f"debian/changelog says the upstream version is {expected}",
        package=package,
        hint=f"package the commit tagged v{expected} (changes under debian/ only are fine: dh_venv then builds "
        f"{expected}), correct debian/changelog, or set {PRETEND}={expected} in debian/rules (export)",
    )
