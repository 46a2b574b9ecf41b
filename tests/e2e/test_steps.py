"""The later steps (issue 18): dh_listpackages asked once per build, and a venv nothing touched not rescanned.

tests/packages/stp-steps has two packages; ``override_dh_venv`` selects
one with ``-p`` and the other with ``DH_OPTIONS``, then adds a script
naming the staging tree to the second venv.  The first build (``-v``)
checks that the later steps reuse dh_venv's answers and skip only the
untouched venv; a second one with ``-nc`` (so the answers of the first are
still there) after a change of ``debian/control`` and of the build
profiles checks that they are asked again; a third one, cleaned as usual, that
dh-venv's cache answers them all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .conftest import PACKAGES, Build, assert_purged, extract, files_containing, installed, run_clean, tool_env

CASE = "stp-steps"
THIRD = """
Package: stp-three
Architecture: all
Depends: ${misc:Depends}
Description: third venv, added to debian/control between two builds
 Test fixture for dh-venv's later steps.
"""


def build(source: Path, wheelhouse: Path, *args: str) -> Build:
    for deb in source.parent.glob("*.deb"):
        deb.unlink()
    env = tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}", DH_VERBOSE="1")
    proc = subprocess.run(
        ["dpkg-buildpackage", "-us", "-uc", "-b", "-d", *args],
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Build(source, proc.returncode, proc.stdout)


def commands(output: str) -> dict[str, list[list[str]]]:
    """What each debhelper command printed with -v: its name -> the lines of each run.

    A run starts where dh (indented) or make (``VAR=value`` first, perhaps) shows the command.
    """
    runs: dict[str, list[list[str]]] = {}
    current: list[str] = []
    for line in output.splitlines():
        match = re.fullmatch(r"(?:   )?(?:[A-Z_]+=\S* )*(dh_[a-z_]+)(?: .*)?", line)
        if match:
            current = []
            runs.setdefault(match.group(1), []).append(current)
        else:
            current.append(line)
    return runs


def asked(lines: list[str]) -> int:
    """How many times dh_listpackages ran (-v shows each command a step runs)."""
    return sum(1 for line in lines if line.startswith("\tdh_listpackages"))


def test_package_list_reused_and_untouched_venv_not_rescanned(tmp_path: Path, wheelhouse: Path) -> None:
    source = tmp_path / CASE / f"{CASE}-1.0"
    shutil.copytree(PACKAGES / CASE, source, symlinks=True)
    first = build(source, wheelhouse)
    assert first.returncode == 0, first.output[-4000:]
    runs = commands(first.output)
    # dh_venv asks once per selection (-p, then DH_OPTIONS); dh_venv_setaside asks about its own
    # (none: every package), which the two later steps reuse.
    assert [asked(lines) for lines in runs["dh_venv"]] == [1, 1], runs["dh_venv"]
    for step, times in (("dh_venv_setaside", 1), ("dh_venv_restore", 0), ("dh_venv_rescan", 0)):
        assert [asked(lines) for lines in runs[step]] == [times], (step, runs[step])
    rescan = "\n".join(runs["dh_venv_rescan"][0])
    # The untouched venv is not rewritten or scanned again; the one that got a file after dh_venv is.
    assert "\t/opt/venvs/stp-one is as dh_venv relocated and scanned it" in rescan, rescan
    rewrites = [line.split(" for ")[0] for line in runs["dh_venv_rescan"][0] if line.startswith("\trewrite ")]
    assert rewrites == [f"\trewrite {source}/debian/stp-two/opt/venvs/stp-two"], rescan
    assert (
        "dh_venv_rescan: stp-two: /opt/venvs/stp-two: what ran after dh_venv left 1 file(s) naming the build "
        "directory and 0 bytecode director(y/ies) or file(s); relocated and removed" in first.output
    ), rescan
    assert sorted(first.debs) == ["stp-one", "stp-two"]
    one, two = extract(first.deb("stp-one"), tmp_path / "one"), extract(first.deb("stp-two"), tmp_path / "two")
    assert not (one / "opt/venvs/stp-one/bin/stp-late").exists()
    late = two / "opt/venvs/stp-two/bin/stp-late"
    assert late.read_text().startswith("#!/opt/venvs/stp-two/bin/python\n")
    assert files_containing(one, str(source)) == files_containing(two, str(source)) == []
    with installed(first.deb("stp-two")):
        result = run_clean("/opt/venvs/stp-two/bin/stp-late")
        assert (result.returncode, result.stdout) == (0, "late stp-steps\n"), result.stderr
    assert_purged("stp-two", "/opt/venvs/stp-two", [])

    # Without dh_clean the first build's answers stay; another debian/control and other build
    # profiles must not get them.
    control = source / "debian/control"
    control.write_text(control.read_text() + THIRD)
    (source / "debian/files").unlink()  # names the first build's .debs, removed
    second = build(source, wheelhouse, "-nc", "-Ppkg.stp-steps.notwo")
    assert second.returncode == 0, second.output[-4000:]
    runs = commands(second.output)
    assert [asked(lines) for lines in runs["dh_venv"]] == [1, 1], runs["dh_venv"]
    for step, times in (("dh_venv_setaside", 1), ("dh_venv_restore", 0), ("dh_venv_rescan", 0)):
        assert [asked(lines) for lines in runs[step]] == [times], (step, runs[step])
    assert sorted(second.debs) == ["stp-one", "stp-three"]
    three = extract(second.deb("stp-three"), tmp_path / "three")
    assert (three / "opt/venvs/stp-three/bin/stp-late").read_text().startswith("#!/opt/venvs/stp-three/bin/python\n")
    assert (three / "opt/venvs/stp-three/pyvenv.cfg").is_file()
    assert files_containing(three, str(source)) == []
    assert "stp-two" not in "\n".join(line for lines in runs["dh_venv_rescan"] for line in lines)

    # dh_clean removes the build's answers; the next build of the same tree finds them in the cache.
    (source / "debian/files").unlink(missing_ok=True)
    third = build(source, wheelhouse, "-Ppkg.stp-steps.notwo")
    assert third.returncode == 0, third.output[-4000:]
    runs = commands(third.output)
    for step in ("dh_venv", "dh_venv_setaside", "dh_venv_restore", "dh_venv_rescan"):
        assert all(asked(lines) == 0 for lines in runs[step]), (step, runs[step])
    assert any("\tthe packages to act on (dh_listpackages" in line for line in runs["dh_venv"][0]), runs["dh_venv"]
    assert sorted(third.debs) == ["stp-one", "stp-three"]
