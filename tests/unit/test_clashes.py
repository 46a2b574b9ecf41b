"""Tests for dh_venv.expose.clashes: console scripts that would break the system or the venv."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.expose import clashes
from dh_venv.runner import Runner

VENV = PurePosixPath("/opt/venvs/demo")


def runner() -> Runner:
    return Runner(log=[].append)


def links(**names: str) -> dict[PurePosixPath, PurePosixPath]:
    return {PurePosixPath(link): VENV / "bin" / script for script, link in names.items()}


def test_twins_cover_merged_usr_and_path() -> None:
    twins = clashes._twins(PurePosixPath("/usr/bin/foo"))
    assert twins[:2] == [PurePosixPath("/usr/bin/foo"), PurePosixPath("/bin/foo")]
    assert PurePosixPath("/usr/sbin/foo") in twins and PurePosixPath("/sbin/foo") in twins
    assert clashes._twins(PurePosixPath("/opt/tools/foo")) == [PurePosixPath("/opt/tools/foo")]


def hostname_path() -> str:
    """Where dpkg says package hostname ships the command: /bin on bookworm, /usr/bin on trixie."""
    listed = subprocess.run(["dpkg", "-L", "hostname"], check=True, capture_output=True, text=True).stdout
    return next(line for line in listed.splitlines() if line.endswith("bin/hostname"))


def test_owners_reads_dpkg_database() -> None:
    owned = PurePosixPath(hostname_path())
    found = clashes.owners([owned, PurePosixPath("/usr/bin/no-such-cmd-xyz")], runner())
    assert found == {owned: ["hostname"]}


def test_command_of_another_package_is_refused() -> None:
    with pytest.raises(DhVenvError) as info:
        clashes.check_links(links(demo="/usr/bin/hostname"), VENV, runner())
    assert "console script demo would be linked as /usr/bin/hostname" in info.value.message
    owned = hostname_path()
    alias = "" if owned == "/usr/bin/hostname" else " (the same file on a merged-/usr system)"
    assert f"but {owned}{alias} belongs to package hostname (essential)" in info.value.message
    assert info.value.hint and "--console-script=demo=OTHER-NAME" in info.value.hint


def test_same_name_elsewhere_on_path_is_refused() -> None:
    with pytest.raises(DhVenvError, match=r"/bin/hostname \(a command of the same name on PATH\)"):
        clashes.check_links(links(demo="/usr/sbin/hostname"), VENV, runner())


def test_own_packages_may_own_the_path() -> None:
    clashes.check_links(links(demo="/usr/bin/hostname-xyz-free"), VENV, runner())
    with pytest.raises(DhVenvError, match="relies on"):
        # hostname is essential whoever owns it.
        clashes.check_links(links(demo="/usr/bin/hostname"), VENV, runner(), own_packages=["hostname"])


@pytest.mark.parametrize("name", ["sh", "python3", "sudo", "env"])
def test_essential_commands_are_refused_anywhere_on_path(name: str) -> None:
    with pytest.raises(DhVenvError):
        clashes.check_links(links(demo=f"/usr/local/bin/{name}"), VENV, runner())


def test_link_inside_the_venv_is_refused() -> None:
    with pytest.raises(DhVenvError, match="inside the venv itself"):
        clashes.check_links(links(demo="/opt/venvs/demo/bin/python3"), VENV, runner())


def test_alternatives_link_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = Path("/usr/bin/editor")
    if not (target.is_symlink() and str(target.readlink()).startswith("/etc/alternatives/")):
        pytest.skip("no editor alternative on this machine")
    with pytest.raises(DhVenvError, match=r"update-alternatives|belongs to package"):
        clashes.check_links(links(demo="/usr/bin/editor"), VENV, runner())


def make_venv(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    for name in ("python", "python3", "python3.11", "activate", "pip", "pip3"):
        (root / "bin" / name).write_text("")
    site = root / "lib/python3.11/site-packages"
    (site / "pip-23.0.1.dist-info").mkdir(parents=True)
    (site / "pip-23.0.1.dist-info/entry_points.txt").write_text("[console_scripts]\npip = pip:main\n")
    return root


def add_dist(root: Path, name: str, scripts: list[str]) -> None:
    info = root / f"lib/python3.11/site-packages/{name}-1.0.dist-info"
    info.mkdir()
    lines = "".join(f"{s} = x:main\n" for s in scripts)
    (info / "entry_points.txt").write_text(f"[console_scripts]\n{lines}")


@pytest.mark.parametrize("script", ["python", "python3", "python3.11", "python3.12", "activate", "pip3"])
def test_script_replacing_a_venv_file_is_refused(tmp_path: Path, script: str) -> None:
    venv = make_venv(tmp_path / "venv")
    seed = clashes.seed(venv)
    assert seed.dists == {"pip"}
    add_dist(venv, "demo_app", ["demo", script])
    with pytest.raises(DhVenvError, match=f"distribution demo_app 1.0 declares the console script {script},"):
        clashes.check_venv_scripts(venv, seed)


def test_seed_packages_and_other_scripts_pass(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    seed = clashes.seed(venv)
    add_dist(venv, "demo_app", ["demo", "pythonista"])
    clashes.check_venv_scripts(venv, seed)


def test_duplicate_links_across_packages() -> None:
    link = PurePosixPath("/usr/bin/demo")
    clashes.duplicate_links({"a": [link], "b": [PurePosixPath("/usr/bin/other")]})
    with pytest.raises(DhVenvError, match="/usr/bin/demo would be linked by both a and b") as info:
        clashes.duplicate_links({"a": [link], "b": [link]})
    assert info.value.package == "b"


def test_owners_answer_is_kept_until_dpkg_database_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dh_venv import caches

    database = ["one"]
    monkeypatch.setattr(caches, "dpkg_database", lambda: tuple(database))
    lines: list[str] = []
    verbose = Runner(log=lines.append, verbose=True)
    paths = [PurePosixPath("/usr/bin/dpkg"), PurePosixPath("/usr/bin/no-such-cmd-xyz")]
    asked = "\tdpkg-query -S /usr/bin/dpkg /usr/bin/no-such-cmd-xyz"
    first = clashes.owners(paths, verbose, tmp_path)
    assert first == {PurePosixPath("/usr/bin/dpkg"): ["dpkg"]} and lines == [asked]
    assert clashes.owners(paths, verbose, tmp_path) == first
    assert len(lines) == 2 and lines[1].startswith(f"{asked}: the answer kept in the cache (key ")
    database[0] = "two"  # a package installed or removed
    assert clashes.owners(paths, verbose, tmp_path) == first and lines[2] == asked


def test_dpkg_database_identity_names_its_files() -> None:
    from dh_venv import caches

    identity = caches.dpkg_database()
    assert identity[0] == caches.file_identity("/var/lib/dpkg/status")
    assert identity[3] == caches.file_identity("/var/lib/dpkg/info")
