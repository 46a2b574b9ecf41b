"""Tests for dh_venv.compiled.prebuilt: provenance, setting files aside and restoring them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from dh_venv.compiled import aside, prebuilt
from dh_venv.errors import DhVenvError

SITE = "opt/venvs/app/lib/python3.11/site-packages"


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def install(site: Path, name: str, tag: str, files: dict[str, bytes]) -> None:
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")
    rows = []
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(f"{rel},{_hash(data)},{len(data)}")
    rows.append(f"{name}-1.0.dist-info/RECORD,,")
    (dist_info / "RECORD").write_text("\n".join(rows) + "\n")


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    root = tmp_path / "debian/app"
    site = root / SITE
    install(site, "wheel_lib", "cp311-cp311-manylinux_2_17_x86_64", {"wl/_x.so": b"\x7fELF1", "wl.libs/l.so": b"l"})
    install(site, "from_sdist", "cp311-cp311-linux_x86_64", {"fs/_y.so": b"\x7fELF2"})
    install(site, "reported", "cp311-cp311-linux_x86_64", {"rp/_z.so": b"\x7fELF3", "../../../bin/tool": b"#!x"})
    install(site, "changed", "py3-none-any", {"ch/a.py": b"old"})
    (site / "ch/a.py").write_bytes(b"rewritten by finalize or an override")
    return root


def _state() -> prebuilt.State:
    return prebuilt.State(venvs=["/opt/venvs/app"], downloaded=["reported"])


def test_read_reports(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(
        json.dumps(
            {
                "install": [
                    {"metadata": {"name": "Pillow"}, "download_info": {"url": "https://x/pillow-10.2.0-cp311.whl"}},
                    {"metadata": {"name": "psycopg2"}, "download_info": {"url": "https://x/psycopg2-2.9.9.tar.gz"}},
                    {"metadata": {"name": "my_app"}, "download_info": {"url": "file:///src", "dir_info": {}}},
                ]
            }
        )
    )
    state = prebuilt.read_reports([report, tmp_path / "missing.json"])
    assert state.downloaded == ["pillow"]
    assert state.built_here == ["psycopg2", "my-app"]


def test_prebuilt_files(staging: Path) -> None:
    files = [p.relative_to(staging) for p, _ in prebuilt.prebuilt_files(staging, _state())]
    # manylinux tag, or a report that says "downloaded"; never a file that no longer matches RECORD.
    assert [str(p) for p in files] == [
        "opt/venvs/app/bin/tool",
        f"{SITE}/rp/_z.so",
        f"{SITE}/wl/_x.so",
        f"{SITE}/wl.libs/l.so",
    ]


def test_built_here_wins_over_the_tag(staging: Path) -> None:
    state = _state()
    state.built_here = ["wheel-lib"]
    files = [p.name for p, _ in prebuilt.prebuilt_files(staging, state)]
    assert files == ["tool", "_z.so"]


def test_set_aside_and_restore(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (staging / SITE / "wl/_x.so").chmod(0o775)
    (staging / "opt/venvs/app/bin/tool").chmod(0o777)
    assert aside.set_aside(staging, work, _state(), []) == 4
    assert not (staging / SITE / "wl/_x.so").exists()
    assert (staging / SITE / "fs/_y.so").exists()
    restored = aside.restore(staging, work, [])
    assert len(restored) == 4
    assert (staging / SITE / "wl/_x.so").read_bytes() == b"\x7fELF1"
    # dh_fixperms did not see them: their modes are set as it would have.
    assert (staging / SITE / "wl/_x.so").stat().st_mode & 0o777 == 0o644
    assert (staging / "opt/venvs/app/bin/tool").stat().st_mode & 0o777 == 0o755
    assert not (work / aside.MANIFEST).exists()
    assert aside.restore(staging, work, []) == []


def test_a_directory_of_prebuilt_files_only_moves_whole(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (staging / SITE / "wl/sub").mkdir()
    (staging / SITE / "wl/sub").chmod(0o775)
    (staging / SITE / "wl/sub/empty").mkdir()  # holds no file: wl is not moved whole
    (staging / SITE / "rp/sub").mkdir()
    _record(staging, "reported", {"rp/sub/data.bin": b"d"})
    (staging / SITE / "rp/sub").chmod(0o775)
    aside.set_aside(staging, work, _state(), [])
    vias = {e["path"]: e.get("via") for e in json.loads((work / aside.MANIFEST).read_text())}
    assert vias == {
        "opt/venvs/app/bin/tool": "opt/venvs/app/bin",
        f"{SITE}/rp/_z.so": f"{SITE}/rp",
        f"{SITE}/rp/sub/data.bin": f"{SITE}/rp",
        f"{SITE}/wl.libs/l.so": f"{SITE}/wl.libs",
        f"{SITE}/wl/_x.so": None,
    }
    assert not (staging / SITE / "rp").exists() and not (staging / "opt/venvs/app/bin").exists()
    assert (staging / SITE / "wl/sub/empty").is_dir() and (staging / SITE / "fs/_y.so").is_file()
    assert len(aside.restore(staging, work, [])) == 5
    assert (staging / SITE / "rp/sub/data.bin").read_bytes() == b"d"
    # dh_fixperms did not see the directories either.
    assert (staging / SITE / "rp/sub").stat().st_mode & 0o777 == 0o755
    assert not (work / aside.ASIDE).exists()


def _record(site_root: Path, name: str, files: dict[str, bytes]) -> None:
    """Add ``files`` to the installed distribution ``name`` (its RECORD too)."""
    site = site_root / SITE
    record = site / f"{name}-1.0.dist-info/RECORD"
    rows = record.read_text().splitlines()
    for rel, data in files.items():
        (site / rel).write_bytes(data)
        rows.insert(0, f"{rel},{_hash(data)},{len(data)}")
    record.write_text("\n".join(rows) + "\n")


def test_set_aside_twice_restores_first(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    aside.set_aside(staging, work, _state(), [])
    assert aside.set_aside(staging, work, _state(), []) == 4
    assert len(aside.restore(staging, work, [])) == 4


def test_restore_refuses_a_changed_file(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    aside.set_aside(staging, work, _state(), [])
    (work / aside.ASIDE / SITE / "wl/_x.so").write_bytes(b"stripped")
    with pytest.raises(DhVenvError) as info:
        aside.restore(staging, work, [])
    assert info.value.message == (
        f"prebuilt file {SITE}/wl/_x.so was changed or removed while set aside in {work / aside.ASIDE}"
    )


def test_restore_refuses_to_overwrite(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    aside.set_aside(staging, work, _state(), [])
    (staging / SITE / "wl").mkdir()  # it moved whole
    (staging / SITE / "wl/_x.so").write_bytes(b"new")
    with pytest.raises(DhVenvError) as info:
        aside.restore(staging, work, [])
    assert info.value.message == f"{staging / SITE / 'wl/_x.so'} was recreated while the prebuilt file was set aside"


def test_state_round_trip_and_merge(tmp_path: Path) -> None:
    state = prebuilt.State(venvs=["/opt/venvs/a"], built_here=["x"])
    state.save(tmp_path)
    loaded = prebuilt.State.load(tmp_path, [])
    assert loaded == state
    loaded.merge(prebuilt.State(venvs=["/opt/venvs/a", "/opt/venvs/b"], recommends=["libpq5"]))
    assert loaded.venvs == ["/opt/venvs/a", "/opt/venvs/b"]
    assert loaded.recommends == ["libpq5"]
    assert prebuilt.State.load(tmp_path / "none", []) is None


def test_refresh_records_of_what_was_built_here(staging: Path) -> None:
    site = staging / SITE
    stripped = b"\x7fELF2 stripped"
    (site / "fs/_y.so").write_bytes(stripped)
    (site / "wl/_x.so").write_bytes(b"\x7fELF1 changed")  # prebuilt: its RECORD is not touched
    records = prebuilt.refresh_records(staging, _state())
    assert records == [site / "from_sdist-1.0.dist-info/RECORD"]
    row = (site / "from_sdist-1.0.dist-info/RECORD").read_text().splitlines()[0]
    assert row == f"fs/_y.so,{_hash(stripped)},{len(stripped)}"
    assert prebuilt.refresh_records(staging, _state()) == []


@pytest.mark.parametrize(
    ("tag", "portable"),
    [
        ("cp311-cp311-manylinux_2_17_x86_64", True),
        # maturin and others write the compressed tag set of the file name into WHEEL.
        ("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", True),
        ("cp311-cp311-musllinux_1_1_x86_64", True),
        ("py3-none-any", True),
        ("cp311-cp311-linux_x86_64", False),
        ("cp311-cp311-manylinux_2_17_x86_64.linux_x86_64", False),
    ],
)
def test_portable_platform_tags(tmp_path: Path, tag: str, portable: bool) -> None:
    install(tmp_path, "d", tag, {})
    dist = prebuilt.Distribution("d", tmp_path / "d-1.0.dist-info")
    assert prebuilt.is_prebuilt(dist, prebuilt.State()) is portable


def test_kill_inside_set_aside_is_finished_by_restore(staging: Path, tmp_path: Path) -> None:
    """The list is written before the first file moves: a kill after one move leaves what restore needs."""
    work = tmp_path / "work"
    before = {p: p.read_bytes() for p in staging.rglob("*") if p.is_file()}
    aside.set_aside(staging, work, _state(), [])
    # As if killed after the first move: every other file moves back by hand.
    moved = sorted(p for p in (work / aside.ASIDE).rglob("*") if p.is_file())
    for path in moved[1:]:
        target = staging / path.relative_to(work / aside.ASIDE)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    assert len(aside.restore(staging, work, [])) == 4
    assert {p: p.read_bytes() for p in staging.rglob("*") if p.is_file()} == before


def test_corrupt_list_is_discarded_and_the_files_come_back(staging: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    before = {p: p.read_bytes() for p in staging.rglob("*") if p.is_file()}
    aside.set_aside(staging, work, _state(), [])
    (work / aside.MANIFEST).write_text("")  # what a full disk left before writes were atomic
    notes: list[str] = []
    assert len(aside.restore(staging, work, notes)) == 4
    assert notes == [f"{work / aside.MANIFEST} is corrupt (an interrupted write?); discarded it"]
    assert {p: p.read_bytes() for p in staging.rglob("*") if p.is_file()} == before


def test_state_of_an_earlier_sequence_is_discarded(tmp_path: Path) -> None:
    from dh_venv.compiled import state

    work = state.work_dir(tmp_path, "demo")
    notes: list[str] = []
    state.begin(tmp_path, "demo", notes)
    saved = state.State(venvs=["/opt/venvs/demo"])
    state.stamp(tmp_path, "demo", saved)
    saved.save(work)
    (work / state.ASIDE).mkdir()
    assert state.current(tmp_path, "demo", notes) == saved and notes == []
    # dh_prep of the next run of the sequence removes the token.
    shutil.rmtree(tmp_path / "debian/.debhelper/generated/demo")
    assert state.current(tmp_path, "demo", notes) is None
    assert notes == [f"{work / state.STATE} belongs to an earlier build (dh_prep ran since dh_venv); discarded {work}"]
    assert list(work.iterdir()) == []
    saved.save(work)
    notes.clear()
    state.begin(tmp_path, "demo", notes)
    assert notes == [f"the state of an earlier build of demo that did not finish is left; discarded {work}"]
    (work / state.STATE).write_text("{")
    notes.clear()
    assert state.current(tmp_path, "demo", notes) is None
    assert notes == [f"{work / state.STATE} is corrupt (an interrupted write?); discarded it"]


def test_restore_reports_hashes_and_kinds_and_sees_a_rewrite_that_kept_size_and_time(
    staging: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    aside.set_aside(staging, work, _state(), [])
    entries = json.loads((work / aside.MANIFEST).read_text())
    assert {e["path"]: e["elf"] for e in entries}[f"{SITE}/wl/_x.so"] is True
    known: dict[Path, tuple[str, bool | None]] = {}
    aside.restore(staging, work, [], known)
    assert known[staging / SITE / "wl/_x.so"] == (_hash(b"\x7fELF1"), True)
    assert known[staging / SITE / "wl.libs/l.so"] == (_hash(b"l"), False)

    # Same size, same modification time, other bytes: the inode change time gives it away, the hash decides.
    aside.set_aside(staging, work, _state(), [])
    waiting = work / aside.ASIDE / SITE / "wl/_x.so"
    before = waiting.stat()
    waiting.write_bytes(b"\x7fELF9")
    os.utime(waiting, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(DhVenvError) as info:
        aside.restore(staging, work, [])
    assert info.value.message == (
        f"prebuilt file {SITE}/wl/_x.so was changed or removed while set aside in {work / aside.ASIDE}"
    )


def test_whole_directories(tmp_path: Path) -> None:
    for rel in ("a/x", "a/b/y", "c/z", "c/other", "d/w", "e/v", "f/g/u"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    os.symlink("w", tmp_path / "d/link")  # a link is never set aside
    os.mkfifo(tmp_path / "e/fifo")
    moving = ["a/x", "a/b/y", "c/z", "d/w", "e/v", "f/g/u"]
    # c holds a file that stays; f/g is whole, and so f, which holds nothing else.
    assert aside.whole_directories(tmp_path, moving) == {"a", "a/b", "f", "f/g"}
