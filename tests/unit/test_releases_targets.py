"""The supported releases and the release a .deb is for (dh_venv.releases.targets)."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.releases import targets
from dh_venv.runner import Runner

CSV = """\
version,codename,series,created,release,eol,eol-lts,eol-elts
11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30
12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30,2033-06-30
13,Trixie,trixie,2023-06-10,2025-08-09,2028-08-09,2030-06-30,2035-06-30
14,Forky,forky,2025-08-09
,Sid,sid,1993-08-16
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "debian.csv"
    path.write_text(CSV)
    return path


def _codenames(today: str, data: Path) -> list[str]:
    return [r.codename for r in targets.supported(datetime.date.fromisoformat(today), data)]


def test_supported_releases_are_released_and_not_past_their_lts_end(data: Path) -> None:
    assert _codenames("2026-12-05", data) == ["bookworm", "trixie"]
    # Before trixie's release only bookworm; after bookworm's LTS only trixie.
    assert _codenames("2025-01-01", data) == ["bookworm"]
    assert _codenames("2028-07-01", data) == ["trixie"]
    # Older than Debian 12 is never supported, even inside its LTS.
    assert "bullseye" not in _codenames("2024-01-01", data)


def test_a_release_without_a_known_end_is_supported(tmp_path: Path) -> None:
    path = tmp_path / "debian.csv"
    path.write_text(CSV.replace("14,Forky,forky,2025-08-09", "14,Forky,forky,2025-08-09,2027-08-01"))
    assert _codenames("2027-09-01", path) == ["bookworm", "trixie", "forky"]


def test_this_machines_distro_info_lists_releases() -> None:
    releases = targets.supported()
    assert releases and all(r.version >= targets.OLDEST for r in releases)
    host = targets.host_release()
    if host is not None:
        assert host in targets.names(releases), f"this machine's {host} is not supported today"


def test_an_unknown_release_names_the_supported_ones(data: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        targets.release_named("forky", datetime.date(2026, 12, 5), data)
    assert str(info.value) == f"'forky' is not a supported Debian release; give one of: bookworm, trixie (from {data})"
    assert targets.release_named("trixie", datetime.date(2026, 12, 5), data).version == 13


def test_missing_distro_info_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        targets.supported(data=tmp_path / "none.csv")
    assert str(info.value) == (
        f"cannot read {tmp_path / 'none.csv'}, the list of Debian releases (No such file or directory); "
        "apt-get install distro-info-data"
    )


def test_host_release_reads_os_release(tmp_path: Path) -> None:
    path = tmp_path / "os-release"
    path.write_text('PRETTY_NAME="Debian"\nID=debian\nVERSION_CODENAME=trixie\n')
    assert targets.host_release(path) == "trixie"
    path.write_text("ID=ubuntu\nVERSION_CODENAME=noble\n")
    assert targets.host_release(path) is None
    assert targets.host_release(tmp_path / "missing") is None


def _deb(tmp_path: Path, name: str, depends: str) -> Path:
    root = tmp_path / name
    (root / "DEBIAN").mkdir(parents=True)
    fields = f"Package: {name}\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\n"
    fields += f"Depends: {depends}\n" if depends else ""
    (root / "DEBIAN" / "control").write_text(fields + "Description: test\n")
    subprocess.run(["dpkg-deb", "--build", "-Zgzip", str(root), str(tmp_path)], check=True, capture_output=True)
    return tmp_path / f"{name}_1.0_all.deb"


def test_the_interpreter_a_deb_depends_on(tmp_path: Path) -> None:
    deb = _deb(tmp_path, "smk-a", "python3.98, libc6 (>= 2.3) | smk-python3.97, python3.96:any (>= 3.96.1), python3")
    assert targets.deb_interpreters(deb, Runner(log=print)) == {"python3.98", "python3.96"}


def _host(tmp_path: Path, release: str, interpreter: str) -> dict[str, Path]:
    (tmp_path / "os-release").write_text(f"ID=debian\nVERSION_CODENAME={release}\n")
    (tmp_path / interpreter).touch()
    (tmp_path / "python3").symlink_to(interpreter)
    return {"os_release": tmp_path / "os-release", "python3": tmp_path / "python3"}


def test_a_deb_for_the_machines_interpreter_is_for_its_release(tmp_path: Path) -> None:
    first = targets.supported()[0].codename
    host = _host(tmp_path, first, "python3.98")
    deb = _deb(tmp_path, "smk-b", "python3.98")
    assert targets.target_of([deb], Runner(log=print), {}, **host) == first  # type: ignore[arg-type]
    # --release wins, and is checked.
    assert targets.target_of([deb], Runner(log=print), {}, release=first) == first
    with pytest.raises(DhVenvError, match="'hamm' is not a supported Debian release"):
        targets.target_of([deb], Runner(log=print), {}, release="hamm")


def test_a_deb_without_interpreter_or_with_two_is_refused(tmp_path: Path) -> None:
    runner = Runner(log=print)
    plain = _deb(tmp_path, "smk-c", "libc6")
    with pytest.raises(DhVenvError) as info:
        targets.target_of([plain], runner, {})
    assert str(info.value) == (
        "smk-c_1.0_all.deb depend on no python3.X interpreter, so their Debian release is unknown; "
        "say which release they are for with --release"
    )
    other = _deb(tmp_path, "smk-d", "python3.97")
    first = _deb(tmp_path, "smk-e", "python3.98")
    with pytest.raises(DhVenvError) as info:
        targets.target_of([first, other], runner, {})
    assert str(info.value) == (
        "the packages are for different releases: smk-d_1.0_all.deb on python3.97; smk-e_1.0_all.deb on python3.98; "
        "give the packages of one release"
    )
