"""Tests for dh_venv.compiled.stamp: what counts as a venv untouched since dh_venv scanned it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dh_venv.compiled import stamp

TOKEN = ["0123abcd"]
FINAL = "/opt/venvs/demo"
HOUR_AGO = time.time_ns() - 3600 * 10**9


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A venv as dh_venv leaves it: files written well before the stamp, a link, an empty-free tree."""
    venv = tmp_path / "debian/demo/opt/venvs/demo"
    (venv / "bin").mkdir(parents=True)
    (venv / "lib/site-packages/demo").mkdir(parents=True)
    (venv / "bin/demo").write_text("#!/opt/venvs/demo/bin/python\nimport demo\n")
    (venv / "lib/site-packages/demo/__init__.py").write_text("VALUE = 1\n")
    (venv / "lib/site-packages/demo/data.bin").write_bytes(b"\0" * 64)
    os.symlink("/usr/bin/python3", venv / "bin/python")
    for path in venv.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, ns=(HOUR_AGO, HOUR_AGO))
    return venv


def take(venv: Path) -> None:
    stamp.take(work(venv), TOKEN, build_dir(venv), venv, FINAL)


def unchanged(venv: Path, token: list[str] = TOKEN, build: Path | None = None) -> bool:
    return stamp.unchanged(work(venv), token, build or build_dir(venv), venv, FINAL)


def work(venv: Path) -> Path:
    return build_dir(venv) / "debian/.debhelper/dh_venv/demo"


def build_dir(venv: Path) -> Path:
    return venv.parents[4]


def test_an_untouched_venv_is_unchanged(tree: Path) -> None:
    assert not unchanged(tree)  # nothing recorded yet
    take(tree)
    assert unchanged(tree)
    recorded = json.loads((work(tree) / stamp.STAMPS).read_text())
    assert recorded["token"] == TOKEN
    assert recorded["venvs"][FINAL]["racy"] == {}


def _chmod(venv: Path) -> None:
    for path in venv.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def _set_aside_and_restore(venv: Path) -> None:
    aside = venv.parent / "aside"
    aside.mkdir()
    os.replace(venv / "lib/site-packages/demo/__init__.py", aside / "__init__.py")
    os.replace(aside / "__init__.py", venv / "lib/site-packages/demo/__init__.py")


def _link_again(venv: Path) -> None:
    (venv / "bin/python").unlink()
    os.symlink("/usr/bin/python3", venv / "bin/python")


@pytest.mark.parametrize(
    "change",
    [_chmod, _set_aside_and_restore, _link_again],
    ids=["dh_fixperms", "setaside-restore", "dh_link"],
)
def test_what_the_sequence_does_to_every_venv_changes_nothing(tree: Path, change: Callable[[Path], None]) -> None:
    take(tree)
    change(tree)
    assert unchanged(tree)


def _same_size_rewrite(venv: Path) -> None:
    (venv / "lib/site-packages/demo/__init__.py").write_text("VALUE = 2\n")


def _new_file(venv: Path) -> None:
    (venv / "bin/late").write_text("#!/build/debian/demo/opt/venvs/demo/bin/python\n")
    os.utime(venv / "bin/late", ns=(HOUR_AGO, HOUR_AGO))


def _appended(venv: Path) -> None:
    path = venv / "lib/site-packages/demo/data.bin"
    with path.open("ab") as fh:
        fh.write(b"/build")
    os.utime(path, ns=(HOUR_AGO, HOUR_AGO))


def _replaced(venv: Path) -> None:
    path = venv / "lib/site-packages/demo/data.bin"
    path.unlink()
    path.write_bytes(b"\1" * 64)
    # Another file's old time (cp -p): the freed inode may well be the new file's.
    os.utime(path, ns=(HOUR_AGO - 10**9, HOUR_AGO - 10**9))


def _removed(venv: Path) -> None:
    (venv / "lib/site-packages/demo/data.bin").unlink()


def _relinked(venv: Path) -> None:
    (venv / "bin/python").unlink()
    os.symlink("/build/debian/demo/usr/bin/python3", venv / "bin/python")


def _empty_directory(venv: Path) -> None:
    (venv / "lib/site-packages/demo/__pycache__").mkdir()


def _link_for_file(venv: Path) -> None:
    path = venv / "lib/site-packages/demo/data.bin"
    path.unlink()
    os.symlink("/build/data.bin", path)


@pytest.mark.parametrize(
    "change",
    [_same_size_rewrite, _new_file, _appended, _replaced, _removed, _relinked, _empty_directory, _link_for_file],
)
def test_what_an_override_does_is_seen(tree: Path, change: Callable[[Path], None]) -> None:
    take(tree)
    change(tree)
    assert not unchanged(tree)


def test_a_file_written_just_before_the_stamp_is_compared_by_content(tree: Path) -> None:
    module = tree / "lib/site-packages/demo/__init__.py"
    module.write_text("VALUE = 1\n")  # now: within the clock tick of the stamp
    take(tree)
    recorded = json.loads((work(tree) / stamp.STAMPS).read_text())
    assert list(recorded["venvs"][FINAL]["racy"]) == ["lib/site-packages/demo/__init__.py"]
    assert unchanged(tree)
    # The same size, inode and time, another content: only the hash tells.
    st = module.stat()
    with module.open("r+") as fh:
        fh.write("VALUE = 2\n")
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert module.stat().st_ino == st.st_ino
    assert not unchanged(tree)


def test_a_stamp_of_another_run_or_build_directory_counts_for_nothing(tree: Path) -> None:
    take(tree)
    assert not unchanged(tree, token=["another"])
    assert not unchanged(tree, build=build_dir(tree) / "elsewhere")
    (work(tree) / stamp.STAMPS).write_text("{damaged")
    assert not unchanged(tree)


def test_a_second_venv_keeps_the_first_ones_stamp(tree: Path) -> None:
    take(tree)
    other = tree.parent / "other"
    (other / "bin").mkdir(parents=True)
    stamp.take(work(tree), TOKEN, build_dir(tree), other, "/opt/venvs/other")
    assert unchanged(tree)
    assert stamp.unchanged(work(tree), TOKEN, build_dir(tree), other, "/opt/venvs/other")
    # A stamp of an earlier run is dropped, not merged.
    stamp.take(work(tree), ["next"], build_dir(tree), other, "/opt/venvs/other")
    assert not stamp.unchanged(work(tree), ["next"], build_dir(tree), tree, FINAL)


def test_an_unreadable_file_leaves_no_stamp(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    take(tree)
    module = tree / "lib/site-packages/demo/__init__.py"
    module.write_text("VALUE = 1\n")  # racy: read for its hash

    def unreadable(path: Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(stamp.tree, "sha256_of", unreadable)
    take(tree)
    assert json.loads((work(tree) / stamp.STAMPS).read_text())["venvs"] == {}
    assert not unchanged(tree)
