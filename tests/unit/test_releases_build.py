"""dh-venv build's pieces that need no build: versions, sbuild's prerequisites and environment, messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from dh_venv.cli.frontend import main
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.releases import build, hostbuild, requires, sbuild, selfdeb
from dh_venv.releases.source import Source


@pytest.mark.parametrize(
    ("version", "upstream"),
    [("1.0-1", "1.0"), ("2:1.0-1", "1.0"), ("1.0-rc1-2", "1.0-rc1"), ("1.0", "1.0"), ("1:2.3", "2.3")],
)
def test_upstream_version(version: str, upstream: str) -> None:
    assert Source("p", version, "3.0 (quilt)").upstream == upstream


def test_quilt_or_not() -> None:
    assert Source("p", "1-1", "3.0 (quilt)").quilt
    assert not Source("p", "1", "3.0 (native)").quilt


@pytest.mark.parametrize(
    ("spec", "version", "fits"),
    [(">=3.12", "3.11", False), (">=3.12", "3.13", True), ("!=3.11.*", "3.11", False), (">=3.11.4", "3.11", True)],
)
def test_requires_python_fits(spec: str, version: str, fits: bool) -> None:
    assert requires._fits(SpecifierSet(spec), version) is fits


def test_no_sbuild_says_which_package(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as caught:
        sbuild.check({"PATH": str(tmp_path)})
    assert str(caught.value) == (
        "sbuild is not installed: --release builds in a clean chroot with sbuild; "
        "apt-get install sbuild (or build for this machine's release without --release)"
    )


def test_subordinate_ids_are_read_per_user(tmp_path: Path) -> None:
    subuid = tmp_path / "subuid"
    subuid.write_text("alice:100000:65536\n")
    assert sbuild._has_range(subuid, "alice")
    assert not sbuild._has_range(subuid, "bob")
    assert not sbuild._has_range(tmp_path / "missing", "alice")


def test_sbuild_gets_a_home_when_there_is_none(tmp_path: Path) -> None:
    env = sbuild.sbuild_env({"PATH": "/usr/bin:/bin"}, tmp_path)
    assert env["HOME"] == str(tmp_path / "home") and (tmp_path / "home").is_dir()
    assert sbuild.sbuild_env({"HOME": "/sbuild-nonexistent"}, tmp_path)["HOME"] == str(tmp_path / "home")
    assert sbuild.sbuild_env({"HOME": str(tmp_path)}, tmp_path)["HOME"] == str(tmp_path)


def test_sbuild_failure_names_dh_venv_error() -> None:
    output = "I: something\ndh_venv: error: app: pip could not build app\nStatus: attempted\n"
    assert sbuild._reason(output) == "dh_venv: error: app: pip could not build app"
    assert sbuild._reason("Status: failed\n") == "status failed"


def test_host_failure_names_the_unmet_dependencies() -> None:
    output = "dpkg-checkbuilddeps: error: Unmet build dependencies: dh-sequence-python-venv\n"
    exc = hostbuild._failure(CommandError(["dpkg-buildpackage"], 3, output))
    assert str(exc) == (
        "dpkg-buildpackage: unmet build dependencies on this machine: dh-sequence-python-venv; "
        "install them (apt-get build-dep ./ does), or build in a clean chroot with --release"
    )


def test_host_failure_names_dh_venv_error() -> None:
    output = "   dh_venv\ndh_venv: error: app: no Python project in /x\nmake: *** [debian/rules:3: binary] Error 25\n"
    exc = hostbuild._failure(CommandError(["dpkg-buildpackage"], 2, output))
    assert exc.message == "the build on this machine failed: dh_venv: error: app: no Python project in /x"


def test_given_deb_must_be_dh_venv(tmp_path: Path) -> None:
    other = tmp_path / "hello_1.0_all.deb"
    other.write_bytes(b"")
    with pytest.raises(DhVenvError, match=r"is the package hello, not dh-venv; give the dh-venv \.deb"):
        selfdeb.given(other)
    with pytest.raises(DhVenvError, match=r"no such \.deb file"):
        selfdeb.given(tmp_path / "dh-venv_1_all.deb")


def test_build_without_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"dh-venv: error: {tmp_path.name}: no Python project in {tmp_path}: none of pyproject.toml, setup.py, "
        "setup.cfg found; run dh-venv build in the project's directory, or give that directory\n"
    )


def test_build_for_an_unknown_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '1'\n")
    assert main(["build", "--release", "sid-of-nowhere", str(tmp_path)]) == 1
    assert (
        f"dh-venv: error: {tmp_path.name}: 'sid-of-nowhere' is not a supported Debian release; give one of: "
        in capsys.readouterr().err
    )


def test_help_lists_build(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "  build    build .deb files from a project" in capsys.readouterr().out


def test_vendored_versions_from_the_manifest(tmp_path: Path) -> None:
    assert build._vendored(tmp_path) is None
    (tmp_path / "debian" / "wheelhouse").mkdir(parents=True)
    (tmp_path / "debian" / "wheelhouse" / "manifest.json").write_text('{"python": "3.11 3.13", "files": {}}')
    assert build._vendored(tmp_path) == {"3.11", "3.13"}
    (tmp_path / "debian" / "wheelhouse" / "manifest.json").write_text("{")
    with pytest.raises(DhVenvError, match=r"manifest.json is damaged .*; run dh-venv vendor again"):
        build._vendored(tmp_path)
