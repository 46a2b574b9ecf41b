"""Tests for dh_venv.debhelper.files: substvars, autoscripts, links, packages."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.debhelper.files import (
    PackageFiles,
    include_binaries,
    incumbent_triggers,
    interpreter_package,
    list_packages,
    maintainer_links,
    make_links,
)
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

VERSION = "9.8.7"


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    (tmp_path / "debian").mkdir()
    return tmp_path


def files(build_dir: Path, no_act: bool = False, log: list[str] | None = None) -> PackageFiles:
    runner = Runner(log=(log if log is not None else []).append, no_act=no_act)
    return PackageFiles(build_dir, "demo", runner, VERSION)


# add_depends


def test_add_depends_creates_substvars(build_dir: Path) -> None:
    files(build_dir).add_depends("python3.11")
    assert (build_dir / "debian/demo.substvars").read_text() == "misc:Depends=python3.11\n"


def test_add_depends_twice_gives_no_duplicate(build_dir: Path) -> None:
    pkg = files(build_dir)
    pkg.add_depends("python3.11")
    pkg.add_depends("python3.11")
    assert (build_dir / "debian/demo.substvars").read_text() == "misc:Depends=python3.11\n"


def test_add_depends_merges_existing_substvars(build_dir: Path) -> None:
    path = build_dir / "debian/demo.substvars"
    path.write_text("misc:Depends=foo\nmisc:Pre-Depends=dpkg (>= 1.19)\n")
    pkg = files(build_dir)
    pkg.add_depends("python3.11")
    expected = "misc:Depends=foo, python3.11\nmisc:Pre-Depends=dpkg (>= 1.19)\n"
    assert path.read_text() == expected
    pkg.add_depends("python3.11")
    assert path.read_text() == expected


def test_add_depends_other_package_untouched(build_dir: Path) -> None:
    other = build_dir / "debian/other.substvars"
    other.write_text("misc:Depends=foo\n")
    files(build_dir).add_depends("python3.11")
    assert other.read_text() == "misc:Depends=foo\n"


def test_add_depends_no_act_writes_nothing(build_dir: Path) -> None:
    log: list[str] = []
    files(build_dir, no_act=True, log=log).add_depends("python3.11")
    assert list((build_dir / "debian").iterdir()) == []
    assert log == [f"\techo misc:Depends+=python3.11 >> {build_dir}/debian/demo.substvars"]


# add_autoscript

POSTRM_BLOCK = textwrap.dedent(
    f"""\
    # Automatically added by dh_venv/{VERSION}
    if [ "$1" = "purge" ] && [ -d /opt/venvs/demo ]; then
    \t# Whatever the application or an administrator left in its venv.
    \t# Needs no interpreter: it may be gone already.
    \trm -rf /opt/venvs/demo
    fi
    # End automatically added section
    """
)


def test_add_autoscript_new_file(build_dir: Path) -> None:
    files(build_dir).add_autoscript("postrm", "postrm-venv", {"VENV": "/opt/venvs/demo"})
    assert (build_dir / "debian/demo.postrm.debhelper").read_text() == POSTRM_BLOCK


def test_add_autoscript_postinst_is_appended(build_dir: Path) -> None:
    path = build_dir / "debian/demo.postinst.debhelper"
    path.write_text("# Automatically added by dh_other/1\nfoo\n# End automatically added section\n")
    files(build_dir).add_autoscript("postinst", "postinst-venv", {"VENV": "/opt/venvs/demo", "PACKAGE": "demo"})
    text = path.read_text()
    assert text.startswith(
        "# Automatically added by dh_other/1\nfoo\n# End automatically added section\n"
        f"# Automatically added by dh_venv/{VERSION}\n"
        'case "$1" in\n'
    )
    assert text.endswith("esac\n# End automatically added section\n")
    assert "#VENV#" not in text
    assert text.count("/opt/venvs/demo/bin/python -I -S - /opt/venvs/demo/lib >/dev/null 2>&1 <<-") == 1
    assert "[ -x /opt/venvs/demo/bin/python ]" in text


@pytest.mark.parametrize("script", ["prerm", "postrm"])
def test_add_autoscript_prerm_postrm_are_prepended(build_dir: Path, script: str) -> None:
    path = build_dir / f"debian/demo.{script}.debhelper"
    other = "# Automatically added by dh_other/1\nfoo\n# End automatically added section\n"
    path.write_text(other)
    files(build_dir).add_autoscript(script, "postrm-venv", {"VENV": "/opt/venvs/demo"})
    assert path.read_text() == POSTRM_BLOCK + other


def test_add_autoscript_prerm_snippet(build_dir: Path) -> None:
    files(build_dir).add_autoscript("prerm", "prerm-venv", {"VENV": "/opt/venvs/demo"})
    assert (build_dir / "debian/demo.prerm.debhelper").read_text() == textwrap.dedent(
        f"""\
        # Automatically added by dh_venv/{VERSION}
        if [ -d /opt/venvs/demo ]; then
        \t# Bytecode is made at install and at run time; dpkg does not know it.
        \tfind /opt/venvs/demo -depth -type d -name __pycache__ -exec rm -rf {{}} + 2>/dev/null || true
        \tfind /opt/venvs/demo -type f -name '*.py[co]' -delete 2>/dev/null || true
        fi
        # End automatically added section
        """
    )


def test_add_autoscript_no_act_writes_nothing(build_dir: Path) -> None:
    log: list[str] = []
    files(build_dir, no_act=True, log=log).add_autoscript("postrm", "postrm-venv", {"VENV": "/opt/venvs/demo"})
    assert list((build_dir / "debian").iterdir()) == []
    assert log == [f"\tadd postrm-venv to {build_dir}/debian/demo.postrm.debhelper"]


# make_links

LINKS = {
    PurePosixPath("/usr/bin/demo"): PurePosixPath("/opt/venvs/demo/bin/demo"),
    PurePosixPath("/usr/bin/demo-admin"): PurePosixPath("/opt/venvs/demo/bin/admin"),
}


def test_make_links_creates_absolute_symlinks(tmp_path: Path) -> None:
    log: list[str] = []
    make_links(tmp_path, LINKS, Runner(log=log.append, verbose=True))
    assert sorted(os.listdir(tmp_path / "usr/bin")) == ["demo", "demo-admin"]
    assert os.readlink(tmp_path / "usr/bin/demo") == "/opt/venvs/demo/bin/demo"
    assert os.readlink(tmp_path / "usr/bin/demo-admin") == "/opt/venvs/demo/bin/admin"
    assert log == [
        f"\tln -s /opt/venvs/demo/bin/demo {tmp_path}/usr/bin/demo",
        f"\tln -s /opt/venvs/demo/bin/admin {tmp_path}/usr/bin/demo-admin",
    ]


@pytest.mark.parametrize("kind", ["file", "dangling symlink"])
def test_make_links_refuses_existing_path(tmp_path: Path, kind: str) -> None:
    (tmp_path / "usr/bin").mkdir(parents=True)
    existing = tmp_path / "usr/bin/demo"
    if kind == "file":
        existing.write_text("#!/bin/sh\n")
    else:
        existing.symlink_to("/nonexistent")
    with pytest.raises(DhVenvError) as info:
        make_links(tmp_path, LINKS, Runner(log=[].append))
    assert info.value.message == (
        "/usr/bin/demo already exists in the package, so the console script cannot be linked there"
    )


def test_make_links_no_act(tmp_path: Path) -> None:
    make_links(tmp_path, LINKS, Runner(log=[].append, no_act=True))
    assert list(tmp_path.iterdir()) == []


# interpreter_package and list_packages


def test_interpreter_package_maps_minimal_to_full() -> None:
    # /usr/bin/python3.X belongs to python3.X-minimal; the package named is python3.X.
    real = Path(os.path.realpath("/usr/bin/python3"))
    assert interpreter_package(real, Runner(log=[].append)) == real.name


def test_interpreter_package_of_unowned_file(tmp_path: Path) -> None:
    path = tmp_path / "python3"
    path.write_text("")
    assert interpreter_package(path, Runner(log=[].append)) is None


def test_interpreter_package_of_other_owner() -> None:
    assert interpreter_package(Path("/usr/bin/dpkg-query"), Runner(log=[].append)) == "dpkg"


def test_interpreter_package_kept_in_the_cache_until_dpkgs_database_changes(tmp_path: Path) -> None:
    real = Path(os.path.realpath("/usr/bin/python3"))
    first: list[str] = []
    assert interpreter_package(real, Runner(log=first.append, verbose=True), tmp_path) == real.name
    assert first == [f"\tdpkg-query -S {real}"]
    again: list[str] = []
    assert interpreter_package(real, Runner(log=again.append, verbose=True), tmp_path) == real.name
    assert len(again) == 1 and again[0].startswith(f"\tdpkg-query -S {real}: the answer kept in the cache (key ")
    # An unowned file is asked about (and kept) the same way: still no package.
    unowned = tmp_path / "python3"
    unowned.write_text("")
    assert interpreter_package(unowned, Runner(log=[].append), tmp_path) is None
    assert interpreter_package(unowned, Runner(log=[].append), tmp_path) is None


def test_interpreter_package_runs_under_no_act() -> None:
    assert interpreter_package(Path("/usr/bin/dpkg-query"), Runner(log=[].append, no_act=True)) == "dpkg"


CONTROL = """\
Source: demo
Section: python
Priority: optional
Maintainer: Demo Maintainer <demo@example.org>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.6.2

Package: demo-all
Architecture: all
Description: first
 First package.

Package: demo-any
Architecture: any
Description: second
 Second package.
"""


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ([], ["demo-all", "demo-any"]),
        (["-i"], ["demo-all"]),
        (["-Ndemo-all"], ["demo-any"]),
        (["-pdemo-any"], ["demo-any"]),
    ],
)
def test_list_packages(
    build_dir: Path, monkeypatch: pytest.MonkeyPatch, selection: list[str], expected: list[str]
) -> None:
    (build_dir / "debian/control").write_text(CONTROL)
    monkeypatch.chdir(build_dir)
    env = {"PATH": "/usr/bin:/bin", "DH_OPTIONS": "--frobnicate", "DH_INTERNAL_OPTIONS": "--frobnicate"}
    assert list_packages(selection, Runner(log=[].append), env) == expected


def test_list_packages_failure(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(build_dir)
    with pytest.raises(DhVenvError) as info:
        list_packages([], Runner(log=[].append), {"PATH": "/usr/bin:/bin"})
    assert str(info.value) == (
        "dh_listpackages could not list the packages to act on; check debian/control and the -p/-N options"
    )
    assert info.value.details == (
        'dh_listpackages: error: "debian/control" not found. Are you sure you are in the correct directory?\n'
    )


def test_make_links_accepts_its_own_earlier_link(tmp_path: Path) -> None:
    links = {PurePosixPath("/usr/bin/app"): PurePosixPath("/opt/venvs/demo/bin/app")}
    make_links(tmp_path, links, Runner(log=[].append))
    make_links(tmp_path, links, Runner(log=[].append))
    assert os.readlink(tmp_path / "usr/bin/app") == "/opt/venvs/demo/bin/app"


def test_maintainer_links(build_dir: Path) -> None:
    (build_dir / "debian/demo.links").write_text(
        "# commands of the venv\n"
        "opt/venvs/demo/bin/demo usr/sbin/demo\n"
        "/opt/venvs/demo/bin/a /usr/bin/a  opt/venvs/demo/bin/b usr/bin/b  # two on a line\n"
        "\n"
        "usr/share/demo/odd\n"
    )
    assert maintainer_links(build_dir, "demo") == {
        PurePosixPath("/usr/sbin/demo"): PurePosixPath("/opt/venvs/demo/bin/demo"),
        PurePosixPath("/usr/bin/a"): PurePosixPath("/opt/venvs/demo/bin/a"),
        PurePosixPath("/usr/bin/b"): PurePosixPath("/opt/venvs/demo/bin/b"),
    }
    assert maintainer_links(build_dir, "other") == {}


def test_incumbent_triggers(build_dir: Path) -> None:
    (build_dir / "debian/demo.triggers").write_text(
        "# dh-virtualenv-interpreter-update in a comment only\n"
        "interest-noawait dh-virtualenv-interpreter-update\n"
        "interest-noawait /usr/bin/python3.11\n"
    )
    assert incumbent_triggers(build_dir, "demo") == ["interest-noawait dh-virtualenv-interpreter-update"]
    assert incumbent_triggers(build_dir, "other") == []


def test_list_packages_ignores_warnings_on_stderr(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # reprotest varies the locale to one that is not installed: perl warns on stderr.
    (build_dir / "debian/control").write_text(CONTROL)
    monkeypatch.chdir(build_dir)
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "xx_YY.UTF-8", "LANG": "xx_YY.UTF-8"}
    assert list_packages([], Runner(log=[].append), env) == ["demo-all", "demo-any"]


def test_include_binaries_for_quilt_sources(tmp_path: Path) -> None:
    (tmp_path / "debian/source").mkdir(parents=True)
    wheelhouse = tmp_path / "debian/wheelhouse"
    (tmp_path / "debian/source/format").write_text("3.0 (native)\n")
    assert include_binaries(tmp_path, wheelhouse, ["a.whl"], Runner(log=[].append)) is None
    (tmp_path / "debian/source/format").write_text("3.0 (quilt)\n")
    listing = tmp_path / "debian/source/include-binaries"
    listing.write_text("debian/logo.png\ndebian/wheelhouse/old-1.0-py3-none-any.whl\n")
    assert include_binaries(tmp_path, wheelhouse, ["a.whl", "b.tar.gz"], Runner(log=[].append)) == listing
    assert listing.read_text() == "debian/logo.png\ndebian/wheelhouse/a.whl\ndebian/wheelhouse/b.tar.gz\n"
