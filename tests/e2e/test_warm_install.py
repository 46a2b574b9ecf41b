"""Warm builds and fast installs (issue 18): dh_venv_restore's cache, bytecode made by the postinst.

Three real builds of tests/packages/cw-app (renamed rest-cw) with its
prebuilt wheels only, one DH_VENV_CACHE_DIR: the first computes and
stores, the second (a fresh copy of the same source) reuses and ships the
same Depends (and the stripped prebuilt extension), the third carries a debian/shlibs.local, which is shlibs
data, and computes again.  The second package is installed: its venv is
byte-compiled for its final path before the application first runs,
except the test suite inside the package and a module with a syntax
error (which does not fail the install), and the purge leaves nothing.
About 1.5 minutes.
"""

from __future__ import annotations

import marshal
import shutil
import uuid
from pathlib import Path

import pytest

from . import native
from .conftest import PACKAGES, PY, SITE, assert_purged, deb_field, extract, files_containing, installed, run_clean

VENV = "/opt/venvs/rest-cw"

PACKAGES_LINE = 'packages = ["cw_app", "cw_app.tests"]'
MAIN = """import sys


def main():
    import cwbundled
    import cworigin
    import cwplain

    print(cwbundled.value(), cworigin.value(), cwplain.value(), sys.prefix)
"""
# What dh_venv_restore runs for the prebuilt files (dh_shlibdeps' own run says -T...substvars instead).
RUN = "dpkg-shlibdeps -O --warnings=0 "


@pytest.fixture(scope="module")
def native_wheels(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return native.build_all(wheelhouse, tmp_path_factory.mktemp("native"))


def _source(tmp_path: Path, name: str, marker: str) -> Path:
    source = tmp_path / name / "rest-cw-1.0"
    shutil.copytree(PACKAGES / "cw-app", source, symlinks=True)
    # Names of its own, so that this package never meets cw-app in the dpkg database.
    for rel in ("debian/control", "debian/changelog", "pyproject.toml"):
        path = source / rel
        path.write_text(path.read_text().replace("cw-app", "rest-cw").replace('packages = ["cw_app"]', PACKAGES_LINE))
    (source / "cw_app/__init__.py").write_text(MAIN)
    (source / "cw_app/tests").mkdir()
    (source / "cw_app/tests/__init__.py").write_text("")
    (source / "cw_app/tests/test_main.py").write_text("def test_nothing():\n    pass\n")
    # Never imported, and no Python 3 can compile it: the install goes on without its bytecode.
    (source / "cw_app/py2_template.py").write_text("print 'python 2'\n")
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
    """Also: the installed venv is byte-compiled before the first run; no file names the build path."""
    marker = uuid.uuid4().hex[:12]
    cache = tmp_path / "cache"
    env = {
        "DH_VERBOSE": "1",
        "DH_VENV_CACHE_DIR": str(cache),
        "DPKG_DEB_COMPRESSOR_TYPE": "gzip",
        "DPKG_DEB_COMPRESSOR_LEVEL": "1",
    }
    first = build_package("rest-cw", source=_source(tmp_path, "first", marker), **env)
    assert first.returncode == 0, first.output[-5000:]
    assert RUN in first.output
    assert "remember the dependencies of 6 prebuilt ELF file(s) in " + str(cache / "shlibdeps") in first.output
    depends = deb_field(first.deb("rest-cw"), "Depends")
    assert "libstdc++6 (>= " in depends, depends

    second = build_package("rest-cw", source=_source(tmp_path, "second", marker), **env)
    assert second.returncode == 0, second.output[-5000:]
    assert RUN not in second.output
    assert "dependencies of 6 prebuilt ELF file(s) reused from " + str(cache / "shlibdeps") in second.output
    assert deb_field(second.deb("rest-cw"), "Depends") == depends
    # cwplain's extension (debug sections, no RPATH) was stripped once; its stripped form is kept.
    assert "\tstrip --strip-debug " in first.output and "\tstrip --strip-debug " not in second.output
    assert f"write the stripped form of 1 prebuilt file(s) kept in {cache / 'stripped'}, unchanged" in second.output

    third_source = _source(tmp_path, "third", marker)
    with (third_source / "debian/shlibs.local").open("a") as fh:
        fh.write("libstdc++ 6 libstdc++6 (>= 99)\n")
    third = build_package("rest-cw", source=third_source, **env)
    assert third.returncode == 0, third.output[-5000:]
    assert RUN in third.output
    assert "libstdc++6 (>= 99)" in deb_field(third.deb("rest-cw"), "Depends")
    assert len(list((cache / "shlibdeps").rglob("*.json"))) == 2

    deb = second.deb("rest-cw")
    tree = extract(deb, tmp_path / "x")
    assert not list(tree.rglob("*.pyc")) and not list(tree.rglob("__pycache__"))
    assert files_containing(tree, str(second.source)) == []
    with installed(deb):
        site = Path(VENV) / SITE
        sources = [p for p in site.rglob("*.py") if "__pycache__" not in p.parts]
        tests = sorted(str(p.relative_to(site)) for p in sources if "tests" in p.parts)
        assert tests == ["cw_app/tests/__init__.py", "cw_app/tests/test_main.py"]
        tag = "cpython-" + PY.removeprefix("python").replace(".", "")
        missing = [str(p.relative_to(site)) for p in sources if "tests" not in p.parts and not _compiled(p, tag)]
        assert missing == ["cw_app/py2_template.py"], "not byte-compiled by the postinst"
        assert not list((site / "cw_app/tests").rglob("*.pyc"))
        # Compiled for the final path: tracebacks name the installed file.
        pyc = site / f"cw_app/__pycache__/__init__.{tag}.pyc"
        assert marshal.loads(pyc.read_bytes()[16:]).co_filename == str(site / "cw_app/__init__.py")
        assert files_containing(Path(VENV), str(second.source)) == []
        before = {p: p.stat().st_mtime_ns for p in Path(VENV).rglob("*.pyc")}
        result = run_clean("rest-cw")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["43", "44", "46", VENV], result.stdout
        # The first run found every module it imports compiled: it wrote no bytecode of its own.
        assert {p: p.stat().st_mtime_ns for p in Path(VENV).rglob("*.pyc")} == before
    assert_purged("rest-cw", VENV, ["rest-cw"])


def _compiled(source: Path, tag: str) -> bool:
    return (source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc").is_file()
