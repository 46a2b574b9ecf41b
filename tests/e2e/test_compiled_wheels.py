"""Real manylinux wheels from the index, pinned: autumn 2024 releases and the newest ones.

One build per set, two-line debian/rules.  Each build is checked the way a
reviewer would: every compiled module imported and exercised after install,
Depends compared with what the ELF files need from outside the venv, every
file byte-identical to its RECORD hash, no build path, no -dbgsym package.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from . import native
from .conftest import PACKAGES, PY, SITE, assert_purged, deb_field, extract, files_containing, installed, run_clean, sh

VENV = "/opt/venvs/wheels-app"


def external_packages(tree: Path) -> set[str]:
    """Debian packages owning the libraries the tree's ELF files need and do not bundle."""
    elf_files = [p for p in tree.rglob("*") if p.is_file() and not p.is_symlink() and p.read_bytes()[:4] == b"\x7fELF"]
    bundled = {p.name for p in elf_files}
    needed = set()
    for path in elf_files:
        needed |= set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", sh("readelf", "-d", str(path)).stdout))
    owners = set()
    for soname in sorted(needed - bundled):
        found = sh("dpkg", "-S", f"*/{soname}").stdout.splitlines()
        assert found, f"{soname} belongs to no package"
        owners.add(found[0].split(":")[0])
    return owners


@pytest.mark.network
@pytest.mark.parametrize(
    ("pins", "compiled_here"),
    [("requirements.txt", []), ("requirements-newest.txt", ["psycopg2/_psycopg"])],
    ids=["2024", "newest"],
)
def test_pinned_manylinux_wheels(pins, compiled_here, build_package, tmp_path) -> None:
    source = tmp_path / "src" / "wheels-app-1.0"
    shutil.copytree(PACKAGES / "compiled-wheels", source)
    if pins != "requirements.txt":
        shutil.copy(source / pins, source / "requirements.txt")
    started = time.monotonic()
    # The index, not the local wheelhouse: these are the real manylinux wheels.
    # gzip -1 instead of xz: the same .deb contents, minutes less of compression.
    build = build_package(
        "compiled-wheels",
        source=source,
        DH_VENV_PIP_ARGS="",
        DPKG_DEB_COMPRESSOR_TYPE="gzip",
        DPKG_DEB_COMPRESSOR_LEVEL="1",
    )
    print(f"build of {pins}: {time.monotonic() - started:.0f}s")
    assert build.returncode == 0, build.output[-5000:]
    noise = [line for line in build.output.splitlines() if "warning" in line and "/opt/venvs/" in line]
    assert noise == []

    deb = build.deb("wheels-app")
    tree = extract(deb, tmp_path / "x")
    site = tree / "opt/venvs/wheels-app" / SITE
    # What pip compiled from an sdist here (psycopg2 against libpq-dev) is stripped, and only its
    # debug symbols are in -dbgsym; with nothing compiled here there is no -dbgsym package at all.
    built = [next(site.glob(f"{stem}.*.so")) for stem in compiled_here]
    dbgsyms = list(source.parent.glob("*-dbgsym_*.deb"))
    assert len(dbgsyms) == (1 if built else 0), dbgsyms
    if built:
        ids = set()
        for ext in built:
            assert ".symtab" not in sh("readelf", "-SW", str(ext)).stdout, ext
            ids.add(re.search(r"Build ID: ([0-9a-f]+)", sh("readelf", "-n", str(ext)).stdout).group(1))
        dbg = extract(dbgsyms[0], tmp_path / "dbg")
        assert {p.parent.name + p.stem for p in dbg.glob("usr/lib/debug/.build-id/*/*.debug")} == ids
        assert files_containing(dbg, str(build.source)) == []
    assert files_containing(tree, str(build.source)) == []
    dist_infos = sorted(site.glob("*.dist-info"))
    assert len(dist_infos) >= 8
    for dist_info in dist_infos:
        # Prebuilt wheels byte for byte; for what was stripped here, dh_venv_restore updated RECORD.
        assert native.record_mismatches(dist_info) == [], dist_info.name
    depends = {item.split()[0] for item in deb_field(deb, "Depends").split(", ")}
    assert depends == {PY} | external_packages(tree / "opt")

    with installed(deb):
        result = run_clean("wheels-app")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
    assert lines == [
        "numpy-sum 112",
        "pillow PNG (4, 4)",
        "pillow JPEG (4, 4)",
        "pillow WEBP (4, 4)",
        "pillow TIFF (4, 4)",
        "pillow-text True",
        "pillow-features ['freetype2', 'jpg', 'webp', 'zlib']",
        "numpy-inv [[0.5, 0.0], [0.0, 0.25]]",
        "libpq True",
        *(["psycopg binary True"] if compiled_here else []),
        "lxml <n>2</n>",
        "cryptography venv",
        "cffi True",
        "pydantic 3 .so",
        "black x = 1 .so",
        f"prefix {VENV}",
    ]
    assert_purged("wheels-app", VENV, ["wheels-app"])
