"""Tests for dh_venv.relocate.scan: finding build paths left in a finished tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dh_venv.relocate.scan import contains_path, find_leaks, needles_for


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


# The build directory as a path, not a substring


@pytest.mark.parametrize(
    "text",
    [
        b"see https://example.org/build/index.html",
        b"https://github.com/code/project",
        b"buildout: /buildout/x",
        b"/build-system",
        b"/home/u/build/x",
        b"'/builder'",
        b"http://localhost/build/",
    ],
)
def test_build_dir_inside_other_text_is_no_leak(text: bytes) -> None:
    assert not contains_path(text, needles_for(Path("/build")))


@pytest.mark.parametrize(
    "text",
    [
        b"/srv/build/debian/demo/opt/venvs/demo/bin/python",
        b"#!/srv/build/debian/x\n",
        b"sys.path.insert(0, '/srv/build')",
        b'"/srv/build"',
        b"PATH=/srv/build/bin:/usr/bin",
        b"PATH=/usr/bin:/srv/build",
        b"\x7fELF\0/srv/build\0",
        b"CFLAGS = -O2 -I/srv/build/include",
        b"file:///srv/build/src",
        b"cwd = /srv/build",
    ],
)
def test_build_dir_as_a_path_is_a_leak(text: bytes) -> None:
    assert contains_path(text, needles_for(Path("/srv/build")))


@pytest.mark.parametrize(
    "text",
    [b"/build/debian/demo/opt/venvs/demo/bin/python", b"'/build/debian'", b"-I/build/debian/.debhelper"],
)
def test_one_component_build_dir_is_a_leak_below_debian(text: bytes) -> None:
    assert contains_path(text, needles_for(Path("/build")))


def test_one_component_build_dir_counts_with_its_own_entries(tmp_path: Path) -> None:
    top = tmp_path / "t"
    (top / "myapp").mkdir(parents=True)
    needle = [str(top).encode()]
    # tmp_path has several components: checked as a path, entries or not.
    assert contains_path(str(top / "anything").encode(), needle)
    assert not contains_path(b"/data/user/0", needles_for(Path("/data")))
    assert not contains_path(b'ANDROID_DATA") == "/data" and', needles_for(Path("/data")))


def test_allowed_files_are_not_reported(tmp_path: Path, build_dir: Path) -> None:
    root = tmp_path / "pkg"
    make_tree(root)
    (root / "lib/pkg/where.py").write_text(f"BUILT_IN = {str(build_dir)!r}\n")
    (root / "bin/leaky").write_text(f"#!{build_dir}/debian/x\n")
    assert find_leaks([root], needles_for(build_dir), ["lib/*/where.py"]) == [root / "bin/leaky"]


def test_special_files_are_skipped(tmp_path: Path, build_dir: Path) -> None:
    root = tmp_path / "pkg"
    make_tree(root)
    os.mkfifo(root / "pipe")
    assert find_leaks([root], needles_for(build_dir)) == []


@pytest.fixture(scope="module")
def real_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv as dh_venv creates it: pip, setuptools and wheel, untouched."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run(
        ["/usr/bin/python3", "-m", "virtualenv", "--quiet", "--no-download", "--no-periodic-update", str(venv)],
        check=True,
    )
    return venv


@pytest.mark.parametrize("directory", ["/code", "/build", "/project", "/data", "/source", "/package", "/work"])
def test_untouched_venv_has_no_leak_in_common_build_dirs(real_venv: Path, directory: str) -> None:
    needles = needles_for(Path(directory))
    # The files of pip and setuptools do contain the bare string...
    substring_hits = [
        p for p in real_venv.rglob("*") if p.is_file() and not p.is_symlink() and needles[0] in p.read_bytes()
    ]
    if directory in ("/build", "/code", "/data", "/source", "/package"):
        assert substring_hits, "the venv should contain the bare string somewhere"
    # ... but never as the build path.
    site = [p for p in real_venv.iterdir() if p.name == "lib"]
    assert find_leaks(site, needles) == []


def test_real_leak_in_a_venv_is_still_found(real_venv: Path, tmp_path: Path) -> None:
    pth = next(real_venv.glob("lib/python3*/site-packages")) / "zz-safe-leak.pth"
    pth.write_text("/code/debian/.debhelper/dh_venv/app/src\n")
    try:
        assert find_leaks([real_venv], needles_for(Path("/code"))) == [pth]
    finally:
        pth.unlink()
