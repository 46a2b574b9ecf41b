"""Tests for benchmarks/benchlib: the report and the JSON file from hand-written measurements.

No build runs here: the Build values are written by hand, so every figure in
the tables and the JSON file can be worked out on paper.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[2] / "benchmarks"))

from benchlib.analysis import INTERPRETER, Analysis
from benchlib.builds import Build, parse_steps
from benchlib.compressor import compressor_env, compressor_label
from benchlib.floor import Floor
from benchlib.incumbent import Finding, IncumbentRules
from benchlib.inputs import BASELINE, InputSpec, load_inputs, write_source
from benchlib.install import InstallTimes
from benchlib.machine import MachineInfo, how_text
from benchlib.measurement import Measurement
from benchlib.profile import profile
from benchlib.record import InputResult, RunSettings, run_json
from benchlib.report import report_input
from benchlib.summary import Summary, summarise
from benchlib.targets import targets_table
from benchlib.workarounds import WORKAROUNDS

SPEC = InputSpec("small", "hello-venv", "1.0", "hello", (), "a small app", Path("/nonexistent"))
DWZ = WORKAROUNDS[2]
INCUMBENT = IncumbentRules((DWZ,), (Finding(DWZ, "dh_dwz: error: dwz -q failed"),), ())

# The keys earlier JSON files have (reports are compared against them).
SUMMARY_KEYS = [
    "wall_cold", "venv_cold", "walls_cold", "wall_warm", "venv_warm", "walls_warm", "rest_warm",
    "strip_nondeterminism", "dwz_strip", "shlibdeps", "builddeb",
    "deb_bytes", "deb_bytes_range", "dbgsym_bytes", "dbgsym_bytes_range", "installed_size_kib",
    "installed_size_kib_range", "files", "files_range", "symlinks", "symlinks_range", "pyc_files", "pyc_files_range",
    "build_path_files", "depends", "depends_interpreter", "console_script_on_path", "usr_bin", "build_path_kinds",
    "distributions", "seed_packages", "seeds_shipped", "data_member", "apt_install_s", "first_run_s", "floor_s",
    "floor_ratio", "restore_warm", "left_after_purge",
]  # fmt: skip
ANALYSIS_KEYS = [
    "deb", "deb_bytes", "dbgsym_bytes", "data_member", "depends", "installed_size_kib", "depends_interpreter", "files",
    "symlinks", "pyc_files", "usr_bin", "console_script_on_path", "build_path_files", "build_path_kinds",
    "distributions", "seed_packages", "seeds_shipped",
]  # fmt: skip


def analysis(tool: str) -> Analysis:
    ours = tool == "dh-venv"
    return Analysis(
        deb="hello-venv_1.0_amd64.deb",
        deb_bytes=100 * 1024 if ours else 200 * 1024,
        dbgsym_bytes=0,
        data_member="data.tar.xz",
        depends=INTERPRETER if ours else "",
        installed_size_kib=500 if ours else 1000,
        depends_interpreter=ours,
        files=40 if ours else 80,
        symlinks=2,
        pyc_files=0 if ours else 30,
        usr_bin=("hello",) if ours else (),
        console_script_on_path=ours,
        build_path_files=0 if ours else 3,
        build_path_kinds={} if ours else {".pyc": 2, "RECORD": 1},
        distributions=("click-8.1.7",) if ours else ("click-8.1.7", "pip-23.0"),
        seed_packages=() if ours else ("pip-23.0",),
        seeds_shipped=not ours,
    )


def measurement(tool: str, mode: str, wall: float, steps: dict[str, float]) -> Measurement:
    ours = tool == "dh-venv"
    b = Build(tool, "small", f"r1-{mode}", True, wall, Path("/r"), Path("/r/src"), Path("/r/log"), steps, 0.5, ())
    if mode == "cold":
        return Measurement(mode, b, analysis(tool))
    floor = Floor(2.0 if ours else 3.0, "xz", None, 1234)
    install = InstallTimes(4.0, 0.5) if ours else InstallTimes(8.0, 1.0, 3)
    return Measurement(mode, b, analysis(tool), floor, install)


MEASURED = {
    "dh-venv": {
        "cold": [measurement("dh-venv", "cold", 10.0, {"dh_venv": 4.0, "dh_builddeb": 1.0})],
        "warm": [
            measurement(
                "dh-venv",
                "warm",
                6.0,
                {
                    "dh_venv": 1.0,
                    "dh_builddeb": 1.0,
                    "dh_strip": 0.5,
                    "dh_dwz": 0.25,
                    "dh_link": 0.05,
                },
            )
        ],
    },
    "dh-virtualenv": {
        "cold": [measurement("dh-virtualenv", "cold", 20.0, {"dh_virtualenv": 12.0, "dh_builddeb": 2.0})],
        "warm": [
            measurement(
                "dh-virtualenv",
                "warm",
                12.0,
                {"dh_virtualenv": 5.0, "dh_builddeb": 2.0, "dh_strip": 1.0, "dh_shlibdeps": 0.5},
            )
        ],
    },
}


def summaries() -> dict[str, Summary]:
    return {tool: summarise(by_mode) for tool, by_mode in MEASURED.items()}


def rows_of(text: str) -> dict[str, list[str]]:
    """Table lines by their first cell (cells are at least two spaces apart)."""
    rows = {}
    for line in text.splitlines():
        cells = re.split(r" {2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows


def test_figures_table_rows() -> None:
    report = report_input(SPEC, summaries(), INCUMBENT, 1, profile(MEASURED))
    rows = rows_of(report)
    assert rows["median of 1 round(s)"] == ["dh-venv", "dh-virtualenv", "ratio"]
    assert rows["whole build, cold caches (s)"] == ["10.00", "20.00", "0.50"]
    assert rows["whole build, warm caches (s)"] == ["6.00", "12.00", "0.50"]
    assert rows["venv step, cold (s)"] == ["4.00", "12.00", "0.33"]
    assert rows["venv step, warm (s)"] == ["1.00", "5.00", "0.20"]
    assert rows["rest of the build, warm (s)"] == ["5.00", "7.00", "0.71"]
    assert rows["of which dh_strip_nondeterminism (s)"] == ["0.00", "0.00", "-"]
    assert rows["of which dh_dwz + dh_strip (s)"] == ["0.75", "1.00", "0.75"]
    assert rows["of which dh_shlibdeps (s)"] == ["0.00", "0.50", "0.00"]
    assert rows["floor: cp -a + dpkg-deb of the final tree (s)"] == ["2.00", "3.00", "0.67"]
    assert rows["warm build / floor"] == ["3.00", "4.00"]
    assert rows[".deb size (KiB)"] == ["100", "200", "0.50"]
    assert rows["-dbgsym .deb size (KiB, 0 = none)"] == ["0", "0", "-"]
    assert rows["Installed-Size (KiB)"] == ["500", "1,000", "0.50"]
    assert rows["apt install of the .deb (s)"] == ["4.00", "8.00", "0.50"]
    assert rows["first run of the installed command (s)"] == ["0.50", "1.00", "0.50"]
    assert rows["files left in the venv dir after apt purge"] == ["0", "3", "0.00"]
    assert rows[f"Depends names {INTERPRETER}"] == ["yes", "no"]
    assert rows["pip/setuptools/wheel shipped in the venv"] == ["no", "yes"]


def test_profile_table_rows() -> None:
    rows = rows_of(report_input(SPEC, summaries(), INCUMBENT, 1, profile(MEASURED)))
    head = ["dh-venv warm", "dh-virtualenv warm", "dh-venv cold", "dh-virtualenv cold"]
    assert rows["profile: median s of 1 round(s)"] == head
    assert rows["whole build"] == ["6.00", "12.00", "10.00", "20.00"]
    assert rows["dh_venv"] == ["1.00", "-", "4.00", "-"]
    assert rows["dh_builddeb"] == ["1.00", "2.00", "1.00", "2.00"]
    assert rows["other dh_* commands (1)"] == ["0.05", "0.00", "0.00", "0.00"]
    assert rows["outside dh_* commands"] == ["3.20", "3.50", "5.00", "6.00"]
    # The venv steps come first, then the slowest command; dh_link is below the threshold.
    report = report_input(SPEC, summaries(), INCUMBENT, 1, profile(MEASURED))
    listed = [line.split()[0] for line in report.splitlines() if line.startswith("  dh_")]
    assert listed == ["dh_virtualenv", "dh_venv", "dh_builddeb", "dh_strip", "dh_shlibdeps", "dh_dwz"]


def test_report_details_and_workarounds() -> None:
    lines = report_input(SPEC, summaries(), INCUMBENT, 1, profile(MEASURED)).splitlines()
    assert lines[:2] == [
        "[small] hello-venv: a small app",
        "    Both venvs hold the same 1 distributions (apart from pip/setuptools/wheel).",
    ]
    assert "    build times (s): cold [10.0]  warm [6.0]" in lines
    assert "    files naming the build dir, by kind: 2 .pyc, 1 RECORD" in lines
    assert f"    - empty override_dh_dwz: {DWZ.why}." in lines
    assert "      Without it the build failed with: dh_dwz: error: dwz -q failed" in lines
    assert lines[-3:] == ["    | \tdh $@ --with python-virtualenv", "    | ", "    | override_dh_dwz:"]


def test_restore_warm_is_the_median_of_the_warm_builds() -> None:
    warm = [measurement("dh-venv", "warm", 6.0, {"dh_venv_restore": t}) for t in (0.2, 0.9, 0.25)]
    cold = [measurement("dh-venv", "cold", 9.0, {"dh_venv_restore": 5.0})]
    assert summarise({"cold": cold, "warm": warm}).restore_warm == 0.25
    assert summaries()["dh-virtualenv"].restore_warm is None


def test_targets_table() -> None:
    ours = dataclasses.replace(summaries()["dh-venv"], restore_warm=0.25)
    both = {"dh-venv": ours, "dh-virtualenv": summaries()["dh-virtualenv"]}
    runs = {"mid": both, "heavy": both, "small": both}
    rows = targets_table(runs, baseline=4.0).splitlines()
    cells = [re.split(r" {2,}", r.strip()) for r in rows[2:]]
    assert cells == [
        ["whole build, warm / dh-virtualenv's", "mid", "0.50", "<= 0.33", "NO"],
        ["whole build, warm / floor", "mid", "3.00", "<= 1.30", "NO"],
        ["whole build, warm / floor", "heavy", "3.00", "<= 1.30", "NO"],
        ["whole build, warm - dh alone", "small", "2.00 s", "<= 3.00 s", "yes"],
        ["dh_venv step, warm / dh_virtualenv's", "mid", "0.20", "<= 0.10", "NO"],
        ["dh_venv step, warm / dh_virtualenv's", "heavy", "0.20", "<= 0.10", "NO"],
        ["dh_venv_restore, warm", "mid", "0.25 s", "< 0.30 s", "yes"],
        ["dh_venv_restore, warm", "heavy", "0.25 s", "< 1.00 s", "yes"],
        ["apt install / dh-virtualenv's", "mid", "0.50", "<= 1.00", "yes"],
        ["apt install / dh-virtualenv's", "heavy", "0.50", "<= 1.00", "yes"],
        ["whole build, cold / dh-virtualenv's (before: 0.57)", "small", "0.50", "<= 0.57", "yes"],
        ["whole build, cold / dh-virtualenv's (before: 0.53)", "mid", "0.50", "<= 0.53", "yes"],
        ["whole build, cold / dh-virtualenv's (before: 0.53)", "heavy", "0.50", "<= 0.53", "yes"],
        ["whole build, cold / dh-virtualenv's", "mid", "0.50", "<= 0.50", "yes"],
        [".deb size / dh-virtualenv's", "mid", "0.50", "<= 0.50", "yes"],
        ["Installed-Size / dh-virtualenv's", "mid", "0.50", "<= 0.50", "yes"],
        ["whole build, warm / dh-virtualenv's", "small", "0.50", "<= 1.00", "yes"],
    ]
    # Without the baseline measured, the small app's margin is unknown, not passed.
    unknown = [r for r in targets_table({"small": summaries()}).splitlines() if "dh alone" in r]
    assert re.split(r" {2,}", unknown[0].strip())[2:] == ["-", "<= 3.00 s", "?"]
    assert targets_table({"other": summaries()}) == "(no input with targets was run)"


def test_json_keys_and_values() -> None:
    result = InputResult(SPEC, INCUMBENT, ("cold", "warm"), MEASURED, summaries(), profile(MEASURED))
    assert result.baseline_s is None
    assert dataclasses.replace(result, baseline=(3.0, 2.5, 9.0)).baseline_s == 3.0
    info = MachineInfo("2", "6.1", "cpu", "3.8", "12.11", "Python 3.11.2", "none", {"debhelper": "13.11.4"}, "0.2.0")
    settings = RunSettings(1, ["small"], ["cold", "warm"], "default", {}, 42.0)
    data = json.loads(json.dumps(run_json(info, settings, {"small": result})))
    assert list(data) == ["machine", "settings", "inputs"]
    assert list(data["machine"]) == [
        "nproc", "kernel", "cpu", "memory_gib", "debian", "python3", "python3_on_path", "packages", "dh_venv",
    ]  # fmt: skip
    assert data["settings"] == {
        "repeat": 1, "inputs": ["small"], "modes": ["cold", "warm"], "compressor": "default", "compressor_env": {},
        "elapsed_s": 42.0,
    }  # fmt: skip
    record = data["inputs"]["small"]
    assert list(record) == [
        "package", "description", "dh_virtualenv_rules", "profile", "tools", "baseline_walls", "elapsed_s",
    ]  # fmt: skip
    assert (record["baseline_walls"], record["elapsed_s"]) == ([], {"warmup": 0.0, "rounds": 0.0})
    assert record["dh_virtualenv_rules"].endswith("dh $@ --with python-virtualenv\n\noverride_dh_dwz:\n")
    assert list(record["profile"]) == ["threshold_s", "modes", "rows"]
    other = record["profile"]["rows"][-2]
    assert other == {
        "label": "other dh_* commands (1)",
        "commands": ["dh_link"],
        "seconds": {"dh-venv": {"warm": 0.05, "cold": 0.0}, "dh-virtualenv": {"warm": 0.0, "cold": 0.0}},
    }
    assert list(record["profile"]["rows"][0]) == ["label", "seconds"]
    ours = record["tools"]["dh-venv"]
    assert list(ours["summary"]) == SUMMARY_KEYS
    assert ours["summary"]["walls_warm"] == [6.0]
    assert ours["summary"]["deb_bytes_range"] == [102400, 102400]
    assert ours["summary"]["floor_ratio"] == 3.0
    cold, warm = ours["runs"]
    assert list(cold) == ["mode", "wall_s", "steps_s", "load_before", "busy_before", "analysis", "install", "floor"]
    assert list(cold["analysis"]) == ANALYSIS_KEYS
    assert (cold["mode"], cold["install"], cold["floor"]) == ("cold", None, None)
    assert list(warm["steps_s"]) == ["dh_builddeb", "dh_dwz", "dh_link", "dh_strip", "dh_venv"]
    assert warm["install"] == {"apt_install_s": 4.0, "first_run_s": 0.5, "left_after_purge": 0}
    assert warm["floor"] == {"seconds": 2.0, "compressor": "xz", "level": None, "deb_bytes": 1234}


def test_how_text_names_the_machine_and_the_compressor() -> None:
    info = MachineInfo("2", "6.1", "cpu", "3.8", "12.11", "Python 3.11.2", "none", {"debhelper": "13.11.4"}, "0.2.0")
    text = how_text(info, 3, False, compressor_env("zstd:3"))
    assert "    zstd level 3 (DPKG_DEB_COMPRESSOR_TYPE=zstd DPKG_DEB_COMPRESSOR_LEVEL=3)." in text.splitlines()
    assert "  nproc 2, cpu, 3.8 GiB RAM, kernel 6.1, Debian 12.11" in text.splitlines()
    assert "apt install and first run" not in text
    assert compressor_label({}) == "dh_builddeb's default (dpkg-deb's: xz, level 6)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lz4", "unknown compressor 'lz4'; choose from gzip, xz, zstd, none"),
        ("none:1", "compressor 'none' takes no level"),
        ("zstd:23", "zstd level must be a number from 0 to 22, not '23'"),
    ],
)
def test_compressor_env_rejects(value: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        compressor_env(value)
    assert str(exc.value) == message


def test_parse_steps_counts_nested_commands_once(tmp_path: Path) -> None:
    log = tmp_path / "steps.log"
    log.write_text("dh_strip 10.0 12.0 0\ndh_dwz 10.5 11.0 0\ndh_builddeb 12.0 13.5 0\ndh_strip 14.0 14.5 0\nbad\n")
    assert parse_steps(log) == {"dh_strip": 2.5, "dh_builddeb": 1.5}
    assert parse_steps(tmp_path / "missing") == {}


def test_the_newest_input_is_mid_with_other_pins_and_the_baseline_has_no_venv(tmp_path: Path) -> None:
    inputs = load_inputs()
    assert list(inputs) == ["small", "mid", "mid-newest", "heavy", "sdist"]
    newest, mid = inputs["mid-newest"], inputs["mid"]
    assert newest.tree == mid.tree and newest.package == mid.package
    write_source(newest, tmp_path / "new", "dh-venv")
    pins = (tmp_path / "new/requirements.txt").read_text()
    assert "SQLAlchemy==2.1.9" in pins and pins != (mid.tree / "requirements.txt").read_text()
    write_source(inputs["small"], tmp_path / "dh", BASELINE)
    assert (tmp_path / "dh/debian/rules").read_text().endswith("\tdh $@ --buildsystem=none\n")
    control = (tmp_path / "dh/debian/control").read_text()
    assert "Build-Depends: debhelper-compat (= 13)\n" in control


def test_the_sdist_input_lays_its_debian_dir_over_the_unpacked_sdist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = load_inputs()["sdist"]
    assert spec.sdist == "httpie==3.2.4" and sorted(p.name for p in spec.tree.iterdir()) == ["debian"]
    # The download is done once per machine: an unpacked tree already there is taken as it is.
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    unpacked = tmp_path / "dh-venv-bench-sdists" / "httpie==3.2.4"
    (unpacked / "httpie").mkdir(parents=True)
    (unpacked / "setup.cfg").write_text("[metadata]\nname = httpie\n")
    (unpacked / "httpie.egg-info").mkdir()  # an sdist's own leftovers are not copied
    write_source(spec, tmp_path / "src", "dh-virtualenv")
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["debian", "httpie", "setup.cfg"]
    assert (
        "Build-Depends: debhelper-compat (= 13), dh-virtualenv, python3\n"
        in (tmp_path / "src/debian/control").read_text()
    )
    assert (tmp_path / "src/debian/rules").read_text().endswith("dh $@ --with python-virtualenv\n")


def test_what_a_purge_left_is_counted_and_removed(tmp_path: Path) -> None:
    from benchlib.install import _remove_leftovers

    venv = tmp_path / "venvs/app"
    (venv / "lib/__pycache__").mkdir(parents=True)
    (venv / "lib/__pycache__/_virtualenv.cpython-311.pyc").write_bytes(b"")
    assert _remove_leftovers(venv) == 4 and not venv.exists()
    assert _remove_leftovers(venv) == 0
    assert _remove_leftovers(Path("/usr/bin")) == 0  # dpkg's own: never touched


def test_the_install_clock_starts_once_other_dpkg_runs_release_their_locks(tmp_path: Path) -> None:
    from benchlib.inputs import BenchError
    from benchlib.install import wait_for_dpkg_locks

    locks = (tmp_path / "lock-frontend", tmp_path / "lock")
    for lock in locks:
        lock.write_bytes(b"")
    holder = (
        "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX); "
        "print('locked', flush=True); time.sleep(float(sys.argv[2]))"
    )

    def hold(lock: Path, seconds: str) -> subprocess.Popen[str]:
        argv = ["/usr/bin/python3", "-c", holder, str(lock), seconds]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert proc.stdout and proc.stdout.readline() == "locked\n"
        return proc

    with hold(locks[1], "1") as proc:
        start = time.monotonic()
        wait_for_dpkg_locks(locks)
        assert time.monotonic() - start > 0.5 and proc.wait() == 0
    # Free locks and absent files: no wait.
    start = time.monotonic()
    wait_for_dpkg_locks((*locks, tmp_path / "absent"))
    assert time.monotonic() - start < 0.5
    with hold(locks[0], "5") as proc:
        with pytest.raises(BenchError, match=f"^{locks[0]} is still locked by another apt or dpkg after 0 s$"):
            wait_for_dpkg_locks(locks, timeout=0.3)
        proc.kill()
