"""Tests for dh_venv.tree.copy_tree with a link policy: nothing from outside the source tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.tree import Links, copy_tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A source package tree with the project in app/, shared data beside it, a secret outside."""
    root = tmp_path / "src"
    (root / "app/pkg").mkdir(parents=True)
    (root / "app/pkg/data.txt").write_text("data\n")
    (root / "common").mkdir()
    (root / "common/shared.txt").write_text("shared\n")
    (tmp_path / "secret").write_text("secret\n")
    return root


def copy(tree: Path, dest: Path, allowed: frozenset[str] = frozenset()) -> list[Path]:
    return copy_tree(tree / "app", dest, links=Links(tree, tree / "app", allowed, "debian/p.venv-links"))


def test_link_inside_the_project_stays_a_link(tree: Path, tmp_path: Path) -> None:
    (tree / "app/pkg/alias.txt").symlink_to("data.txt")
    copy(tree, tmp_path / "out")
    assert os.readlink(tmp_path / "out/pkg/alias.txt") == "data.txt"


def test_link_elsewhere_in_the_tree_becomes_its_content(tree: Path, tmp_path: Path) -> None:
    (tree / "app/pkg/shared.txt").symlink_to("../../common/shared.txt")
    (tree / "app/pkg/common").symlink_to(tree / "common")
    copy(tree, tmp_path / "out")
    assert not (tmp_path / "out/pkg/shared.txt").is_symlink()
    assert (tmp_path / "out/pkg/shared.txt").read_text() == "shared\n"
    assert (tmp_path / "out/pkg/common/shared.txt").read_text() == "shared\n"


@pytest.mark.parametrize("target", ["/etc/hostname", "../../../secret", "../../../nothing-there"])
def test_link_out_of_the_tree_is_refused(tree: Path, tmp_path: Path, target: str) -> None:
    (tree / "app/pkg/x").symlink_to(target)
    with pytest.raises(DhVenvError) as info:
        copy(tree, tmp_path / "out")
    assert str(info.value) == (
        f"the symlink {tree}/app/pkg/x points to {target}, outside the source tree {tree}; the build would ship "
        "its content from the build machine; replace the link by the file, or list pkg/x in debian/p.venv-links "
        "if that content is meant to ship"
    )


def test_allowed_link_out_of_the_tree_ships_its_content(tree: Path, tmp_path: Path) -> None:
    (tree / "app/pkg/x").symlink_to("../../../secret")
    copy(tree, tmp_path / "out", frozenset({"pkg/x"}))
    assert (tmp_path / "out/pkg/x").read_text() == "secret\n"


def test_dangling_link_in_the_tree_is_skipped_and_a_loop_refused(tree: Path, tmp_path: Path) -> None:
    (tree / "app/pkg/gone").symlink_to(tree / "common/gone.txt")
    assert copy(tree, tmp_path / "out") == [tree / "app/pkg/gone"]
    (tree / "app/pkg/loop").symlink_to(tree / "app")
    with pytest.raises(DhVenvError) as info:
        copy(tree, tmp_path / "out2")
    assert "a directory that contains it" in str(info.value)
