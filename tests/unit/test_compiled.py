"""Tests for dh_venv.compiled: build flags, the Architecture: all check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dh_venv.compiled import binaries, flags, prebuilt, setaside
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner
from dh_venv.settings import Settings


def test_build_environment_takes_dpkg_buildflags_and_keeps_given_ones(tmp_path: Path) -> None:
    env = flags.build_environment({"PATH": "/usr/bin:/bin", "CFLAGS": "-O0 mine"}, tmp_path / "work", Runner(log=print))
    assert env["CFLAGS"] == "-O0 mine"
    assert "-fstack-protector-strong" in env["CXXFLAGS"]
    assert "-Wl,-z,relro" in env["LDFLAGS"]
    assert env["TMPDIR"] == str(tmp_path / "work/tmp")
    assert (tmp_path / "work/tmp").is_dir()


def test_build_environment_asks_dpkg_buildflags_nothing_when_every_flag_is_set(tmp_path: Path) -> None:
    given = {name: f"-{name.lower()}" for name in flags._FLAGS}
    lines: list[str] = []
    env = flags.build_environment(
        {"PATH": "/usr/bin:/bin", **given}, tmp_path / "work", Runner(log=lines.append, verbose=True)
    )
    assert {name: env[name] for name in given} == given
    assert lines[0] == "\tthe environment sets every build flag (as dpkg-buildpackage does): dpkg-buildflags not asked"
    assert not any("dpkg-buildflags --dump" in line for line in lines)
    # One missing: asked, and only that one taken from it.
    del given["LDFLAGS"]
    lines.clear()
    env = flags.build_environment(
        {"PATH": "/usr/bin:/bin", **given}, tmp_path / "work", Runner(log=lines.append, verbose=True)
    )
    assert lines[0] == "\tdpkg-buildflags --dump"
    assert env["CFLAGS"] == "-cflags" and "-Wl,-z,relro" in env["LDFLAGS"]


def _settings(tmp_path: Path, arch: str) -> Settings:
    (tmp_path / "debian").mkdir(exist_ok=True)
    (tmp_path / "debian/control").write_text(f"Source: s\n\nPackage: p\nArchitecture: {arch}\n")
    return Settings("p", tmp_path, tmp_path, tmp_path / "debian/p")


def test_architecture_all_with_elf_files(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "all")
    site = settings.staging_venv / "lib/python3.11/site-packages"
    site.mkdir(parents=True)
    shutil.copy("/usr/bin/true", site / "x.so")
    (site / "y.py").write_text("")
    with pytest.raises(DhVenvError) as info:
        binaries.check_architecture(settings)
    assert info.value.message == "the package is Architecture: all, but its venv holds 1 compiled (ELF) file(s)"
    assert info.value.details == "  opt/venvs/p/lib/python3.11/site-packages/x.so"
    binaries.check_architecture(_settings(tmp_path, "any"))


def test_report_path_only_for_pip_22_2_and_later(tmp_path: Path) -> None:
    site = tmp_path / "venv/lib/python3.11/site-packages"
    (site / "pip-22.1.2.dist-info").mkdir(parents=True)
    assert flags.report_path(tmp_path / "venv", tmp_path) is None
    (site / "pip-22.1.2.dist-info").rename(site / "pip-23.0.1.dist-info")
    assert flags.report_path(tmp_path / "venv", tmp_path) == tmp_path / "pip-report.json"


def test_only_linked_binaries_of_this_machine_go_to_dpkg_shlibdeps(tmp_path: Path) -> None:
    (tmp_path / "b.c").write_text("int b(void) { return 1; }\n")
    subprocess.run(["gcc", "-c", "-fPIC", "-o", "b.o", "b.c"], cwd=tmp_path, check=True)
    shutil.copy("/usr/bin/true", tmp_path / "true")
    foreign = tmp_path / "foreign"
    data = bytearray(Path("/usr/bin/true").read_bytes())
    data[18:20] = (183).to_bytes(2, "little" if data[5] == 1 else "big")  # EM_AARCH64 or so: not this one
    if (tmp_path / "true").read_bytes()[18:20] == bytes(data[18:20]):
        data[18:20] = (62).to_bytes(2, "little" if data[5] == 1 else "big")
    foreign.write_bytes(bytes(data))
    files = [tmp_path / "b.o", tmp_path / "true", foreign]
    assert setaside._linked_binaries(files) == [tmp_path / "true"]


def test_a_kept_stripped_form_is_checked_and_a_damaged_one_removed(tmp_path: Path) -> None:
    import hashlib
    import os

    lines: list[str] = []
    runner = Runner(log=lines.append)
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_bytes(hashlib.sha256(b"\x7fELF stripped").hexdigest().encode() + b"\n\x7fELF stripped")
    bad.write_bytes(hashlib.sha256(b"\x7fELF stripped").hexdigest().encode() + b"\n\x7fELF strippeD")
    assert binaries._kept(runner, good) == b"\x7fELF stripped"
    assert binaries._kept(runner, tmp_path / "missing") is None and lines == []
    assert binaries._kept(runner, bad) is None and not bad.exists()
    assert lines == [
        f"dh_venv: notice: removed the damaged cache entry {bad} (not the sha256 it recorded); stripping again"
    ]
    # What is kept is the file's sha256 and its bytes; the key is the sha256 before stripping and strip's identity.
    source = tmp_path / "x.so"
    source.write_bytes(b"\x7fELF with debug")
    binaries._keep(tmp_path / "entry", source)
    assert binaries._kept(runner, tmp_path / "entry") == b"\x7fELF with debug"
    digest = prebuilt.file_hash(source)
    assert binaries._strip_key(digest, ("strip", 1)) != binaries._strip_key(digest, ("strip", 2))
    assert binaries._strip_key(digest, ("strip", 1)) != binaries._strip_key("sha256=other", ("strip", 1))
    # A form no build used for a month goes when new ones are kept; a used one stays.
    os.utime(tmp_path / "entry", (0, 0))
    binaries._kept(runner, tmp_path / "entry")
    os.utime(good, (0, 0))
    binaries._prune(tmp_path)
    assert (tmp_path / "entry").exists() and not good.exists()
