"""What dh-venv smoke reads: test lists, .deb contents, the results from the chroot (dh_venv.releases)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.releases import smoke, testcontrol
from dh_venv.releases.smoke import Check, Deb
from dh_venv.runner import Runner


def _control(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "src" / "debian" / "tests" / "control"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_test_list_of_commands_and_scripts(tmp_path: Path) -> None:
    control = _control(
        tmp_path,
        "Test-Command: app --version\n  --verbose\nDepends: @, curl (>= 7) | wget, @builddeps@\n"
        "Restrictions: allow-stderr, superficial\n\n"
        "Tests: one two\nRestrictions: skippable\n\n"
        "Test-Command: app --help || true\nFeatures: test-name=help\n\n"
        "Tests: boot\nRestrictions: needs-reboot\n\n"
        "Tests: data\nTests-Directory: tests/data\n",
    )
    for name in ("one", "two"):
        (control.parent / name).write_text("#!/bin/sh\n")
    (tmp_path / "src/tests/data").mkdir(parents=True)
    (tmp_path / "src/tests/data/data").write_text("#!/bin/sh\n")
    found = testcontrol.read(control)
    assert found.depends == ("curl",)
    assert [(t.name, t.command, t.script, t.allow_stderr, t.skippable, t.skipped) for t in found.tests] == [
        ("app --version --verbose", "app --version --verbose", None, True, False, None),
        ("one", None, control.parent / "one", False, True, None),
        ("two", None, control.parent / "two", False, True, None),
        ("help", "app --help || true", None, False, False, None),
        ("boot", None, control.parent / "boot", False, False, "needs-reboot: reboots the testbed"),
        ("data", None, tmp_path / "src/tests/data/data", False, False, None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Tests: a\nTest-Command: b\n", "{control}, stanza 1, has both Tests and Test-Command"),
        ("Test-Command: a\n\nDepends: @\n", "{control}, stanza 2, has neither Tests and Test-Command"),
        ("Tests: gone\n", "{control}, stanza 1, names the test gone, but {dir}/gone does not exist"),
        ("\n", "{control} lists no test"),
    ],
)
def test_a_wrong_test_list_is_named(tmp_path: Path, text: str, message: str) -> None:
    control = _control(tmp_path, text)
    with pytest.raises(DhVenvError) as info:
        testcontrol.read(control)
    assert info.value.message == message.format(control=control, dir=control.parent)


def test_the_test_list_beside_the_project_counts_when_it_builds_the_package(tmp_path: Path) -> None:
    control = _control(tmp_path, "Test-Command: true\n")
    (tmp_path / "src/debian/control").write_text("Source: s\n\nPackage: smk-one\n\nPackage: smk-two\n")
    assert testcontrol.find(tmp_path / "src", ["smk-two"]) == control
    assert testcontrol.find(tmp_path / "src", ["smk-other"]) is None
    assert testcontrol.find(tmp_path, ["smk-two"]) is None


def test_a_debs_venvs_and_exposed_commands(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(
        "Package: smk-x\nVersion: 1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n"
    )
    venv = root / "opt/venvs/smk-x"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin/smk-x").write_text("#!/opt/venvs/smk-x/bin/python\n")
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/smk-x").symlink_to("/opt/venvs/smk-x/bin/smk-x")
    (root / "usr/bin/smk-rel").symlink_to("../../opt/venvs/smk-x/bin/smk-x")
    (root / "usr/bin/smk-other").symlink_to("/usr/bin/true")
    (root / "usr/bin/smk-file").write_text("")
    subprocess.run(
        ["dpkg-deb", "--build", "-Zgzip", str(root), str(tmp_path / "x.deb")], check=True, capture_output=True
    )
    deb = smoke.inspect(tmp_path / "x.deb", Runner(log=print))
    assert deb == Deb(tmp_path / "x.deb", "smk-x", ("/opt/venvs/smk-x",), ("/usr/bin/smk-rel", "/usr/bin/smk-x"))


def _results(tmp_path: Path, files: dict[str, str]) -> Path:
    results = tmp_path / "results"
    (results / "checks").mkdir(parents=True)
    for name, text in files.items():
        (results / name).write_text(text)
    return results


DEB = Deb(Path("smk-x_1_all.deb"), "smk-x", ("/opt/venvs/smk-x",), ("/usr/bin/smk-x", "/usr/bin/smk-y"))


def test_checks_of_exposed_commands(tmp_path: Path) -> None:
    results = _results(
        tmp_path,
        {
            "update.status": "0\n",
            "install.status": "0\n",
            "checks/001.status": "0\n",
            "checks/001.flag": "--version\n",
            "checks/001.out": "\nsmk-x 1.0\n",
            "checks/002.status": "124\n",
            "checks/002.flag": "--help\n",
            "checks/002.err": "waiting\n",
            "purge.status": "0\n",
            "left": "",
        },
    )
    assert smoke._checks(results, [DEB], None, "trixie") == [
        Check("PASS", "install", "smk-x_1_all.deb"),
        Check("PASS", "run", "smk-x --version", "smk-x 1.0"),
        Check("FAIL", "run", "smk-y --help", "did not finish in time", "waiting"),
        Check("PASS", "purge", "smk-x"),
        Check("PASS", "clean", "after the purge", "nothing left in /opt/venvs/smk-x, /usr/bin"),
    ]


def test_checks_when_nothing_could_be_installed(tmp_path: Path) -> None:
    log = "".join(f"line {n}\n" for n in range(30))
    left = "".join(f"/opt/venvs/smk-x/f{n}\n" for n in range(12))
    results = _results(
        tmp_path,
        {"update.status": "100\n", "update.log": "E: no\n", "install.status": "100\n", "install.log": log},
    )
    (results / "left").write_text(left)
    (results / "purge.status").write_text("none\n")
    checks = smoke._checks(results, [DEB], None, "trixie")
    assert checks[-2] == Check("SKIP", "purge", "smk-x", "none of them was installed")
    assert checks[0] == Check("FAIL", "update", "apt-get update in trixie", "no network, or the mirror failed", "E: no")
    assert checks[1] == Check("FAIL", "install", "smk-x_1_all.deb", "exit status 100", log.rstrip().split("\n", 15)[-1])
    assert checks[2] == Check("SKIP", "run", "smk-x --version", "not run: the install failed")
    assert checks[-1].detail == ("left: " + ", ".join(f"/opt/venvs/smk-x/f{n}" for n in range(10)) + " and 2 more")


def test_a_package_without_commands_says_so(tmp_path: Path) -> None:
    results = _results(tmp_path, {"update.status": "0", "install.status": "0", "purge.status": "0", "left": ""})
    bare = Deb(Path("smk-doc_1_all.deb"), "smk-doc", (), ())
    assert smoke._checks(results, [bare], None, "trixie") == [
        Check("PASS", "install", "smk-doc_1_all.deb"),
        Check("SKIP", "run", "no command", "none in /usr/bin points into a venv; list tests with --tests"),
        Check("PASS", "purge", "smk-doc"),
        Check("PASS", "clean", "after the purge", "nothing left in /usr/bin"),
    ]
