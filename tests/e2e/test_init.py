"""``dh-venv init`` on bare projects of each build backend and layout, then the real thing.

Each fixture of ``tests/projects/`` (no ``debian/``) gets its ``debian/`` from
``dh-venv init``; an orig tarball is made and the package is built, source and
binary, with the real ``dpkg-buildpackage``; lintian (default profile) judges
what init wrote and what the build made; the packages are installed together,
their commands run, the ``--service`` unit is verified with ``systemd-analyze``
and its user checked, and purging leaves nothing behind.  The build backends
and MarkupSafe come from PyPI, as they do for users.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from dh_venv.releases import targets
from tests.e2e.conftest import PY, RELEASE, ROOT, assert_purged, deb_field, installed, run_clean, sh, tool_env

pytestmark = pytest.mark.network

PROJECTS = ROOT / "tests" / "projects"
MAINTAINER = {"DEBFULLNAME": "Init Tester", "DEBEMAIL": "init@example.org"}
SERVICE = "ini-pdm serve"
CACHE = Path(os.environ.get("DH_VENV_TEST_CACHE", "/var/cache/dh-venv-tests")) / "chroots"
#: Set by .ci/other-release, which runs this file in a chroot of the other release.
NESTED = "DH_VENV_CI_CHROOT"


@dataclass(frozen=True)
class Case:
    version: str
    architecture: str
    run: tuple[str, ...]
    prints: str


CASES = {
    "ini-cfg": Case("0.3.1-1", "all", ("ini-cfg", "one", "two"), "2 words"),  # setuptools, setup.cfg, flat
    "ini-hatch": Case("1.2.0~rc1-1", "all", ("ini-hatch",), "hello from ini-hatch"),  # hatchling, src/
    "ini-poetry": Case("2.0.0-1", "all", ("ini-poetry", "a", "b"), "b a"),  # poetry-core, flat
    "ini-flit": Case("0.9.2-1", "all", ("ini-flit", "hi"), "HI"),  # flit-core, dynamic version, module
    "ini-pdm": Case("1.0.0-1", "any", ("ini-pdm", "<b>"), "&lt;b&gt;"),  # pdm-backend, src/, compiled dependency
}


@dataclass(frozen=True)
class Made:
    source: Path
    init: subprocess.CompletedProcess[str]
    build: subprocess.CompletedProcess[str]

    @property
    def changes(self) -> Path:
        return next(self.source.parent.glob("*.changes"))

    @property
    def deb(self) -> Path:
        return next(p for p in self.source.parent.glob("*.deb") if "-dbgsym_" not in p.name)


def _init(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dh-venv", "init", *args], cwd=project, env=tool_env(**MAINTAINER), capture_output=True, text=True
    )


def _make(name: str, top: Path) -> Made:
    work = top / name
    project = work / name
    shutil.copytree(PROJECTS / name, project)
    init = _init(project, *(["--service", SERVICE] if name == "ini-pdm" else []))
    assert init.returncode == 0, init.stderr
    upstream = CASES[name].version.rsplit("-", 1)[0]
    with tarfile.open(work / f"{name}_{upstream}.orig.tar.gz", "w:gz") as tar:
        tar.add(project, arcname=f"{name}-{upstream}", filter=lambda t: None if "/debian" in t.name else t)
    build = subprocess.run(
        ["dpkg-buildpackage", "-us", "-uc", "-d"],
        cwd=project,
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-4000:]
    return Made(project, init, build)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    top = tmp_path_factory.mktemp("init")
    return {name: _make(name, top) for name in CASES}


def test_init_says_what_it_wrote(made: dict[str, Made]) -> None:
    assert made["ini-hatch"].init.stderr.splitlines() == [
        "dh-venv: ini-hatch 1.2.0~rc1-1, Architecture: all",
        "dh-venv: wrote debian/changelog",
        "dh-venv: wrote debian/control",
        "dh-venv: wrote debian/copyright",
        "dh-venv: wrote debian/ini-hatch.lintian-overrides",
        "dh-venv: wrote debian/rules",
        "dh-venv: wrote debian/source/format",
        "dh-venv: wrote debian/tests/control",
        "dh-venv: next: dh-venv build (or: dpkg-buildpackage -us -uc -b)",
    ]
    said = made["ini-pdm"].init.stderr
    assert "dh-venv: wrote debian/ini-pdm.service\n" in said
    assert "dh-venv: notice: Architecture: any: the requirement set holds compiled distributions (markupsafe " in said


@pytest.mark.parametrize("name", CASES)
def test_package_fields(made: dict[str, Made], name: str) -> None:
    case, deb = CASES[name], made[name].deb
    assert deb_field(deb, "Package") == name
    assert deb_field(deb, "Version") == case.version
    host = sh("dpkg", "--print-architecture").stdout.strip()
    assert deb_field(deb, "Architecture") == (host if case.architecture == "any" else "all")
    assert PY in deb_field(deb, "Depends")
    assert deb_field(deb, "Maintainer") == "Init Tester <init@example.org>"


def test_lintian_is_clean(made: dict[str, Made]) -> None:
    out = subprocess.run(
        ["lintian", "--no-cfg", *(str(m.changes) for m in made.values())], capture_output=True, text=True
    )
    said = [line for line in out.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert said == [], out.stdout
    assert out.returncode == 0, out.stdout + out.stderr


def test_install_run_service_purge(made: dict[str, Made]) -> None:
    debs = [m.deb for m in made.values()]
    with installed(*debs):
        for name, case in CASES.items():
            result = run_clean(*case.run)
            assert (result.returncode, result.stdout.strip()) == (0, case.prints), result.stderr
            assert run_clean(name, "--version").returncode == 0
        unit = next(p for p in sh("dpkg", "-L", "ini-pdm").stdout.splitlines() if p.endswith("/ini-pdm.service"))
        verify = sh("systemd-analyze", "verify", unit, check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "ExecStart=/usr/bin/ini-pdm serve\n" in Path(unit).read_text()
        user = pwd.getpwnam("ini-pdm")
        assert (user.pw_dir, user.pw_shell) == ("/nonexistent", "/usr/sbin/nologin")
        assert user.pw_uid < 1000
    for name in CASES:
        assert_purged(name, f"/opt/venvs/{name}", [name])
    with pytest.raises(KeyError):
        pwd.getpwnam("ini-pdm")
    assert not Path("/var/lib/ini-pdm").exists()


@pytest.mark.skipif(
    bool(os.environ.get(NESTED)),
    reason="dh-venv smoke makes a chroot of its own, and .ci/other-release does not nest chroots; "
    "make check runs this test, and tests/e2e/test_build.py builds for the other release",
)
@pytest.mark.parametrize("name", CASES)
def test_smoke_runs_the_tests_init_wrote(made: dict[str, Made], name: str) -> None:
    """dh-venv smoke in a fresh system of this release, with the debian/tests/control init wrote."""
    env = tool_env(DH_VENV_CHROOT_CACHE=str(CACHE))
    result = subprocess.run(
        ["dh-venv", "smoke", str(made[name].deb)], cwd=made[name].source, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # The test init wrote is named after the command; its output's first line follows in brackets.
    assert lines[2].startswith(f"PASS test: {name} ("), result.stdout
    assert lines[1:2] + lines[3:-1] == [
        f"PASS install: {made[name].deb.name}",
        f"PASS purge: {name}",
        f"PASS clean: after the purge (nothing left in /opt/venvs/{name}, /usr/bin)",
    ], result.stdout
    assert lines[-1].startswith("dh-venv smoke: 4 passed, 0 failed in "), result.stdout


def test_version_from_a_vcs_tag(tmp_path: Path) -> None:
    project = tmp_path / "ini-scm"
    shutil.copytree(PROJECTS / "ini-scm", project)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
    for argv in (["init", "-q"], ["add", "."], ["commit", "-qm", "first"], ["tag", "v3.4.5"]):
        sh(*git, "-C", str(project), *argv)
    # The package is for another supported release than this machine's, when there is one.
    release = next((r.codename for r in targets.supported() if r.codename != RELEASE), RELEASE)
    result = _init(project, "--release", release)
    assert result.returncode == 0, result.stderr
    changelog = (project / "debian" / "changelog").read_text()
    assert changelog.splitlines()[0] == f"ini-scm (3.4.5-1) {release}; urgency=medium"


def test_a_project_pip_cannot_build(tmp_path: Path) -> None:
    project = tmp_path / "ini-broken"
    project.mkdir()
    (project / "setup.py").write_text("raise SystemExit('this project does not build')\n")
    result = _init(project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"dh-venv: error: pip could not build {project} to read its metadata; "
        "make `pip wheel --no-deps .` work in the project first"
    )
    assert any("this project does not build" in line for line in lines[1:]), result.stderr
    assert not (project / "debian").exists()


def test_an_sdist_that_does_not_build_here_makes_it_any(tmp_path: Path) -> None:
    """A dependency only as an sdist that needs a header this machine lacks: init says so, takes any."""
    sdist_dir = tmp_path / "ini-csdist-1.0"
    sdist_dir.mkdir()
    (sdist_dir / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    (sdist_dir / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        "setup(name='ini-csdist', version='1.0', ext_modules=[Extension('ini_csdist', ['ini_csdist.c'])])\n"
    )
    (sdist_dir / "ini_csdist.c").write_text("#include <ini-no-such-header.h>\n")
    (sdist_dir / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: ini-csdist\nVersion: 1.0\n")
    sdist = tmp_path / "ini_csdist-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(sdist_dir, arcname="ini_csdist-1.0")
    project = tmp_path / "ini-needs-c"
    project.mkdir()
    (project / "ini_needs_c.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "ini-needs-c"\nversion = "1.0"\ndescription = "Needs a C library"\nlicense = "MIT"\n'
        f'dependencies = ["ini-csdist @ {sdist.as_uri()}"]\n[tool.setuptools]\npy-modules = ["ini_needs_c"]\n'
    )
    result = _init(project, "--build-depends", "libini-dev")
    assert result.returncode == 0, result.stderr
    assert (
        "dh-venv: notice: Architecture: any: could not build ini_csdist-1.0.tar.gz (ini_csdist.c:1:10: fatal error: "
        "ini-no-such-header.h: No such file or directory) here to tell whether it compiles code; name what it "
        "needs to build with --build-depends\n"
    ) in result.stderr
    control = (project / "debian" / "control").read_text()
    assert "Architecture: any\n" in control
    assert " dh-sequence-python-venv,\n libini-dev\n" in control
