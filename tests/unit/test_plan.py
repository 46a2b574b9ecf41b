"""Tests for dh_venv.installers.plan: the pure install plan, and how pip and uv each render it."""

from __future__ import annotations

from pathlib import Path

from dh_venv.inputs.locks import Lock, Pin
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers import pip, uv
from dh_venv.installers.plan import Plan, Step, plan
from dh_venv.runner import Runner

LOCK = Lock(Path("/src/uv.lock"), (Pin("six", "1.16.0", ("sha256:aa",)), Pin("tinydep", "1.0", ("sha256:bb",))))


def test_same_inputs_same_plan_and_no_file_written(tmp_path: Path) -> None:
    wanted = Inputs(sources=Sources(index_url="https://idx/simple"), lock=LOCK, project=Path("/w/src"), extras=("x",))
    work = tmp_path / "work"
    assert plan(wanted, work) == plan(wanted, work)
    assert not work.exists()  # computing a plan touches nothing
    assert plan(wanted, work).files == (
        (work / "locked-requirements.txt", "six==1.16.0 --hash=sha256:aa\ntinydep==1.0 --hash=sha256:bb\n"),
    )


def test_locked_set_then_the_project_alone() -> None:
    wanted = Inputs(sources=Sources(), lock=LOCK, project=Path("/w/src"), extras=("cli", "tui"), source_dir=Path("/s"))
    got = plan(wanted, Path("/work"))
    assert got.steps == (
        Step(
            "what uv.lock locks",
            requirement_files=(Path("/work/locked-requirements.txt"),),
            no_deps=True,
            require_hashes=True,
        ),
        Step("the application", ("/w/src[cli,tui]",), no_deps=True, project_only=True),
    )
    assert got.origin == "/src/uv.lock" and got.cwd == Path("/s")


def test_hashed_requirements_then_the_project_alone() -> None:
    wanted = Inputs(
        sources=Sources(), requirement_files=(Path("/s/a.txt"), Path("/s/b.txt")), hashed=True, project=Path("/w/src")
    )
    got = plan(wanted, Path("/work"))
    assert [(s.what, s.require_hashes, s.no_deps) for s in got.steps] == [
        ("the hashed requirements", True, False),
        ("the application", False, True),
    ]
    assert got.origin == "/s/a.txt, /s/b.txt" and got.files == ()


def test_upgrade_pip_preinstall_and_one_plain_run() -> None:
    wanted = Inputs(
        sources=Sources(),
        upgrade_pip="24.0",
        preinstall=("cython<3", "numpy"),
        requirement_files=(Path("/s/r.txt"),),
        project=Path("/w/src"),
        extra_args=("--prefer-binary",),
    )
    got = plan(wanted, Path("/work"))
    assert got.steps == (
        Step("pip==24.0 (--upgrade-pip)", ("pip==24.0",), upgrade=True),
        Step("the --preinstall packages", ("cython<3", "numpy")),
        Step("the application and its requirements", ("/w/src",), requirement_files=(Path("/s/r.txt"),)),
    )
    assert got.extra_args == ("--prefer-binary",)
    assert plan(Inputs(sources=Sources(), upgrade_pip=""), Path("/w")).steps == (
        Step("pip (--upgrade-pip)", ("pip",), upgrade=True),
    )
    assert plan(Inputs(sources=Sources()), Path("/w")).steps == ()


def test_both_backends_render_the_same_plan_into_their_own_command_lines() -> None:
    got = plan(Inputs(sources=Sources(), lock=LOCK, project=Path("/w/src")), Path("/work"))
    rendered = [(pip.step_args(s), uv.step_args(s)) for s in got.steps]
    locked = ["--require-hashes", "--no-deps", "-r", "/work/locked-requirements.txt"]
    assert rendered == [(locked, locked), (["--no-deps", "/w/src"], ["--no-deps", "/w/src"])]


def test_user_chose_index() -> None:
    assert not Plan((), Sources(), extra_args=("--prefer-binary",)).user_chose_index
    assert Plan((), Sources(), extra_args=("--index-url=https://mine/simple",)).user_chose_index
    assert Plan((), Sources(), extra_args=("-i", "https://mine/simple")).user_chose_index
    assert Plan((), Sources(), extra_args=("--no-index",)).user_chose_index


def _logging_venv(tmp_path: Path, log: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").write_text(f"#!/bin/sh\nprintf '%s ' \"$@\" >> {log}\necho >> {log}\n")
    (venv / "bin/python").chmod(0o755)
    return venv


def _logging_uv(tmp_path: Path, log: Path) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    version = "case $1 in --version) echo 'uv 0.9.7 (fake)'; exit 0;; esac\n"
    (bin_dir / "uv").write_text(f"#!/bin/sh\n{version}printf '%s ' \"$@\" >> {log}\necho >> {log}\n")
    (bin_dir / "uv").chmod(0o755)
    return bin_dir


def test_one_plan_installed_by_pip_and_by_uv(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wh"
    wanted = Inputs(sources=Sources(wheelhouse=wheelhouse), lock=LOCK, project=Path("/w/src"), extras=("x",))
    to_install = plan(wanted, tmp_path / "work")
    log = tmp_path / "calls"
    venv = _logging_venv(tmp_path, log)
    pip.PipBackend(Runner(log=[].append), {"PATH": "/usr/bin:/bin"}, tmp_path).install(venv, to_install)
    backend = uv.UvBackend(Runner(log=[].append), {"PATH": f"{_logging_uv(tmp_path, log)}:/usr/bin:/bin"}, tmp_path)
    backend.install(venv, to_install)
    locked = tmp_path / "work/locked-requirements.txt"
    assert locked.read_text() == "six==1.16.0 --hash=sha256:aa\ntinydep==1.0 --hash=sha256:bb\n"
    sources = f"--no-index --find-links {wheelhouse}"
    calls = log.read_text().splitlines()
    # uv first builds the project's wheel for the cache; this uv makes none, so the directory is installed.
    built = calls.pop(2)
    assert built.startswith(f"build --wheel --out-dir {tmp_path}/work/tmp/wheel-") and built.endswith(
        f" --python {venv}/bin/python {sources} /w/src "
    )
    assert calls == [
        f"-m pip install --no-compile {sources} --require-hashes --no-deps -r {locked} ",
        f"-m pip install --no-compile {sources} --no-deps /w/src[x] ",
        f"pip install --python {venv}/bin/python {sources} --require-hashes --no-deps -r {locked} ",
        f"pip install --python {venv}/bin/python {sources} --no-deps /w/src[x] ",
    ]


def test_pip_download_leaves_the_project_alone_out(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    venv = _logging_venv(tmp_path, log)
    wanted = Inputs(
        sources=Sources(wheelhouse=tmp_path), requirement_files=(Path("/s/r.txt"),), hashed=True, project=Path("/w/src")
    )
    backend = pip.PipBackend(Runner(log=[].append), {"PATH": "/usr/bin:/bin"}, tmp_path)
    backend.download(venv, plan(wanted, tmp_path), tmp_path / "dl", allow_sdists=False)
    sources = f"--no-index --find-links {tmp_path}"
    assert log.read_text().splitlines() == [
        f"-m pip download -d {tmp_path}/dl --only-binary=:all: {sources} --require-hashes -r /s/r.txt "
    ]
