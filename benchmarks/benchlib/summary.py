"""The median figures of one tool on one input, over its measured builds."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypedDict

from .analysis import Analysis
from .builds import VENV_COMMAND
from .measurement import Measurement

MODES = ("cold", "warm")

STEP_GROUPS = {
    "strip_nondeterminism": ("dh_strip_nondeterminism",),
    "dwz_strip": ("dh_dwz", "dh_strip"),
    "shlibdeps": ("dh_shlibdeps",),
    "builddeb": ("dh_builddeb",),
}

ByMode = Mapping[str, Sequence[Measurement]]


def med(values: Sequence[float | None]) -> float | None:
    """The median of the values that are not None; None if there is none."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass(frozen=True)
class Summary:
    """Medians over one tool's builds of one input (the field order is the JSON file's).

    A *_range is (smallest, largest) over the builds; the text fields are the
    last analysed build's.
    """

    wall_cold: float | None
    venv_cold: float | None
    walls_cold: list[float]
    wall_warm: float | None
    venv_warm: float | None
    walls_warm: list[float]
    rest_warm: float | None
    strip_nondeterminism: float | None
    dwz_strip: float | None
    shlibdeps: float | None
    builddeb: float | None
    deb_bytes: float | None
    deb_bytes_range: tuple[int, int]
    dbgsym_bytes: float | None
    dbgsym_bytes_range: tuple[int, int]
    installed_size_kib: float | None
    installed_size_kib_range: tuple[int, int]
    files: float | None
    files_range: tuple[int, int]
    symlinks: float | None
    symlinks_range: tuple[int, int]
    pyc_files: float | None
    pyc_files_range: tuple[int, int]
    build_path_files: float | None
    depends: str
    depends_interpreter: bool
    console_script_on_path: bool
    usr_bin: tuple[str, ...]
    build_path_kinds: dict[str, int]
    distributions: tuple[str, ...]
    seed_packages: tuple[str, ...]
    seeds_shipped: bool
    data_member: str
    apt_install_s: float | None
    first_run_s: float | None
    floor_s: float | None
    floor_ratio: float | None
    restore_warm: float | None  # dh_venv_restore alone (dh-venv only)
    left_after_purge: float | None  # entries left in the venv's directory after apt purge

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class _Times(TypedDict):
    wall_cold: float | None
    venv_cold: float | None
    walls_cold: list[float]
    wall_warm: float | None
    venv_warm: float | None
    walls_warm: list[float]
    rest_warm: float | None
    strip_nondeterminism: float | None
    dwz_strip: float | None
    shlibdeps: float | None
    builddeb: float | None


class _Sizes(TypedDict):
    deb_bytes: float | None
    deb_bytes_range: tuple[int, int]
    dbgsym_bytes: float | None
    dbgsym_bytes_range: tuple[int, int]
    installed_size_kib: float | None
    installed_size_kib_range: tuple[int, int]
    files: float | None
    files_range: tuple[int, int]
    symlinks: float | None
    symlinks_range: tuple[int, int]
    pyc_files: float | None
    pyc_files_range: tuple[int, int]
    build_path_files: float | None


def _times(builds: ByMode, venv_cmd: str) -> _Times:
    """Whole-build and venv-step medians per mode; the rest and step groups of the warm builds."""
    cold = [m.build for m in builds.get("cold", [])]
    warm = [m.build for m in builds.get("warm", [])]
    steps_from = warm or cold

    def group(key: str) -> float | None:
        return med([sum(b.steps.get(n, 0.0) for n in STEP_GROUPS[key]) for b in steps_from])

    return _Times(
        wall_cold=med([b.wall for b in cold]),
        venv_cold=med([b.steps.get(venv_cmd) for b in cold]),
        walls_cold=[round(b.wall, 2) for b in cold],
        wall_warm=med([b.wall for b in warm]),
        venv_warm=med([b.steps.get(venv_cmd) for b in warm]),
        walls_warm=[round(b.wall, 2) for b in warm],
        rest_warm=med([b.wall - (b.steps.get(venv_cmd) or 0) for b in steps_from]),
        strip_nondeterminism=group("strip_nondeterminism"),
        dwz_strip=group("dwz_strip"),
        shlibdeps=group("shlibdeps"),
        builddeb=group("builddeb"),
    )


def _sizes(analyses: Sequence[Analysis]) -> _Sizes:
    """Medians and ranges of the .deb figures."""

    def spread(values: list[int]) -> tuple[int, int]:
        return min(values), max(values)

    deb, dbgsym = [a.deb_bytes for a in analyses], [a.dbgsym_bytes for a in analyses]
    installed, files = [a.installed_size_kib for a in analyses], [a.files for a in analyses]
    symlinks, pyc = [a.symlinks for a in analyses], [a.pyc_files for a in analyses]
    return _Sizes(
        deb_bytes=med(deb),
        deb_bytes_range=spread(deb),
        dbgsym_bytes=med(dbgsym),
        dbgsym_bytes_range=spread(dbgsym),
        installed_size_kib=med(installed),
        installed_size_kib_range=spread(installed),
        files=med(files),
        files_range=spread(files),
        symlinks=med(symlinks),
        symlinks_range=spread(symlinks),
        pyc_files=med(pyc),
        pyc_files_range=spread(pyc),
        build_path_files=med([a.build_path_files for a in analyses]),
    )


def summarise(builds: ByMode) -> Summary:
    """Median figures over the measured builds of one tool and input."""
    every = [m for mode in MODES for m in builds.get(mode, [])]
    times = _times(builds, VENV_COMMAND[every[0].build.tool])
    last = every[-1].analysis
    installs = [m.install for m in every if m.install]
    floor_s = med([m.floor.seconds for m in every if m.floor])
    base = times["wall_warm"] if times["wall_warm"] is not None else times["wall_cold"]
    return Summary(
        **times,
        **_sizes([m.analysis for m in every]),
        depends=last.depends,
        depends_interpreter=last.depends_interpreter,
        console_script_on_path=last.console_script_on_path,
        usr_bin=last.usr_bin,
        build_path_kinds=last.build_path_kinds,
        distributions=last.distributions,
        seed_packages=last.seed_packages,
        seeds_shipped=last.seeds_shipped,
        data_member=last.data_member,
        apt_install_s=med([i.apt_install_s for i in installs]),
        first_run_s=med([i.first_run_s for i in installs]),
        floor_s=floor_s,
        floor_ratio=base / floor_s if base and floor_s else None,
        restore_warm=med([m.build.steps.get("dh_venv_restore") for m in builds.get("warm", [])]),
        left_after_purge=med([i.left_after_purge for i in installs]),
    )
