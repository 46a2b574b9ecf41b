"""A version from git against debian/changelog, on a real git repository in tmp_path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs import vcs
from dh_venv.runner import Runner


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


def test_tag_plus_debian(tmp_path: Path) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "release")
    git(tmp_path, "tag", "v1.7.1")
    runner = Runner(log=[].append)
    (tmp_path / "debian/changelog").write_text("app (1.7.1-1) unstable; urgency=low\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "packaging")
    assert vcs.tag_plus_debian(tmp_path, "1.7.1", runner) == "v1.7.1"
    assert vcs.tag_plus_debian(tmp_path, "1.7.2", runner) is None
    (tmp_path / "app.py").write_text("x = 2\n")
    assert vcs.tag_plus_debian(tmp_path, "1.7.1", runner) is None, "an uncommitted change outside debian/"
    git(tmp_path, "commit", "-qam", "fix")
    assert vcs.tag_plus_debian(tmp_path, "1.7.1", runner) is None


def test_built_version_must_match_the_changelog(tmp_path: Path) -> None:
    dist_info = tmp_path / "app-1.7.2.dev1+g0123abc.dist-info"
    with pytest.raises(DhVenvError) as info:
        vcs.check_built_version("app", dist_info, "1.7.1", {})
    assert str(info.value) == (
        "app: the application was built as version 1.7.2.dev1+g0123abc (from git, by setuptools-scm or hatch-vcs), "
        "but debian/changelog says the upstream version is 1.7.1; package the commit tagged v1.7.1 (changes under "
        "debian/ only are fine: dh_venv then builds 1.7.1), correct debian/changelog, or set "
        "SETUPTOOLS_SCM_PRETEND_VERSION=1.7.1 in debian/rules (export)"
    )
    vcs.check_built_version("app", dist_info, "1.7.1", {"SETUPTOOLS_SCM_PRETEND_VERSION": "1.7.2"})
    vcs.check_built_version("app", tmp_path / "app-2.0rc1.dist-info", "2.0-rc1", {})
    vcs.check_built_version("app", tmp_path / "app-1.0.dist-info", "v1.0", {})
