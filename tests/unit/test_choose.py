"""Tests for dh_venv.installers.choose: the backend chosen once, before any venv, and auto's fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers import uvtool
from dh_venv.installers.choose import choose
from dh_venv.installers.pip import PipBackend
from dh_venv.installers.plan import plan
from dh_venv.installers.uv import UvBackend
from dh_venv.runner import Runner


def fake_uv(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text("#!/bin/sh\ncase $1 in --version) echo 'uv 0.9.7 (fake)'; exit 0;; esac\n" + body)
    (bin_dir / "uv").chmod(0o755)
    return bin_dir


def test_unknown_installer(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        choose("conda", Runner(log=[].append), {}, tmp_path, plan(Inputs(sources=Sources()), tmp_path))
    assert str(info.value) == "unknown installer 'conda'; use --installer=pip, uv or auto"


def test_pip_is_pip(tmp_path: Path) -> None:
    backend = choose(
        "pip", Runner(log=[].append), {"PATH": "/nonexistent"}, tmp_path, plan(Inputs(Sources()), tmp_path)
    )
    assert isinstance(backend, PipBackend) and backend.name == "pip"


def test_uv_and_auto_with_uv_on_path_are_uv_ready_to_run(tmp_path: Path) -> None:
    bin_dir = fake_uv(tmp_path, "exit 0\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    lines: list[str] = []
    for name in ("uv", "auto"):
        backend = choose(name, Runner(log=lines.append), env, tmp_path, plan(Inputs(Sources()), tmp_path))
        assert isinstance(backend, UvBackend) and backend.name == "uv"
        assert backend.program(None) == bin_dir / "uv"
    assert lines == []  # no notice: nothing fell back


def test_auto_without_uv_is_pip_after_a_one_line_notice(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").write_text(f"""#!/bin/sh\nprintf '%s ' "$@" >> {log}\n""")
    (venv / "bin/python").chmod(0o755)
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    lines: list[str] = []
    wanted = plan(Inputs(sources=Sources(wheelhouse=wheelhouse), requirement_files=(Path("/src/r.txt"),)), tmp_path)
    backend = choose("auto", Runner(log=lines.append), {"PATH": "/nonexistent"}, tmp_path, wanted)
    assert lines == [
        f"dh_venv: notice: --installer=auto: no uv on PATH and no uv {uvtool.VERSION} wheel in the "
        f"wheelhouse {wheelhouse}; installing with pip"
    ]
    assert isinstance(backend, PipBackend) and backend.name == "pip"
    backend.install(venv, wanted)
    assert log.read_text() == f"-m pip install --no-compile --no-index --find-links {wheelhouse} -r /src/r.txt "


def test_uv_without_uv_is_an_error(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    wanted = plan(Inputs(sources=Sources(wheelhouse=wheelhouse)), tmp_path)
    with pytest.raises(DhVenvError) as info:
        choose("uv", Runner(log=[].append), {"PATH": "/nonexistent"}, tmp_path, wanted)
    assert info.value.message == (
        f"--installer=uv: no uv on PATH and no uv {uvtool.VERSION} wheel in the wheelhouse {wheelhouse}"
    )


PIP_ONLY = """case "$*" in *--dry-run*) echo "error: unexpected argument '--progress-bar' found" >&2; exit 2;; esac\n"""


def test_a_pip_only_option_is_refused_with_uv_and_falls_back_with_auto(tmp_path: Path) -> None:
    bin_dir = fake_uv(tmp_path, PIP_ONLY)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    wanted = plan(Inputs(sources=Sources(), extra_args=("--progress-bar=off",)), tmp_path)
    with pytest.raises(DhVenvError) as info:
        choose("uv", Runner(log=[].append), env, tmp_path, wanted)
    assert info.value.message == (
        "--installer=uv: uv pip install does not take the pip option --progress-bar "
        "(from --extra-pip-arg or DH_VENV_PIP_ARGS)"
    )
    lines: list[str] = []
    auto = choose("auto", Runner(log=lines.append), env, tmp_path, wanted)
    assert isinstance(auto, PipBackend)
    assert [line for line in lines if "notice" in line] == [
        "dh_venv: notice: --installer=auto: uv pip install does not take the pip option --progress-bar "
        "(from --extra-pip-arg or DH_VENV_PIP_ARGS); installing with pip"
    ]


def test_no_act_shows_the_uv_a_real_run_would_fetch(tmp_path: Path) -> None:
    """--no-act plans the same uv as a real run (the cache path), and writes nothing to get it."""
    lines: list[str] = []
    runner = Runner(log=lines.append, no_act=True)
    work = tmp_path / "debian" / ".debhelper" / "dh_venv" / "demo"
    backend = choose("auto", runner, {"PATH": "/nonexistent"}, work, plan(Inputs(Sources()), work))
    assert isinstance(backend, UvBackend)
    program = backend.program(None)
    assert program.name == "uv" and program.parent.name == uvtool.VERSION and not program.exists()
    assert lines == [f"\tunpack uv {uvtool.VERSION} into {program.parent}"]
    assert list(tmp_path.iterdir()) == []
