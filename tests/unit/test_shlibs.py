"""Tests for dh_venv.compiled.shlibs: dependency arithmetic, and dpkg-shlibdeps on a real tree."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.compiled import shlibs
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner


def test_arrange_moves_and_drops() -> None:
    depends, moved, unused = shlibs.arrange(
        "libc6 (>= 2.34), libpq5 (>= 12)", "libc6 (>= 2.17), libgl1 | libgl1-mesa-glx, libpq5 (>= 12)",
        ["libpq5"], ["libgl1", "libfoo"],
    )  # fmt: skip
    assert depends == "libc6 (>= 2.34), libc6 (>= 2.17)"
    assert moved == ["libpq5 (>= 12)"]
    assert unused == ["libfoo"]


def test_names() -> None:
    assert shlibs.names("libc6 (>= 2.4) | libc6.1 [amd64]") == {"libc6", "libc6.1"}
    assert shlibs.names("libfoo:any") == {"libfoo"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A package build tree: a bundled library without RPATH, used by an extension, both needing libz."""
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text("Source: t\n\nPackage: t\nArchitecture: any\n")
    libs = tmp_path / "debian/t/opt/venvs/t/lib/python3.11/site-packages/t.libs"
    libs.mkdir(parents=True)
    (tmp_path / "l.c").write_text('#include <zlib.h>\nint l(void) { return (int)crc32(0, (void*)"", 0); }\n')
    (tmp_path / "e.c").write_text("int l(void);\nint e(void) { return l(); }\n")
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,-soname,libl-1234.so.1", "-o", libs / "libl-1234.so.1", "l.c", "-lz"],
        cwd=tmp_path,
        check=True,
    )
    ext = libs.parent / "t" / "e.so"
    ext.parent.mkdir()
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", ext, "e.c", f"-L{libs}", "-l:libl-1234.so.1"], cwd=tmp_path, check=True
    )
    return tmp_path


def test_depends_resolves_bundled_libraries_in_the_venv(tree: Path) -> None:
    staging = tree / "debian/t"
    files = sorted(p for p in staging.rglob("*.so*"))
    dirs = shlibs.library_dirs(staging, [staging / "opt/venvs/t"])
    assert dirs == [PurePosixPath("/opt/venvs/t/lib/python3.11/site-packages/t.libs")]
    depends = shlibs.depends("t", files, dirs, Runner(log=print), tree)
    # libl-1234 is bundled: no dependency, no error; what it needs from the system is.
    assert [shlibs.names(i).pop() for i in shlibs.split(depends)] == ["zlib1g"]


def test_depends_without_the_library_dirs_names_what_is_missing(tree: Path) -> None:
    staging = tree / "debian/t"
    files = sorted(p for p in staging.rglob("*.so*"))
    with pytest.raises(DhVenvError) as info:
        shlibs.depends("t", files, [], Runner(log=print), tree)
    assert info.value.message == (
        "prebuilt files of the venv need libraries that are neither in the venv nor installed: libl-1234.so.1"
    )
