"""Tests for dh_venv.installers.venv: creating the venv in the staging tree, with the real virtualenv."""

from __future__ import annotations

from pathlib import Path

from dh_venv import interpreter
from dh_venv.installers import venv
from dh_venv.runner import Runner

ENV = {"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": "/dev/null"}


def create(dest: Path) -> list[str]:
    log: list[str] = []
    runner = Runner(log=log.append, verbose=True)
    env = {**ENV, "HOME": str(dest.parent), "VIRTUALENV_OVERRIDE_APP_DATA": str(dest.parent / "app-data")}
    venv.create(dest, interpreter.resolve("/usr/bin/python3", runner), runner, env=env)
    return log


def test_files_installed_into_the_venv_directory_stay(tmp_path: Path) -> None:
    # dh_install runs before dh_venv: debian/<pkg>.install may put files there.
    dest = tmp_path / "debian/demo/opt/venvs/demo"
    (dest / "etc").mkdir(parents=True)
    (dest / "etc/demo.ini").write_text("[demo]\n")
    log = create(dest)
    assert (dest / "etc/demo.ini").read_text() == "[demo]\n"
    assert (dest / "pyvenv.cfg").is_file()
    assert not [line for line in log if line.startswith("\trm -rf")]


def test_venv_of_an_earlier_run_is_replaced(tmp_path: Path) -> None:
    dest = tmp_path / "debian/demo/opt/venvs/demo"
    create(dest)
    (dest / "stale.txt").write_text("from the last run\n")
    log = create(dest)
    assert not (dest / "stale.txt").exists()
    assert (dest / "pyvenv.cfg").is_file()
    assert f"\trm -rf {dest}" in log
