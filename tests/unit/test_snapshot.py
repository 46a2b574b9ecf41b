"""A venv tree kept in the cache and copied into place (dh_venv.installers.snapshot), as skeleton.py uses it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dh_venv.installers import snapshot
from dh_venv.runner import Runner

KEY = "k" * 64


def skeleton(build: Path, package: str = "app") -> Path:
    """A venv as virtualenv leaves it: pyvenv.cfg, an activate script naming it, an interpreter link."""
    venv = build / "debian" / package / "opt" / "venvs" / package
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.11.2.final.0\n")
    (venv / "bin" / "activate").write_text(f"VIRTUAL_ENV='{venv}'\n")
    (venv / "bin" / "python").symlink_to("/usr/bin/python3")
    return venv


def install(venv: Path) -> None:
    """What an installer adds: a package, and a console script whose #! names the venv."""
    site = venv / "lib" / "site-packages" / "mod"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("X = 1\n")
    (venv / "bin" / "tool").write_text(f"#!{venv}/bin/python\nimport mod\n")
    (venv / "bin" / "tool").chmod(0o755)


def tree(venv: Path) -> dict[str, tuple[str, int]]:
    """Every file's text (the venv's path written as <venv>) and mode."""
    out = {}
    for path in sorted(venv.rglob("*")):
        rel = str(path.relative_to(venv))
        if path.is_symlink():
            out[rel] = (os.readlink(path), 0)
        elif path.is_file():
            out[rel] = (path.read_text().replace(str(venv), "<venv>"), path.stat().st_mode & 0o777)
    return out


def runner(lines: list[str]) -> Runner:
    return Runner(log=lines.append, verbose=True)


def test_a_stored_venv_is_copied_into_another_directory_with_its_path_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = skeleton(tmp_path / "b1")
    key = KEY
    install(first)
    snapshot.store(cache, key, first, tmp_path / "b1")
    second = skeleton(tmp_path / "b2")
    lines: list[str] = []
    assert snapshot.restore(runner(lines), cache, key, second, tmp_path / "b2")
    assert lines == [f"\tcopied the venv virtualenv made in a previous build with the same inputs (key {key[:16]})"]
    assert tree(second) == tree(first)
    assert (second / "bin/tool").read_text().startswith(f"#!{second}/bin/python\n")
    assert [p.name for p in second.parent.iterdir()] == ["app"]
    assert list((tmp_path / "b2/debian/.debhelper").iterdir()) == []


def test_no_entry_leaves_the_skeleton_to_the_installer(tmp_path: Path) -> None:
    venv = skeleton(tmp_path / "b1")
    before = tree(venv)
    assert not snapshot.restore(runner([]), tmp_path / "cache", "k" * 64, venv, tmp_path / "b1")
    assert tree(venv) == before


def test_a_damaged_entry_is_removed_with_a_notice_and_the_skeleton_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = skeleton(tmp_path / "b1")
    key = KEY
    install(first)
    snapshot.store(cache, key, first, tmp_path / "b1")
    (cache / "skeletons" / key / "tree/lib/site-packages/mod/__init__.py").write_text("X = 2\n")
    second = skeleton(tmp_path / "b2")
    before = tree(second)
    lines: list[str] = []
    assert not snapshot.restore(runner(lines), cache, key, second, tmp_path / "b2")
    entry = cache / "skeletons" / key
    assert lines == [
        f"dh_venv: notice: removed the damaged venv cache entry {entry} "
        "(lib/site-packages/mod/__init__.py does not match its sha256); running virtualenv"
    ]
    assert not entry.exists() and tree(second) == before


def test_an_entry_naming_its_build_directory_elsewhere_is_not_used_in_another(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = skeleton(tmp_path / "b1")
    key = KEY
    install(first)
    # An editable install's .pth names the project in the build directory, not the venv.
    (first / "lib/site-packages/app.pth").write_text(f"{tmp_path / 'b1'}/src\n")
    snapshot.store(cache, key, first, tmp_path / "b1")
    second = skeleton(tmp_path / "b2")
    lines: list[str] = []
    assert not snapshot.restore(runner(lines), cache, key, second, tmp_path / "b2")
    assert lines == [f"\tthe cached venv (key {key[:16]}) names its build directory: running virtualenv"]
    assert not (second / "lib").exists()
    # In its own directory it is the same install.
    again = tmp_path / "b1/debian/app/opt/venvs/app"
    assert snapshot.restore(runner([]), cache, key, again, tmp_path / "b1")


def test_entries_record_their_files_and_only_the_most_recent_are_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    venv = skeleton(tmp_path / "b1")
    install(venv)
    for n in range(snapshot.KEEP + 2):
        key = f"{n:064x}"
        snapshot.store(cache, key, venv, tmp_path / "b1")
        os.utime(cache / "skeletons" / key, (n * 100, n * 100))
    kept = sorted(p.name for p in (cache / "skeletons").iterdir())
    assert kept == [f"{n:064x}" for n in range(2, snapshot.KEEP + 2)]
    meta = json.loads((cache / "skeletons" / kept[-1] / "entry.json").read_text())
    data = (venv / "bin/tool").read_bytes()
    assert meta["files"]["bin/tool"] == ["file", 0o755, hashlib.sha256(data).hexdigest()]
    assert meta["venv"] == str(venv) and meta["files"]["bin/python"] == ["link", 0, None]


def test_a_path_too_long_for_a_plain_shebang_is_never_stored(tmp_path: Path) -> None:
    venv = skeleton(tmp_path / ("x" * 120))
    assert not snapshot.reusable_path(venv)
    snapshot.store(tmp_path / "cache", "a" * 64, venv, tmp_path / ("x" * 120))
    assert not (tmp_path / "cache/skeletons").exists()
