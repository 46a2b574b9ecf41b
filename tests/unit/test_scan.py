"""Tests for dh_venv.scan: finding build paths left in a finished tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dh_venv.scan import find_leaks, needles_for


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    path = tmp_path / "build"
    path.mkdir()
    return path


def test_needles_for_plain_directory(build_dir: Path) -> None:
    assert needles_for(build_dir) == [str(build_dir).encode()]


def test_needles_for_symlinked_directory_has_both_forms(tmp_path: Path) -> None:
    real = tmp_path / "real-build"
    real.mkdir()
    link = tmp_path / "build"
    link.symlink_to(real, target_is_directory=True)
    assert needles_for(link) == sorted([str(link).encode(), str(real).encode()])


@pytest.mark.parametrize("short", ["/", "/b", "/tmp", "/src"])
def test_short_build_dirs_are_searched_below_debian(short: str) -> None:
    expected = "/debian/" if short == "/" else f"{short}/debian/"
    assert needles_for(Path(short)) == [expected.encode()]


def test_five_characters_is_long_enough() -> None:
    # /abcd does not exist, so its real path is itself.
    assert needles_for(Path("/abcd")) == [b"/abcd"]


def make_tree(root: Path) -> None:
    (root / "bin").mkdir(parents=True)
    (root / "lib/pkg").mkdir(parents=True)
    (root / "bin/clean").write_text("#!/opt/venvs/demo/bin/python\n")
    (root / "bin/python").symlink_to("/usr/bin/python3.11")
    (root / "lib/pkg/data.txt").write_text("nothing to see\n")
    (root / "lib/pkg/binary.so").write_bytes(b"\x7fELF\0\0\0")


def test_clean_tree_has_no_leaks(tmp_path: Path, build_dir: Path) -> None:
    root = tmp_path / "pkg"
    make_tree(root)
    assert find_leaks([root], needles_for(build_dir)) == []


def test_finds_files_and_symlinks(tmp_path: Path, build_dir: Path) -> None:
    root = tmp_path / "pkg"
    make_tree(root)
    (root / "bin/leaky").write_text(f"#!{build_dir}/debian/demo/opt/venvs/demo/bin/python\n")
    (root / "lib/pkg/leaky.so").write_bytes(b"\x7fELF\0" + str(build_dir).encode() + b"/x\0")
    (root / "bin/link").symlink_to(build_dir / "debian/demo/opt/venvs/demo/bin/leaky")
    (root / "bin/dangling").symlink_to(build_dir / "no/such/file")
    (root / "lib/dirlink").symlink_to(build_dir, target_is_directory=True)

    assert find_leaks([root], needles_for(build_dir)) == [
        root / "bin/dangling",
        root / "bin/leaky",
        root / "bin/link",
        root / "lib/dirlink",
        root / "lib/pkg/leaky.so",
    ]


def test_symlinked_directory_is_not_followed(tmp_path: Path, build_dir: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leaky").write_text(str(build_dir))
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    assert find_leaks([root], needles_for(build_dir)) == []


def test_resolved_form_of_build_dir_is_found(tmp_path: Path) -> None:
    real = tmp_path / "real-build"
    real.mkdir()
    link = tmp_path / "build"
    link.symlink_to(real, target_is_directory=True)
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "resolved").write_text(f"{real}/src\n")
    (root / "literal").write_text(f"{link}/src\n")
    (root / "clean").write_text("/opt/venvs/demo\n")
    assert find_leaks([root], needles_for(link)) == [root / "literal", root / "resolved"]


def test_roots_may_be_files_and_symlinks(tmp_path: Path, build_dir: Path) -> None:
    leaky = tmp_path / "leaky.txt"
    leaky.write_text(f"path={build_dir}\n")
    clean = tmp_path / "clean.txt"
    clean.write_text("path=/usr\n")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(build_dir / "gone")
    missing = tmp_path / "missing"
    assert find_leaks([clean, leaky, dangling, missing], needles_for(build_dir)) == [dangling, leaky]


def test_short_build_dir_finds_only_its_debian_tree(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "file").write_text("/tmp/anything\n")
    os.symlink("/tmp", root / "link")
    (root / "leak").write_text("VIRTUAL_ENV=/tmp/debian/pkg/opt/venvs/pkg\n")
    assert find_leaks([root], needles_for(Path("/tmp"))) == [root / "leak"]
