"""Tests for dh_venv.tree: copying and reading trees with odd files."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from dh_venv import tree
from dh_venv.errors import DhVenvError


def odd_tree(root: Path) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/mod.py").write_text("x = 1\n")
    (root / "link").symlink_to("pkg/mod.py")
    os.mkfifo(root / "pipe")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock")
    finally:
        os.chdir(cwd)
    Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9.txt")).write_text("latin-1 name\n")


def test_copy_skips_special_files_and_keeps_the_rest(tmp_path: Path) -> None:
    src = tmp_path / "src"
    odd_tree(src)
    skipped = tree.copy_tree(src, tmp_path / "dest")
    assert sorted(p.name for p in skipped) == ["pipe", "sock"]
    dest = tmp_path / "dest"
    assert (dest / "pkg/mod.py").read_text() == "x = 1\n"
    assert os.readlink(dest / "link") == "pkg/mod.py"
    assert os.fsencode(dest) + b"/caf\xe9.txt" in [
        os.path.join(os.fsencode(dest), n) for n in os.listdir(os.fsencode(dest))
    ]
    assert not (dest / "pipe").exists() and not (dest / "sock").exists()


def test_copy_honours_ignore(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "keep").mkdir(parents=True)
    (src / "drop").mkdir()
    tree.copy_tree(src, tmp_path / "dest", lambda here, names: {"drop"} if here == src else set())
    assert sorted(os.listdir(tmp_path / "dest")) == ["keep"]


def test_kind_names_special_files() -> None:
    assert tree.kind(stat.S_IFIFO | 0o644) == "named pipe"
    assert tree.kind(stat.S_IFCHR | 0o600) == "character device"
    assert tree.kind(stat.S_IFREG | 0o644) is None


def test_read_text_keeps_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "reqs.txt"
    path.write_bytes(b"# caf\xe9\nsix\n")
    text = tree.read_text(path)
    tree.write_text(tmp_path / "out.txt", text)
    assert (tmp_path / "out.txt").read_bytes() == b"# caf\xe9\nsix\n"


def test_read_text_refuses_a_pipe(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "reqs.txt")
    with pytest.raises(DhVenvError, match="is a named pipe, not a regular file"):
        tree.read_text(tmp_path / "reqs.txt")


def test_unreadable_names_file_and_user(tmp_path: Path) -> None:
    error = tree.unreadable(tmp_path / ".env", PermissionError(13, "Permission denied"))
    assert error.message.startswith(f"cannot read {tmp_path / '.env'} as user ")
    assert "(uid " in error.message and error.message.endswith(": Permission denied")
