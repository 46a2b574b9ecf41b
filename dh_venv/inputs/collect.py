"""Deciding what goes into the venv: the one entry point of the inputs stage.

Reads the project, its requirements and constraints files, its lock file
and the wheelhouse into one frozen :class:`~dh_venv.inputs.values.Inputs`
value.  Installer backends get only that value; they never parse a
project or a lock themselves.

Precedence, first match wins:

1. ``--lock FILE``;
2. ``--requirements FILE`` (hashed or not);
3. a lock file in the project: ``uv.lock``, ``poetry.lock``, ``pylock.toml``;
4. ``requirements.txt`` in the project;
5. the project's own dependencies.

``--no-lock`` skips step 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dh_venv.errors import DhVenvError
from dh_venv.inputs import locks, project, requirements, vcs
from dh_venv.inputs.markers import marker_environment
from dh_venv.inputs.pyproject import read_pyproject
from dh_venv.inputs.values import Inputs, Lock, Sources
from dh_venv.inputs.wheelhouse import check_manifest
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner
from dh_venv.settings import Settings

__all__ = ["Inputs", "Sources", "choose_lock", "collect"]


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
    files = requirements.requirement_files(source, settings.requirements) if lock_path is None else []
    if settings.requirements is None and files:
        runner.report.info(
            f"installing {files[0].relative_to(source) if files[0].is_relative_to(source) else files[0]}, found in "
            "the project (no --requirements given; --requirements=none installs no requirements file)",
            settings.package,
        )
    extras = list(settings.extras)
    lock = _read_lock(settings, runner, python, pyproject, lock_path)
    used = _prepared_requirements(settings, runner, files, extras)
    preinstall = list(settings.preinstall)
    if preinstall:
        preinstall, specials = requirements.local_args(
            settings.preinstall, source, settings.work_dir / "local-preinstall", runner
        )
        project.warn_skipped(settings.package, runner, specials)
    wheelhouse = settings.wheelhouse
    seed = check_manifest(wheelhouse) if wheelhouse is not None else ()
    build_env = _build_env(settings, runner, pyproject, copy)
    return Inputs(
        sources=Sources(settings.index_url, _extra_index_urls(settings, lock), wheelhouse, seed),
        upgrade_pip=settings.upgrade_pip,
        preinstall=tuple(preinstall),
        requirement_files=tuple(used),
        hashed=requirements.is_hashed(used, runner),
        lock=lock,
        project=copy,
        extras=tuple(extras),
        build_env=build_env,
        extra_args=settings.extra_pip_args,
        source_dir=source,
    )


def _read_lock(
    settings: Settings, runner: Runner, python: Interpreter, pyproject: Mapping[str, Any], lock_path: Path | None
) -> Lock | None:
    if lock_path is None:
        if settings.groups:
            raise DhVenvError(
                "--group needs a lock file (uv.lock, poetry.lock or pylock.toml)",
                hint="lock the project, or list the group's requirements in a requirements file",
            )
        return None
    if settings.requirements is None and (settings.source_dir / requirements.DEFAULT_REQUIREMENTS).is_file():
        runner.report.warning(
            f"installing exactly what {lock_path.name} locks; "
            f"{requirements.DEFAULT_REQUIREMENTS} is not used (--no-lock uses it instead)",
            settings.package,
        )
    if not pyproject and settings.lock is None:
        raise DhVenvError(f"{lock_path} needs a pyproject.toml beside it", hint="use --no-lock")
    env = marker_environment(python, runner)
    return locks.read(lock_path, pyproject, env, locks.Wanted(settings.extras, settings.groups))


def _prepared_requirements(settings: Settings, runner: Runner, files: list[Path], extras: list[str]) -> list[Path]:
    """The requirements files as pip gets them; adds to ``extras`` what ``.[x]`` lines asked for."""
    source = settings.source_dir
    used: list[Path] = []
    for index, path in enumerate(files):
        if not settings.skip_install:
            kept, dropped, implied = requirements.without_project(
                path, source, settings.work_dir / f"requirements-{index}.txt", runner
            )
            for line in dropped:
                runner.report.warning(
                    f"{path.name}: left out {line!r}, which installs the project itself; dh_venv installs it anyway",
                    settings.package,
                )
            extras += [e for e in implied if e not in extras]
            path = kept
        # Local directories are built from copies, editable requirements as regular ones.
        isolated = requirements.isolate_local(
            path, source, settings.work_dir / f"requirements-{index}-local.txt", settings.work_dir / "local", runner
        )
        for note in isolated.notes:
            runner.report.warning(note, settings.package)
        project.warn_skipped(settings.package, runner, isolated.skipped)
        path = isolated.path
        used.append(path)
    return used


def _extra_index_urls(settings: Settings, lock: Lock | None) -> tuple[str, ...]:
    """``--extra-index-url``, else the indexes the lock was made against (``--index-url`` overrides them)."""
    if lock is not None and not settings.index_url and not settings.extra_index_urls and lock.indexes:
        return lock.indexes
    return tuple(settings.extra_index_urls)


def _tagged_version(settings: Settings, runner: Runner, pyproject: Mapping[str, Any]) -> dict[str, str]:
    """The changelog's upstream version for a git checkout that is its tag plus changes under debian/ only."""
    if not vcs.is_vcs_versioned(pyproject) or vcs.PRETEND in settings.env or runner.no_act:
        return {}
    version = vcs.upstream_version(settings.build_dir / "debian" / "changelog")
    tag = vcs.tag_plus_debian(settings.build_dir, version, runner) if version else None
    if tag is None or version is None:
        return {}
    runner.report.info(
        f"the git checkout is tag {tag} plus changes under debian/ only: building version {version}, the "
        f"upstream version of debian/changelog ({vcs.PRETEND})",
        settings.package,
    )
    return {vcs.PRETEND: version}


def _build_env(settings: Settings, runner: Runner, pyproject: Mapping[str, Any], copy: Path | None) -> dict[str, str]:
    """The environment the project is built in; prepares the copy's git index."""
    if copy is None:
        return {}
    build_env = vcs.vcs_version_env(settings.source_dir, settings.build_dir, pyproject) or _tagged_version(
        settings, runner, pyproject
    )
    vcs.clean_git_copy(copy, runner)
    if "SETUPTOOLS_SCM_PRETEND_VERSION" in build_env:
        runner.announce(
            f"no VCS metadata in {settings.source_dir}: SETUPTOOLS_SCM_PRETEND_VERSION="
            f"{build_env['SETUPTOOLS_SCM_PRETEND_VERSION']} (from debian/changelog)"
        )
    return build_env
