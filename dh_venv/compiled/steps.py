"""Compiled code in a venv: build flags, provenance, the set-aside steps, Depends.

``dh_venv`` calls :func:`build_environment` before installing and
:func:`record` after; the sequence runs :func:`set_aside` before
``dh_strip_nondeterminism`` and :func:`restore` after ``dh_shlibdeps``
(see :mod:`dh_venv.compiled.prebuilt` for why).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from dh_venv import elf, errors
from dh_venv.compiled import compilers, prebuilt, shlibs
from dh_venv.compiled import state as state_mod
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_FLAGS = ("CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "FFLAGS", "FCFLAGS", "OBJCFLAGS", "OBJCXXFLAGS")
_MAX_LISTED = 10


def build_environment(env: Mapping[str, str], work_dir: Path, runner: Runner) -> dict[str, str]:
    """``env`` plus Debian's build flags and a TMPDIR inside the build tree.

    Flags the environment already sets (``debian/rules`` exports, or
    dpkg-buildpackage) win; the others come from ``dpkg-buildflags``, so
    extensions compiled from source get the hardening flags and
    ``-ffile-prefix-map`` like any other code of the package.  pip's
    temporary build directories land in ``TMPDIR``, inside the tree the
    leak scan and ``dh_clean`` know.
    """
    out = dict(env)
    try:
        dump = runner.run(["dpkg-buildflags", "--dump"], env=out, changes_files=False)
    except CommandError:
        dump = ""
    for line in dump.splitlines():
        name, sep, value = line.partition("=")
        if sep and name in _FLAGS and name not in env:
            out[name] = value
    tmp = work_dir / "tmp"
    if not runner.no_act:
        with errors.doing(f"create {tmp}"):
            tmp.mkdir(parents=True, exist_ok=True)
    out["TMPDIR"] = str(tmp)
    # Extensions compiled from downloaded sdists must not name their random build directory.
    with errors.doing(f"write compiler wrappers to {work_dir / 'compilers'}"):
        out.update(compilers.wrappers(out, work_dir / "compilers", write=not runner.no_act))
    return out


def report_path(staging_venv: Path, work_dir: Path) -> Path | None:
    """Where pip should write its ``--report``; ``None`` if the venv's pip is older than 22.2 (no such option).

    Without a report, the wheel tags alone tell prebuilt from built here.
    """
    for dist_info in staging_venv.glob("lib*/python*/site-packages/pip-*.dist-info"):
        version = re.match(r"pip-(\d+)\.(\d+)", dist_info.name)
        if version and (int(version.group(1)), int(version.group(2))) < (22, 2):
            return None
    path = work_dir / "pip-report.json"
    path.unlink(missing_ok=True)
    return path


def check_architecture(settings: Settings) -> None:
    """An ``Architecture: all`` package must not carry ELF files."""
    arch = debhelper.control_field(settings.build_dir, settings.package, "Architecture").split()
    if arch != ["all"]:
        return
    found = list(elf.find_elf_files(settings.staging_venv))
    if found:
        shown = [f"  {p.relative_to(settings.staging_root)}" for p in found[:_MAX_LISTED]]
        if len(found) > _MAX_LISTED:
            shown.append(f"  ... and {len(found) - _MAX_LISTED} more")
        raise DhVenvError(
            f"the package is Architecture: all, but its venv holds {len(found)} compiled (ELF) file(s)",
            hint="set Architecture: any in debian/control (and add ${shlibs:Depends} to Depends)",
            details="\n".join(shown),
        )


def strip_prebuilt_debug(settings: Settings, runner: Runner, reports: Iterable[Path | None]) -> int:
    """Drop the debug sections of prebuilt extension modules that can be stripped safely; return how many.

    Prebuilt wheels often ship their extensions with full debug information
    (most of their size), which ``dh_strip`` never sees (``dh_venv_setaside``
    keeps prebuilt files away from it). ``strip --strip-debug`` keeps the
    symbol table; files ``prebuilt.debug_strippable`` leaves out stay
    byte-identical. ``DEB_BUILD_OPTIONS=nostrip`` keeps everything.
    """
    if not settings.strip:
        return 0
    state = prebuilt.read_reports(r for r in reports if r is not None)
    found = prebuilt.debug_strippable(settings.staging_venv, state)
    if not found:
        return 0
    try:
        runner.run(["strip", "--strip-debug", *sorted(found)], env={"PATH": "/usr/bin:/bin"})
    except CommandError as exc:
        raise DhVenvError(
            "strip could not remove the debug information of prebuilt extensions",
            hint="install binutils, or build with DEB_BUILD_OPTIONS=nostrip",
            details=exc.output.strip(),
        ) from None
    for dist in {id(d): d for d in found.values()}.values():
        prebuilt.refresh_record(dist)
    return len(found)


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
    work = state_mod.work_dir(build_dir, package)
    state = state_mod.current(build_dir, package, notes)
    if state is None:
        return
    staging = _staging(build_dir, package, state)
    runner.announce(f"move the prebuilt files of {', '.join(state.venvs)} to {work / state_mod.ASIDE}")
    if runner.no_act:
        return
    with errors.doing(f"move the prebuilt files of {package} to {work / state_mod.ASIDE}"):
        prebuilt.set_aside(staging, work, state, notes)


def restore(
    build_dir: Path,
    package: str,
    runner: Runner,
    recommends: Sequence[str] = (),
    ignore: Sequence[str] = (),
    notes: list[str] | None = None,
) -> list[str]:
    """dh_venv_restore for one package; returns warnings (``notes`` gets what was discarded)."""
    notes = [] if notes is None else notes
    work = state_mod.work_dir(build_dir, package)
    state = state_mod.current(build_dir, package, notes)
    if state is None:
        return []
    staging = _staging(build_dir, package, state)
    runner.announce(f"move the prebuilt files back from {work / state_mod.ASIDE}")
    if runner.no_act:
        return []
    with errors.doing(f"move the prebuilt files of {package} back from {work / state_mod.ASIDE}"):
        restored = prebuilt.restore(staging, work, notes)
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
