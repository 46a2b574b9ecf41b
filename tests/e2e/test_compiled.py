"""Compiled code in a venv, hermetic: prebuilt wheels with bundled libraries, extensions built from source.

One build of tests/packages/cw-app serves most assertions: its debian/rules
overrides dh_strip and dh_dwz (where static options of the add-on would be
lost) and moves libpq5 to Recommends.
"""

from __future__ import annotations

import re
import shutil
import zlib
from pathlib import Path

import pytest

from . import native
from .conftest import PACKAGES, PY, assert_purged, deb_field, extract, files_containing, installed, run_clean, sh
from .conftest import SITE as VENV_SITE

VENV = "/opt/venvs/cw-app"
SITE = f"opt/venvs/cw-app/{VENV_SITE}"


@pytest.fixture(scope="module")
def native_wheels(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return native.build_all(wheelhouse, tmp_path_factory.mktemp("native"))


def _build_id(path: Path) -> str:
    match = re.search(r"Build ID: ([0-9a-f]+)", sh("readelf", "-n", str(path)).stdout)
    assert match, f"{path} has no build ID"
    return match.group(1)


def _sections(path: Path) -> str:
    return sh("readelf", "-SW", str(path)).stdout


def test_prebuilt_and_built_from_source(native_wheels, build_package, tmp_path) -> None:
    build = build_package("cw-app", DPKG_DEB_COMPRESSOR_TYPE="gzip", DPKG_DEB_COMPRESSOR_LEVEL="1")
    assert build.returncode == 0, build.output[-5000:]
    # The overrides ran; the set-aside steps ran around them anyway.
    for step in ("dh_venv_setaside", "debian/rules override_dh_strip", "dh_shlibdeps -a", "dh_venv_restore"):
        assert f"   {step}" in build.output, step
    noise = [line for line in build.output.splitlines() if "dpkg-shlibdeps: warning" in line or "dwz:" in line]
    assert noise == []

    deb = build.deb("cw-app")
    # Exactly the system libraries, versions from the symbols files:
    # libc6 (hardened: __*_chk, __stack_chk_fail) and zlib1g (crc32) for the
    # extensions built here, libstdc++6 (std::to_string) for the prebuilt
    # libcwb; the bundled libcwa/libcwb never; libpq5 (PQlibVersion, 9.1)
    # moved to Recommends by --shlibs-recommends.
    assert deb_field(deb, "Depends") == f"{PY}, libc6 (>= 2.4), zlib1g (>= 1:1.1.4), libstdc++6 (>= 5.2)"
    assert deb_field(deb, "Recommends") == "libpq5 (>= 9.1~)"

    tree = extract(deb, tmp_path / "x")
    site = tree / SITE
    assert files_containing(tree, str(build.source)) == []
    # Prebuilt: every file exactly as its wheel's RECORD says, debug info and all, where patchelf
    # touched it (RPATH) or it is bundled (*.libs); cwplain's extension lost its debug sections only.
    # cwnative: stripped here, and its RECORD brought up to date by dh_venv_restore.
    for dist in ("cwbundled-1.0", "cworigin-1.0", "cwsuffix-1.0", "cwnative-1.0", "cwplain-1.0"):
        assert native.record_mismatches(site / f"{dist}.dist-info") == []
    assert ".debug_info" in _sections(next(site.glob("cwbundled.libs/libcwb-*.so.1.0")))
    for ext in site.glob("cw*/_core*.so"):
        assert ".debug_info" in _sections(ext), ext
    [plain] = site.glob("cwplain/_plain*.so")
    assert ".debug_info" not in _sections(plain) and ".symtab" in _sections(plain)
    # Built here: flags from dpkg-buildflags (hardening=+all in debian/rules: -z now), stripped, debug info in -dbgsym.
    built = sorted(site.glob("cwnative/_*.so"))
    assert [p.name.split(".")[0] for p in built] == ["_pq", "_zlib"]
    for ext in built:
        assert ".symtab" not in _sections(ext) and ".debug_info" not in _sections(ext), ext
        assert "BIND_NOW" in sh("readelf", "-d", str(ext)).stdout, ext
    dbgsym = build.source.parent / deb.name.replace("cw-app_", "cw-app-dbgsym_").replace(".deb", ".deb")
    assert dbgsym.is_file(), sorted(p.name for p in build.source.parent.iterdir())
    dbg = extract(dbgsym, tmp_path / "dbg")
    debug_files = {p.parent.name + p.stem for p in dbg.glob("usr/lib/debug/.build-id/*/*.debug")}
    assert debug_files == {_build_id(ext) for ext in built}
    assert files_containing(dbg, str(build.source)) == []

    with installed(deb, dbgsym):
        result = run_clean("cw-app")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["43", "44", "45", "46", str(zlib.crc32(b"dh-venv")), "True", VENV]
    assert_purged("cw-app", VENV, ["cw-app"])


def _copy(tmp_path: Path, name: str) -> Path:
    source = tmp_path / name / "cw-app-1.0"
    shutil.copytree(PACKAGES / "cw-app", source, symlinks=True)
    return source


def test_missing_build_dependency(native_wheels, build_package, tmp_path) -> None:
    source = _copy(tmp_path, "broken")
    (source / "requirements.txt").write_text("cwbroken==1.0\n")
    build = build_package("cw-app", source=source)
    assert build.returncode != 0
    errors = [line for line in build.output.splitlines() if line.startswith("dh_venv: error:")]
    assert errors[0] == (
        "dh_venv: error: cw-app: uv could not build the application and its requirements from source: "
        "cwbroken/_ext.c:2:10: fatal error: cw-not-installed.h: No such file or directory; a Build-Depends is "
        "probably missing (the compiler, or the -dev package with that header or library); uv said"
    ), "\n".join(errors)
    assert "Traceback" not in build.output


def test_architecture_all_with_elf_files(native_wheels, build_package, tmp_path) -> None:
    source = _copy(tmp_path, "all")
    control = source / "debian" / "control"
    control.write_text(control.read_text().replace("Architecture: any", "Architecture: all"))
    (source / "requirements.txt").write_text("cwbundled==1.0\n")
    build = build_package("cw-app", source=source)
    assert build.returncode != 0
    errors = [line for line in build.output.splitlines() if line.startswith("dh_venv: error:")]
    assert errors[0] == (
        "dh_venv: error: cw-app: the package is Architecture: all, but its venv holds 3 compiled (ELF) file(s); "
        "set Architecture: any in debian/control (and add ${shlibs:Depends} to Depends)"
    ), "\n".join(errors)
    assert any(line.startswith(f"dh_venv: error:   {SITE}/cwbundled.libs/libcwa-") for line in errors), errors


def test_nostrip_keeps_prebuilt_debug_sections(native_wheels, build_package, tmp_path) -> None:
    """DEB_BUILD_OPTIONS=nostrip: dh_venv leaves the debug sections of prebuilt extensions, as dh_strip does."""
    build = build_package(
        "cw-app", DEB_BUILD_OPTIONS="nostrip", DPKG_DEB_COMPRESSOR_TYPE="gzip", DPKG_DEB_COMPRESSOR_LEVEL="1"
    )
    assert build.returncode == 0, build.output[-5000:]
    tree = extract(build.deb("cw-app"), tmp_path / "x")
    [site] = tree.glob("opt/venvs/cw-app/lib/python3*/site-packages")
    [plain] = site.glob("cwplain/_plain*.so")
    assert ".debug_info" in _sections(plain)
