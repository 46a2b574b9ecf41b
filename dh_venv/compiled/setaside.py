"""The set-aside steps: prebuilt files kept away from dh_strip and friends, then Depends for them.

``dh_venv`` calls :func:`record` after building a venv; the sequence runs
:func:`set_aside` before ``dh_strip_nondeterminism`` and :func:`restore`
after ``dh_shlibdeps`` (see :mod:`dh_venv.compiled.prebuilt` for why).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from dh_venv import elf, errors
from dh_venv.compiled import prebuilt, shlibs
from dh_venv.compiled import state as state_mod
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings, work_dir


def record(settings: Settings, reports: Iterable[Path | None], links: Iterable[object] = ()) -> None:
    """Leave what the later steps (and later dh_venv calls) need in the package's work directory."""
    state = prebuilt.read_reports(r for r in reports if r is not None)
    state.projects = [] if settings.skip_install else [str(settings.source_dir)]
    state.links = sorted(str(link) for link in links)
    state.venvs = [str(settings.final_venv)]
    root = settings.staging_root
    # Relative to the source tree when inside it, so a copied tree stays self-contained.
    state.staging = [str(root.relative_to(settings.build_dir) if root.is_relative_to(settings.build_dir) else root)]
    state.recommends = list(settings.shlibs_recommends)
    state.ignore = list(settings.shlibs_ignore)
    state.allow_build_path = list(settings.allow_build_path)
    state_mod.stamp(settings.build_dir, settings.package, state)
    notes: list[str] = []
    old = state_mod.State.load(settings.work_dir, notes)
    if old is not None and old.token == state.token:
        old.merge(state)  # an earlier dh_venv call of this run filled the same package
        state = old
    state.save(settings.work_dir)


def _linked_binaries(files: list[Path]) -> list[Path]:
    """The files dpkg-shlibdeps can and needs to read.

    Object files (``.o``), files without dynamic dependencies (static
    executables, ``.debug`` files) and ELF files for another machine than
    the interpreter's (test data, firmware) need nothing from the system.
    """
    machine = elf.read_dynamic(Path("/proc/self/exe").resolve()).machine
    linked = []
    for path in files:
        dynamic = elf.read_dynamic(path)
        if dynamic.kind in (2, 3) and dynamic.needed and dynamic.machine == machine:
            linked.append(path)
    return linked


def _staging(build_dir: Path, package: str, state: state_mod.State) -> Path:
    return build_dir / state.staging[0] if state.staging else build_dir / "debian" / package


def set_aside(build_dir: Path, package: str, runner: Runner, notes: list[str]) -> None:
    """dh_venv_setaside for one package; ``notes`` gets what was discarded."""
    work = work_dir(build_dir, package)
    state = state_mod.current(build_dir, package, notes)
    if state is None:
        return
    staging = _staging(build_dir, package, state)

    found = state

    def move() -> None:
        with errors.doing(f"move the prebuilt files of {package} to {work / state_mod.ASIDE}"):
            prebuilt.set_aside(staging, work, found, notes)

    runner.apply(f"move the prebuilt files of {', '.join(state.venvs)} to {work / state_mod.ASIDE}", move)


def restore(
    build_dir: Path,
    package: str,
    runner: Runner,
    recommends: Sequence[str] = (),
    ignore: Sequence[str] = (),
    notes: list[str] | None = None,
) -> list[str]:
    """dh_venv_restore for one package; returns warnings (``notes`` gets what was discarded)."""
    discarded: list[str] = [] if notes is None else notes
    work = work_dir(build_dir, package)
    state = state_mod.current(build_dir, package, discarded)
    if state is None:
        return []
    staging = _staging(build_dir, package, state)
    restored: list[Path] = []

    def move_back() -> None:
        with errors.doing(f"move the prebuilt files of {package} back from {work / state_mod.ASIDE}"):
            restored.extend(prebuilt.restore(staging, work, discarded))

    if not runner.apply(f"move the prebuilt files back from {work / state_mod.ASIDE}", move_back):
        return []
    prebuilt.refresh_records(staging, state)
    binaries = _linked_binaries([p for p in restored if elf.is_elf(p)])
    venvs = prebuilt.staging_venvs(staging, state)
    added = (
        shlibs.depends(package, binaries, shlibs.library_dirs(staging, venvs), runner, build_dir) if binaries else ""
    )
    files = debhelper.PackageFiles(build_dir, package, runner, "")
    depends, moved, unused = shlibs.arrange(
        files.substvar("shlibs:Depends"), added, [*state.recommends, *recommends], [*state.ignore, *ignore]
    )
    if moved and "${shlibs:Recommends}" not in debhelper.control_field(build_dir, package, "Recommends"):
        raise DhVenvError(
            f"--shlibs-recommends moves {', '.join(moved)} to ${{shlibs:Recommends}}, "
            "which debian/control does not use",
            package=package,
            hint="add 'Recommends: ${shlibs:Recommends}' to the package in debian/control",
        )
    files.set_substvar("shlibs:Depends", depends)
    # What an earlier run (or dh_shlibdeps -dRecommends) put there stays.
    recommended = shlibs.split(files.substvar("shlibs:Recommends"))
    if moved:
        files.set_substvar("shlibs:Recommends", ", ".join([*recommended, *(m for m in moved if m not in recommended)]))
    unused = [n for n in unused if not any(n in shlibs.names(item) for item in recommended)]
    warnings = [
        f"{package}: --shlibs-recommends/--shlibs-ignore name {name}, which no ELF file needs" for name in unused
    ]
    if added and "${shlibs:Depends}" not in debhelper.control_field(build_dir, package, "Depends"):
        warnings.append(
            f"{package}: the venv's prebuilt ELF files need {added}, but Depends in debian/control "
            "does not list ${shlibs:Depends}; add it"
        )
    return warnings
