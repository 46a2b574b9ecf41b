"""Tests for dh_venv.elf on libraries built with gcc and patched with patchelf."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dh_venv import elf


@pytest.fixture(scope="module")
def libs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("elf")
    (d / "b.c").write_text("int b(void) { return 1; }\n")
    (d / "a.c").write_text("int b(void);\nint a(void) { return b(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libb.so.1", "-o", "libb.so.1", "b.c"], cwd=d, check=True)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", "liba.so", "a.c", "-L.", "-l:libb.so.1", "-lm"],
        cwd=d,
        check=True,
    )
    subprocess.run(["patchelf", "--force-rpath", "--set-rpath", "$ORIGIN:$ORIGIN/../x", "liba.so"], cwd=d, check=True)
    (d / "text.so").write_text("not a library\n")
    (d / "link.so").symlink_to("libb.so.1")
    return d


def test_needed_soname_rpath(libs: Path) -> None:
    assert elf.read_dynamic(libs / "libb.so.1").soname == "libb.so.1"
    a = elf.read_dynamic(libs / "liba.so")
    assert a.soname is None
    assert a.needed[:2] == ("libb.so.1", "libm.so.6")
    assert a.rpath == ("$ORIGIN", "$ORIGIN/../x")


def test_is_elf_skips_text_and_symlinks(libs: Path) -> None:
    assert elf.is_elf(libs / "liba.so")
    assert not elf.is_elf(libs / "text.so")
    assert not elf.is_elf(libs / "link.so")
    assert [p.name for p in elf.find_elf_files(libs)] == ["liba.so", "libb.so.1"]


def test_malformed_file_reads_as_empty(tmp_path: Path) -> None:
    bad = tmp_path / "bad.so"
    bad.write_bytes(elf.MAGIC + b"\x02\x01" + b"\xff" * 10)
    assert elf.read_dynamic(bad) == elf.Dynamic()


def test_executable_of_the_system() -> None:
    ls = elf.read_dynamic(Path("/usr/bin/ls"))
    assert "libc.so.6" in ls.needed
    assert ls.kind == 3  # PIE
    assert ls.machine == elf.read_dynamic(Path("/usr/bin/true")).machine != 0


def test_object_file_has_no_dynamic_section(libs: Path) -> None:
    subprocess.run(["gcc", "-c", "-fPIC", "-o", "b.o", "b.c"], cwd=libs, check=True)
    assert elf.read_dynamic(libs / "b.o") == elf.Dynamic(kind=1, machine=elf.read_dynamic(libs / "liba.so").machine)
