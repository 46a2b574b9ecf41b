"""dh_venv.record.steps: what dh_venv notes and checks, and what dh_venv_restore writes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.record import steps
from dh_venv.runner import Runner
from dh_venv.settings import Settings

PYTHON = Path(os.path.realpath("/usr/bin/python3"))
CONTROL = "Source: demo\n\nPackage: demo\nArchitecture: any\nDepends: ${misc:Depends}\n"
CHANGELOG = "demo (1.0-1) unstable; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Fri, 04 Dec 2026 07:00:00 +0000\n"


def settings_for(tmp_path: Path, **kw: object) -> Settings:
    (tmp_path / "debian").mkdir(exist_ok=True)
    (tmp_path / "debian" / "control").write_text(CONTROL)
    (tmp_path / "debian" / "changelog").write_text(CHANGELOG)
    return Settings(
        package="demo", build_dir=tmp_path, source_dir=tmp_path, staging_root=tmp_path / "debian" / "demo", **kw
    )  # type: ignore[arg-type]


def add_dist(settings: Settings, name: str, license: str = "") -> None:
    info = settings.staging_venv / "lib/python3.11/site-packages" / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{license}")


def test_capture_then_write(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    add_dist(settings, "known", "License: MIT\n")
    add_dist(settings, "bare")
    log: list[str] = []
    steps.capture(settings, Runner(log=log.append), PYTHON, [], {}, None)
    assert log == [
        "dh_venv: warning: demo: bare 1.0 declares no license (no License-Expression, license classifier or "
        "License field in its METADATA); find its license and record it in debian/copyright"
    ]
    # Installed later, in override_dh_venv: checked by dh_venv_restore, with no provenance.
    add_dist(settings, "late")
    (tmp_path / "debian" / "demo.substvars").write_text(
        f"shlibs:Depends=libc6 (>= 2.34), libz1 | zlib1g\nmisc:Depends={PYTHON.name}, other\n"
    )
    warnings = steps.write(tmp_path, "demo", Runner(log=log.append), "9.9", {"SOURCE_DATE_EPOCH": "0"})
    assert warnings == [w.removeprefix("dh_venv: warning: ").replace("bare", "late") for w in log]
    doc = settings.staging_root / "usr/share/doc/demo"
    assert (doc / "venv-licenses.txt").read_text().splitlines()[4:] == [
        "bare 1.0 | unknown | none",
        "known 1.0 | MIT | none",
        "late 1.0 | unknown | none",
    ]
    bom = json.loads((doc / "sbom.cdx.json").read_text())
    assert bom["metadata"]["timestamp"] == "1970-01-01T00:00:00Z"
    assert (
        bom["metadata"]["component"]["purl"].startswith("pkg:deb/")
        and "@1.0-1?arch=" in bom["metadata"]["component"]["purl"]
    )
    names = [c["name"] for c in bom["components"]]
    assert names == ["bare", "known", "late", "libc6", "libz1", PYTHON.name, "zlib1g"]
    late = next(c for c in bom["components"] if c["name"] == "late")
    assert not any(p["name"] == "dh-venv:built-from-source" for p in late["properties"])
    zlib = next(c for c in bom["components"] if c["name"] == "zlib1g")
    assert {"name": "dh-venv:debian-dependency", "value": "libz1 | zlib1g"} in zlib["properties"]
    assert oct((doc / "sbom.cdx.json").stat().st_mode & 0o777) == "0o644"


def test_no_sbom_and_policy_after_dh_venv(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, sbom=False, license_allow=("MIT",))
    add_dist(settings, "known", "License: MIT\n")
    steps.capture(settings, Runner(log=[].append), PYTHON, [], {}, None)
    add_dist(settings, "late", "License-Expression: GPL-3.0-only\n")
    with pytest.raises(DhVenvError) as caught:
        steps.write(tmp_path, "demo", Runner(log=[].append), "9.9", {})
    assert str(caught.value) == (
        "demo: 1 distribution(s) in the venv have a license outside --license-allow=MIT: late 1.0 (GPL-3.0-only); "
        "add the licenses to --license-allow if your policy permits them, or keep the distributions out of the venv"
    )
    shutil.rmtree(settings.staging_venv / "lib/python3.11/site-packages/late-1.0.dist-info")
    add_dist(settings, "late2", "License: MIT\n")
    assert steps.write(tmp_path, "demo", Runner(log=[].append), "9.9", {}) == []
    assert not (settings.staging_root / "usr/share/doc/demo/sbom.cdx.json").exists()
    assert (settings.staging_root / "usr/share/doc/demo/venv-licenses.txt").is_file()


def test_linked_doc_dir(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    add_dist(settings, "known", "License: MIT\n")
    steps.capture(settings, Runner(log=[].append), PYTHON, [], {}, None)
    doc = settings.staging_root / "usr/share/doc"
    doc.mkdir(parents=True)
    (doc / "demo").symlink_to("other")
    assert steps.write(tmp_path, "demo", Runner(log=[].append), "9.9", {}) == [
        "demo: /usr/share/doc/demo is a link to another package's documentation (dh_installdocs --link-doc), "
        "so sbom.cdx.json and venv-licenses.txt are not shipped"
    ]


def test_nothing_recorded(tmp_path: Path) -> None:
    settings_for(tmp_path)
    assert steps.write(tmp_path, "demo", Runner(log=[].append), "9.9", {}) == []
    assert not (tmp_path / "debian/demo").exists()


def test_interpreter_outside_dpkg_gets_no_component(tmp_path: Path) -> None:
    """--python naming an interpreter no package owns: nothing in ${misc:Depends}, no component."""
    settings = settings_for(tmp_path)
    add_dist(settings, "known", "License: MIT\n")
    steps.capture(settings, Runner(log=[].append), Path("/usr/local/bin/python3.99"), [], {}, None)
    (tmp_path / "debian" / "demo.substvars").write_text(f"misc:Depends={PYTHON.name}\n")
    steps.write(tmp_path, "demo", Runner(log=[].append), "9.9", {})
    bom = json.loads((settings.staging_root / "usr/share/doc/demo/sbom.cdx.json").read_text())
    assert [c["name"] for c in bom["components"]] == ["known"]


def test_licenses_kept_by_the_bytes_of_metadata(tmp_path: Path) -> None:
    """dh_venv_restore takes the license dh_venv read, unless METADATA changed since."""
    settings = settings_for(tmp_path)
    add_dist(settings, "kept", "License: MIT\n")
    add_dist(settings, "edited", "License: MIT\n")
    steps.capture(settings, Runner(log=[].append), PYTHON, [], {}, None)
    edited = settings.staging_venv / "lib/python3.11/site-packages/edited-1.0.dist-info/METADATA"
    edited.write_text(edited.read_text().replace("License: MIT", "License: Apache-2.0"))
    log: list[str] = []
    steps.write(tmp_path, "demo", Runner(log=log.append, verbose=True), "9.9", {})
    summary = (settings.staging_root / "usr/share/doc/demo/venv-licenses.txt").read_text().splitlines()
    assert "edited 1.0 | Apache-2.0 | none" in summary and "kept 1.0 | MIT | none" in summary
    reused = [line for line in log if "the answer kept in the cache" in line]
    assert len(reused) == 1 and "the license of kept" in reused[0], log
