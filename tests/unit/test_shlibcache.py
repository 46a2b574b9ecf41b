"""Tests for dh_venv.compiled.shlibcache: the key, the entries, and dh_venv_restore reusing them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.compiled import setaside, shlibcache, shlibs
from dh_venv.runner import Runner

LIB = PurePosixPath("/opt/venvs/t/lib/python3.11/site-packages/t.libs")
FILES = [(PurePosixPath("/opt/venvs/t/x.so"), "sha256=abc"), (PurePosixPath("/opt/venvs/t/y.so"), "sha256=def")]


def test_the_key_changes_with_every_input_and_not_with_order() -> None:
    base = shlibcache.key(FILES, [LIB], [LIB / "l.so.1"], [["a", 1]])
    assert shlibcache.key(list(reversed(FILES)), [LIB], [LIB / "l.so.1"], [["a", 1]]) == base
    changed = [
        shlibcache.key([FILES[0], (FILES[1][0], "sha256=xyz")], [LIB], [LIB / "l.so.1"], [["a", 1]]),
        shlibcache.key([FILES[0], (PurePosixPath("/opt/venvs/t/z.so"), "sha256=def")], [LIB], [LIB / "l.so.1"], []),
        shlibcache.key(FILES[:1], [LIB], [LIB / "l.so.1"], [["a", 1]]),
        shlibcache.key(FILES, [], [LIB / "l.so.1"], [["a", 1]]),
        shlibcache.key(FILES, [LIB], [LIB / "l.so.2"], [["a", 1]]),
        shlibcache.key(FILES, [LIB], [LIB / "l.so.1"], [["a", 2]]),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_system_data_follows_the_build_tree_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "debian/t/DEBIAN").mkdir(parents=True)
    before = shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "amd64"})
    assert shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "amd64"}) == before
    assert shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "i386"}) != before
    (tmp_path / "debian/shlibs.local").write_text("libz 1 zlib1g (>= 1:1.2)\n")
    with_local = shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "amd64"})
    assert with_local != before
    (tmp_path / "debian/shlibs.local").write_text("libz 1 zlib1g (>= 1:1.3)\n")
    assert shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "amd64"}) != with_local
    (tmp_path / "debian/t/DEBIAN/shlibs").write_text("libt 1 t\n")
    assert shlibcache.system_data(tmp_path, {"DEB_HOST_ARCH": "amd64"}) not in (before, with_local)
    # The installed packages' shlibs and symbols files, and dpkg-dev's own file list, are part of it.
    names = {str(item[0]) for item in before if isinstance(item, list)}
    assert "/var/lib/dpkg/info/dpkg-dev.list" in names
    assert any(n.endswith(".symbols") for n in names) and any(n.endswith(".shlibs") for n in names)


def test_store_and_lookup(tmp_path: Path) -> None:
    notes: list[str] = []
    assert shlibcache.lookup(tmp_path, "ab" * 32, notes) is None
    path = shlibcache.store(tmp_path, "ab" * 32, "libc6 (>= 2.34)")
    assert path == tmp_path / "shlibdeps/ab" / f"{'ab' * 32}.json"
    assert shlibcache.lookup(tmp_path, "ab" * 32, notes) == "libc6 (>= 2.34)"
    assert shlibcache.lookup(tmp_path, "cd" * 32, notes) is None
    assert notes == []
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("text", ["{not json", '{"key": "other", "depends": ""}', '{"key": "KEY"}', "[]"])
def test_a_corrupt_entry_is_discarded_with_a_notice(tmp_path: Path, text: str) -> None:
    digest = "ef" * 32
    path = shlibcache.entry_path(tmp_path, digest)
    path.parent.mkdir(parents=True)
    path.write_text(text.replace("KEY", digest))
    notes: list[str] = []
    assert shlibcache.lookup(tmp_path, digest, notes) is None
    assert notes == [f"the cached dependencies {path} are corrupt (an interrupted write?); discarded them"]
    assert not path.exists()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A package build tree: an extension linked against a bundled library that needs libz."""
    root = tmp_path / "b"
    (root / "debian").mkdir(parents=True)
    (root / "debian/control").write_text("Source: t\n\nPackage: t\nArchitecture: any\n")
    libs = root / "debian/t" / str(LIB).lstrip("/")
    libs.mkdir(parents=True)
    (root / "l.c").write_text('#include <zlib.h>\nint l(void) { return (int)crc32(0, (void*)"", 0); }\n')
    (root / "e.c").write_text("int l(void);\nint e(void) { return l(); }\n")
    gcc = ["gcc", "-shared", "-fPIC"]
    subprocess.run([*gcc, "-Wl,-soname,libl-1.so.1", "-o", libs / "libl-1.so.1", "l.c", "-lz"], cwd=root, check=True)
    (libs.parent / "t").mkdir()
    ext = libs.parent / "t" / "e.so"
    subprocess.run([*gcc, "-o", ext, "e.c", f"-L{libs}", "-l:libl-1.so.1"], cwd=root, check=True)
    return root


def _depends(tree: Path, cache: Path) -> tuple[str, list[str], list[str]]:
    """dh_venv_restore's dependency step over the tree's ELF files: (clause, verbose lines, notes)."""
    lines: list[str] = []
    notes: list[str] = []
    staging = tree / "debian/t"
    files = sorted(p for p in staging.rglob("*.so*"))
    env = {"DH_VENV_CACHE_DIR": str(cache), "DEB_HOST_ARCH": "amd64"}
    runner = Runner(log=lines.append, verbose=True)
    clause = setaside._depends("t", tree, staging, [staging / "opt/venvs/t"], files, {}, runner, env, notes)
    return clause, lines, notes


def test_restore_reuses_the_result_until_a_file_or_the_shlibs_data_changes(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, lines, _ = _depends(tree, cache)
    assert [shlibs.names(i).pop() for i in shlibs.split(first)] == ["zlib1g"]
    assert any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)
    [entry] = list((cache / "shlibdeps").rglob("*.json"))
    assert json.loads(entry.read_text())["depends"] == first

    again, lines, _ = _depends(tree, cache)
    assert again == first
    assert not any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)
    assert f"\tdependencies of 2 prebuilt ELF file(s) reused from {entry} " in "\n".join(lines)

    # debian/shlibs.local is shlibs data dpkg-shlibdeps reads first: the result is computed again, and differs.
    (tree / "debian/shlibs.local").write_text("libz 1 zlib1g-rest (>= 9)\n")
    local, lines, _ = _depends(tree, cache)
    assert local == "zlib1g-rest (>= 9)"
    assert any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)
    (tree / "debian/shlibs.local").unlink()

    # A changed file is another key; the same bytes again find the first entry.
    ext = tree / "debian/t/opt/venvs/t/lib/python3.11/site-packages/t/e.so"
    original = ext.read_bytes()
    ext.write_bytes(original + b"\0")
    changed, lines, _ = _depends(tree, cache)
    assert changed == first and any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)
    ext.write_bytes(original)
    _, lines, _ = _depends(tree, cache)
    assert not any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)


def test_a_corrupt_entry_is_recomputed_and_replaced(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _, _ = _depends(tree, cache)
    [entry] = list((cache / "shlibdeps").rglob("*.json"))
    entry.write_text('{"key": "trunc')
    again, lines, notes = _depends(tree, cache)
    assert again == first
    assert notes == [f"the cached dependencies {entry} are corrupt (an interrupted write?); discarded them"]
    assert any(line.strip().startswith("dpkg-shlibdeps ") for line in lines)
    assert json.loads(entry.read_text())["depends"] == first


def test_an_unwritable_cache_only_costs_a_notice(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "shlibdeps").write_text("a file where the entries' directory belongs (root may write anywhere else)")
    first, _, notes = _depends(tree, cache)
    assert [shlibs.names(i).pop() for i in shlibs.split(first)] == ["zlib1g"]
    assert len(notes) == 1 and notes[0].startswith("cannot cache the dependencies of the prebuilt files in ")


def test_system_data_is_the_same_for_a_copy_of_the_tree(tmp_path: Path) -> None:
    for tree in ("a", "b"):
        (tmp_path / tree / "debian").mkdir(parents=True)
        (tmp_path / tree / "debian/shlibs.local").write_text("libz 1 zlib1g\n")
    assert shlibcache.system_data(tmp_path / "a", {}) == shlibcache.system_data(tmp_path / "b", {})
