"""Tests for dh_venv.installers.launchers: the Windows launchers of pip and setuptools left out."""

from __future__ import annotations

import csv
from pathlib import Path

from dh_venv import site
from dh_venv.installers import launchers
from dh_venv.runner import Runner

PE = b"MZ\x90\x00" + bytes(60)
SITE = "lib/python3.X/site-packages"


def install(venv: Path, name: str, files: dict[str, bytes]) -> Path:
    """A distribution ``name`` with ``files`` (relative to site-packages) and a RECORD listing them."""
    packages = venv / SITE
    info = packages / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    rows = []
    for rel, data in files.items():
        (packages / rel).parent.mkdir(parents=True, exist_ok=True)
        (packages / rel).write_bytes(data)
        rows.append([rel, "sha256=x", str(len(data))])
    rows += [[f"{info.name}/METADATA", "", ""], [f"{info.name}/RECORD", "", ""]]
    with open(info / "RECORD", "w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return info


def record_names(info: Path) -> list[str]:
    return [row[0] for row in site.read_record(info / "RECORD") or []]


def runner(no_act: bool = False) -> tuple[Runner, list[str]]:
    lines: list[str] = []
    return Runner(log=lines.append, verbose=True, no_act=no_act), lines


def test_pip_and_setuptools_launchers_go_with_their_record_lines(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    pip = install(
        venv,
        "pip",
        {"pip/__init__.py": b"", "pip/_vendor/distlib/t64.exe": PE, "pip/_vendor/distlib/w64-arm.exe": PE},
    )
    tools = install(venv, "setuptools", {"setuptools/__init__.py": b"", "setuptools/cli-arm64.exe": PE})
    run, lines = runner()
    assert launchers.leave_out(venv, run) == 3
    packages = venv / SITE
    assert sorted(p.name for p in packages.rglob("*.exe")) == []
    assert record_names(pip) == ["pip/__init__.py", f"{pip.name}/METADATA", f"{pip.name}/RECORD"]
    assert record_names(tools) == ["setuptools/__init__.py", f"{tools.name}/METADATA", f"{tools.name}/RECORD"]
    assert (packages / "pip/__init__.py").exists() and (packages / "setuptools/__init__.py").exists()
    assert lines == ["\tleave out 3 Windows launcher(s) (.exe) of pip, setuptools: Linux never runs them"]


def test_what_is_not_a_launcher_of_pip_or_setuptools_stays(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    kept = {
        "distlib/t64.exe": PE,  # standalone distlib makes Windows launchers on any system: its API
        "app/helper.exe": PE,
    }
    install(venv, "distlib", {"distlib/t64.exe": PE})
    install(venv, "app", {"app/helper.exe": PE})
    install(
        venv,
        "setuptools",
        {
            "setuptools/cli.exe": b"#!/bin/sh\n",  # not a Windows program
            "setuptools/tests/gui.exe": PE,  # not where setuptools keeps its launchers
        },
    )
    info = install(venv, "pip", {})
    (venv / SITE / "pip/_vendor/distlib").mkdir(parents=True)
    (venv / SITE / "pip/_vendor/distlib/t32.exe").write_bytes(PE)  # not in RECORD: not pip's to remove
    run, lines = runner()
    assert launchers.leave_out(venv, run) == 0
    assert lines == []
    for rel in [*kept, "setuptools/cli.exe", "setuptools/tests/gui.exe", "pip/_vendor/distlib/t32.exe"]:
        assert (venv / SITE / rel).is_file(), rel
    assert record_names(info) == [f"{info.name}/METADATA", f"{info.name}/RECORD"]


def test_no_act_only_says_so(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    info = install(venv, "setuptools", {"setuptools/gui-64.exe": PE})
    before = (info / "RECORD").read_bytes()
    run, lines = runner(no_act=True)
    assert launchers.leave_out(venv, run) == 1
    assert (venv / SITE / "setuptools/gui-64.exe").is_file()
    assert (info / "RECORD").read_bytes() == before
    assert len(lines) == 1 and "leave out 1 Windows launcher(s)" in lines[0]


def test_a_record_in_another_encoding_keeps_its_bytes(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    info = install(venv, "setuptools", {"setuptools/cli.exe": PE})
    odd = b"setuptools/caf\xe9.txt,sha256=y,1\n"  # a Latin-1 file name, as some old wheels have
    with open(info / "RECORD", "ab") as fh:
        fh.write(odd)
    launchers.leave_out(venv, runner()[0])
    data = (info / "RECORD").read_bytes()
    assert odd in data and b"cli.exe" not in data
