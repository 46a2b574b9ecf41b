"""Only what the application needs: pip, setuptools and wheel when asked for or required, by either installer.

tests/packages/lean-app has extras that pull in tests/wheels/leandep (requires
setuptools, and wheel with its own "build" extra, and pip only on Python 2) and
tests/wheels/leanuser (imports pkg_resources without requiring setuptools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import PACKAGES, SITE, assert_purged, extract, installed, run_clean

VENV = "/opt/venvs/lean-app"
SEED = {"pip", "setuptools", "wheel"}


def _debian_wheel(name: str) -> Path:
    """This release's wheel of ``name`` (python3-wheel-whl, python3-setuptools-whl, ...)."""
    [whl] = Path("/usr/share/python-wheels").glob(f"{name}-*.whl")
    return whl


def _requires_of_debian_wheel(name: str) -> set[str]:
    """What this release's wheel of ``name`` requires: packaging from wheel 0.46 on."""
    with zipfile.ZipFile(_debian_wheel(name)) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    return {
        re.split(r"[ ;<>=!~\[(]", line.split(":", 1)[1].strip())[0].lower()
        for line in lines
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }


def _wheel_names(name: str) -> list[str]:
    with zipfile.ZipFile(_debian_wheel(name)) as archive:
        return archive.namelist()


_MISSING_RECORD_FILES = """
from importlib.metadata import distribution
for name in ("pip", "setuptools", "wheel"):
    for file in distribution(name).files or ():
        if not file.locate().exists() and file.suffix != ".pyc":
            print(name, file)
"""
WHEEL_NEEDS = _requires_of_debian_wheel("wheel")
WARNING = f"dh_venv: warning: lean-app: {SITE}/leanuser/__init__.py import(s) pkg_resources"


def _paths(deb: Path) -> list[str]:
    """The paths in ``deb``, as ``dpkg-deb -c`` lists them (``./opt/...``)."""
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return [line.split()[5].rstrip("/") for line in listing.splitlines()]


def contents(deb: Path) -> tuple[set[str], set[str]]:
    """Names of the distributions in the venv, and of the files in its bin/."""
    paths = _paths(deb)
    # Top-level only: setuptools >= 71 (trixie's) carries its vendored distributions' metadata.
    dists = {
        Path(p).name.split("-")[0].lower()
        for p in paths
        if p.endswith(".dist-info") and Path(p).parent.name == "site-packages"
    }
    scripts = {Path(p).name for p in paths if p.startswith(f".{VENV}/bin/")}
    return dists, scripts


def build_both(build_package, tmp_path: Path, args: str = "") -> dict[str, tuple[set[str], set[str], str, Path]]:  # type: ignore[no-untyped-def]
    """Build lean-app with the default installer (uv) and with pip; the same distributions from both."""
    out = {}
    for installer, extra in (("default", ""), ("pip", " --installer=pip")):
        build = build_package("lean-app", source=_copy(tmp_path / installer), args=(args + extra).strip())
        assert build.returncode == 0, build.output[-4000:]
        if installer == "default":
            assert "installing with pip" not in build.output  # uv was found: the default path ran
        dists, scripts = contents(build.deb("lean-app"))
        out[installer] = (dists, scripts, build.output, build.deb("lean-app"))
    assert out["default"][0] == out["pip"][0], "uv and pip installed different distributions"
    return out


def test_nothing_asked_nothing_shipped_and_undeclared_pkg_resources_warns(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    both = build_both(build_package, tmp_path, "--extras=undeclared")
    for installer, (dists, scripts, output, _) in both.items():
        assert dists == {"lean_app", "leanuser"}, (installer, dists)
        assert not {"pip", "pip3", "wheel"} & scripts, (installer, scripts)
        assert sum(WARNING in line for line in output.splitlines()) == 1, (installer, output[-3000:])
    with installed(both["default"][3]):
        result = run_clean("lean-app")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "lean-app: no leandep\n"
        assert not list(Path(VENV).glob("lib/python3*/site-packages/pip"))
    assert_purged("lean-app", VENV, ["lean-app"])


def test_required_setuptools_stays_and_the_application_runs(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    both = build_both(build_package, tmp_path, "--extras=setup")
    for installer, (dists, scripts, output, _) in both.items():
        # leandep requires setuptools; wheel only with its "build" extra, pip only on Python 2.
        assert dists == {"lean_app", "leandep", "setuptools"}, (installer, dists)
        assert not {"pip", "pip3", "wheel"} & scripts, (installer, scripts)
        assert "pkg_resources" not in output
    with installed(both["default"][3]):
        result = run_clean("lean-app")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "lean-app: leandep 1.0 through pkg_resources\n"
    assert_purged("lean-app", VENV, ["lean-app"])


def test_a_requested_extra_brings_what_it_requires(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    both = build_both(build_package, tmp_path, "--extras=build")
    for installer, (dists, _, _, _) in both.items():
        assert dists == {"lean_app", "leandep", "setuptools", "wheel"} | WHEEL_NEEDS, (installer, dists)


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_keep_seed_ships_pip_setuptools_and_wheel(tmp_path: Path, build_package, installer: str) -> None:  # type: ignore[no-untyped-def]
    # On every release, also where virtualenv seeds pip alone (trixie's, for Python >= 3.12):
    # the documented advice for an application that imports pkg_resources holds.
    build = build_package("lean-app", args=f"--keep-seed --extras=undeclared --installer={installer}")
    assert build.returncode == 0, build.output[-4000:]
    assert "pkg_resources" not in build.output
    dists, scripts = contents(build.deb("lean-app"))
    assert dists == {"lean_app", "leanuser"} | SEED | WHEEL_NEEDS
    assert {"pip", "wheel"} <= scripts
    # This release's setuptools wheel carries Windows launchers; the package does not.
    assert [n for n in _wheel_names("setuptools") if n.endswith(".exe")]
    assert [p for p in _paths(build.deb("lean-app")) if p.endswith(".exe")] == []
    with installed(build.deb("lean-app")):
        imports = "import leanuser, pkg_resources, setuptools, wheel; print(leanuser.NAME)"
        result = run_clean(f"{VENV}/bin/python", "-c", imports)
        assert (result.returncode, result.stdout) == (0, "leanuser\n"), result.stderr
        result = run_clean(f"{VENV}/bin/pip", "--version")
        assert result.returncode == 0 and result.stdout.startswith("pip "), result.stderr
        # Every file the seed's RECORDs list is there: pip can still uninstall or upgrade them.
        result = run_clean(f"{VENV}/bin/python", "-c", _MISSING_RECORD_FILES)
        assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert_purged("lean-app", VENV, ["lean-app"])


@pytest.mark.network
def test_the_cache_follows_home_and_stays_in_the_build_tree_without_one(  # type: ignore[no-untyped-def]
    tmp_path: Path, build_package, wheelhouse: Path, uv_wheel: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # No DH_VENV_CACHE_DIR: uv comes from its wheel in a --find-links directory, into the cache it picks.
    pip_args = f"--no-index --find-links={wheelhouse} --find-links={uv_wheel.parent}"
    nocache = {"DH_VENV_CACHE_DIR": "", "DH_VENV_PIP_ARGS": pip_args}
    build = build_package("lean-app", source=_copy(tmp_path / "home-build"), HOME=str(home), **nocache)
    assert build.returncode == 0, build.output[-4000:]
    assert (home / ".cache/dh-venv/uv").is_dir() and (home / ".cache/dh-venv/uv-bin").is_dir()
    assert not (build.source / "debian/.debhelper/dh_venv/cache").exists()
    # sbuild's HOME: the cache goes into the build tree, which dh_clean removes.
    source = _copy(tmp_path / "sbuild")
    build = build_package("lean-app", source=source, HOME="/sbuild-nonexistent", **nocache)
    assert build.returncode == 0, build.output[-4000:]
    assert (source / "debian/.debhelper/dh_venv/cache/uv").is_dir()
    assert not Path("/sbuild-nonexistent").exists()
    subprocess.run(["fakeroot", "debian/rules", "clean"], cwd=source, check=True, capture_output=True)
    assert not (source / "debian/.debhelper").exists()


def _copy(where: Path) -> Path:
    source = where / "lean-app-1.0"
    shutil.copytree(PACKAGES / "lean-app", source, symlinks=True)
    return source


def test_a_module_edited_in_place_is_rebuilt_from_the_same_tree(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    # uv caches a local project's wheel by path and the times of its build files; an edit of a
    # module leaves those alone, and the second build of the same tree must still ship it.
    source = _copy(tmp_path)
    first = build_package("lean-app", source=source)
    assert first.returncode == 0, first.output[-4000:]
    module = source / "src/lean_app/__init__.py"
    with module.open("r+") as f:  # in place: no directory time changes
        text = f.read()
        f.seek(0)
        f.write(text.replace("no leandep", "NO-LEANDEP"))
    second = build_package("lean-app", source=source)
    assert second.returncode == 0, second.output[-4000:]
    tree = extract(second.deb("lean-app"), tmp_path / "x")
    assert "NO-LEANDEP" in (tree / "opt/venvs/lean-app" / SITE / "lean_app/__init__.py").read_text()
