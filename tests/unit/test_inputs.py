"""Tests for dh_venv.inputs.collect, its wheelhouse, VCS and requirements helpers, and the network helpers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dh_venv import interpreter
from dh_venv.errors import DhVenvError
from dh_venv.inputs import Sources, requirements, vcs, wheelhouse
from dh_venv.inputs import collect as inputs
from dh_venv.installers.index import check_reachable, expand_url
from dh_venv.runner import Runner, redact
from dh_venv.settings import Settings


def test_choose_lock_precedence(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text("")
    (tmp_path / "uv.lock").write_text("")
    (tmp_path / "requirements.txt").write_text("six\n")
    assert inputs.choose_lock(tmp_path, None, True, None) == tmp_path / "uv.lock"
    assert inputs.choose_lock(tmp_path, "poetry.lock", True, None) == tmp_path / "poetry.lock"
    # --requirements and --no-lock both mean: no lock file.
    assert inputs.choose_lock(tmp_path, None, True, ("requirements.txt",)) is None
    assert inputs.choose_lock(tmp_path, None, False, None) is None
    with pytest.raises(DhVenvError) as info:
        inputs.choose_lock(tmp_path, "nope.lock", True, None)
    assert info.value.message == f"lock file {tmp_path}/nope.lock does not exist"


def test_is_hashed(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("six==1.16.0\n# --hash in a comment does not count\n")
    hashed = tmp_path / "hashed.txt"
    hashed.write_text("six==1.16.0 \\\n    --hash=sha256:aa\n")
    assert not requirements.is_hashed([plain], Runner(log=print))
    assert requirements.is_hashed([plain, hashed], Runner(log=print))


@pytest.mark.parametrize(
    ("line", "version"),
    [
        ("demo (1.2.3-1) unstable; urgency=medium", "1.2.3"),
        ("demo (2:1.2.3+dfsg-1~bpo12+1) unstable; urgency=medium", "1.2.3"),
        ("demo (1.2.3~rc1-2) unstable; urgency=medium", "1.2.3rc1"),
        ("demo (0.3.0) unstable; urgency=medium", "0.3.0"),
    ],
)
def test_upstream_version(tmp_path: Path, line: str, version: str) -> None:
    (tmp_path / "changelog").write_text(line + "\n")
    assert vcs.upstream_version(tmp_path / "changelog") == version


def test_vcs_version_env(tmp_path: Path) -> None:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/changelog").write_text("demo (1.2.3-1) unstable; urgency=medium\n")
    scm = {"build-system": {"requires": ["setuptools>=64", "setuptools-scm>=8"]}}
    assert vcs.vcs_version_env(tmp_path, tmp_path, scm) == {"SETUPTOOLS_SCM_PRETEND_VERSION": "1.2.3"}
    hatch = {"build-system": {"requires": ["hatchling", "hatch-vcs"]}}
    assert vcs.vcs_version_env(tmp_path, tmp_path, hatch) == {"SETUPTOOLS_SCM_PRETEND_VERSION": "1.2.3"}
    assert vcs.vcs_version_env(tmp_path, tmp_path, {"build-system": {"requires": ["hatchling"]}}) == {}
    (tmp_path / ".git").mkdir()
    assert vcs.vcs_version_env(tmp_path, tmp_path, scm) == {}


def test_clean_git_copy(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "debian").mkdir(parents=True)
    (repo / "debian/changelog").write_text("demo (1.0-1) unstable; urgency=medium\n")
    (repo / "demo.py").write_text("")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(repo)]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], check=True)
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(repo), str(copy)], check=True)
    subprocess.run(["rm", "-r", str(copy / "debian")], check=True)

    def status(where: Path) -> str:
        return subprocess.run(["git", "-C", str(where), "status", "--porcelain"], capture_output=True, text=True).stdout

    assert status(copy) == " D debian/changelog\n"
    vcs.clean_git_copy(copy, Runner(log=[].append))
    assert status(copy) == ""
    # The maintainer's checkout is untouched, and still sees debian/ as tracked.
    assert status(repo) == ""
    flags = subprocess.run(["git", "-C", str(repo), "ls-files", "-v"], capture_output=True, text=True).stdout
    assert flags == "H debian/changelog\nH demo.py\n"


def test_manifest_detects_changed_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"a")
    (tmp_path / "b-1.0.tar.gz").write_bytes(b"b")
    wheelhouse.write_manifest(tmp_path, "3.11")
    wheelhouse.check_manifest(tmp_path)
    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"A")
    with pytest.raises(DhVenvError) as info:
        wheelhouse.check_manifest(tmp_path)
    assert info.value.message.startswith(f"{tmp_path}/a-1.0-py3-none-any.whl does not match its hash in ")
    (tmp_path / "a-1.0-py3-none-any.whl").unlink()
    with pytest.raises(DhVenvError) as info:
        wheelhouse.check_manifest(tmp_path)
    assert info.value.message == f"{tmp_path}/a-1.0-py3-none-any.whl is listed in {tmp_path}/manifest.json but missing"


def test_wheelhouse_for(tmp_path: Path) -> None:
    assert wheelhouse.wheelhouse_for(tmp_path, None) is None
    (tmp_path / "debian/wheelhouse").mkdir(parents=True)
    assert wheelhouse.wheelhouse_for(tmp_path, None) == tmp_path / "debian/wheelhouse"
    with pytest.raises(DhVenvError) as info:
        wheelhouse.wheelhouse_for(tmp_path, "elsewhere")
    assert info.value.message == f"wheelhouse {tmp_path}/elsewhere does not exist"


def test_redact() -> None:
    assert redact("pip install --index-url https://me:s3cret@pkgs.example.org/simple x") == (
        "pip install --index-url https://****@pkgs.example.org/simple x"
    )
    assert (
        redact("Looking in https://TOKEN@h/simple and http://h2/") == "Looking in https://****@h/simple and http://h2/"
    )


def test_expand_url() -> None:
    env = {"TOKEN": "a/b@c"}
    assert expand_url("https://__token__:${TOKEN}@h/simple", env) == "https://__token__:a%2Fb%40c@h/simple"
    with pytest.raises(DhVenvError) as info:
        expand_url("https://${NOPE}@h/simple", env)
    assert info.value.message == "the index URL https://${NOPE}@h/simple names ${NOPE}, which is not set"


def test_check_reachable_fails_fast_through_a_dead_proxy() -> None:
    with pytest.raises(DhVenvError) as info:
        check_reachable(Sources(index_url="https://u:p@pypi.example.org/simple"), {"https_proxy": "http://127.0.0.1:9"})
    assert info.value.message == (
        "cannot reach the package index https://****@pypi.example.org/simple through the proxy http://127.0.0.1:9 "
        "(Connection refused)"
    )
    assert "dh-venv vendor" in (info.value.hint or "")
    # no_proxy and local indexes need no check.
    check_reachable(Sources(index_url="file:///srv/index"), {})


def test_collect_lock_with_skip_install_and_requirements_warning(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "packages" / "inp-uvapp"
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(fixture / name, tmp_path)
    (tmp_path / "requirements.txt").write_text("six\n")
    log: list[str] = []
    runner = Runner(log=log.append)
    python = interpreter.resolve("/usr/bin/python3", runner)
    settings = Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo", skip_install=True)
    wanted = inputs.collect(settings, runner, python, None)
    assert wanted.lock is not None
    assert [p.requirement_line().split()[0] for p in wanted.lock.pins] == ["idna==3.3", "six==1.16.0"]
    assert wanted.project is None and wanted.requirement_files == () and wanted.verified
    assert log == [
        "dh_venv: warning: demo: installing exactly what uv.lock locks; "
        "requirements.txt is not used (--no-lock uses it instead)"
    ]
    # --no-lock: the requirements file again.
    settings = Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo", skip_install=True, use_locks=False)
    wanted = inputs.collect(settings, runner, python, None)
    assert wanted.lock is None and wanted.requirement_files == (tmp_path / "requirements.txt",)
