"""Tests for dh_venv.installers.lean: what --keep-seed adds where virtualenv seeds less."""

from __future__ import annotations

from pathlib import Path

from dh_venv.inputs.collect import Sources
from dh_venv.installers.lean import missing_seed


def venv_with(root: Path, *dists: str) -> Path:
    for name, version in (d.split("==") for d in dists):
        info = root / "lib/python3.X/site-packages" / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return root


def debian_wheels(root: Path, *names: str) -> Path:
    root.mkdir()
    for name in names:
        (root / f"{name}-py3-none-any.whl").write_bytes(b"")
    return root


def test_a_fully_seeded_venv_needs_nothing(tmp_path: Path) -> None:
    venv = venv_with(tmp_path / "v", "pip==23.0.1", "setuptools==66.1.1", "wheel==0.38.4")
    assert missing_seed(venv, Sources(), debian_wheels(tmp_path / "w", "wheel-0.46.1")) == ()


def test_debian_versions_of_what_virtualenv_left_out(tmp_path: Path) -> None:
    # trixie: virtualenv seeds pip alone; python3-setuptools-whl and python3-wheel-whl have the rest.
    venv = venv_with(tmp_path / "v", "pip==25.1.1")
    wheels = debian_wheels(tmp_path / "w", "pip-25.1.1", "setuptools-78.1.1", "wheel-0.46.1")
    assert missing_seed(venv, Sources(), wheels) == ("--find-links", str(wheels), "setuptools==78.1.1", "wheel==0.46.1")


def test_from_the_index_without_debian_wheels(tmp_path: Path) -> None:
    venv = venv_with(tmp_path / "v", "pip==25.1.1")
    wheels = debian_wheels(tmp_path / "w", "setuptools-78.1.1")
    assert missing_seed(venv, Sources(), wheels) == ("--find-links", str(wheels), "setuptools==78.1.1", "wheel")
    assert missing_seed(venv, Sources(), tmp_path / "none") == ("setuptools", "wheel")


def test_offline_takes_what_the_wheelhouse_has(tmp_path: Path) -> None:
    venv = venv_with(tmp_path / "v", "pip==25.1.1")
    wheels = debian_wheels(tmp_path / "w", "setuptools-78.1.1", "wheel-0.46.1")
    assert missing_seed(venv, Sources(wheelhouse=tmp_path / "house"), wheels) == ("setuptools", "wheel")
