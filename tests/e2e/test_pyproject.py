"""A PEP 621 pyproject-only project: two console scripts, an extra, dh-sequence-python-venv."""

from __future__ import annotations

from pathlib import Path

from .conftest import PY, assert_purged, deb_field, extract, files_containing, installed, run_clean

VENV = "/opt/venvs/pyproj-app"


def test_two_scripts_and_extra(build_package, tmp_path: Path) -> None:
    build = build_package("pyproject-extras")
    assert build.returncode == 0, build.output[-4000:]
    deb = build.deb("pyproj-app")
    assert deb_field(deb, "Depends") == PY
    tree = extract(deb, tmp_path / "x")
    assert files_containing(tree, str(build.source)) == []
    assert sorted(p.name for p in (tree / "usr/bin").iterdir()) == ["pyproj-one", "pyproj-two"]

    with installed(deb):
        one = run_clean("pyproj-one")
        two = run_clean("pyproj-two")
        assert (one.returncode, one.stdout.split()) == (0, ["ONE!", VENV]), one.stderr
        assert (two.returncode, two.stdout.split()) == (0, ["two", "fancy", VENV]), two.stderr
    assert_purged("pyproj-app", VENV, ["pyproj-one", "pyproj-two"])
