"""The install plan: what each installer run puts into the venv, in which order, from where.

:func:`plan` turns the :class:`~dh_venv.inputs.values.Inputs` value into
runs (:class:`Step`) without any tool's syntax and without touching the
disk: the same inputs give the same plan.  A backend
(:mod:`dh_venv.installers.pip`, :mod:`dh_venv.installers.uv`) renders each
step into its own command line; none sees another's.

Why more than one run: pip refuses ``--require-hashes`` next to a directory,
and a locked set is installed exactly as locked, so a verified set goes in
first and the project after it, alone and without dependencies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dh_venv.inputs.values import Inputs, Sources

#: The file in the work directory that holds the locked set as requirement lines.
LOCKED = "locked-requirements.txt"


@dataclass(frozen=True)
class Step:
    """One installer run."""

    #: How error messages name what the run installs.
    what: str
    #: Requirement specifiers and paths, the project (with its extras) last.
    requirements: tuple[str, ...] = ()
    #: Requirements files, read by the installer (nested ``-r``/``-c`` work).
    requirement_files: tuple[Path, ...] = ()
    #: Upgrade what is already installed (``--upgrade-pip``).
    upgrade: bool = False
    #: Install only what is named, not its dependencies.
    no_deps: bool = False
    #: Every requirement must be pinned and carry hashes, which the installer checks.
    require_hashes: bool = False
    #: The run installs the project itself (a directory to build), alone.
    project_only: bool = False


@dataclass(frozen=True)
class Plan:
    """Everything a backend needs to install :class:`~dh_venv.inputs.values.Inputs`."""

    steps: tuple[Step, ...]
    sources: Sources
    #: The user's installer options (``--extra-pip-arg``, ``DH_VENV_PIP_ARGS``), passed as they are.
    extra_args: tuple[str, ...] = ()
    #: Files to write before the first run: (path, text).
    files: tuple[tuple[Path, str], ...] = ()
    #: Environment for building the project (``SETUPTOOLS_SCM_PRETEND_VERSION``).
    build_env: Mapping[str, str] = field(default_factory=dict)
    #: Where the runs start, so relative paths in requirements files work (the project).
    cwd: Path | None = None
    #: The file whose hashes a hash-checked run verifies, as error messages name it.
    origin: str = ""
    #: The project's build copy, which a step names (with :attr:`extras`), or None.
    project: Path | None = None
    extras: tuple[str, ...] = ()
    #: The package's scratch directory (the build's temporary files, the locked set).
    work_dir: Path | None = None

    @property
    def user_chose_index(self) -> bool:
        """The user's own options pick the index (or none): their business, not checked."""
        names = {a.split("=", 1)[0] for a in self.extra_args}
        return bool({"--no-index", "--index-url", "-i"} & names)


def with_extras(project: Path, extras: Sequence[str]) -> str:
    """The project as a requirement, with the extras asked for."""
    return f"{project}[{','.join(extras)}]" if extras else str(project)


def plan(inputs: Inputs, work_dir: Path) -> Plan:
    """The runs that install ``inputs``; the locked set, if any, is to be written into ``work_dir``."""
    steps: list[Step] = []
    if inputs.seed:
        steps.append(Step("the seed --keep-seed ships (pip, setuptools, wheel)", inputs.seed))
    if inputs.upgrade_pip is not None:
        pip = f"pip=={inputs.upgrade_pip}" if inputs.upgrade_pip else "pip"
        steps.append(Step(f"{pip} (--upgrade-pip)", (pip,), upgrade=True))
    if inputs.preinstall:
        steps.append(Step("the --preinstall packages", inputs.preinstall))
    project = (with_extras(inputs.project, inputs.extras),) if inputs.project else ()
    alone = Step("the application", project, no_deps=True, project_only=True)
    files = inputs.requirement_files
    written: tuple[tuple[Path, str], ...] = ()
    if inputs.lock is not None:
        # Exactly the locked set, each file verified; then the project alone.
        locked = work_dir / LOCKED
        written = ((locked, "".join(p.requirement_line() + "\n" for p in inputs.lock.pins)),)
        if inputs.lock.pins:
            what = f"what {inputs.lock.path.name} locks"
            steps.append(Step(what, requirement_files=(locked,), no_deps=True, require_hashes=True))
        steps += [alone] if project else []
    elif inputs.hashed:
        # pip refuses hashes next to a directory: the hashed set first, then the project alone.
        steps.append(Step("the hashed requirements", requirement_files=files, require_hashes=True))
        steps += [alone] if project else []
    elif files or project:
        what = "the application and its requirements" if project else "the requirements"
        steps.append(Step(what, project, requirement_files=files))
    origin = str(inputs.lock.path) if inputs.lock else ", ".join(str(f) for f in files)
    return Plan(
        steps=tuple(steps),
        sources=inputs.sources,
        extra_args=inputs.extra_args,
        files=written,
        build_env=inputs.build_env,
        cwd=inputs.source_dir,
        origin=origin,
        project=inputs.project,
        extras=tuple(inputs.extras),
        work_dir=work_dir,
    )
