"""dh-venv smoke: real packages installed, run and purged in a fresh chroot of this machine's release.

tests/packages/smk-app is built once with dpkg-buildpackage; its smoke chroot
is made once with mmdebstrap and kept in the test cache (DH_VENV_TEST_CACHE,
default /var/cache/dh-venv-tests) for later sessions, as a CI machine keeps it.
Each smoke test unpacks it afresh with mmdebstrap (about 20 s).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dh_venv.releases import chroots
from dh_venv.runner import Runner

from .conftest import PACKAGES, RELEASE, Build, dpkg_buildpackage, sh, tool_env

CACHE = Path(os.environ.get("DH_VENV_TEST_CACHE", "/var/cache/dh-venv-tests")) / "chroots"
SUMMARY = re.compile(r"dh-venv smoke: (\d+) passed, (\d+) failed(?:, (\d+) skipped)? in \d+ s")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Build:
    source = tmp_path_factory.mktemp("smk") / "smk-app-1.0"
    shutil.copytree(PACKAGES / "smk-app", source, symlinks=True)
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}"))
    assert build.returncode == 0, build.output[-3000:]
    return build


@pytest.fixture(scope="module")
def tarball() -> Path:
    """This release's smoke chroot, made once (and again when a week old)."""
    env = {**os.environ, chroots.VARIABLE: str(CACHE)}
    return chroots.tarball(RELEASE, "smoke", Runner(log=print), env)


def smoke(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = tool_env(**{chroots.VARIABLE: str(CACHE), **env})
    return subprocess.run(["dh-venv", "smoke", *args], cwd=cwd, env=full, capture_output=True, text=True)


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.splitlines()


@pytest.mark.network  # the Debian archive
def test_a_good_package_with_its_test_list(built: Build, tarball: Path) -> None:
    """From the source tree, debian/tests/control is the test list."""
    result = smoke(str(built.deb("smk-app")), cwd=built.source)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    *lines, summary = _lines(result)
    assert lines == [
        f"dh-venv smoke: smk-app in a fresh {RELEASE} system ({tarball.name})",
        "PASS install: smk-app_1.0_all.deb",
        "PASS test: smk-app --greet smoke (hello smoke)",
        "PASS test: greet",
        "PASS purge: smk-app",
        "PASS clean: after the purge (nothing left in /opt/venvs/smk-app, /usr/bin)",
    ]
    assert SUMMARY.fullmatch(summary) and SUMMARY.fullmatch(summary).groups() == ("5", "0", None)  # type: ignore[union-attr]


@pytest.mark.network  # the Debian archive
def test_failing_tests_of_a_given_list(built: Build, tarball: Path, tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.write_text(
        "Test-Command: smk-leaky --greet x\nDepends: @\n\n"
        "Test-Command: smk-leaky --fail\n\n"
        "Test-Command: echo to stderr >&2\n\n"
        "Test-Command: exit 77\nRestrictions: skippable\n\n"
        "Test-Command: true\nRestrictions: isolation-machine\n"
    )
    debs = [str(built.deb("smk-app")), str(built.deb("smk-leaky"))]
    result = smoke("--tests", str(control), *debs, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    *lines, summary = _lines(result)
    assert lines == [
        f"dh-venv smoke: smk-app, smk-leaky in a fresh {RELEASE} system ({tarball.name})",
        "PASS install: smk-app_1.0_all.deb, smk-leaky_1.0_all.deb",
        "PASS test: smk-leaky --greet x (hello x)",
        "FAIL test: smk-leaky --fail (exit status 1)",
        "     | failing as asked",
        "FAIL test: echo to stderr >&2 (wrote to stderr; add allow-stderr to its Restrictions)",
        "     | to stderr",
        "SKIP test: exit 77 (skipped itself with exit status 77)",
        "SKIP test: true (isolation-machine: needs a whole machine)",
        "PASS purge: smk-app smk-leaky",
        "FAIL clean: after the purge "
        "(left: /opt/venvs/smk-leaky, /opt/venvs/smk-leaky/purge.log, /usr/bin/smk-leaky-helper)",
    ]
    assert SUMMARY.fullmatch(summary).groups() == ("3", "3", "2")  # type: ignore[union-attr]
    assert result.stderr == (
        f"dh-venv: error: smk-app, smk-leaky: the smoke test on {RELEASE} failed: test smk-leaky --fail; "
        "test echo to stderr >&2; clean after the purge; see the FAIL lines above\n"
    )


def test_without_mmdebstrap_or_a_deb(built: Build, tmp_path: Path) -> None:
    # A PATH with dh-venv and the interpreter, without mmdebstrap.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dh_venv = shutil.which("dh-venv", path=tool_env()["PATH"])
    assert dh_venv is not None
    (bin_dir / "dh-venv").symlink_to(dh_venv)
    result = smoke(str(built.deb("smk-app")), cwd=tmp_path, PATH=str(bin_dir))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "dh-venv: error: mmdebstrap is not installed; dh-venv smoke runs the packages in a fresh chroot that it "
        "makes; apt-get install mmdebstrap\n"
    )
    result = smoke("smk-none_1.0_all.deb", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "dh-venv: error: smk-none_1.0_all.deb not found; give the path of a .deb file "
        "(dpkg-buildpackage writes them beside the source)\n"
    )
    result = smoke("--release", "hamm", str(built.deb("smk-app")), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("dh-venv: error: 'hamm' is not a supported Debian release; give one of: ")


USER = "smk-user"


@pytest.mark.network  # the Debian archive
def test_as_a_user_each_exposed_command_and_what_the_purge_left(built: Build, tarball: Path) -> None:
    """A user with subordinate ids (docs/smoke.rst) smokes with root's cached tarball, in unshare mode.

    Without a test list: each command with --version, else --help; the files
    smk-leaky's postinst and postrm leave are named.
    """
    if sh("id", USER, check=False).returncode != 0:
        sh("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", USER)
    if not any(line.startswith(f"{USER}:") for line in Path("/etc/subuid").read_text().splitlines()):
        sh("usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535", USER)
    top = Path(f"/tmp/{USER}-{os.getpid()}")
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir()
    try:
        debs = [Path(shutil.copy(built.deb(name), top)).name for name in ("smk-app", "smk-leaky")]
        sh("chown", "-R", f"{USER}:", str(top))
        env = tool_env(HOME="/nonexistent", **{chroots.VARIABLE: str(CACHE)})
        result = subprocess.run(
            ["runuser", "-u", USER, "--", "dh-venv", "smoke", "-v", *debs],
            cwd=top,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(top, ignore_errors=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mmdebstrap --mode=unshare --variant=custom" in result.stderr
    *lines, summary = _lines(result)
    assert lines == [
        f"dh-venv smoke: smk-app, smk-leaky in a fresh {RELEASE} system ({tarball.name})",
        "PASS install: smk-app_1.0_all.deb, smk-leaky_1.0_all.deb",
        "PASS run: smk-app --version (smk-app 1.0)",
        "PASS run: smk-leaky --help (usage: smk-leaky [-h] [--greet NAME] [--fail])",
        "PASS purge: smk-app smk-leaky",
        "FAIL clean: after the purge "
        "(left: /opt/venvs/smk-leaky, /opt/venvs/smk-leaky/purge.log, /usr/bin/smk-leaky-helper)",
    ]
    assert SUMMARY.fullmatch(summary).groups() == ("4", "1", None)  # type: ignore[union-attr]
    assert result.stderr.endswith(
        f"dh-venv: error: smk-app, smk-leaky: the smoke test on {RELEASE} failed: clean after the purge; "
        "see the FAIL lines above\n"
    )
