"""dh_venv_rescan and the #DEBHELPER# check, on real trees in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.relocate import rescan
from dh_venv.runner import Runner

VENV = "/opt/venvs/demo"


def staged(tmp_path: Path) -> tuple[Path, Path]:
    """A build tree with one venv in the staging tree of package demo."""
    build = tmp_path / "src"
    venv = build / "debian/demo" / VENV.lstrip("/")
    (venv / "bin").mkdir(parents=True)
    return build, venv


def run(build: Path) -> list[str]:
    return rescan.rescan(build, build / "debian/demo", [VENV], ["share/allowed.txt"], Runner(log=[].append))


def test_what_ran_after_dh_venv_is_relocated(tmp_path: Path) -> None:
    build, venv = staged(tmp_path)
    site = venv / "lib/python3/site-packages"
    (site / "extra/__pycache__").mkdir(parents=True)
    (site / "extra/__pycache__/m.cpython-3.pyc").write_bytes(b"\0" + str(venv).encode())
    (site / "extra/__init__.py").write_text("")
    (venv / "bin/extra").write_text(f"#!{venv}/bin/python\nimport extra\n")
    (site / "extra-1.0.dist-info").mkdir()
    (site / "extra-1.0.dist-info/RECORD").write_text(
        "../../../bin/extra,sha256=old,40\nextra/__init__.py,,\nextra/__pycache__/m.cpython-3.pyc,,\n"
    )
    (venv / "share").mkdir()
    (venv / "share/allowed.txt").write_text(f"{build}/x\n")
    assert run(build) == [
        f"{VENV}: what ran after dh_venv left 1 file(s) naming the build directory and 1 bytecode "
        "director(y/ies) or file(s); relocated and removed"
    ]
    assert (venv / "bin/extra").read_text() == f"#!{VENV}/bin/python\nimport extra\n"
    assert not (site / "extra/__pycache__").exists()
    record = (site / "extra-1.0.dist-info/RECORD").read_text()
    assert "__pycache__" not in record and "sha256=old" not in record
    # Nothing more to do the second time.
    assert run(build) == []


def test_a_build_path_it_cannot_fix_fails_with_the_file(tmp_path: Path) -> None:
    build, venv = staged(tmp_path)
    (venv / "notes.txt").write_text(f"built in {build}/extra\n")
    with pytest.raises(DhVenvError) as info:
        run(build)
    assert str(info.value) == (
        f"1 file(s) of the venv (written after dh_venv) still contain the build path {build}; they would be broken "
        "on the target; stop the project from recording absolute build paths, or, if the path is harmless there, "
        "allow the file with --allow-build-path=PATTERN"
    )
    assert info.value.details == f"  {VENV.lstrip('/')}/notes.txt"


def test_dead_trigger_in_the_generated_triggers_file(tmp_path: Path) -> None:
    build, _ = staged(tmp_path)
    generated = build / "debian/.debhelper/generated/demo/triggers"
    generated.parent.mkdir(parents=True)
    generated.write_text("interest-noawait /usr/bin/python3.11\ninterest dh-virtualenv-interpreter-update\n")
    assert debhelper.generated_incumbent_triggers(build, "demo") == [
        ("debian/.debhelper/generated/demo/triggers", "interest dh-virtualenv-interpreter-update")
    ]


def test_without_token(tmp_path: Path) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/demo.postinst").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "debian/demo.prerm").write_text("#!/bin/sh\n#DEBHELPER#\n")
    (tmp_path / "debian/postrm").write_text("#!/bin/sh\n")
    assert debhelper.without_token(tmp_path, "demo", "demo") == ["debian/demo.postinst", "debian/postrm"]
    assert debhelper.without_token(tmp_path, "demo", "first") == ["debian/demo.postinst"]


CONTROL = """\
Source: demo
Maintainer: Demo Maintainer <demo@example.org>
Build-Depends: debhelper-compat (= 13)

Package: demo
Architecture: all
Description: demo
 Demo.
"""


def test_the_step_skips_a_venv_nothing_touched_since_dh_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dh_venv.cli import steps
    from dh_venv.compiled import stamp
    from dh_venv.compiled import state as build_state
    from dh_venv.settings import work_dir

    build, venv = staged(tmp_path)
    (build / "debian/control").write_text(CONTROL)
    (venv / "bin/tool").write_text(f"#!{VENV}/bin/python\n")
    build_state.begin(build, "demo", [])
    state = build_state.State(venvs=[VENV], staging=["debian/demo"])
    build_state.stamp(build, "demo", state)
    state.save(work_dir(build, "demo"))
    stamp.take(work_dir(build, "demo"), state.token, build, venv, VENV)
    monkeypatch.chdir(build)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("DH_VERBOSE", "1")
    rewrite = f"\trewrite {venv} for {VENV} again, then scan it for {build}\n"

    assert steps.main("rescan", []) == 0
    assert f"\t{VENV} is as dh_venv relocated and scanned it" in capsys.readouterr().err
    monkeypatch.setenv("DH_VENV_NO_REUSE", "1")
    assert steps.main("rescan", []) == 0
    assert rewrite in capsys.readouterr().err
    monkeypatch.delenv("DH_VENV_NO_REUSE")
    # What an override writes after dh_venv is relocated, and a leak it cannot fix stops the build.
    (venv / "bin/late").write_text(f"#!{venv}/bin/python\n")
    assert steps.main("rescan", []) == 0
    out = capsys.readouterr().err
    assert rewrite in out and (venv / "bin/late").read_text() == f"#!{VENV}/bin/python\n", out
    (venv / "bin/leak.txt").write_text(f"see {build}/debian\n")
    assert steps.main("rescan", []) == 1
    assert "1 file(s) of the venv (written after dh_venv) still contain the build path" in capsys.readouterr().err
