"""The inputs stage: what goes into the venv, from where, with which hashes.

Reads the project, its requirements and constraints files, its lock file
and the wheelhouse into one frozen :class:`Inputs` value.  Installer
backends (:mod:`dh_venv.installers.pip`) get only that value; they never parse
a project or a lock themselves.

Precedence, first match wins:

1. ``--lock FILE``;
2. ``--requirements FILE`` (hashed or not);
3. a lock file in the project: ``uv.lock``, ``poetry.lock``, ``pylock.toml``;
4. ``requirements.txt`` in the project;
5. the project's own dependencies.

``--no-lock`` skips step 3.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs import locks, project
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner
from dh_venv.settings import Settings

DEFAULT_REQUIREMENTS = "requirements.txt"
WHEELHOUSE = Path("debian") / "wheelhouse"
MANIFEST = "manifest.json"

_HASH_OPTION = re.compile(r"^[^#]*?(^|\s)--hash[=\s]")
# Build backends that take the version from VCS metadata.
_VCS_VERSIONED = re.compile(r"^(setuptools[-_]scm|hatch[-_]vcs)\b", re.IGNORECASE)

# Marker values of the target interpreter, computed by that interpreter.
_MARKER_PROBE = """
import json, os, platform, sys
def full(info):
    v = '%d.%d.%d' % info[:3]
    return v if info.releaselevel == 'final' else v + info.releaselevel[0] + str(info.serial)
print(json.dumps({
    'implementation_name': sys.implementation.name,
    'implementation_version': full(sys.implementation.version),
    'os_name': os.name,
    'platform_machine': platform.machine(),
    'platform_release': platform.release(),
    'platform_system': platform.system(),
    'platform_version': platform.version(),
    'python_full_version': platform.python_version(),
    'platform_python_implementation': platform.python_implementation(),
    'python_version': '.'.join(platform.python_version_tuple()[:2]),
    'sys_platform': sys.platform,
}))
"""


@dataclass(frozen=True)
class Sources:
    """Where distributions come from."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    #: A directory of distribution files; when set, no index is used at all.
    wheelhouse: Path | None = None
    #: (name, version) of the venv's seed (pip, setuptools, wheel) in the wheelhouse.
    seed: tuple[tuple[str, str], ...] = ()

    @property
    def offline(self) -> bool:
        return self.wheelhouse is not None


@dataclass(frozen=True)
class Inputs:
    """Everything an installer backend installs into one venv."""

    sources: Sources
    #: ``--upgrade-pip``: ``None`` no, ``""`` the newest, else this version.
    upgrade_pip: str | None = None
    preinstall: tuple[str, ...] = ()
    #: Requirements files (with nested ``-r``/``-c`` kept working).
    requirement_files: tuple[Path, ...] = ()
    #: The requirements files pin every requirement with ``--hash``.
    hashed: bool = False
    #: The locked set; when set, nothing else is resolved.
    lock: locks.Lock | None = None
    #: The project to build and install (its build copy), or None.
    project: Path | None = None
    extras: tuple[str, ...] = ()
    #: Environment for building the project (``SETUPTOOLS_SCM_PRETEND_VERSION``).
    build_env: Mapping[str, str] = field(default_factory=dict)
    #: Installer options of the user (``--extra-pip-arg``), passed through as they are.
    extra_args: tuple[str, ...] = ()
    #: Where relative paths in requirements files (``./libs/x.whl``) are resolved: the project.
    source_dir: Path | None = None

    @property
    def verified(self) -> bool:
        """Every requirement is pinned and hash-checked, so the project goes in without dependencies."""
        return self.lock is not None or self.hashed


def marker_environment(python: Interpreter, runner: Runner) -> dict[str, str]:
    """PEP 508 marker values of ``python``."""
    try:
        out = runner.run([python.path, "-I", "-c", _MARKER_PROBE], env={"PATH": "/usr/bin:/bin"}, changes_files=False)
    except CommandError as exc:
        raise DhVenvError(f"interpreter {python.path} does not run", details=exc.output) from None
    env: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return env


def read_pyproject(source_dir: Path) -> dict[str, Any]:
    """``[project]`` of pyproject.toml with ``tool`` and ``dependency-groups`` merged in; {} if none."""
    path = source_dir / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DhVenvError(f"{path} is not valid TOML: {exc}", hint="fix pyproject.toml") from None
    result: dict[str, Any] = dict(data.get("project", {}))
    result["tool"] = data.get("tool", {})
    result["dependency-groups"] = data.get("dependency-groups", {})
    result["build-system"] = data.get("build-system", {})
    if "name" not in result and "poetry" in result["tool"]:
        result["name"] = result["tool"]["poetry"].get("name", "")
    return result


def requirement_files(source_dir: Path, requested: tuple[str, ...] | None) -> list[Path]:
    """The requirements files to use: the requested ones, else ``requirements.txt`` if present."""
    if requested is None:
        default = source_dir / DEFAULT_REQUIREMENTS
        # Anything but a directory by that name is read (and a pipe refused).
        found = [default] if os.path.lexists(default) and not default.is_dir() else []
        for path in found:
            project.check_requirements(path)
        return found
    files = [source_dir / r for r in requested]
    for path in files:
        if path.exists() and not path.is_dir():
            project.check_requirements(path)  # an error naming what is wrong with it
        if not path.is_file():
            raise DhVenvError(
                f"requirements file {path} does not exist",
                hint="fix --requirements (paths are relative to the source directory)",
            )
    return files


def choose_lock(source_dir: Path, lock: str | None, use_locks: bool, requested: tuple[str, ...] | None) -> Path | None:
    """The lock file to install from, by the precedence in this module's docstring."""
    if lock:
        path = source_dir / lock
        if not path.is_file():
            raise DhVenvError(f"lock file {path} does not exist", hint="fix --lock (relative to the source directory)")
        return path
    if requested is not None or not use_locks:
        return None
    return locks.find(source_dir)


def is_hashed(files: list[Path]) -> bool:
    """Whether any of the requirements files pins with ``--hash`` (pip then requires it everywhere)."""
    return any(_HASH_OPTION.search(line) for path in files for line in path.read_text().splitlines())


def wheelhouse_for(build_dir: Path, requested: str | None) -> Path | None:
    """The wheelhouse to build from: the requested one, else ``debian/wheelhouse`` if it exists."""
    if requested:
        path = Path(requested)
        path = path if path.is_absolute() else build_dir / path
        if not path.is_dir():
            raise DhVenvError(
                f"wheelhouse {path} does not exist",
                hint="fix --wheelhouse or DH_VENV_WHEELHOUSE, or fill it with dh-venv vendor",
            )
        return path
    default = build_dir / WHEELHOUSE
    return default if default.is_dir() else None


def check_manifest(wheelhouse: Path) -> tuple[tuple[str, str], ...]:
    """Fail if a file of the wheelhouse differs from its manifest; return the recorded seed."""
    manifest = wheelhouse / MANIFEST
    if not manifest.is_file():
        return ()
    try:
        data = json.loads(manifest.read_text())
        recorded: dict[str, str] = data["files"]
        seed = tuple((str(k), str(v)) for k, v in sorted(data.get("seed", {}).items()))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DhVenvError(f"{manifest} is damaged ({exc})", hint="run dh-venv vendor again") from None
    for name, digest in sorted(recorded.items()):
        path = wheelhouse / name
        if not path.is_file():
            raise DhVenvError(f"{path} is listed in {manifest} but missing", hint="run dh-venv vendor again")
        actual = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise DhVenvError(
                f"{path} does not match its hash in {manifest} (expected {digest}, got {actual})",
                hint="the file was changed after dh-venv vendor; restore it or run dh-venv vendor again",
            )
    return seed


def write_manifest(wheelhouse: Path, python: str, seed: Mapping[str, str] | None = None) -> Path:
    """Record the sha256 of every file of the wheelhouse, and the versions the venv is seeded with."""
    files = {
        p.name: "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(wheelhouse.iterdir())
        if p.is_file() and p.name != MANIFEST
    }
    manifest = wheelhouse / MANIFEST
    data = {"version": 1, "python": python, "seed": dict(seed or {}), "files": files}
    manifest.write_text(json.dumps(data, indent=1) + "\n")
    return manifest


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
        first = changelog.read_text().split("\n", 1)[0]
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


def collect(
    settings: Settings,
    runner: Runner,
    python: Interpreter,
    copy: Path | None,
) -> Inputs:
    """Read everything that decides what goes into the venv of ``settings``."""
    source = settings.source_dir
    # Read with --skip-install too: a lock's set is installed without the project then.
    pyproject = read_pyproject(source) if source.is_dir() else {}
    lock_path = choose_lock(source, settings.lock, settings.use_locks, settings.requirements)
    files = requirement_files(source, settings.requirements) if lock_path is None else []
    extras = list(settings.extras)
    lock = None
    if lock_path is not None:
        if settings.requirements is None and (source / DEFAULT_REQUIREMENTS).is_file():
            runner.log(
                f"dh_venv: warning: {settings.package}: installing exactly what {lock_path.name} locks; "
                f"{DEFAULT_REQUIREMENTS} is not used (--no-lock uses it instead)"
            )
        if not pyproject and settings.lock is None:
            raise DhVenvError(f"{lock_path} needs a pyproject.toml beside it", hint="use --no-lock")
        env = marker_environment(python, runner)
        lock = locks.read(lock_path, pyproject, env, locks.Wanted(tuple(extras), settings.groups))
    elif settings.groups:
        raise DhVenvError(
            "--group needs a lock file (uv.lock, poetry.lock or pylock.toml)",
            hint="lock the project, or list the group's requirements in a requirements file",
        )
    used: list[Path] = []
    for index, path in enumerate(files):
        if not settings.skip_install and not runner.no_act:
            kept, dropped, implied = project.without_project(
                path, source, settings.work_dir / f"requirements-{index}.txt"
            )
            for line in dropped:
                runner.log(
                    f"dh_venv: warning: {settings.package}: {path.name}: left out {line!r}, "
                    "which installs the project itself; dh_venv installs it anyway"
                )
            extras += [e for e in implied if e not in extras]
            path = kept
        if not runner.no_act:
            # Local directories are built from copies, editable requirements as regular ones.
            isolated = project.isolate_local(
                path, source, settings.work_dir / f"requirements-{index}-local.txt", settings.work_dir / "local"
            )
            for note in isolated.notes:
                runner.log(f"dh_venv: warning: {settings.package}: {note}")
            project.warn_skipped(settings.package, runner, isolated.skipped)
            path = isolated.path
        used.append(path)
    preinstall = list(settings.preinstall)
    if preinstall and not runner.no_act:
        preinstall, specials = project.local_args(settings.preinstall, source, settings.work_dir / "local-preinstall")
        project.warn_skipped(settings.package, runner, specials)
    index_url = settings.index_url
    extra_index_urls = list(settings.extra_index_urls)
    if lock is not None and not index_url and not extra_index_urls and lock.indexes:
        # The indexes the lock was made against; --index-url overrides them.
        extra_index_urls = list(lock.indexes)
    wheelhouse = settings.wheelhouse
    seed: tuple[tuple[str, str], ...] = ()
    if wheelhouse is not None and not runner.no_act:
        seed = check_manifest(wheelhouse)
    build_env: dict[str, str] = {}
    if copy is not None:
        build_env = vcs_version_env(source, settings.build_dir, pyproject)
        clean_git_copy(copy, runner)
    if "SETUPTOOLS_SCM_PRETEND_VERSION" in build_env:
        runner.announce(
            f"no VCS metadata in {source}: SETUPTOOLS_SCM_PRETEND_VERSION="
            f"{build_env['SETUPTOOLS_SCM_PRETEND_VERSION']} (from debian/changelog)"
        )
    return Inputs(
        sources=Sources(index_url, tuple(extra_index_urls), wheelhouse, seed),
        upgrade_pip=settings.upgrade_pip,
        preinstall=tuple(preinstall),
        requirement_files=tuple(used),
        hashed=is_hashed(used),
        lock=lock,
        project=copy,
        extras=tuple(extras),
        build_env=build_env,
        extra_args=settings.extra_pip_args,
        source_dir=source,
    )


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
    if runner.no_act or not git_dir.exists():
        return
    if not git_dir.is_dir():
        runner.log(
            f"dh_venv: warning: {copy.name}: .git is a file (a worktree or submodule), so the build copy "
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
        runner.log(f"dh_venv: warning: git could not mark the build copy {copy} clean: {exc}")
