"""What real applications bring, built with the two-line rules: a developer's requirements.txt, scripts= files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import PACKAGES, assert_purged, dpkg_buildpackage, extract, installed, run_clean, tool_env

VENV = "/opt/venvs/migr-scripts"


def test_developer_requirements_and_a_scripts_file(build_package, tmp_path) -> None:  # type: ignore[no-untyped-def]
    failed = build_package("migr-scripts")
    assert failed.returncode != 0
    assert (
        "dh_venv: error: migr-scripts: requirements.txt (picked by default: no --requirements was given) has a "
        "version-control or editable URL requirement on line 2: "
        "'-e git+https://git.example.invalid/tinydep.git@develop#egg=tinydep'; that is a development branch, not a "
        "release; name the file (--requirements=requirements.txt) to install it anyway, or build without it "
        "(--requirements=none: the project and its declared dependencies only)\n" in failed.output
    ), failed.output[-3000:]
    assert "git.example.invalid" not in failed.output.split("dh_venv: error:")[0]

    build = build_package("migr-scripts", args="--requirements=none", source=failed.source)
    assert build.returncode == 0, build.output[-4000:]
    assert "installing requirements.txt" not in build.output
    # The scripts= file is the application's command, linked by the same rules as entry points.
    assert (
        "dh_venv: migr-scripts: linked the application's console scripts as /usr/bin/migr-sc; "
        "--no-console-scripts leaves them off PATH, as dh-virtualenv did\n" in build.output
    )
    tree = extract(build.deb("migr-scripts"), tmp_path / "x")
    assert (tree / "usr/bin/migr-sc").readlink().as_posix() == f"{VENV}/bin/migr-sc"
    assert (tree / VENV.lstrip("/") / "bin/migr-sc").read_text().startswith(f"#!{VENV}/bin/python")
    with installed(build.deb("migr-scripts")):
        result = run_clean("migr-sc")
        assert (result.returncode, result.stdout) == (0, "MIGR-SC!\n"), result.stderr
    assert_purged("migr-scripts", VENV, ["migr-sc"])

    # Nothing to expose: said in one line, with the options that choose a command.
    bare = build_package("migr-scripts", args="--requirements=none --skip-install", source=failed.source)
    assert bare.returncode == 0, bare.output[-4000:]
    assert (
        "dh_venv: migr-scripts: the application declares no console script and installs no script into "
        f"{VENV}/bin, so the package puts no command on PATH; --console-script=NAME links a script of the venv (a "
        "dependency's too), --no-console-scripts says none is wanted\n" in bare.output
    ), bare.output[-3000:]


def test_default_requirements_named(build_package) -> None:  # type: ignore[no-untyped-def]
    source_build = build_package("setuppy-reqs")
    assert source_build.returncode == 0, source_build.output[-3000:]
    assert (
        "dh_venv: setuppy-app: installing requirements.txt, found in the project (no --requirements given; "
        "--requirements=none installs no requirements file)\n" in source_build.output
    )


def _git(source: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(source), *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.network
def test_version_from_git_is_the_changelog_version(tmp_path: Path) -> None:
    # The packaging-branch layout: upstream tagged v1.2.3, debian/ committed on top.
    source = tmp_path / "inp-scm-1.2.3"
    shutil.copytree(PACKAGES / "inp-scm", source, ignore=shutil.ignore_patterns("debian"))
    (source / ".gitignore").write_text("")
    _git(source, "init", "-q")
    _git(source, "add", ".")
    _git(source, "commit", "-qm", "upstream 1.2.3")
    _git(source, "tag", "v1.2.3")
    shutil.copytree(PACKAGES / "inp-scm" / "debian", source / "debian")
    _git(source, "add", ".")
    _git(source, "commit", "-qm", "packaging")
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    assert (
        "dh_venv: inp-scm: the git checkout is tag v1.2.3 plus changes under debian/ only: building version 1.2.3, "
        "the upstream version of debian/changelog (SETUPTOOLS_SCM_PRETEND_VERSION)\n" in build.output
    )
    listing = subprocess.run(["dpkg-deb", "-c", str(build.deb("inp-scm"))], capture_output=True, text=True).stdout
    assert "/inp_scm-1.2.3.dist-info/" in listing

    # A change to the code since the tag: the version git gives is not the package's.
    (source / "inp_scm" / "__init__.py").write_text((source / "inp_scm" / "__init__.py").read_text() + "\n")
    _git(source, "commit", "-qam", "a fix after the tag")
    failed = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=""))
    assert failed.returncode != 0
    match = re.search(r"^dh_venv: error: inp-scm: the application was built as version (\S+) .*$", failed.output, re.M)
    assert match, failed.output[-3000:]
    assert match.group(1).startswith("1.2.4.dev2+g")  # two commits since the tag
    assert match.group(0).endswith(
        "but debian/changelog says the upstream version is 1.2.3; package the commit tagged v1.2.3 (changes under "
        "debian/ only are fine: dh_venv then builds 1.2.3), correct debian/changelog, or set "
        "SETUPTOOLS_SCM_PRETEND_VERSION=1.2.3 in debian/rules (export)"
    )
