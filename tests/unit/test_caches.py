"""Where the shared cache goes (dh_venv.caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.caches import cache_root
from dh_venv.errors import DhVenvError


def test_the_variable_wins_and_a_relative_path_is_taken_from_the_build_directory(tmp_path: Path) -> None:
    build = tmp_path / "pkg"
    home = {"HOME": str(tmp_path)}
    assert cache_root({**home, "DH_VENV_CACHE_DIR": "/var/cache/ci"}, build) == Path("/var/cache/ci")
    assert cache_root({**home, "DH_VENV_CACHE_DIR": "../cache"}, build) == build / "../cache"


def test_a_writable_home_gets_the_xdg_cache(tmp_path: Path) -> None:
    build = tmp_path / "pkg"
    assert cache_root({"HOME": str(tmp_path)}, build) == tmp_path / ".cache/dh-venv"
    xdg = {"HOME": str(tmp_path), "XDG_CACHE_HOME": "/srv/cache"}
    assert cache_root(xdg, build) == Path("/srv/cache/dh-venv")
    # A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    assert cache_root({"HOME": str(tmp_path), "XDG_CACHE_HOME": "rel"}, build) == build / (
        "debian/.debhelper/dh_venv/cache"
    )


@pytest.mark.parametrize("home", [None, "", "/sbuild-nonexistent", "/nonexistent"])
def test_no_usable_home_keeps_the_cache_in_the_build_tree(tmp_path: Path, home: str | None) -> None:
    env = {} if home is None else {"HOME": home}
    assert cache_root(env, tmp_path) == tmp_path / "debian/.debhelper/dh_venv/cache"


def test_a_read_only_home_keeps_the_cache_in_the_build_tree(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o555)
    if cache_root({"HOME": str(home)}, tmp_path) == home / ".cache/dh-venv":
        pytest.skip("root writes anywhere")  # the e2e tests run as root; a build user does not
    assert cache_root({"HOME": str(home)}, tmp_path) == tmp_path / "debian/.debhelper/dh_venv/cache"


def test_a_cache_in_a_staging_tree_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        cache_root({"DH_VENV_CACHE_DIR": "debian/pkg/cache"}, tmp_path)
    assert info.value.message == (
        "DH_VENV_CACHE_DIR=debian/pkg/cache is inside debian/, where a package's staging tree could ship it"
    )
    assert cache_root({"DH_VENV_CACHE_DIR": "debian/.debhelper/c"}, tmp_path) == tmp_path / "debian/.debhelper/c"


@pytest.mark.parametrize("chosen", ["cache", "./.cache/x", "{build}/cache"])
def test_a_cache_in_the_source_tree_is_refused(tmp_path: Path, chosen: str) -> None:
    chosen = chosen.format(build=tmp_path)
    with pytest.raises(DhVenvError) as info:
        cache_root({"DH_VENV_CACHE_DIR": chosen}, tmp_path)
    assert str(info.value) == (
        f"DH_VENV_CACHE_DIR={chosen} is inside the source tree {tmp_path}, so every build would copy it with the "
        "project; point DH_VENV_CACHE_DIR outside the source tree, or under debian/.debhelper/"
    )
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DhVenvError) as info:
        cache_root({"DH_VENV_CACHE_DIR": str(blocker / "cache")}, tmp_path / "src")
    assert info.value.message.startswith(
        f"DH_VENV_CACHE_DIR={blocker}/cache: the directory {blocker}/cache cannot be created or written by user "
    )


def test_an_answer_is_kept_until_what_it_depends_on_changes(tmp_path: Path) -> None:
    from dh_venv.caches import answer
    from dh_venv.runner import Runner

    asked: list[str] = []
    lines: list[str] = []
    runner = Runner(log=lines.append, verbose=True)

    def ask(value: str) -> str:
        asked.append(value)
        return value

    cache = tmp_path / "cache"
    assert answer(cache, ["q", 1], lambda: ask("one"), runner, "q") == "one"
    assert answer(cache, ["q", 1], lambda: ask("two"), runner, "q") == "one"
    assert asked == ["one"] and len(lines) == 1
    assert lines[0].startswith("\tq: the answer kept in the cache (key ")
    assert answer(cache, ["q", 2], lambda: ask("three"), runner, "q") == "three"
    # An input that could not be read, or no cache: always asked.
    assert answer(cache, ["q", None], lambda: ask("four"), runner, "q") == "four"
    assert answer(None, ["q", 1], lambda: ask("five"), runner, "q") == "five"
    assert asked == ["one", "three", "four", "five"]


def test_a_damaged_answer_is_removed_with_a_notice(tmp_path: Path) -> None:
    from dh_venv.caches import ANSWERS, answer
    from dh_venv.runner import Runner

    cache = tmp_path / "cache"
    lines: list[str] = []
    runner = Runner(log=lines.append)
    assert answer(cache, ["q"], lambda: "one", runner, "q") == "one"
    (entry,) = (cache / ANSWERS).iterdir()
    entry.write_text("{not json")
    assert answer(cache, ["q"], lambda: "two", runner, "q") == "two"
    assert len(lines) == 1 and lines[0].startswith(f"dh_venv: notice: removed the damaged cache entry {entry} (")
    assert lines[0].endswith("; asking again")
    assert answer(cache, ["q"], lambda: "three", runner, "q") == "two"


def test_file_identity_changes_when_a_file_is_replaced(tmp_path: Path) -> None:
    from dh_venv.caches import file_identity

    path = tmp_path / "python3.11"
    path.write_text("a")
    first = file_identity(path)
    replacement = tmp_path / "new"
    replacement.write_text("a")
    replacement.replace(path)  # as dpkg installs a new version
    assert file_identity(path) != first
    assert file_identity(tmp_path / "missing") is None
