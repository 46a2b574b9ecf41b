"""dh-venv's own readers of debian/control, debian/changelog and substvars agree with python-debian's."""

from __future__ import annotations

from pathlib import Path

import pytest
from debian.changelog import Changelog
from debian.deb822 import Deb822, PkgRelation

from dh_venv.debhelper import files
from dh_venv.errors import DhVenvError
from dh_venv.record import steps

CONTROL = """\
# a comment before the source paragraph
Source: demo
Build-Depends: debhelper-compat (= 13),
 dh-venv,
# a comment inside a field
 python3
Maintainer: Someone <someone@example.org>

Package: demo
architecture: any
Depends: ${misc:Depends},
         ${shlibs:Depends}
Recommends: ${shlibs:Recommends}
Description: a demo
 with a long
 .
 description

Package: demo-doc
Architecture: all
Description: docs
"""


@pytest.mark.parametrize(
    ("package", "field"),
    [
        ("demo", "Architecture"),
        ("demo", "Depends"),
        ("demo", "Recommends"),
        ("demo", "Description"),
        ("demo", "Suggests"),
        ("demo-doc", "Architecture"),
        ("other", "Architecture"),
    ],
)
def test_control_field_as_deb822_reads_it(tmp_path: Path, package: str, field: str) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / "control").write_text(CONTROL)
    expected = next((str(p.get(field, "")) for p in Deb822.iter_paragraphs(CONTROL) if p.get("Package") == package), "")
    got = files.control_field(tmp_path, package, field)
    assert got.split() == expected.split()
    assert ("${shlibs:Depends}" in got) == ("${shlibs:Depends}" in expected)


def test_control_field_without_control(tmp_path: Path) -> None:
    assert files.control_field(tmp_path, "demo", "Architecture") == ""


@pytest.mark.parametrize(
    "value",
    [
        "",
        "libc6 (>= 2.14), libgcc-s1 (>= 3.0), libstdc++6 (>= 5.2)",
        "python3.11, libpq5 (>= 15~beta1) | libpq-dev, foo:any (<< 2:1.0-1)",
        "libssl3 (>=3.0.0),libz1 [amd64] <!nocheck>, bar (= 1.0+dfsg-1~bpo12+1)",
    ],
)
def test_relations_as_pkgrelation_reads_them(value: str) -> None:
    expected = [
        [{"name": a["name"], "version": a["version"]} for a in group if a.get("name")]
        for group in (PkgRelation.parse_relations(value) if value.strip() else [])
    ]
    got = [[{"name": a["name"], "version": a["version"]} for a in group] for group in steps._relations(value)]
    assert got == [g for g in expected if g]


@pytest.mark.parametrize(
    "first",
    [
        "demo (1.0-1) unstable; urgency=medium",
        "demo (2:1.0~rc1+dfsg-3~bpo12+1) bookworm-backports; urgency=low",
        "python-foo.bar (0.1) UNRELEASED; urgency=medium",
    ],
)
def test_changelog_version_as_python_debian_reads_it(tmp_path: Path, first: str) -> None:
    text = f"{first}\n\n  * Entry.\n\n -- A B <a@example.org>  Sat, 21 Nov 2026 06:00:00 +0000\n"
    path = tmp_path / "changelog"
    path.write_text(text)
    assert steps.changelog_version(path, "demo") == str(Changelog(text, max_blocks=1).version)


def test_changelog_that_python_debian_rejects(tmp_path: Path) -> None:
    path = tmp_path / "changelog"
    path.write_text("this is no changelog\n")
    with pytest.raises(DhVenvError, match="cannot read debian/changelog"):
        steps.changelog_version(path, "demo")
