"""Tests for dh_venv.installers.projectwheel: the key of the project's wheel, the cache entries, the swap."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers import projectwheel
from dh_venv.installers.plan import Plan, plan
from dh_venv.runner import Runner

PY = os.path.realpath("/usr/bin/python3")


def build_tree(root: Path) -> tuple[Path, Path, Path]:
    """A build directory with a project copy, a work dir and a venv bound to the system python."""
    work = root / "debian/.debhelper/dh_venv/pkg"
    project = work / "src"
    (project / "app").mkdir(parents=True)
    (project / "setup.py").write_text("from setuptools import setup\nsetup(name='app')\n")
    (project / "app/__init__.py").write_text("X = 1\n")
    venv = root / "debian/pkg/opt/venvs/pkg"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(PY)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.11.2.final.0\n")
    return project, work, venv


def key_of(
    root: Path, env: dict[str, str] | None = None, installer: str = "uv 0.9.7", extras: tuple[str, ...] = ()
) -> str:
    project, work, venv = (
        build_tree(root)
        if not (root / "debian").exists()
        else (
            root / "debian/.debhelper/dh_venv/pkg/src",
            root / "debian/.debhelper/dh_venv/pkg",
            root / "debian/pkg/opt/venvs/pkg",
        )
    )
    the_plan = plan(Inputs(Sources(), project=project, extras=extras), work)
    base = {"CFLAGS": f"-O2 -ffile-prefix-map={root}=.", "PWD": str(root), "TMPDIR": f"{work}/tmp"}
    return projectwheel.wheel_key(project, venv, {**base, **(env or {})}, the_plan, installer, work)


def test_the_same_project_in_another_build_directory_has_the_same_key(tmp_path: Path) -> None:
    first = key_of(tmp_path / "a")
    assert key_of(tmp_path / "b") == first
    # What says nothing of the wheel: the shell's, debhelper's, the cache's place.
    said = {"DH_VERBOSE": "1", "SHLVL": "3", "UV_CACHE_DIR": "/x", "PYTEST_X": "y", "CI_JOB_ID": "7", "HOME": "/h"}
    assert key_of(tmp_path / "b", said) == first


def test_a_variable_the_build_files_name_is_in_the_key(tmp_path: Path) -> None:
    first = key_of(tmp_path)
    assert key_of(tmp_path, {"APP_WITH_SPEEDUPS": "1"}) == first
    setup = tmp_path / "debian/.debhelper/dh_venv/pkg/src/setup.py"
    setup.write_text(setup.read_text() + "import os\nos.environ.get('APP_WITH_SPEEDUPS')\n")
    edited = key_of(tmp_path)
    assert key_of(tmp_path, {"APP_WITH_SPEEDUPS": "1"}) != edited


@pytest.mark.parametrize(
    "change",
    ["edit", "new file", "executable", "symlink", "git HEAD"],
)
def test_a_changed_source_tree_changes_the_key(tmp_path: Path, change: str) -> None:
    first = key_of(tmp_path)
    project = tmp_path / "debian/.debhelper/dh_venv/pkg/src"
    (project / ".git/refs/heads").mkdir(parents=True, exist_ok=True)
    (project / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (project / ".git/index").write_bytes(b"stat data")
    with_git = key_of(tmp_path)
    assert with_git != first
    (project / ".git/index").write_bytes(b"other stat data")  # git's index is not what a build reads
    assert key_of(tmp_path) == with_git
    if change == "edit":
        (project / "app/__init__.py").write_text("X = 2\n")
    elif change == "new file":
        (project / "app/data.txt").write_text("")
    elif change == "executable":
        (project / "setup.py").chmod(0o755)
    elif change == "symlink":
        (project / "link").symlink_to("app")
    else:
        (project / ".git/HEAD").write_text("ref: refs/heads/other\n")
    assert key_of(tmp_path) != with_git


@pytest.mark.parametrize(
    "env",
    [
        {"CFLAGS": "-O0"},
        {"LDFLAGS": "-Wl,-z,now"},
        {"CC": "clang"},
        {"PATH": "/opt/gcc/bin:/usr/bin"},
        {"SOURCE_DATE_EPOCH": "1"},
        {"SETUPTOOLS_SCM_PRETEND_VERSION": "2"},
        {"CMAKE_ARGS": "-DX=1"},
        {"PYTHONHASHSEED": "0"},
    ],
)
def test_build_flags_and_variables_change_the_key(tmp_path: Path, env: dict[str, str]) -> None:
    assert key_of(tmp_path, env) != key_of(tmp_path)


def test_interpreter_installer_and_extras_change_the_key(tmp_path: Path) -> None:
    first = key_of(tmp_path)
    assert key_of(tmp_path, installer="uv 0.9.8") != first
    assert key_of(tmp_path, extras=("fancy",)) != first
    python = tmp_path / "debian/pkg/opt/venvs/pkg/bin/python"
    copy = tmp_path / "python-copy"
    shutil.copy(PY, copy)
    python.unlink()
    python.symlink_to(copy)
    assert key_of(tmp_path) != first
    os.utime(copy, ns=(1, 1))
    assert key_of(tmp_path) not in (first, key_of(tmp_path / "fresh"))


def a_wheel(directory: Path, text: str = "X = 1\n") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "app-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("app/__init__.py", text)
    return wheel


def test_store_then_lookup_and_a_damaged_entry_is_discarded(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stored = projectwheel.store(cache, "k1", a_wheel(tmp_path / "built").parent, None)
    assert stored == cache / "project-wheels/k1/app-1.0-py3-none-any.whl"
    assert json.loads((stored.parent / "entry.json").read_text())["wheel"] == stored.name
    lines: list[str] = []
    assert projectwheel.lookup(Runner(log=lines.append), cache, "k1") == stored
    assert projectwheel.lookup(Runner(log=lines.append), cache, "k2") is None
    assert lines == []
    stored.write_bytes(b"truncated")
    assert projectwheel.lookup(Runner(log=lines.append), cache, "k1") is None
    assert lines == [
        f"dh_venv: notice: discarded the damaged cache entry {cache}/project-wheels/k1: "
        "app-1.0-py3-none-any.whl does not match its recorded sha256; building the project anew"
    ]
    assert not (cache / "project-wheels/k1").exists()
    projectwheel.store(cache, "k3", a_wheel(tmp_path / "again").parent, None)
    (cache / "project-wheels/k3/entry.json").write_text("{")
    assert projectwheel.lookup(Runner(log=lines.append), cache, "k3") is None
    assert lines[-1].startswith(f"dh_venv: notice: discarded the damaged cache entry {cache}/project-wheels/k3: it ")
    assert list((cache / "project-wheels").iterdir()) == []


def test_a_wheel_naming_the_build_directory_is_not_stored(tmp_path: Path) -> None:
    built = a_wheel(tmp_path / "built", f"HERE = '{tmp_path}/build/src'\n").parent
    assert projectwheel.store(tmp_path / "cache", "k", built, tmp_path / "build") is None
    assert not (tmp_path / "cache/project-wheels/k").exists()


def test_the_wheel_replaces_the_project_and_direct_url_says_the_directory(tmp_path: Path) -> None:
    project = Path("/b/debian/.debhelper/dh_venv/pkg/src")
    wanted = plan(Inputs(Sources(), project=project, extras=("x",), requirement_files=(Path("/b/r.txt"),)), tmp_path)
    wheel = tmp_path / "cache/app-1.0-py3-none-any.whl"
    swapped = projectwheel.with_wheel(wanted, wheel)
    assert [s.requirements for s in swapped.steps] == [(f"{wheel}[x]",)]
    assert swapped.steps[0].requirement_files == (Path("/b/r.txt"),)
    dist_info = tmp_path / "venv/lib/python3/site-packages/app-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "direct_url.json").write_text(json.dumps({"url": wheel.as_uri(), "archive_info": {}}))
    (dist_info / "RECORD").write_text("app/__init__.py,sha256=x,1\napp-1.0.dist-info/direct_url.json,sha256=y,2\n")
    projectwheel.as_built_from(tmp_path / "venv", wheel, project)
    text = (dist_info / "direct_url.json").read_text()
    assert json.loads(text) == {"url": project.as_uri(), "dir_info": {}}
    row = (dist_info / "RECORD").read_text().splitlines()[1]
    assert row.startswith("app-1.0.dist-info/direct_url.json,sha256=") and row.endswith(f",{len(text)}")
    assert "sha256=y" not in row


def test_no_reuse_under_no_act_or_without_a_project(tmp_path: Path) -> None:
    project, work, venv = build_tree(tmp_path)
    with_project = plan(Inputs(Sources(), project=project), work)

    def never(out: Path) -> bool:
        raise AssertionError("nothing is built")

    said: list[str] = []
    no_act = Runner(log=said.append, no_act=True)
    assert projectwheel.reuse_or_build(no_act, with_project, venv, {}, "uv", tmp_path, never) is None
    assert said == [
        f"\tthe project's wheel: reused from {tmp_path}/project-wheels if the same inputs built one, "
        f"else built into it; installed instead of {project}"
    ]
    without = Plan((), Sources(), work_dir=work)
    assert projectwheel.reuse_or_build(Runner(log=[].append), without, venv, {}, "uv", tmp_path, never) is None
    lines: list[str] = []
    env = {projectwheel.NO_REUSE: "1"}
    assert (
        projectwheel.reuse_or_build(
            Runner(log=lines.append, verbose=True), with_project, venv, env, "uv", tmp_path, never
        )
        is None
    )
    assert lines == ["\tDH_VENV_NO_REUSE=1: the project is built by the install, the cache is not used"]


def test_direct_url_of_a_wheel_whose_name_needs_quoting_and_the_error_without_one(tmp_path: Path) -> None:
    wheel = tmp_path / "cache dir/app-1.0+deb1-py3-none-any.whl"
    dist_info = tmp_path / "venv/lib/python3/site-packages/app-1.0+deb1.dist-info"
    dist_info.mkdir(parents=True)
    # Written as an installer may: the "+" left as it is, the space quoted.
    url = "file://" + str(wheel).replace(" ", "%20")
    (dist_info / "direct_url.json").write_text(json.dumps({"url": url, "archive_info": {}}))
    (dist_info / "RECORD").write_text("")
    projectwheel.as_built_from(tmp_path / "venv", wheel, Path("/b/src"))
    assert json.loads((dist_info / "direct_url.json").read_text())["url"] == "file:///b/src"
    with pytest.raises(DhVenvError) as info:
        projectwheel.as_built_from(tmp_path / "venv", wheel, Path("/b/src"))
    assert info.value.message == (
        f"the venv holds no distribution installed from the project's wheel {wheel} (no direct_url.json names it)"
    )
