"""The set-aside steps: prebuilt files kept away from dh_strip and friends, then Depends for them.

``dh_venv`` calls :func:`record` after building a venv; the sequence runs
:func:`set_aside` before ``dh_strip_nondeterminism`` and :func:`restore`
after ``dh_shlibdeps`` (see :mod:`dh_venv.compiled.prebuilt` for why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from dh_venv import caches, elf, errors
from dh_venv.compiled import aside, prebuilt, shlibcache, shlibs, stamp
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
    # Called right after dh_venv's rewrite and scan of the venv: dh_venv_rescan skips it if it stays so.
    stamp.take(settings.work_dir, state.token, settings.build_dir, settings.staging_venv, str(settings.final_venv))


def _is_elf(path: Path, known: dict[Path, tuple[str, bool | None]]) -> bool:
    """Whether ``path`` is ELF, as dh_venv_setaside saw it (a file it moved is unchanged), else by reading it."""
    kind = known[path][1] if path in known else None
    return elf.is_elf(path) if kind is None else kind


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


def _depends(
    package: str,
    build_dir: Path,
    staging: Path,
    venvs: list[Path],
    binaries: list[Path],
    known: dict[Path, tuple[str, bool | None]],
    runner: Runner,
    environ: Mapping[str, str] | None,
    notes: list[str],
) -> str:
    """What ``binaries`` need from the system: from the cache (see :mod:`.shlibcache`), else dpkg-shlibdeps."""
    if not binaries:
        return ""
    libraries = shlibs.shared_libraries(staging, venvs)
    lib_dirs = sorted({p.parent for p in libraries})
    if environ is None:
        return shlibs.depends(package, binaries, lib_dirs, runner, build_dir)
    root = caches.cache_root(environ, build_dir)
    hashes = {p: known[p][0] if p in known else prebuilt.file_hash(p) for p in binaries}
    files = [(PurePosixPath("/", p.relative_to(staging)), h) for p, h in hashes.items()]
    digest = shlibcache.key(files, lib_dirs, libraries, shlibcache.system_data(build_dir, environ))
    entry = shlibcache.entry_path(root, digest)
    cached = shlibcache.lookup(root, digest, notes)
    if cached is not None:
        runner.announce(
            f"dependencies of {len(binaries)} prebuilt ELF file(s) reused from {entry} "
            "(the files and the system's shlibs/symbols data are unchanged; no dpkg-shlibdeps run)"
        )
        return cached
    depends = shlibs.depends(package, binaries, lib_dirs, runner, build_dir)

    def remember() -> None:
        try:
            shlibcache.store(root, digest, depends)
        except OSError as exc:
            notes.append(f"cannot cache the dependencies of the prebuilt files in {entry} ({exc.strerror})")

    runner.apply(f"remember the dependencies of {len(binaries)} prebuilt ELF file(s) in {entry}", remember)
    return depends


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
            aside.set_aside(staging, work, found, notes)

    runner.apply(f"move the prebuilt files of {', '.join(state.venvs)} to {work / state_mod.ASIDE}", move)


def restore(
    build_dir: Path,
    package: str,
    runner: Runner,
    recommends: Sequence[str] = (),
    ignore: Sequence[str] = (),
    notes: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """dh_venv_restore for one package; returns warnings (``notes`` gets what was discarded).

    With ``environ`` (the build's), the dependencies of the prebuilt files
    come from the cache when neither they nor the system changed.
    """
    discarded: list[str] = [] if notes is None else notes
    work = work_dir(build_dir, package)
    state = state_mod.current(build_dir, package, discarded)
    if state is None:
        return []
    staging = _staging(build_dir, package, state)
    restored: list[Path] = []
    known: dict[Path, tuple[str, bool | None]] = {}

    def move_back() -> None:
        with errors.doing(f"move the prebuilt files of {package} back from {work / state_mod.ASIDE}"):
            restored.extend(aside.restore(staging, work, discarded, known))

    if not runner.apply(f"move the prebuilt files back from {work / state_mod.ASIDE}", move_back):
        return []
    prebuilt.refresh_records(staging, state)
    binaries = _linked_binaries([p for p in restored if _is_elf(p, known)])
    venvs = prebuilt.staging_venvs(staging, state)
    added = _depends(package, build_dir, staging, venvs, binaries, known, runner, environ, discarded)
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
