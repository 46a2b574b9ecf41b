"""Lock files, dh-venv vendor and offline builds under sbuild's conditions.

One project locked with uv (tests/packages/inp-uvapp: six and idna pinned
to releases older than the newest, colorama only on win32,
typing-extensions only before Python 3.10, attrs in an extra, iniconfig in
a dev group) is built online, vendored, and built again offline as a
non-root user with fakeroot, no network (``unshare -n``), a nonexistent
HOME and proxies pointing at a closed port: both packages must hold
exactly the locked distributions.  The same wheelhouse then builds the
pylock.toml and hashed-requirements variants, and the unhappy paths
(tampered wheel, stale lock, no network and no wheelhouse) fail the way
the docs say.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PACKAGES, PY, Build, assert_purged, dpkg_buildpackage, installed, run_clean, tool_env

pytestmark = pytest.mark.network

# What uv.lock gives CPython 3.11 on Linux with no extras and no groups.
LOCKED = {"idna==3.3", "six==1.16.0"}
SEED = {"pip", "setuptools", "wheel"}
SBUILD_ENV = {
    "HOME": "/sbuild-nonexistent",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "no_proxy": "localhost",
    "LANG": "C.UTF-8",
}


def distributions(deb: Path) -> set[str]:
    """name==version of every dist-info in the package."""
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    found = set()
    for line in listing.splitlines():
        path = line.split()[-1].rstrip("/")
        if path.endswith(".dist-info") and "/site-packages/" in path:
            name, version = Path(path).name[: -len(".dist-info")].rsplit("-", 1)
            found.add(f"{name.lower().replace('_', '-')}=={version}")
    return found


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A directory the unprivileged build user can enter (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="inp-e2e-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def source_copy(scratch: Path, name: str) -> Path:
    source = scratch / name / "inp-uvapp-0.3.0"
    shutil.copytree(PACKAGES / "inp-uvapp", source, symlinks=True, ignore=shutil.ignore_patterns("alt"))
    return source


def offline_build(source: Path) -> tuple[Build, float]:
    """dpkg-buildpackage as nobody under fakeroot, with no network at all."""
    subprocess.run(["chown", "-R", "nobody:nogroup", str(source.parent)], check=True)
    env = {"PATH": f"{tool_env()['PATH'].split(':')[0]}:/usr/bin:/bin", **SBUILD_ENV}
    if "PERL5LIB" in tool_env():
        env["PERL5LIB"] = tool_env()["PERL5LIB"]
    argv = ["unshare", "-n", "--", "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "-i"]
    argv += [f"{k}={v}" for k, v in env.items()]
    argv += ["dpkg-buildpackage", "-us", "-uc", "-b", "-d", "-rfakeroot"]
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=source, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return Build(source, proc.returncode, proc.stdout), time.monotonic() - start


@pytest.fixture(scope="module")
def online(scratch: Path) -> Build:
    source = source_copy(scratch, "online")
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    return build


@pytest.fixture(scope="module")
def wheelhouse(scratch: Path) -> Path:
    source = source_copy(scratch, "vendor")
    proc = subprocess.run(
        ["dh-venv", "vendor"], cwd=source, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "dh-venv: inp-uvapp: " in proc.stdout and "files" in proc.stdout
    return source / "debian" / "wheelhouse"


def test_online_build_installs_exactly_the_lock(online: Build) -> None:
    deb = online.deb("inp-uvapp")
    assert distributions(deb) == LOCKED | {"inp-uvapp==0.3.0"}
    with installed(deb):
        result = run_clean("inp-uvapp")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["idna==3.3", "inp-uvapp==0.3.0", "six==1.16.0"]
    assert_purged("inp-uvapp", "/opt/venvs/inp-uvapp", ["inp-uvapp"])


def test_vendor_fills_wheelhouse_with_manifest(wheelhouse: Path) -> None:
    names = {p.name for p in wheelhouse.iterdir()}
    assert {"six-1.16.0-py2.py3-none-any.whl", "idna-3.3-py3-none-any.whl", "manifest.json"} <= names
    # The build backend of the project and what it needs.
    assert "hatchling-1.21.1-py3-none-any.whl" in names
    assert any(n.startswith("pluggy-") for n in names)
    # Nothing the lock leaves out for this interpreter.
    assert not any(n.startswith(("colorama", "typing_extensions", "attrs", "iniconfig")) for n in names)


def test_offline_build_as_sbuild_does(online: Build, wheelhouse: Path, scratch: Path) -> None:
    source = source_copy(scratch, "offline")
    shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    build, _ = offline_build(source)
    assert build.returncode == 0, build.output[-4000:]
    assert distributions(build.deb("inp-uvapp")) == distributions(online.deb("inp-uvapp"))
    assert not Path("/sbuild-nonexistent").exists()


@pytest.mark.parametrize(
    ("variant", "files"),
    [("pylock", {"pylock.toml": "pylock.toml"}), ("hashed", {"requirements-hashed.txt": "requirements.txt"})],
)
def test_other_lock_formats_from_the_same_wheelhouse(
    variant: str, files: dict[str, str], wheelhouse: Path, scratch: Path
) -> None:
    source = source_copy(scratch, variant)
    (source / "uv.lock").unlink()
    for name, target in files.items():
        shutil.copy(PACKAGES / "inp-uvapp" / "alt" / name, source / target)
    shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    build, _ = offline_build(source)
    assert build.returncode == 0, build.output[-4000:]
    found = distributions(build.deb("inp-uvapp"))
    if variant == "hashed":
        # Not a lock: the venv keeps its seed (pip, setuptools, wheel).
        found = {d for d in found if d.split("==")[0] not in SEED}
    assert found == LOCKED | {"inp-uvapp==0.3.0"}


def test_tampered_wheel_is_rejected(wheelhouse: Path, scratch: Path) -> None:
    source = source_copy(scratch, "tampered")
    shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    six = source / "debian" / "wheelhouse" / "six-1.16.0-py2.py3-none-any.whl"
    with six.open("ab") as f:
        f.write(b"\0")
    build, _ = offline_build(source)
    assert build.returncode != 0
    assert f"dh_venv: error: inp-uvapp: {six} does not match its hash in {six.parent / 'manifest.json'}" in build.output
    # Without the manifest, pip's check against the lock's hash catches it.
    (six.parent / "manifest.json").unlink()
    build, _ = offline_build(source)
    assert build.returncode != 0
    # pip names the file's URL ("six==1.16.0 from https://..."), uv the pin ("six==1.16.0: ...").
    assert "dh_venv: error: inp-uvapp: hash mismatch for six==1.16.0" in build.output, build.output[-3000:]
    assert f"does not match the hash in {source}/uv.lock" in build.output


def test_stale_lock_and_no_network_fail_fast(scratch: Path) -> None:
    source = source_copy(scratch, "stale")
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"six>=1.10"', '"six>=1.10", "requests"'))
    build, _ = offline_build(source)
    assert build.returncode != 0
    assert (
        f"dh_venv: error: inp-uvapp: {source}/uv.lock is stale: pyproject.toml's dependencies differ "
        "from the ones it was locked from (requests)" in build.output
    ), build.output[-3000:]

    source = source_copy(scratch, "nonet")
    build, seconds = offline_build(source)
    assert build.returncode != 0
    assert "dh_venv: error: inp-uvapp: cannot reach the package index https://pypi.org/simple" in build.output
    assert "run `dh-venv vendor` once in the source tree" in build.output
    assert seconds < 60, f"took {seconds:.0f}s"


def test_poetry_lock_online(tmp_path: Path) -> None:
    """A real poetry.lock (Poetry 2, lock-version 2.1, an explicit primary source) with the two-line rules."""
    source = tmp_path / "inp-poetryapp-0.5.0"
    shutil.copytree(PACKAGES / "inp-poetryapp", source)
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=""))
    assert build.returncode == 0, build.output[-4000:]
    deb = build.deb("inp-poetryapp")
    assert distributions(deb) == LOCKED | {"inp-poetryapp==0.5.0"}
    with installed(deb):
        result = run_clean("inp-poetryapp")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["idna==3.3", "inp-poetryapp==0.5.0", "six==1.16.0"]
    assert_purged("inp-poetryapp", "/opt/venvs/inp-poetryapp", ["inp-poetryapp"])


def test_vendor_for_another_interpreter_too(tmp_path: Path) -> None:
    # One wheelhouse for the builds on two releases: the wheels this interpreter takes and the
    # ones another CPython takes (here two minor versions older, which the pinned release has).
    local = PY.removeprefix("python")
    other = f"3.{int(local.split('.')[1]) - 2}"
    source = tmp_path / "vendor-two" / "rel-files-1.0"
    shutil.copytree(PACKAGES / "rel-files", source)
    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('dependencies = ["tinydep"]', 'dependencies = ["markupsafe==3.0.2"]')
    )
    argv = ["dh-venv", "vendor", f"--python-version={other}"]
    proc = subprocess.run(argv, cwd=source, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    wheelhouse = source / "debian/wheelhouse"
    tags = {p.name.split("-")[2] for p in wheelhouse.glob("MarkupSafe-3.0.2-*.whl")}
    assert tags == {"cp" + local.replace(".", ""), "cp" + other.replace(".", "")}, sorted(tags)
    assert json.loads((wheelhouse / "manifest.json").read_text())["python"] == f"{local} {other}"

    proc = subprocess.run(
        ["dh-venv", "vendor", "--python-version=3"], cwd=source, env=tool_env(), capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == (
        "dh-venv: error: source package rel-files: --python-version=3 is not a CPython 3 version; "
        "give the X.Y of the other release's /usr/bin/python3 (python3 --version there)"
    )
