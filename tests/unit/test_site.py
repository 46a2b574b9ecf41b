"""dh_venv.site: the distributions of a venv, as their dist-info directories say."""

from __future__ import annotations

from pathlib import Path

from dh_venv.site import distributions

SITE = "lib/python3.11/site-packages"


def test_distributions_metadata_and_license_files(tmp_path: Path) -> None:
    site = tmp_path / SITE
    new = site / "Zope.Interface-6.0.dist-info"
    (new / "licenses" / "docs").mkdir(parents=True)
    (new / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: zope.interface\nVersion: 6.0\nLicense-File: LICENSE.txt\n"
        "License-File: docs/NOTICE\n\nLong description\n"
    )
    (new / "licenses" / "LICENSE.txt").write_text("ZPL")
    (new / "licenses" / "docs" / "NOTICE").write_text("notice")
    old = site / "six-1.16.0.dist-info"
    old.mkdir()
    (old / "METADATA").write_text("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n")
    (old / "LICENSE").write_text("MIT")
    (old / "LICENSE-not-recorded").write_text("x")
    (old / "RECORD").write_text(
        "six.py,sha256=aa,1\nsix-1.16.0.dist-info/LICENSE,sha256=bb,3\nsix-1.16.0.dist-info/METADATA,,\n"
    )
    bare = site / "bare-2.0.dist-info"
    bare.mkdir()
    found = {d.name: d for d in distributions(tmp_path)}
    assert sorted(found) == ["bare", "six", "zope-interface"]
    assert (found["zope-interface"].display_name, found["zope-interface"].version) == ("zope.interface", "6.0")
    assert found["zope-interface"].license_files() == [new / "licenses/LICENSE.txt", new / "licenses/docs/NOTICE"]
    assert found["six"].license_files() == [old / "LICENSE"]
    assert list(found["six"].hashed_files()) == [
        (site / "six.py", "sha256=aa"),
        (old / "LICENSE", "sha256=bb"),
    ]
    assert (found["bare"].display_name, found["bare"].version, found["bare"].license_files()) == ("bare", "2.0", [])


def test_lib64_link_counts_once(tmp_path: Path) -> None:
    (tmp_path / SITE / "a-1.0.dist-info").mkdir(parents=True)
    (tmp_path / "lib64").symlink_to("lib")
    assert [d.dist_info for d in distributions(tmp_path)] == [tmp_path / SITE / "a-1.0.dist-info"]


def test_maturin_license_files(tmp_path: Path) -> None:
    info = tmp_path / SITE / "cryptography-43.0.3.dist-info"
    (info / "license_files").mkdir(parents=True)
    (info / "METADATA").write_text("Name: cryptography\nVersion: 43.0.3\nLicense-File: LICENSE\n")
    for name in ("LICENSE", "LICENSE.BSD"):
        (info / "license_files" / name).write_text(name)
    (dist,) = distributions(tmp_path)
    assert dist.license_files() == [info / "license_files/LICENSE", info / "license_files/LICENSE.BSD"]
