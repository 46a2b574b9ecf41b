"""--no-act shows the commands and changes nothing."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

from .conftest import PACKAGES, extract, tool_env


def snapshot(tree: Path) -> dict[str, str]:
    state = {}
    for path in sorted(tree.rglob("*")):
        if path.is_symlink():
            state[str(path)] = "link:" + os.readlink(path)
        elif path.is_file():
            state[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[str(path)] = "dir"
    return state


def test_no_act_changes_nothing(tmp_path: Path, wheelhouse: Path) -> None:
    source = tmp_path / "setuppy-app-1.0"
    subprocess.run(["cp", "-a", str(PACKAGES / "setuppy-reqs"), str(source)], check=True)
    before = snapshot(tmp_path)
    proc = subprocess.run(
        ["dh_venv", "--no-act"],
        cwd=source,
        env=tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout
    assert snapshot(tmp_path) == before
    lines = proc.stdout.splitlines()
    staging = source / "debian/setuppy-app/opt/venvs/setuppy-app"
    assert any(line.startswith("\t") and "-m virtualenv" in line and line.endswith(str(staging)) for line in lines), (
        lines
    )
    assert any(" pip install " in line and "-r" in line for line in lines), lines  # uv pip install
    assert any(line.startswith("\tadd postinst-venv to ") for line in lines), lines


def test_no_act_build_ships_no_venv(build_package, tmp_path: Path) -> None:
    source = tmp_path / "noact" / "setuppy-app-1.0"
    subprocess.run(["mkdir", "-p", str(source.parent)], check=True)
    subprocess.run(["cp", "-a", str(PACKAGES / "setuppy-reqs"), str(source)], check=True)
    rules = source / "debian/rules"
    rules.write_text(rules.read_text() + "\noverride_dh_venv:\n\tdh_venv --no-act\n")
    build = build_package("setuppy-reqs", source=source)
    assert build.returncode == 0, build.output[-3000:]
    assert "-m virtualenv" in build.output
    tree = extract(build.deb("setuppy-app"), tmp_path / "x")
    assert not (tree / "opt").exists()
    assert not (tree / "DEBIAN/postinst").exists()


def _announced(output: str) -> list[str]:
    """The commands and file changes a -v or --no-act run shows (not the commands' own output)."""
    return [line for line in output.splitlines() if line.startswith("\t") and not line.startswith("\t  ")]


def test_no_act_shows_what_a_real_run_executes(tmp_path: Path, wheelhouse: Path) -> None:
    """Plan, then apply: --no-act shows the commands and files of a real run, up to the installed venv."""
    source = tmp_path / "setuppy-app-1.0"
    subprocess.run(["cp", "-a", str(PACKAGES / "setuppy-reqs"), str(source)], check=True)
    # "-e ." makes dh_venv rewrite the requirements file; the plan must name the rewritten copy.
    (source / "requirements.txt").write_text("tinydep==1.0\n-e .\n")
    env = tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}")

    def run(*args: str) -> list[str]:
        proc = subprocess.run(["dh_venv", *args], cwd=source, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return _announced(proc.stdout + proc.stderr)

    planned = run("--no-act")
    real = run("-v")
    # The project's wheel comes from the cache or is built into it (its key needs the copy --no-act does not
    # make): the plan says so in one line, the real run builds or reuses it and installs it for the directory.
    wheel_plan = [line for line in planned if line.startswith("\tthe project's wheel: reused from ")]
    assert len(wheel_plan) == 1, planned
    planned.remove(wheel_plan[0])
    cached = re.compile(r"\S+/project-wheels/[0-9a-f]{64}/setuppy_app-1\.0-py3-none-any\.whl")
    wheel_real = [line for line in real if re.match(r"\t(reused|built) the project's wheel|\t\S+/uv build ", line)]
    assert any(" the project's wheel " in line for line in wheel_real), real
    real = [cached.sub(str(source / "debian/.debhelper/dh_venv/setuppy-app/src"), line) for line in real]
    real = [line for line in real if line not in wheel_real]
    # The venv is not made under --no-act: what reads it is only described from there on.
    end = next(i for i, line in enumerate(planned) if line.startswith("\trewrite ") or " pip check" in line)
    assert end > 0 and planned[:end] == real[:end], "\n".join(["planned:", *planned, "real:", *real])
    rewritten = source / "debian/.debhelper/dh_venv/setuppy-app/requirements-0.txt"
    assert f"\twrite {rewritten}" in planned[:end]
    assert any(" install " in line and str(rewritten) in line for line in planned[:end]), planned
