"""PEP 517 backends, src and flat layout, and VCS versions, each in a real build.

The backends come from PyPI at the versions the fixtures pin.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import PACKAGES, assert_purged, dpkg_buildpackage, installed, run_clean, tool_env

pytestmark = pytest.mark.network


def dist_infos(deb: Path) -> list[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return sorted(
        Path(line.split()[-1].rstrip("/")).name
        for line in listing.splitlines()
        if line.split()[-1].rstrip("/").endswith(".dist-info") and "/site-packages/inp" in line
    )


def test_flit_flat_and_pdm_src_layout(tmp_path: Path) -> None:
    # hatchling (src layout) is built by test_inputs' uv.lock project, poetry-core by its
    # poetry.lock project, setuptools (flat layout, pyproject.toml only) by the scm test below.
    source = tmp_path / "inp-backends-1.0"
    shutil.copytree(PACKAGES / "inp-backends", source)
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    expected = {
        "inp-flit": "inp_flit-1.1.dist-info",
        "inp-pdm": "inp_pdm-1.3.dist-info",
    }
    debs = [build.deb(p) for p in expected]
    for package, dist_info in expected.items():
        assert dist_infos(build.deb(package)) == [dist_info]
    with installed(*debs):
        for package in expected:
            result = run_clean(package)
            assert (result.returncode, result.stdout) == (0, f"{package} says hi\n"), result.stderr
    for package in expected:
        assert_purged(package, f"/opt/venvs/{package}", [package])


def git(source: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(source), *args],
        check=True,
        capture_output=True,
    )


def test_setuptools_scm_tagged_checkout_and_tarball(tmp_path: Path) -> None:
    # A clean git checkout tagged v1.2.3, debian/ committed: exactly 1.2.3, no .devN+g<sha>.d<date>.
    checkout = tmp_path / "git" / "inp-scm-1.2.3"
    shutil.copytree(PACKAGES / "inp-scm", checkout)
    (checkout / ".gitignore").write_text("")
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "commit", "-qm", "release")
    git(checkout, "tag", "v1.2.3")
    # Untracked files (notes, a wheelhouse not yet committed) do not make it dirty.
    (checkout / "NOTES").write_text("untracked\n")
    build = dpkg_buildpackage(checkout, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    assert dist_infos(build.deb("inp-scm")) == ["inp_scm-1.2.3.dist-info"]
    status = subprocess.run(
        ["git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    assert status.stdout == "", "the maintainer's tree was changed"

    # The same source as a tarball: no .git; the version comes from debian/changelog.
    tarball = tmp_path / "tar" / "inp-scm-1.2.3"
    shutil.copytree(PACKAGES / "inp-scm", tarball)
    build = dpkg_buildpackage(tarball, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    deb = build.deb("inp-scm")
    assert dist_infos(deb) == ["inp_scm-1.2.3.dist-info"]
    with installed(deb):
        result = run_clean("inp-scm")
        assert (result.returncode, result.stdout) == (0, "1.2.3\n"), result.stderr
    assert_purged("inp-scm", "/opt/venvs/inp-scm", ["inp-scm"])
