"""dh_venv_restore reuses what dpkg-shlibdeps said about unchanged prebuilt ELF files (issue 18).

Three real builds of tests/packages/cw-app with its prebuilt wheels only,
one DH_VENV_CACHE_DIR: the first computes and stores, the second (a fresh
copy of the same source) reuses and ships the same Depends, the third
carries a debian/shlibs.local, which is shlibs data, and computes again.
About 1.5 minutes.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from . import native
from .conftest import PACKAGES, deb_field

# What dh_venv_restore runs for the prebuilt files (dh_shlibdeps' own run says -T...substvars instead).
RUN = "dpkg-shlibdeps -O --warnings=0 "


@pytest.fixture(scope="module")
def native_wheels(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return native.build_all(wheelhouse, tmp_path_factory.mktemp("native"))


def _source(tmp_path: Path, name: str, marker: str) -> Path:
    source = tmp_path / name / "cw-app-1.0"
    shutil.copytree(PACKAGES / "cw-app", source, symlinks=True)
    # Prebuilt wheels only (cwbundled's bundled C++ library needs libstdc++6 from the system).
    (source / "requirements.txt").write_text("cwbundled==1.0\ncworigin==1.0\ncwplain==1.0\n")
    rules = source / "debian/rules"
    rules.write_text(rules.read_text().replace("--shlibs-recommends=libpq5 ", ""))
    # An entry for a library nothing links: part of the cache key, so this run starts with no entry.
    (source / "debian/shlibs.local").write_text(f"libnothing-{marker} 1 nothing\n")
    return source


def test_second_build_reuses_the_dependencies_and_shlibs_data_recomputes(
    native_wheels, build_package, tmp_path
) -> None:
    marker = uuid.uuid4().hex[:12]
    cache = tmp_path / "cache"
    env = {
        "DH_VERBOSE": "1",
        "DH_VENV_CACHE_DIR": str(cache),
        "DPKG_DEB_COMPRESSOR_TYPE": "gzip",
        "DPKG_DEB_COMPRESSOR_LEVEL": "1",
    }
    first = build_package("cw-app", source=_source(tmp_path, "first", marker), **env)
    assert first.returncode == 0, first.output[-5000:]
    assert RUN in first.output
    assert "remember the dependencies of 6 prebuilt ELF file(s) in " + str(cache / "shlibdeps") in first.output
    depends = deb_field(first.deb("cw-app"), "Depends")
    assert "libstdc++6 (>= " in depends, depends

    second = build_package("cw-app", source=_source(tmp_path, "second", marker), **env)
    assert second.returncode == 0, second.output[-5000:]
    assert RUN not in second.output
    assert "dependencies of 6 prebuilt ELF file(s) reused from " + str(cache / "shlibdeps") in second.output
    assert deb_field(second.deb("cw-app"), "Depends") == depends

    third_source = _source(tmp_path, "third", marker)
    with (third_source / "debian/shlibs.local").open("a") as fh:
        fh.write("libstdc++ 6 libstdc++6 (>= 99)\n")
    third = build_package("cw-app", source=third_source, **env)
    assert third.returncode == 0, third.output[-5000:]
    assert RUN in third.output
    assert "libstdc++6 (>= 99)" in deb_field(third.deb("cw-app"), "Depends")
    assert len(list((cache / "shlibdeps").rglob("*.json"))) == 2
