"""Warm builds (issue 18): what a second build takes from the cache, and every change that rebuilds.

One cache for the module: a first build of tests/packages/warm-app fills it
(the project's wheel, the resolution of its pinned requirements, the venv
installed from it and the one virtualenv made, the interpreter's and dpkg's
answers); each test
then builds a fresh copy, in a directory of its own, with one thing changed
or nothing, and checks both what the ``-v`` lines say was reused or built
and what the package holds.  uv comes from the session's cache (network).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import (
    PACKAGES,
    PY,
    SITE,
    Build,
    assert_purged,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    tool_env,
)

pytestmark = pytest.mark.network

REUSED = "reused the project's wheel from the cache (key "
BUILT = "built the project's wheel into the cache (key "
OFFLINE = "the pinned set is unchanged since a build that resolved it: installing offline"
SKELETON = "copied the venv virtualenv made in a previous build with the same inputs (key "
KEPT = ": the answer kept in the cache (key "
NO_FLAGS = "the environment sets every build flag (as dpkg-buildpackage does): dpkg-buildflags not asked"
# Every reuse a warm build of warm-app says with -v (the project's wheel, the resolution, virtualenv's venv,
# the interpreter's version and markers). dpkg-query's answer is kept too, but other tests on the
# machine change dpkg's database between two builds (tests/unit/test_clashes.py checks it).
WARM_LINES = (REUSED, OFFLINE, SKELETON, f"{PY} -I -c import sys; ", f"{PY} -I -c import json, ")


def make_wheel(dest: Path, name: str, version: str) -> Path:
    """A pure-Python wheel of ``name`` whose module says its version."""
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    rows = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(text.encode())}")
    rows.append(f"{name}-{version}.dist-info/RECORD,,")
    wheel = dest / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
        zf.writestr(f"{name}-{version}.dist-info/RECORD", "\n".join(rows) + "\n")
    return wheel


class Warm:
    """Builds of warm-app copies sharing one cache and one wheelhouse."""

    def __init__(self, root: Path, wheelhouse: Path, shared_cache: Path) -> None:
        self.root = root
        self.wheelhouse = root / "wheelhouse"
        shutil.copytree(wheelhouse, self.wheelhouse)
        for version in ("1.0", "2.0"):
            make_wheel(self.wheelhouse, "warmdep", version)
        self.cache = root / "cache"
        assert (shared_cache / "uv-bin").is_dir(), "no uv in the session's cache: the network is needed"
        shutil.copytree(shared_cache / "uv-bin", self.cache / "uv-bin", symlinks=True)
        self.count = 0
        self.first = Path()

    def source(self) -> Path:
        self.count += 1
        source = self.root / f"b{self.count}" / "warm-app-1.0"
        shutil.copytree(PACKAGES / "warm-app", source, symlinks=True)
        return source

    def env(self, **extra: str) -> dict[str, str]:
        pip_args = f"--no-index --find-links={self.wheelhouse}"
        return tool_env(DH_VENV_CACHE_DIR=str(self.cache), DH_VENV_PIP_ARGS=pip_args, DH_VERBOSE="1", **extra)

    def build(self, source: Path | None = None, **extra: str) -> Build:
        built = dpkg_buildpackage(source or self.source(), self.env(**extra))
        assert built.returncode == 0, built.output[-4000:]
        return built


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, shared_cache: Path) -> Warm:
    """The cache after a first build of warm-app, which built the project's wheel and resolved."""
    warm = Warm(tmp_path_factory.mktemp("warm"), wheelhouse, shared_cache)
    first = warm.build()
    assert BUILT in first.output and REUSED not in first.output, first.output[-4000:]
    assert OFFLINE not in first.output
    warm.first = first.deb("warm-app")
    return warm


def flavour(deb: Path, dest: Path) -> list[str]:
    """What the packaged extension and requirement say: [flavour, warmdep version, greeting]."""
    site = extract(deb, dest) / "opt/venvs/warm-app" / SITE
    code = "import sys; sys.path.insert(0, sys.argv[1]); import warm_app; warm_app.main()"
    out = subprocess.run([f"/usr/bin/{PY}", "-I", "-c", code, str(site)], check=True, capture_output=True, text=True)
    words = out.stdout.split()
    return [words[-2], words[-1], " ".join(words[:-2])]


def test_unchanged_build_reuses_wheel_and_resolution_edit_rebuilds(warm: Warm, tmp_path: Path) -> None:
    again = warm.build()
    assert REUSED in again.output and BUILT not in again.output, again.output[-4000:]
    # In another directory (b2, not b1): virtualenv's venv copied, with its path rewritten; the set installed offline.
    kept = [line for line in again.output.splitlines() if any(w in line for w in WARM_LINES)]
    assert [w for w in WARM_LINES if not any(w in line for line in kept)] == [], again.output[-4000:]
    assert [line for line in kept if " -I -c " in line and KEPT not in line] == []
    assert NO_FLAGS in again.output and "dpkg-buildflags --dump" not in again.output
    assert f"pip install --dry-run --no-index --find-links={warm.wheelhouse}{KEPT}" in again.output
    assert f"{next((warm.cache / 'uv-bin').glob('*/uv'))} pip install --python" in again.output
    deb = again.deb("warm-app")
    assert flavour(deb, tmp_path / "again") == ["1", "1.0", "warm-app says hello"]
    # The same package as without the cache (the project built by the install, resolved online):
    # every file's checksum, and the control fields (Depends).
    plain = warm.build(DH_VENV_NO_REUSE="1")
    said = "DH_VENV_NO_REUSE=1: the project is built by the install, the cache is not used"
    assert said in plain.output and OFFLINE not in plain.output and REUSED not in plain.output
    assert not [line for line in plain.output.splitlines() if any(w in line for w in (SKELETON, KEPT))]
    for made in (warm.first, plain.deb("warm-app")):
        tree = extract(made, tmp_path / made.parent.name)
        assert (tree / "DEBIAN/md5sums").read_text() == (tmp_path / "again/DEBIAN/md5sums").read_text()
        assert (tree / "DEBIAN/control").read_text() == (tmp_path / "again/DEBIAN/control").read_text()
    # Nothing names the cache (nor the build directory: the scan passed).
    assert files_containing(tmp_path / "again", str(warm.cache)) == []
    with installed(deb):
        ran = run_clean("warm-app")
        assert ran.returncode == 0 and ran.stdout.split()[:3] == ["warm-app", "says", "hello"], ran.stderr
    assert_purged("warm-app", "/opt/venvs/warm-app", ["warm-app"])

    edited = warm.source()
    module = edited / "warm_app" / "__init__.py"
    module.write_text(module.read_text().replace("says hello", "says goodbye"))
    rebuilt = warm.build(edited)
    assert BUILT in rebuilt.output and REUSED not in rebuilt.output, rebuilt.output[-4000:]
    assert flavour(rebuilt.deb("warm-app"), tmp_path / "edited")[2] == "warm-app says goodbye"


def test_changed_pin_installs_the_new_version(warm: Warm, tmp_path: Path) -> None:
    source = warm.source()
    (source / "requirements.txt").write_text("warmdep==2.0\n")
    built = warm.build(source)
    # requirements.txt is a file of the project (a setup.py may read it): the wheel is built again too.
    assert BUILT in built.output and OFFLINE not in built.output, built.output[-4000:]
    assert flavour(built.deb("warm-app"), tmp_path / "t")[:2] == ["1", "2.0"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"DEB_CFLAGS_APPEND": "-DWARM_FLAVOUR=2"}, "2"), ({"DEB_BUILD_OPTIONS": "noopt nocheck"}, "1")],
    ids=["cflags", "build-options"],
)
def test_changed_flags_rebuild_the_extension(warm: Warm, tmp_path: Path, env: dict[str, str], expected: str) -> None:
    built = warm.build(**env)
    assert BUILT in built.output and REUSED not in built.output, built.output[-4000:]
    assert flavour(built.deb("warm-app"), tmp_path / "t")[:2] == [expected, "1.0"]


def test_changed_interpreter_rebuilds(warm: Warm, tmp_path: Path) -> None:
    # An interpreter update replaces the binary: here a copy bound over it, in a mount namespace of the build.
    real = os.path.realpath("/usr/bin/python3")
    copy = tmp_path / "python-copy"
    shutil.copy(real, copy)
    source = warm.source()
    script = f'mount --bind "{copy}" "{real}" && exec dpkg-buildpackage -us -uc -b -d'
    proc = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        cwd=source,
        env=warm.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert BUILT in proc.stdout and REUSED not in proc.stdout and OFFLINE not in proc.stdout, proc.stdout[-4000:]
    # Asked again for its version and markers; virtualenv run again, the set installed.
    assert not [line for line in proc.stdout.splitlines() if " -I -c " in line and KEPT in line], proc.stdout[-4000:]
    assert SKELETON not in proc.stdout


def test_damaged_entries_are_removed_with_a_notice_and_the_package_is_the_same(warm: Warm, tmp_path: Path) -> None:
    warm.build()  # the entries of an unchanged build exist (whatever ran before)
    venvs = sorted((warm.cache / "skeletons").iterdir(), key=lambda p: p.stat().st_mtime)
    (venvs[-1] / "tree/pyvenv.cfg").write_text("home = /nonexistent\n")
    answers = sorted((warm.cache / "answers").iterdir())
    for answer in answers:
        answer.write_text("{")
    built = warm.build()
    notices = [line for line in built.output.splitlines() if "notice: removed the damaged" in line]
    venv_notes = [line for line in notices if "damaged venv cache entry" in line]
    assert len(venv_notes) == 1 and f"removed the damaged venv cache entry {venvs[-1]} (" in venv_notes[0], notices
    assert venv_notes[0].endswith("(pyvenv.cfg does not match its sha256); running virtualenv")
    # The interpreter's version and markers, dpkg's owners of the links' paths: asked again.
    others = [line for line in notices if line not in venv_notes]
    assert len(others) >= 3 and all(f"entry {warm.cache}/answers/" in line for line in others), notices
    assert SKELETON not in built.output and OFFLINE in built.output, built.output[-4000:]
    assert flavour(built.deb("warm-app"), tmp_path / "t")[:2] == ["1", "1.0"]
    tree = extract(built.deb("warm-app"), tmp_path / "x")
    assert (tree / "DEBIAN/md5sums").read_text() == (
        extract(warm.first, tmp_path / "first") / "DEBIAN/md5sums"
    ).read_text()


def test_uv_on_path_in_range_is_used_and_nothing_fetched(warm: Warm, tmp_path: Path) -> None:
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "uv").symlink_to(next((warm.cache / "uv-bin").glob("*/uv")))
    empty = tmp_path / "cache"
    env = {"PATH": f"{on_path}:{warm.env()['PATH']}", "DH_VENV_CACHE_DIR": str(empty)}
    built = dpkg_buildpackage(warm.source(), {**warm.env(), **env})
    assert built.returncode == 0, built.output[-4000:]
    assert f"{on_path}/uv pip install" in built.output, built.output[-4000:]
    assert not (empty / "uv-bin").exists()
    assert "ignored" not in built.output


def test_uv_on_path_too_old_is_ignored(warm: Warm, tmp_path: Path) -> None:
    on_path = tmp_path / "bin"
    on_path.mkdir()
    calls = tmp_path / "calls"
    (on_path / "uv").write_text(f'#!/bin/sh\necho "$@" >> {calls}\necho "uv 0.4.30"\n')
    (on_path / "uv").chmod(0o755)
    built = dpkg_buildpackage(warm.source(), {**warm.env(), "PATH": f"{on_path}:{warm.env()['PATH']}"})
    assert built.returncode == 0, built.output[-4000:]
    pinned = next((warm.cache / "uv-bin").glob("*/uv"))
    assert f"ignored {on_path}/uv (uv 0.4.30): dh_venv uses uv 0.9.0 to below 0.10.0 from PATH" in built.output
    assert f"{pinned} pip install" in built.output, built.output[-4000:]
    assert set(calls.read_text().splitlines()) == {"--version"}
