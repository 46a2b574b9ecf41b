"""dh-venv build: a project to .deb files on this machine, and for the other release in a clean chroot.

The host builds run the real dpkg-buildpackage, the release build the real
mmdebstrap and sbuild (unshare mode, as root here, as CI runs); the chroot
tarball is kept in ``$DH_VENV_TEST_CACHE/chroots`` (default
/var/cache/dh-venv-tests/chroots), so one CI run makes it at most once.
A package built for the other release is not installed here (that would
not be valid); its Depends and files are checked instead.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from dh_venv.releases import targets

from .conftest import (
    INSTALLED,
    PACKAGES,
    PY,
    RELEASE,
    ROOT,
    assert_purged,
    clean_pip_env,
    deb_field,
    installed,
    run_clean,
    sh,
    tool_env,
)

PROJECTS = ROOT / "tests" / "projects"
CACHE = Path(os.environ.get("DH_VENV_TEST_CACHE", "/var/cache/dh-venv-tests")) / "chroots"
#: The supported release this machine is not (trixie on bookworm, bookworm on trixie).
OTHER = next(r.codename for r in targets.supported() if r.codename != RELEASE)
MAINTAINER = {"DEBFULLNAME": "dh-venv tests", "DEBEMAIL": "tests@example.org"}


def _dh_venv(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # By its full path: some tests give a PATH of only the tools they allow.
    program = (shutil.which("dh-venv") or "dh-venv") if INSTALLED else str(ROOT / "bin" / "dh-venv")
    full = {**clean_pip_env(), **tool_env(), **MAINTAINER, "DH_VENV_CHROOT_CACHE": str(CACHE), **env}
    return subprocess.run([program, "build", *args], cwd=cwd, env=full, text=True, capture_output=True)


def _digest(tree: Path) -> dict[str, str]:
    return {
        str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest() for p in tree.rglob("*") if p.is_file()
    }


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _shown(output: str) -> list[str]:
    """The package lines dh-venv build printed: path, size, Depends."""
    return re.findall(r"^dh-venv:   (/\S+\.deb)  [\d.]+ [kM]B  Depends: (.*)$", output, re.M)


def test_host_build_of_a_project_with_debian(tmp_path: Path, wheelhouse: Path) -> None:
    project = _copy(PACKAGES / "bld-app", tmp_path)
    before = _digest(project)
    pip_args = f"--no-index --find-links={wheelhouse}"
    result = _dh_venv("--output", str(tmp_path / "out"), "--smoke", cwd=project, DH_VENV_PIP_ARGS=pip_args)
    assert result.returncode == 0, result.stderr + result.stdout
    # --smoke: dh-venv smoke's lines, on its release's fresh system.
    assert f"PASS run: bld-app --version (bld-app on Python {PY.removeprefix('python')})" in result.stdout
    assert re.search(r"^dh-venv smoke: 4 passed, 0 failed in \d+ s$", result.stdout, re.M), result.stdout
    deb = tmp_path / "out" / "bld-app_1.0-1_all.deb"
    assert _shown(result.stderr) == [(str(deb), PY)]
    assert re.search(rf"^dh-venv: built 1 package for {RELEASE}, on this machine in \d+ s:$", result.stderr, re.M)
    assert re.search(r"^dh-venv: done in \d+ s$", result.stderr, re.M)
    assert _digest(project) == before, "dh-venv build wrote into the project"
    with installed(deb):
        ran = run_clean("bld-app")
        assert ran.stdout.strip() == f"bld-app on Python {PY.removeprefix('python')}", ran.stderr
    assert_purged("bld-app", "/opt/venvs/bld-app", ["bld-app"])


@pytest.mark.network
def test_host_build_of_a_project_without_debian(tmp_path: Path) -> None:
    project = _copy(PROJECTS / "bld-bare", tmp_path)
    before = _digest(project)
    result = _dh_venv(cwd=project)
    assert result.returncode == 0, result.stderr
    deb = tmp_path / "bld-bare_2.1-1_all.deb"
    assert _shown(result.stderr) == [(str(deb), PY)], result.stderr
    assert f"{project} has no debian/: built with what dh-venv init writes" in result.stderr
    assert _digest(project) == before and not (project / "debian").exists()
    with installed(deb):
        assert run_clean("bld-bare").stdout.strip() == "bld-bare ok"
    assert_purged("bld-bare", "/opt/venvs/bld-bare", ["bld-bare"])


@pytest.fixture(scope="session")
def checkout_deb(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """This checkout's dh-venv package; None with the installed package (dh-venv build repacks that one)."""
    if INSTALLED:
        return None
    src = tmp_path_factory.mktemp("self") / "dh-venv"
    ignore = shutil.ignore_patterns(".git", ".tools", "build", "__pycache__", ".mypy_cache", ".ruff_cache")
    shutil.copytree(ROOT, src, ignore=ignore)
    subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b", "-d"], cwd=src, check=True, capture_output=True)
    [deb] = src.parent.glob("dh-venv_*_all.deb")
    return deb


def _deb_option(deb: Path | None, dest: Path) -> list[str]:
    """``--dh-venv-deb`` with a readable copy of ``deb`` in ``dest``, or nothing for the installed package."""
    if deb is None:
        return []
    copy = dest / deb.name
    shutil.copy(deb, copy)
    copy.chmod(0o644)
    return ["--dh-venv-deb", str(copy)]


@pytest.mark.network
def test_build_for_the_other_release_in_a_chroot(tmp_path: Path, checkout_deb: Path | None) -> None:
    """The supported release this machine is not, in its chroot, as root (as CI runs it).

    The package cannot be installed here (a foreign release): its Depends
    and files are checked.  Several releases in one call repeat the sbuild
    step per release, each into its own directory; that is not repeated
    here, so that a CI run makes one build chroot.
    """
    project = _copy(PACKAGES / "bld-app", tmp_path)
    before = _digest(project)
    out = tmp_path / "out"
    result = _dh_venv("--release", OTHER, "--output", str(out), *_deb_option(checkout_deb, tmp_path), cwd=project)
    assert result.returncode == 0, result.stderr[-5000:]
    deb = out / OTHER / "bld-app_1.0-1_all.deb"
    [(shown, other_python)] = _shown(result.stderr)
    assert shown == str(deb)
    built = rf"^dh-venv: built 1 package for {OTHER}, in a clean chroot \(sbuild\) in \d+ s:$"
    assert re.search(built, result.stderr, re.M), result.stderr
    assert _digest(project) == before, "dh-venv build wrote into the project"
    assert re.fullmatch(r"python3\.\d+", other_python) and other_python != PY, other_python
    assert deb_field(deb, "Depends") == other_python
    files = sh("dpkg-deb", "-c", str(deb)).stdout
    assert f"./opt/venvs/bld-app/lib/{other_python}/site-packages/bld_app/__init__.py" in files
    assert f"/{PY}/" not in files
    assert "./usr/bin/bld-app -> /opt/venvs/bld-app/bin/bld-app" in files


USER = "bld-builder"


@pytest.fixture(scope="session")
def builder_user() -> str:
    """A user other than root, with subordinate ids (as adduser gives them) and no home directory."""
    if sh("id", USER, check=False).returncode != 0:
        sh("useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", USER)
    if not re.search(rf"^{USER}:", Path("/etc/subuid").read_text(), re.M):
        sh("usermod", "--add-subuids", "200000-265535", "--add-subgids", "200000-265535", USER)
    return USER


@pytest.mark.network
def test_build_as_a_user_without_home(builder_user: str, checkout_deb: Path | None) -> None:
    """As CI runners may run it: not root, no HOME, no environment but PATH; the chroot cached by root."""
    from dh_venv.releases.build import BUILD_CHROOT_EXTRA
    from dh_venv.releases.chroots import tarball
    from dh_venv.runner import Runner

    tarball(OTHER, "buildd", Runner(log=print), {"DH_VENV_CHROOT_CACHE": str(CACHE)}, extra=BUILD_CHROOT_EXTRA)
    top = Path(tempfile.mkdtemp(prefix="bld-user-", dir="/var/tmp"))
    try:
        project = _copy(PACKAGES / "bld-app", top)
        sh("chown", "-R", f"{builder_user}:", str(top))
        top.chmod(0o755)
        env = ["env", "-i", "PATH=/usr/bin:/bin", f"DH_VENV_CHROOT_CACHE={CACHE}"]
        env += [f"{k}={v}" for k, v in os.environ.items() if k in ("SSL_CERT_FILE", "http_proxy", "https_proxy")]
        # The checkout's dh-venv package; the installed one is repacked (under fakeroot) otherwise.
        deb = _deb_option(checkout_deb, top)
        program = "dh-venv" if INSTALLED else str(ROOT / "bin" / "dh-venv")
        argv = ["setpriv", f"--reuid={builder_user}", f"--regid={builder_user}", "--init-groups", *env, program]
        argv += ["build", "--release", OTHER, "--output", str(top / "out"), *deb]
        result = subprocess.run(argv, cwd=project, text=True, capture_output=True)
        assert result.returncode == 0, result.stderr[-5000:]
        [(shown, depends)] = _shown(result.stderr)
        assert shown == str(top / "out" / OTHER / "bld-app_1.0-1_all.deb") and depends != PY
        assert Path(shown).stat().st_uid == pwd.getpwnam(builder_user).pw_uid
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_a_project_that_cannot_be_built(tmp_path: Path, wheelhouse: Path) -> None:
    project = _copy(PACKAGES / "bld-app", tmp_path)
    (project / "setup.py").write_text('raise SystemExit("bld-app cannot be built here")\n')
    result = _dh_venv(cwd=project, DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}")
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("dh-venv: error: bld-app: the build on this machine failed: dh_venv: error: bld-app: ")
    assert first.endswith("; the build's last lines are below (-v shows all of it)"), first
    assert "bld-app cannot be built here" in result.stderr
    assert not list(tmp_path.glob("*.deb"))


@pytest.mark.network
def test_a_project_that_cannot_be_built_for_a_release(tmp_path: Path) -> None:
    """Vendoring for the chroot builds the project here first, and says so when it cannot."""
    project = _copy(PACKAGES / "bld-app", tmp_path)
    (project / "setup.py").write_text('raise SystemExit("bld-app cannot be built here")\n')
    result = _dh_venv("--release", OTHER, cwd=project)
    assert result.returncode == 1
    [first] = [line for line in result.stderr.splitlines() if line.startswith("dh-venv: error: bld-app:")]
    assert first == (
        "dh-venv: error: bld-app: dh-venv vendor could not fill the wheelhouse the chroot builds from: bld-app: "
        "pip could not install the application and its requirements; fix the requirement or the index options; "
        "pip said; its output is below; a project that does not build on this machine does not build in a chroot"
    )
    assert "bld-app cannot be built here" in result.stderr
    assert not (tmp_path / OTHER).exists()


def _tools(tmp_path: Path, *names: str) -> str:
    """A PATH of only these programs (links to the real ones)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in names:
        found = shutil.which(name)
        assert found, name
        (bin_dir / name).symlink_to(found)
    return str(bin_dir)


def test_no_sbuild(tmp_path: Path) -> None:
    project = _copy(PACKAGES / "bld-app", tmp_path)
    result = _dh_venv("--release", OTHER, cwd=project, PATH=_tools(tmp_path, "dpkg"))
    assert result.returncode == 1
    assert result.stderr == (
        "dh-venv: error: bld-app: sbuild is not installed: --release builds in a clean chroot with sbuild; "
        "apt-get install sbuild (or build for this machine's release without --release)\n"
    )


def test_no_mmdebstrap_while_the_chroot_must_be_made(tmp_path: Path) -> None:
    project = _copy(PACKAGES / "bld-app", tmp_path)
    path = _tools(tmp_path, "sbuild", "dpkg", "newuidmap")
    result = _dh_venv("--release", OTHER, cwd=project, PATH=path, DH_VENV_CHROOT_CACHE=str(tmp_path / "cache"))
    assert result.returncode == 1
    assert result.stderr == (
        f"dh-venv: error: bld-app: mmdebstrap is not installed; it makes the {OTHER} chroot; "
        "apt-get install mmdebstrap\n"
    )


def test_no_network_while_the_chroot_must_be_made(tmp_path: Path) -> None:
    project = _copy(PACKAGES / "bld-app", tmp_path)
    cache = tmp_path / "cache"
    mirror = "http://127.0.0.1:9/debian"
    env = {"DH_VENV_CHROOT_CACHE": str(cache), "DH_VENV_MIRROR": mirror}
    env |= {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}
    result = _dh_venv("--release", OTHER, cwd=project, **env)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"dh-venv: error: bld-app: no network: cannot reach the Debian mirror {mirror} to make the {OTHER} chroot ("
    ), line
    assert line.endswith(
        f"; connect to the network (or set DH_VENV_MIRROR to a reachable mirror) and run again; "
        f"once made, the chroot is kept in {cache}"
    ), line


def test_a_release_whose_interpreter_the_project_excludes(tmp_path: Path) -> None:
    """requires-python that leaves out this machine's interpreter: --release of this machine names the other."""
    project = _copy(PACKAGES / "bld-app", tmp_path)
    pyproject = project / "pyproject.toml"
    version = PY.removeprefix("python")
    pyproject.write_text(
        pyproject.read_text().replace('version = "1.0"', f'version = "1.0"\nrequires-python = "!={version}.*"')
    )
    result = _dh_venv("--release", RELEASE, cwd=project)
    assert result.returncode == 1
    other_python = re.search(rf"{OTHER} has (python3\.\d+)", result.stderr)
    assert other_python, result.stderr
    shown = ", ".join(
        f"{r} has {PY if r == RELEASE else other_python.group(1)}" for r in (r.codename for r in targets.supported())
    )
    assert result.stderr == (
        f"dh-venv: error: bld-app: {project} requires Python !={version}.* (requires-python), which {RELEASE}'s {PY} "
        f"is not; build for {OTHER} instead ({shown})\n"
    )
