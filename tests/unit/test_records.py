"""Tests for dh_venv.relocate.outside: files meant for outside the venv."""

from __future__ import annotations

import os
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


def test_real_paths_as_realpath_gives_them(tmp_path: Path) -> None:
    """The remembered directory lookups of outside_prefix give what os.path.realpath gives."""
    from dh_venv.relocate.outside import _real

    venv = tmp_path / "venv"
    (venv / "lib" / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (venv / "lib" / "pkg" / "sub" / "mod.py").write_text("")
    (venv / "lib64").symlink_to("lib")
    (venv / "lib" / "out").symlink_to(tmp_path / "elsewhere")
    (venv / "lib" / "pkg" / "link.py").symlink_to("sub/mod.py")
    (venv / "lib" / "pkg" / "away.py").symlink_to(tmp_path / "elsewhere" / "x.py")
    resolved = {str(venv): os.path.realpath(venv)}
    for rel in ("lib64/pkg/sub/mod.py", "lib/out/y.py", "lib/pkg/link.py", "lib/pkg/away.py", "lib/missing/z.py"):
        path = os.path.normpath(os.path.join(venv, rel))
        assert _real(path, resolved) == os.path.realpath(path), rel
