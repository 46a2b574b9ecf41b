"""Tests for dh_venv.installers.backend and .pip: the cleaned environment and the pip backend."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers.backend import build_environment
from dh_venv.installers.failures import pip_reason
from dh_venv.installers.pip import PipBackend
from dh_venv.installers.plan import plan
from dh_venv.runner import Runner

# build_environment


def test_build_environment_drops_and_keeps() -> None:
    environ = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/root",
        "PIP_INDEX_URL": "https://mirror.example.org/simple",
        "PIP_EXTRA_INDEX_URL": "https://extra.example.org/simple",
        "PIP_FIND_LINKS": "/srv/wheels",
        "PIP_REQUIRE_VIRTUALENV": "1",
        "PIP_CERT": "/etc/ssl/certs/ca.pem",
        "PIP_PROXY": "http://proxy:3128",
        "PIP_CONFIG_FILE": "/etc/pip.conf",
        "PYTHONPATH": "/srv/lib",
        "PYTHONHOME": "/usr/local",
        "VIRTUAL_ENV": "/home/me/.venv",
        "CONDA_PREFIX": "/opt/conda",
        "DEB_BUILD_OPTIONS": "nocheck",
    }
    assert build_environment(environ, Path("/build/pkg")) == {
        "PATH": "/usr/bin:/bin",
        "HOME": "/root",
        "PIP_CERT": "/etc/ssl/certs/ca.pem",
        "PIP_PROXY": "http://proxy:3128",
        "DEB_BUILD_OPTIONS": "nocheck",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "PIP_NO_WARN_SCRIPT_LOCATION": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "CFLAGS": "-ffile-prefix-map=/build/pkg=.",
        "CXXFLAGS": "-ffile-prefix-map=/build/pkg=.",
        # HOME is a writable directory: the cache shared by every build of that user (dh_venv.caches).
        "DH_VENV_CACHE_DIR": "/root/.cache/dh-venv",
        "PIP_CACHE_DIR": "/root/.cache/dh-venv/pip",
        "VIRTUALENV_OVERRIDE_APP_DATA": "/root/.cache/dh-venv/virtualenv",
    }


def test_build_environment_keeps_prefix_map_from_dpkg_buildflags() -> None:
    flags = "-g -O2 -ffile-prefix-map=/build/pkg=. -fstack-protector-strong"
    env = build_environment({"CFLAGS": flags, "CXXFLAGS": "-O2"}, Path("/build/pkg"))
    assert env["CFLAGS"] == flags
    assert env["CXXFLAGS"] == "-O2 -ffile-prefix-map=/build/pkg=."


def test_build_environment_does_not_change_its_input() -> None:
    environ = {"PIP_INDEX_URL": "https://mirror.example.org/simple"}
    build_environment(environ, Path("/build/pkg"))
    assert environ == {"PIP_INDEX_URL": "https://mirror.example.org/simple"}


# pip_reason

PIP_OUTPUT_TWO_ERRORS = """\
Looking in indexes: https://pypi.example.org/simple
Processing /build/debian/.debhelper/dh_venv/demo/src

  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
Collecting nosuchthing>=1.0
ERROR: Could not find a version that satisfies the requirement nosuchthing>=1.0 (from versions: none)
ERROR: No matching distribution found for nosuchthing>=1.0
"""


def test_pip_reason_starts_at_first_of_several_errors() -> None:
    assert pip_reason(PIP_OUTPUT_TWO_ERRORS) == (
        "ERROR: Could not find a version that satisfies the requirement nosuchthing>=1.0 (from versions: none)\n"
        "ERROR: No matching distribution found for nosuchthing>=1.0"
    )


def test_pip_reason_single_error_with_context() -> None:
    lines = [f"line {i}" for i in range(20)] + [
        "error: subprocess-exited-with-error",
        "  \N{MULTIPLICATION SIGN} oops",
        "",
    ]
    assert pip_reason("\n".join(lines)) == "\n".join(
        [f"line {i}" for i in range(12, 20)] + ["error: subprocess-exited-with-error", "  \N{MULTIPLICATION SIGN} oops"]
    )


def test_pip_reason_single_error_near_top() -> None:
    assert pip_reason("first\nERROR: broken\nafter  \n") == "first\nERROR: broken\nafter"


def test_pip_reason_indented_error_is_not_an_error_line() -> None:
    output = "\n".join(f"line {i}" for i in range(30)) + "\n  ERROR: indented\n"
    assert pip_reason(output) == "\n".join([f"line {i}" for i in range(16, 30)] + ["  ERROR: indented"])


def test_pip_reason_without_errors_gives_tail() -> None:
    output = "\n".join(f"line {i}" for i in range(30))
    assert pip_reason(output) == "\n".join(f"line {i}" for i in range(15, 30))
    assert pip_reason(output, tail=2) == "line 28\nline 29"


def test_pip_reason_keeps_last_forty_lines_after_first_error() -> None:
    lines = ["ERROR: first"] + [f"more {i}" for i in range(50)] + ["ERROR: last"]
    assert pip_reason("\n".join(lines)).splitlines() == [f"more {i}" for i in range(11, 50)] + ["ERROR: last"]


# PipBackend


def fake_venv(tmp_path: Path, body: str) -> Path:
    """A venv whose bin/python is a shell script standing in for pip."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin/python"
    python.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    python.chmod(0o755)
    return venv


def test_pip_install_runs_venv_pip_with_options(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    venv = fake_venv(
        tmp_path,
        f"""\
        printf '%s|' "$@" >> {log}
        printf '%s|%s|%s\\n' "$PWD" "$PIP_CONFIG_FILE" "$PIP_INDEX_URL" >> {log}
        """,
    )
    env = build_environment(
        {"PATH": "/usr/bin:/bin", "PIP_INDEX_URL": "https://mirror.example.org/simple"}, Path("/build/pkg")
    )
    work = tmp_path / "work"
    work.mkdir()
    backend = PipBackend(Runner(log=[].append), env, work)
    wanted = Inputs(
        sources=Sources(index_url="file:///srv/index"),
        requirement_files=(Path("/src/requirements.txt"),),
        project=Path("/src/demo"),
        extras=("cli",),
        extra_args=("--prefer-binary",),
        source_dir=tmp_path,
    )
    backend.install(venv, plan(wanted, tmp_path))
    assert log.read_text() == (
        "-m|pip|install|--no-compile|--index-url|file:///srv/index|--prefer-binary|-r|/src/requirements.txt|"
        f"/src/demo[cli]|{tmp_path}|{os.devnull}|\n"
    )


def test_pip_install_failure_carries_reason(tmp_path: Path) -> None:
    venv = fake_venv(
        tmp_path,
        """\
        echo "Collecting nosuchthing"
        echo "ERROR: No matching distribution found for nosuchthing" >&2
        exit 1
        """,
    )
    backend = PipBackend(Runner(log=[].append), {"PATH": "/usr/bin:/bin"}, tmp_path)
    wanted = Inputs(sources=Sources(index_url="file:///srv/index"), requirement_files=(tmp_path / "r.txt",))
    with pytest.raises(DhVenvError) as info:
        backend.install(venv, plan(wanted, tmp_path))
    assert str(info.value) == (
        "pip could not install the requirements; fix the requirement or the index options; pip said"
    )
    assert info.value.details == "Collecting nosuchthing\nERROR: No matching distribution found for nosuchthing"


def test_pip_check_failure(tmp_path: Path) -> None:
    venv = fake_venv(
        tmp_path,
        """\
        echo "demo 1.0 requires requests, which is not installed."
        exit 1
        """,
    )
    backend = PipBackend(Runner(log=[].append), {"PATH": "/usr/bin:/bin"}, tmp_path)
    with pytest.raises(DhVenvError) as info:
        backend.check(venv)
    assert info.value.message == "installed distributions have missing or conflicting dependencies (pip check)"
    assert info.value.details == "demo 1.0 requires requests, which is not installed."


def test_pip_check_success(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    venv = fake_venv(tmp_path, f"""printf '%s ' "$@" > {log}\n""")
    PipBackend(Runner(log=[].append), {"PATH": "/usr/bin:/bin"}, tmp_path).check(venv)
    assert log.read_text() == "-m pip check "
