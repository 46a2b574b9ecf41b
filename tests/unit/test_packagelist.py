"""Tests for dh_venv.debhelper.packagelist: dh_listpackages asked once per build, and again when it matters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dh_venv.debhelper.packagelist import CACHE, list_packages
from dh_venv.errors import DhVenvError
from dh_venv.runner import Runner

CONTROL = """\
Source: demo
Section: python
Priority: optional
Maintainer: Demo Maintainer <demo@example.org>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.6.2

Package: demo-all
Architecture: all
Description: first
 First package.

Package: demo-any
Architecture: any
Description: second
 Second package.

Package: demo-doc
Architecture: all
Build-Profiles: <!nodoc>
Description: third
 Third package.
"""

ENV = {"PATH": "/usr/bin:/bin"}


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian/control").write_text(CONTROL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ask(
    selection: list[str] | None = None,
    env: dict[str, str] | None = None,
    internal: tuple[str, ...] = (),
    no_act: bool = False,
) -> tuple[list[str], list[str]]:
    """The answer, and what the runner showed (with -v) on the way."""
    log: list[str] = []
    runner = Runner(log=log.append, verbose=True, no_act=no_act)
    return list_packages(selection or [], runner, dict(env or ENV), internal=internal, remember=True), log


def ran(log: list[str]) -> bool:
    """Whether dh_listpackages ran."""
    return any(line.startswith("\tdh_listpackages") for line in log)


ALL = ["demo-all", "demo-any", "demo-doc"]


def test_the_second_question_is_answered_from_the_first(build_dir: Path) -> None:
    answer, log = ask()
    assert answer == ALL
    assert ran(log)
    assert log[-1] == f"\tremember what dh_listpackages said in {build_dir / CACHE}"
    answer, log = ask()
    assert (answer, log) == (ALL, [])
    # The answer really comes from the file.
    path = build_dir / CACHE
    (digest,) = json.loads(path.read_text())
    path.write_text(json.dumps({digest: ["kept"]}))
    assert ask()[0] == ["kept"]


@pytest.mark.parametrize(
    ("selection", "env", "internal", "expected"),
    [
        (["-pdemo-any"], ENV, (), ["demo-any"]),
        (["-Ndemo-all"], ENV, (), ["demo-any", "demo-doc"]),
        (["-i"], ENV, (), ["demo-all", "demo-doc"]),
        ([], {**ENV, "DEB_BUILD_PROFILES": "nodoc"}, (), ["demo-all", "demo-any"]),
        ([], ENV, ("-a",), ["demo-any"]),
        (["-pdemo-all"], ENV, ("-pdemo-any",), []),
    ],
)
def test_another_question_is_asked_again(
    build_dir: Path, selection: list[str], env: dict[str, str], internal: tuple[str, ...], expected: list[str]
) -> None:
    assert ask() == (ALL, ["\tdh_listpackages", f"\tremember what dh_listpackages said in {build_dir / CACHE}"])
    answer, log = ask(selection, env, internal)
    assert answer == expected
    assert ran(log)
    # Both answers are kept.
    assert ask() == (ALL, [])
    assert ask(selection, env, internal) == (expected, [])


def test_a_changed_control_is_asked_again(build_dir: Path) -> None:
    assert ask()[0] == ALL
    (build_dir / "debian/control").write_text(CONTROL.replace("demo-any", "demo-arch"))
    answer, log = ask()
    assert answer == ["demo-all", "demo-arch", "demo-doc"]
    assert ran(log)


def test_another_host_architecture_is_asked_again(build_dir: Path) -> None:
    (build_dir / "debian/control").write_text(CONTROL.replace("Architecture: any", "Architecture: armel"))
    assert ask(env={**ENV, "DEB_HOST_ARCH": "armel"})[0] == ALL
    answer, log = ask(env={**ENV, "DEB_HOST_ARCH": "amd64"})
    assert answer == ["demo-all", "demo-doc"]
    assert ran(log)


def test_a_damaged_file_is_asked_again_and_replaced(build_dir: Path) -> None:
    (build_dir / CACHE).parent.mkdir(parents=True)
    (build_dir / CACHE).write_text("{not json")
    answer, log = ask()
    assert answer == ALL
    assert ran(log)
    assert list(json.loads((build_dir / CACHE).read_text()).values()) == [ALL]


def test_nothing_is_kept_without_remember_or_under_no_act(build_dir: Path) -> None:
    assert list_packages([], Runner(log=[].append), dict(ENV)) == ALL
    assert ask(no_act=True)[0] == ALL
    assert not (build_dir / "debian/.debhelper").exists()


def test_a_missing_control_is_not_kept(build_dir: Path) -> None:
    (build_dir / "debian/control").unlink()
    with pytest.raises(DhVenvError) as info:
        ask()
    assert str(info.value) == (
        "dh_listpackages could not list the packages to act on; check debian/control and the -p/-N options"
    )
    assert not (build_dir / "debian/.debhelper").exists()


def test_the_answer_outlives_dh_clean_in_the_cache_unless_reuse_is_off(build_dir: Path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    env = {**ENV, "DH_VENV_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    assert ran(ask(env=env)[1])
    shutil.rmtree(build_dir / "debian/.debhelper")  # what dh_clean does between two builds
    answer, log = ask(env=env)
    assert answer == ALL and not ran(log)
    assert any(line.startswith("\tthe packages to act on (dh_listpackages): the answer kept") for line in log), log
    shutil.rmtree(build_dir / "debian/.debhelper")
    assert ran(ask(env={**env, "DH_VENV_NO_REUSE": "1"})[1])
    # Another debian/control is another question.
    shutil.rmtree(build_dir / "debian/.debhelper")
    (build_dir / "debian/control").write_text(CONTROL.replace("Architecture: any", "Architecture: all"))
    assert ran(ask(env=env)[1])
