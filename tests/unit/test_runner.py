"""Tests for dh_venv.runner: running, logging and --no-act."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.errors import CommandError
from dh_venv.runner import Runner


def test_runs_and_returns_output(tmp_path: Path) -> None:
    log: list[str] = []
    out = Runner(log=log.append).run(["sh", "-c", "echo out; echo err >&2"], cwd=tmp_path)
    assert out == "out\nerr\n"
    assert log == []


def test_env_and_cwd(tmp_path: Path) -> None:
    out = Runner(log=[].append).run(
        ["sh", "-c", 'echo "$DEMO"; pwd'], env={"DEMO": "value", "PATH": "/usr/bin:/bin"}, cwd=tmp_path
    )
    assert out == f"value\n{tmp_path}\n"


def test_path_arguments(tmp_path: Path) -> None:
    target = tmp_path / "made"
    Runner(log=[].append).run([Path("/usr/bin/touch"), target])
    assert target.is_file()


def test_no_act_skips_commands_that_change_files(tmp_path: Path) -> None:
    target = tmp_path / "made by touch"
    log: list[str] = []
    assert Runner(log=log.append, no_act=True).run(["touch", target]) == ""
    assert not target.exists()
    assert log == [f"\ttouch '{target}'"]


def test_no_act_runs_inspecting_commands() -> None:
    log: list[str] = []
    out = Runner(log=log.append, no_act=True).run(["echo", "hello"], changes_files=False)
    assert out == "hello\n"
    assert log == ["\techo hello"]


def test_verbose_logs_command_and_output(tmp_path: Path) -> None:
    log: list[str] = []
    Runner(log=log.append, verbose=True).run(["sh", "-c", "echo one; echo two", "arg with space"])
    assert log == ["\tsh -c 'echo one; echo two' 'arg with space'", "\t  one", "\t  two"]


def test_verbose_does_not_echo_output_of_inspecting_commands() -> None:
    log: list[str] = []
    Runner(log=log.append, verbose=True).run(["echo", "hello"], changes_files=False)
    assert log == ["\techo hello"]


def test_announce_only_when_verbose() -> None:
    quiet: list[str] = []
    loud: list[str] = []
    Runner(log=quiet.append).announce("rm -rf x")
    Runner(log=loud.append, verbose=True).announce("rm -rf x")
    assert (quiet, loud) == ([], ["\trm -rf x"])


def test_no_act_implies_verbose() -> None:
    runner = Runner(log=[].append, no_act=True)
    assert (runner.verbose, runner.no_act) == (True, True)


def test_failure_raises_command_error() -> None:
    argv = ["sh", "-c", "echo partial; echo broken >&2; exit 3"]
    with pytest.raises(CommandError) as info:
        Runner(log=[].append).run(argv)
    exc = info.value
    assert (exc.argv, exc.returncode, exc.output) == (argv, 3, "partial\nbroken\n")
    assert str(exc) == "command failed (exited with status 3): sh -c echo partial; echo broken >&2; exit 3"
    assert exc.details == "partial\nbroken\n"


def test_missing_program() -> None:
    with pytest.raises(CommandError) as info:
        Runner(log=[].append).run(["dh-venv-no-such-program", "--help"])
    exc = info.value
    assert (exc.argv, exc.returncode, exc.output) == (["dh-venv-no-such-program", "--help"], None, "")
    assert str(exc) == "command failed (was not found): dh-venv-no-such-program --help"


@pytest.mark.parametrize(
    "content", [b"\x7fELF\x02\x01\x01\0garbage", b"#!/nonexistent/interpreter\n"], ids=["bad-format", "bad-shebang"]
)
def test_unexecutable_program_raises_command_error(tmp_path: Path, content: bytes) -> None:
    program = tmp_path / "program"
    program.write_bytes(content)
    program.chmod(0o755)
    with pytest.raises(CommandError) as info:
        Runner(log=[].append).run([program, "--version"])
    assert info.value.argv == [str(program), "--version"]
