"""Wheels from the index with bundled, patchelf-modified libraries (dh-virtualenv fails at dh_dwz)."""

from __future__ import annotations

import pytest

from .conftest import assert_purged, extract, files_containing, installed, run_clean

VENV = "/opt/venvs/wheels-app"


@pytest.mark.network
def test_numpy_pillow_psycopg2_binary(build_package, tmp_path) -> None:
    # The index, not the local wheelhouse: these are the real manylinux wheels.
    # dh-virtualenv's --upgrade-pip-to, through DH_OPTIONS: pip comes from the index too.
    build = build_package("compiled-wheels", DH_VENV_PIP_ARGS="", DH_OPTIONS="--upgrade-pip-to=24.0")
    assert build.returncode == 0, build.output[-4000:]
    for step in ("dh_dwz -a -Xsite-packages/", "dh_strip -a -Xsite-packages/", "dh_shlibdeps -a"):
        assert f"   {step}" in build.output
    deb = build.deb("wheels-app")
    tree = extract(deb, tmp_path / "x")
    assert files_containing(tree, str(build.source)) == []
    assert list(tree.glob("opt/venvs/wheels-app/lib/python3.11/site-packages/numpy.libs/*.so*"))
    assert list(tree.glob("opt/venvs/wheels-app/lib/python3.11/site-packages/pip-24.0.dist-info"))

    with installed(deb):
        result = run_clean("wheels-app")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["112", "3", VENV]
    assert_purged("wheels-app", VENV, ["wheels-app"])
