"""The maintainer-script snippets, run as dpkg runs them, with every argument.

The scripts are assembled the way dh_installdeb does (``#!/bin/sh``,
``set -e``, the snippet) around a real venv in ``tmp_path``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dh_venv.debhelper.files import PackageFiles
from dh_venv.runner import Runner

PYTHON = os.path.realpath("/usr/bin/python3")
TAG = "cpython-" + os.path.basename(PYTHON)[len("python") :].replace(".", "")
POSTINST_ARGS = [
    ["configure", "1.0"],
    ["configure", "1.0"],
    ["abort-upgrade", "1.1"],
    ["abort-remove"],
    ["abort-deconfigure", "in-favour", "other", "1.0"],
    ["triggered", PYTHON],
]
PRERM_ARGS = [["remove"], ["upgrade", "1.1"], ["deconfigure", "in-favour", "other", "1.0"], ["failed-upgrade", "1.0"]]
POSTRM_ARGS = [
    ["remove"],
    ["upgrade", "1.1"],
    ["failed-upgrade", "1.0"],
    ["abort-install"],
    ["abort-upgrade", "1.0"],
    ["disappear", "other", "1.0"],
]


def make_scripts(tmp_path: Path, venv: Path) -> dict[str, Path]:
    """preinst, postinst, prerm and postrm for a venv at ``venv``, as dh_installdeb writes them."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(PYTHON)
    module = venv / "lib/python3/site-packages/demo/__init__.py"
    module.parent.mkdir(parents=True)
    module.write_text("X = 1\n")
    (venv / "lib/python3/site-packages/broken.py").write_text("print 'python 2'\n")
    build = tmp_path / "build"
    (build / "debian").mkdir(parents=True)
    files = PackageFiles(build, "demo", Runner(log=[].append), "0")
    values = {"VENV": str(venv), "ROOT": str(venv.parent), "PACKAGE": "demo", "PYTHON": PYTHON}
    out = {}
    files.add_autoscript("postrm", "postrm-venv-opt", values)
    files.add_autoscript("postrm", "postrm-venv-root", values)
    files.add_autoscript("postrm", "postrm-venv-renamed", values)
    for script in ("preinst", "postinst", "prerm", "postrm"):
        files.add_autoscript(script, f"{script}-venv", values)
        if script == "postinst":
            files.add_autoscript(script, "postinst-venv-renamed", values)
        path = tmp_path / script
        path.write_text("#!/bin/sh\nset -e\n" + (build / f"debian/demo.{script}.debhelper").read_text() + "exit 0\n")
        path.chmod(0o755)
        out[script] = path
    return out


@pytest.fixture
def scripts(tmp_path: Path) -> dict[str, Path]:
    return make_scripts(tmp_path, tmp_path / "root/venv")


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def bytecode(venv: Path) -> list[str]:
    return sorted(str(p.relative_to(venv)) for p in venv.rglob("*.pyc"))


def test_postinst_every_argument_compiles_and_is_idempotent(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in POSTINST_ARGS:
        result = run(scripts["postinst"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert bytecode(venv) == [f"lib/python3/site-packages/demo/__pycache__/__init__.{TAG}.pyc"], args


def test_prerm_every_argument_removes_bytecode(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in PRERM_ARGS:
        assert run(scripts["postinst"], "configure", "1.0").returncode == 0
        assert bytecode(venv)
        result = run(scripts["prerm"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert bytecode(venv) == [] and not list(venv.rglob("__pycache__")), args


def test_postrm_keeps_the_venv_except_on_purge(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in POSTRM_ARGS:
        result = run(scripts["postrm"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert (venv / "lib/python3/site-packages/demo/__init__.py").exists(), args
    assert run(scripts["postrm"], "purge").returncode == 0
    # The venv and its install root, which no package owns, are gone; /opt stays.
    assert not venv.parent.exists()
    assert os.path.isdir("/opt")
    # Twice, and with the venv gone: still fine.
    for args in [["purge"], *POSTRM_ARGS]:
        assert run(scripts["postrm"], *args).returncode == 0, args


def test_interpreter_gone(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    (venv / "bin/python").unlink()
    (venv / "bin/python").symlink_to(tmp_path / "python3.99")
    for args in PRERM_ARGS:
        assert run(scripts["prerm"], *args).returncode == 0, args
    result = run(scripts["postinst"], "triggered", PYTHON)
    assert result.returncode == 0
    assert result.stderr == (
        f"demo: warning: the venv {venv} no longer runs: its interpreter {PYTHON} is missing or broken; "
        "install a version of demo built for the Python now installed\n"
    )
    for args in [*POSTRM_ARGS, ["purge"]]:
        assert run(scripts["postrm"], *args).returncode == 0, args
    assert not venv.exists()


HOSTILE = "v$(touch PWNED)`touch PWNED`;touch PWNED'\"${IFS}$HOME"


def test_hostile_venv_path_runs_nothing(tmp_path: Path) -> None:
    """A venv path full of shell syntax is data in every snippet: compiled, cleaned, purged, nothing run."""
    venv = tmp_path / "root" / HOSTILE
    scripts = make_scripts(tmp_path, venv)
    text = "".join(p.read_text() for p in scripts.values())
    assert "#VENV#" not in text and "#ROOT#" not in text
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for script, args in (("preinst", ["install"]), ("postinst", ["configure", ""]), ("prerm", ["remove"])):
        result = subprocess.run(
            [str(scripts[script]), *args], capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin"}
        )
        assert (result.returncode, result.stderr) == (0, ""), script
        if script == "postinst":
            assert bytecode(venv) == [f"lib/python3/site-packages/demo/__pycache__/__init__.{TAG}.pyc"]
    assert bytecode(venv) == []
    result = subprocess.run(
        [str(scripts["postrm"]), "purge"], capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin"}
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert not venv.exists() and not venv.parent.exists()
    assert list(cwd.iterdir()) == [] and not list(tmp_path.rglob("PWNED"))


def test_postinst_leaves_out_the_test_suites_inside_packages(scripts: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "root/venv/lib/python3/site-packages"
    for rel in ("demo/tests/test_a.py", "demo/sub/test/test_b.py", "demo/testing.py", "demo/contests.py", "tests.py"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("Y = 2\n")
    assert run(scripts["postinst"], "configure", "1.0").returncode == 0
    assert [p.removeprefix("lib/python3/site-packages/") for p in bytecode(tmp_path / "root/venv")] == [
        f"__pycache__/tests.{TAG}.pyc",
        f"demo/__pycache__/__init__.{TAG}.pyc",
        f"demo/__pycache__/contests.{TAG}.pyc",
        f"demo/__pycache__/testing.{TAG}.pyc",
        f"demo/sub/test/__pycache__/test_b.{TAG}.pyc",
    ]
