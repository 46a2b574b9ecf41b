"""Tests for dh_venv.interpreter: resolving the interpreter of the venv."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.interpreter import Interpreter, resolve
from dh_venv.runner import Runner

# The suite runs under Debian's /usr/bin/python3, which is the default.
DEBIAN_VERSION = "{}.{}".format(*sys.version_info[:2])
DEBIAN_PYTHON = Path(f"/usr/bin/python{DEBIAN_VERSION}")

needs_debian_python = pytest.mark.skipif(
    os.path.realpath("/usr/bin/python3") != str(DEBIAN_PYTHON),
    reason="the suite must run under Debian's /usr/bin/python3",
)


def runner() -> Runner:
    return Runner(log=[].append)


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


@needs_debian_python
def test_default_resolves_to_versioned_interpreter() -> None:
    assert resolve("/usr/bin/python3", runner()) == Interpreter(path=DEBIAN_PYTHON, version=DEBIAN_VERSION)


@needs_debian_python
def test_resolves_under_no_act() -> None:
    assert resolve("/usr/bin/python3", Runner(log=[].append, no_act=True)) == Interpreter(
        path=DEBIAN_PYTHON, version=DEBIAN_VERSION
    )


@needs_debian_python
def test_bare_name_ignores_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    script(shims / "python3", "echo 3.99; echo cpython\n")
    monkeypatch.setenv("PATH", f"{shims}:{os.environ['PATH']}")
    assert resolve("python3", runner()) == Interpreter(path=DEBIAN_PYTHON, version=DEBIAN_VERSION)


@needs_debian_python
def test_symlink_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "python").symlink_to("/usr/bin/python3")
    assert resolve(str(tmp_path / "python"), runner()).path == DEBIAN_PYTHON


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        resolve(str(tmp_path / "python3.99"), runner())
    assert str(info.value) == (
        f"interpreter {tmp_path}/python3.99 does not exist; "
        "install it, or give an existing one with --python=/usr/bin/python3.X"
    )


def test_missing_bare_name_is_not_searched_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script(tmp_path / "python3.99", "echo 3.99; echo cpython\n")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(DhVenvError) as info:
        resolve("python3.99", runner())
    assert info.value.message == "interpreter python3.99 does not exist"


def test_not_python() -> None:
    true = os.path.realpath("/bin/true")
    with pytest.raises(DhVenvError) as info:
        resolve("/bin/true", runner())
    assert str(info.value) == (
        f"interpreter {true} is not CPython 3 (it said: ''); give a CPython 3 interpreter with --python"
    )


def test_failing_program(tmp_path: Path) -> None:
    fake = script(tmp_path / "python3", "echo 'Fatal Python error: init_fs_encoding'; exit 1\n")
    with pytest.raises(DhVenvError) as info:
        resolve(str(fake), runner())
    assert str(info.value) == f"interpreter {fake} does not run; give a working Python 3 with --python"
    assert info.value.details == "Fatal Python error: init_fs_encoding\n"


@pytest.mark.parametrize("said", ["2.7\ncpython", "3.10\npypy", "3.11"])
def test_not_cpython_3(tmp_path: Path, said: str) -> None:
    fake = script(tmp_path / "python", f"printf '{said}\\n'\n")
    with pytest.raises(DhVenvError) as info:
        resolve(str(fake), runner())
    assert info.value.message == f"interpreter {fake} is not CPython 3 (it said: {said!r})"


def test_fake_cpython_is_accepted(tmp_path: Path) -> None:
    fake = script(tmp_path / "python", "echo 3.12; echo cpython\n")
    assert resolve(str(fake), runner()) == Interpreter(path=fake, version="3.12")


def test_not_executable(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o644)
    with pytest.raises(DhVenvError) as info:
        resolve(str(fake), runner())
    assert str(info.value) == f"interpreter {fake} is not executable; check --python"


def test_unexecutable_interpreter(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_bytes(b"\x7fELF\x02\x01\x01\0for another machine")
    fake.chmod(0o755)
    with pytest.raises(DhVenvError) as info:
        resolve(str(fake), runner())
    assert info.value.message == f"interpreter {fake} does not run"


def test_answers_are_kept_until_the_interpreter_changes(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    fake = script(tmp_path / "python3.12", f"echo run >> {calls}\necho 3.12; echo cpython\n")
    cache = tmp_path / "cache"
    lines: list[str] = []
    quiet = Runner(log=lines.append, verbose=True)
    assert resolve(str(fake), quiet, cache) == Interpreter(path=fake, version="3.12")
    assert resolve(str(fake), quiet, cache) == Interpreter(path=fake, version="3.12")
    assert calls.read_text() == "run\n"
    assert any(
        line.startswith(f"\t{fake} -I -c import sys; ") and "the answer kept in the cache" in line for line in lines
    )
    # An update replaces the binary: asked again.
    new = script(tmp_path / "new", f"echo run >> {calls}\necho 3.13; echo cpython\n")
    new.replace(fake)
    assert resolve(str(fake), quiet, cache) == Interpreter(path=fake, version="3.13")
    assert calls.read_text() == "run\nrun\n"
    # Without a cache, always asked.
    resolve(str(fake), quiet)
    assert calls.read_text() == "run\nrun\nrun\n"
