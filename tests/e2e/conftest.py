"""End-to-end harness: real dpkg-buildpackage, apt, dpkg; nothing mocked.

By default the dh_venv of this checkout is used (``bin/`` first on PATH,
``perl/`` on PERL5LIB).  With ``DH_VENV_TEST_INSTALLED=1`` the tests use
the installed dh-venv package instead, which is what ``make check`` does.

The build environment keeps the machine's traps on purpose: the pyenv
``python3`` stays on PATH after the system directories are searched by
nobody but us, and ``PIP_FIND_LINKS`` and the pip configuration files
stay set; the packages built must not notice either.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PACKAGES = ROOT / "tests" / "packages"
INSTALLED = os.environ.get("DH_VENV_TEST_INSTALLED") == "1"
CLEAN_PATH = "/usr/bin:/bin"
# Wait for the dpkg lock instead of failing when another apt or dpkg runs.
APT_WAIT = ("-o", "DPkg::Lock::Timeout=900")
# The interpreter packages are built for, from this machine as dh_venv derives it:
# /usr/bin/python3 resolved (python3.11 on bookworm, python3.13 on trixie).
PY = os.path.basename(os.path.realpath("/usr/bin/python3"))
#: Where a venv's distributions live, relative to the venv.
SITE = f"lib/{PY}/site-packages"
#: This machine's Debian release (/etc/os-release): its codename and version number.
OS_RELEASE = dict(
    line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line and line[0] != "#"
)
RELEASE = OS_RELEASE["VERSION_CODENAME"].strip('"')
#: The CPython tag of extension modules built for PY (cpython-311 for python3.11).
CPYTHON_TAG = "cpython-" + PY.removeprefix("python").replace(".", "")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _needs_root() -> None:
    if os.geteuid() != 0:
        pytest.fail("end-to-end tests install packages with apt: run them as root (make check does)")


def clean_pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels of the fixture dependencies, plus Debian's setuptools and wheel for build backends.

    packaging too where Debian has its wheel: trixie's wheel (0.46) requires it.
    """
    out = tmp_path_factory.mktemp("wheelhouse")
    for src in sorted((ROOT / "tests" / "wheels").iterdir()):
        build = tmp_path_factory.mktemp(src.name)
        shutil.copytree(src, build, dirs_exist_ok=True)
        subprocess.run(
            [
                "/usr/bin/python3",
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "-w",
                str(out),
                str(build),
            ],
            check=True,
            env=clean_pip_env(),
            capture_output=True,
        )
    for whl in Path("/usr/share/python-wheels").glob("*.whl"):
        if whl.name.startswith(("setuptools-", "wheel-", "packaging-")):
            shutil.copy(whl, out)
    return out


def _fetch_uv_wheel(dest: Path) -> Path | None:
    """The uv wheel dh_venv pins, from PyPI, checked against the pinned sha256; None offline."""
    from dh_venv.installers import uvtool as uv

    digest = uv.WHEELS[platform.machine()]
    (dest / "req.txt").write_text(f"uv=={uv.VERSION} --hash=sha256:{digest}\n")
    argv = ["/usr/bin/python3", "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--require-hashes"]
    argv += ["--index-url", "https://pypi.org/simple", "-d", str(dest), "-r", str(dest / "req.txt")]
    if subprocess.run(argv, env=clean_pip_env(), capture_output=True).returncode != 0:
        return None
    return next(dest.glob("uv-*.whl"))


@pytest.fixture(scope="session")
def uv_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned uv wheel (tests that need it are marked ``network``)."""
    wheel = _fetch_uv_wheel(tmp_path_factory.mktemp("uvwheel"))
    assert wheel is not None, "could not download the pinned uv wheel from PyPI"
    return wheel


_SHARED_CACHE: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One DH_VENV_CACHE_DIR for the session's builds, as a CI machine keeps one, with uv unpacked in it.

    So every build installs with uv, the default, whatever its index options;
    without network there is no uv and builds fall back to pip, as for users.
    """
    from dh_venv.inputs.values import Sources
    from dh_venv.installers import uvtool as uv
    from dh_venv.runner import Runner

    cache = tmp_path_factory.mktemp("dh-venv-cache")
    wheels = tmp_path_factory.mktemp("uv-wheel")
    if _fetch_uv_wheel(wheels) is not None:
        uv.find_or_fetch(Runner(log=[].append), {"PATH": "/nonexistent"}, cache, Sources(wheelhouse=wheels))
    _SHARED_CACHE[:] = [cache]
    return cache


@dataclass
class Build:
    source: Path
    returncode: int
    output: str

    @property
    def debs(self) -> dict[str, Path]:
        return {p.name.split("_")[0]: p for p in self.source.parent.glob("*.deb") if "-dbgsym_" not in p.name}

    def deb(self, package: str) -> Path:
        assert package in self.debs, f"no .deb for {package}; build output:\n{self.output[-3000:]}"
        return self.debs[package]


def tool_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DH_VERBOSE", None)
    if _SHARED_CACHE:
        env["DH_VENV_CACHE_DIR"] = str(_SHARED_CACHE[0])
    if not INSTALLED:
        env["PATH"] = f"{ROOT / 'bin'}:{env.get('PATH', CLEAN_PATH)}"
        env["PERL5LIB"] = str(ROOT / "perl")
    env.update(extra)
    return env


def dpkg_buildpackage(source: Path, env: dict[str, str]) -> Build:
    """Build binary packages of ``source`` (build dependencies are not checked)."""
    proc = subprocess.run(
        ["dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Build(source, proc.returncode, proc.stdout)


@pytest.fixture
def build_package(tmp_path: Path, wheelhouse: Path):  # type: ignore[no-untyped-def]
    """Copy tests/packages/<case> to tmp_path and dpkg-buildpackage it (with uv, the default installer)."""

    def run(case: str, *, args: str = "", source: Path | None = None, **env: str) -> Build:
        if source is None:
            source = tmp_path / case / f"{case}-1.0"
            shutil.copytree(PACKAGES / case, source, symlinks=True)
        full_env = tool_env(**{"DH_VENV_PIP_ARGS": f"--no-index --find-links={wheelhouse}", **env})
        if args:
            full_env["DH_VENV_TEST_ARGS"] = args
        return dpkg_buildpackage(source, full_env)

    return run


def sh(*argv: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), check=check, text=True, capture_output=True, env=env)


def deb_field(deb: Path, field: str) -> str:
    return sh("dpkg-deb", "-f", str(deb), field).stdout.strip()


def extract(deb: Path, dest: Path) -> Path:
    sh("dpkg-deb", "-R", str(deb), str(dest))
    return dest


def files_containing(tree: Path, needle: str) -> list[str]:
    hits = []
    for path in tree.rglob("*"):
        data = os.fsencode(os.readlink(path)) if path.is_symlink() else path.read_bytes() if path.is_file() else b""
        if needle.encode() in data:
            hits.append(str(path.relative_to(tree)))
    return hits


def run_clean(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command the way a user's login shell would not mislead: env -i PATH=/usr/bin:/bin."""
    return sh("env", "-i", f"PATH={CLEAN_PATH}", *argv, check=False)


@contextmanager
def installed(*debs: Path) -> Iterator[None]:
    """apt install the packages; purge them afterwards, whatever happened."""
    names = [p.name.split("_")[0] for p in debs]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = sh("apt-get", *APT_WAIT, "install", "-y", "--no-install-recommends", *map(str, debs), check=False, env=env)
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        yield
    finally:
        sh("apt-get", *APT_WAIT, "purge", "-y", *names, check=False, env=env)


def assert_purged(package: str, venv: str, commands: list[str]) -> None:
    status = sh("dpkg-query", "-W", "-f=${db:Status-Status}", package, check=False).stdout
    assert status in ("", "not-installed"), f"{package} still known to dpkg: {status}"
    assert not Path(venv).exists(), f"{venv} left behind: {list(Path(venv).rglob('*'))[:10]}"
    for command in commands:
        assert not os.path.lexists(f"/usr/bin/{command}"), f"/usr/bin/{command} left behind"
