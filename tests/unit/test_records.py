"""Tests for dh_venv.relocate.outside: files meant for outside the venv."""

from __future__ import annotations

from pathlib import Path

from dh_venv.relocate.outside import outside_prefix


def dist(venv: Path, name: str, rows: list[str], top_level: str = "") -> None:
    info = venv / "lib/python3.11/site-packages" / f"{name}.dist-info"
    info.mkdir(parents=True)
    (info / "RECORD").write_text("".join(f"{r},,\n" for r in rows))
    if top_level:
        (info / "top_level.txt").write_text(top_level)


def test_absolute_data_files_and_escapes_are_listed(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dist(venv, "app-1.0", ["app/__init__.py", "etc/app/app.conf", "../../../share/app/x", "../../../../etc/y"], "app")
    dist(venv, "etc_tools-1.0", ["etc/__init__.py"], "etc")
    found = outside_prefix(venv)
    assert list(found) == ["app-1.0"]
    assert "lib/python3.11/site-packages/etc/app/app.conf" in found["app-1.0"]
    assert "../etc/y" in found["app-1.0"]
    assert not any("share/app" in p for p in found["app-1.0"])


def test_clean_venv_has_nothing(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    dist(venv, "app-1.0", ["app/__init__.py", "../../../bin/app"], "app")
    assert outside_prefix(venv) == {}
