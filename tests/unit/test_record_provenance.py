"""dh_venv.record.provenance: which file each installed distribution came from, and whether it was built here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dh_venv.inputs.locks import Pin
from dh_venv.record import provenance
from dh_venv.record.provenance import Provenance

SITE = "lib/python3.11/site-packages"


def dist(venv: Path, name: str, version: str, tag: str = "py3-none-any", **extra: str) -> Path:
    info = venv / SITE / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")
    for filename, text in extra.items():
        (info / filename.replace("_json", ".json")).write_text(text)
    return info


def test_lock_and_wheelhouse_files_match_exactly(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dist(venv, "six", "1.16.0", "py2-none-any")
    (venv / SITE / "six-1.16.0.dist-info/WHEEL").write_text("Tag: py2-none-any\nTag: py3-none-any\n")
    dist(venv, "idna", "3.3", "py3-none-manylinux_2_17_x86_64")
    dist(venv, "built", "2.0", uv_build_json="{}")
    known = {
        "six-1.16.0-py2.py3-none-any.whl": ("sha256:aa", "lock"),
        "six-1.16.0.tar.gz": ("sha256:bb", "lock"),
        "idna-3.3-py3-none-any.whl": ("sha256:cc", "lock"),  # other tags than installed
        "built-2.0-py3-none-any.whl": ("sha256:dd", "wheelhouse"),  # not what was built here
        "built-2.0.tar.gz": ("sha256:ee", "wheelhouse"),
    }
    found = provenance.collect(venv, [], known, None)
    assert found == {
        "six": Provenance("six-1.16.0-py2.py3-none-any.whl", "sha256:aa", "lock", False),
        "idna": Provenance(),
        "built": Provenance("built-2.0.tar.gz", "sha256:ee", "wheelhouse", True),
    }


def test_pip_report(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dist(venv, "wheeled", "1.0")
    dist(venv, "sourced", "1.0")
    app = dist(venv, "app", "1.0", direct_url_json=json.dumps({"url": "file:///src", "dir_info": {}}))
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "install": [
                    {
                        "metadata": {"name": "Wheeled"},
                        "download_info": {
                            "url": "https://files.example/w/wheeled-1.0-py3-none-any.whl",
                            "archive_info": {"hashes": {"sha256": "11"}},
                        },
                    },
                    {
                        "metadata": {"name": "sourced"},
                        "download_info": {
                            "url": "file:///wh/sourced-1.0.tar.gz",
                            "archive_info": {"hash": "sha256=22"},
                        },
                    },
                    {"metadata": {"name": "app"}, "download_info": {"url": "file:///src", "dir_info": {}}},
                ]
            }
        )
    )
    known = {"sourced-1.0.tar.gz": ("sha256:22", "wheelhouse")}
    found = provenance.collect(venv, [report, tmp_path / "missing.json"], known, app)
    assert found == {
        "wheeled": Provenance("wheeled-1.0-py3-none-any.whl", "sha256:11", "installer report", False),
        "sourced": Provenance("sourced-1.0.tar.gz", "sha256:22", "wheelhouse", True),
        "app": Provenance(built_here=True),
    }


def test_known_files(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wh"
    wheelhouse.mkdir()
    (wheelhouse / "a-1.0-py3-none-any.whl").write_bytes(b"a")
    pin = Pin("b", "1.0", ("sha256:bb",), (("b-1.0-py3-none-any.whl", "sha256:bb"),))
    digest = "sha256:" + hashlib.sha256(b"a").hexdigest()
    assert provenance.known_files([pin], wheelhouse) == {
        "a-1.0-py3-none-any.whl": (digest, "wheelhouse"),
        "b-1.0-py3-none-any.whl": ("sha256:bb", "lock"),
    }
    (wheelhouse / "manifest.json").write_text(json.dumps({"files": {"a-1.0-py3-none-any.whl": "sha256:99"}}))
    assert provenance.known_files([], wheelhouse) == {"a-1.0-py3-none-any.whl": ("sha256:99", "wheelhouse")}
    assert provenance.known_files([], None) == {}
