"""The example in examples/ against the real package index, with the two-line debian/rules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import (
    PY,
    ROOT,
    SITE,
    assert_purged,
    deb_field,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    tool_env,
)

VENV = "/opt/venvs/hello-venv"


@pytest.mark.network
def test_example_from_pypi(tmp_path: Path) -> None:
    source = tmp_path / "hello-venv-1.0.0"
    shutil.copytree(ROOT / "examples" / "hello-venv", source)
    # The machine's pip configuration (extra indexes, find-links) stays in the
    # environment: dh_venv must ignore it and fetch click from the index.
    env = tool_env()
    assert "DH_VENV_PIP_ARGS" not in env
    build = dpkg_buildpackage(source, env)
    assert build.returncode == 0, build.output[-4000:]
    deb = build.deb("hello-venv")
    assert deb_field(deb, "Depends") == PY
    tree = extract(deb, tmp_path / "x")
    assert files_containing(tree, str(source)) == []
    pip_find_links = os.environ.get("PIP_FIND_LINKS")
    if pip_find_links:
        assert files_containing(tree, pip_find_links) == []
    assert list(tree.glob(f"opt/venvs/hello-venv/{SITE}/click-*.dist-info"))

    with installed(deb):
        result = run_clean("hello-venv", "--name", "test")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"Hello, test! (python {PY.removeprefix('python')} at {VENV})"
    assert_purged("hello-venv", VENV, ["hello-venv"])
