"""Tests for dh_venv.inputs.project: finding the project and the build copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs.project import check_project, prepare_copy, reads_debian
from dh_venv.inputs.requirements import check_requirements, isolate_local, local_args, without_project
from dh_venv.runner import Runner


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir() or p.is_symlink())


def make_files(root: Path, names: dict[str, str]) -> None:
    for name, text in names.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.py", "setup.cfg"])
def test_check_project_accepts_each_marker(tmp_path: Path, marker: str) -> None:
    (tmp_path / marker).write_text("")
    check_project(tmp_path)


def test_check_project_without_markers(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\n")
    (tmp_path / "setup.py").mkdir()  # a directory is no marker
    with pytest.raises(DhVenvError) as info:
        check_project(tmp_path)
    assert str(info.value) == (
        f"no Python project in {tmp_path}: none of pyproject.toml, setup.py, setup.cfg found; "
        "point --sourcedirectory at the project, or use --skip-install to install only requirements"
    )


def test_check_project_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        check_project(tmp_path / "src")
    assert str(info.value) == f"source directory {tmp_path}/src does not exist; fix --sourcedirectory"


SOURCE = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "setup.py": "version = open('debian/changelog').readline()\n",
    "README.rst": "Demo\n",
    "demo/__init__.py": "",
    "demo/debian/rules.tmpl": "#!/usr/bin/make -f\n",
    "debian/control": "Source: demo\n\nPackage: demo\nArchitecture: all\n",
    "debian/rules": "#!/usr/bin/make -f\n",
    "debian/demo/opt/venvs/demo/pyvenv.cfg": "",
    "debian/.debhelper/dh_venv/demo/src/x": "",
    "debian/tmp/usr/x": "",
    "debian/source/format": "3.0 (native)\n",
    ".tox/py311/log": "x\n",
    ".pc/applied-patches": "",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    "__pycache__/x.pyc": "",
    ".mypy_cache/x": "",
    ".pytest_cache/x": "",
    ".nox/x": "",
}


def test_prepare_copy_excludes_top_level_droppings_only(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_files(src, SOURCE)
    (src / "demo/data").symlink_to("../README.rst")
    dest = tmp_path / "work/dh_venv/demo/src"

    assert prepare_copy(src, dest, Runner(log=[].append)) == dest
    # setup.py reads debian/changelog: debian/ is copied, without the build's outputs.
    assert files_under(dest) == [
        "README.rst",
        "debian/control",
        "debian/rules",
        "debian/source/format",
        "demo/__init__.py",
        "demo/data",
        "demo/debian/rules.tmpl",
        "pyproject.toml",
        "setup.py",
    ]
    assert os.readlink(dest / "demo/data") == "../README.rst"
    assert (dest / "pyproject.toml").read_text() == "[project]\nname = 'demo'\n"


def test_prepare_copy_replaces_previous_copy(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_files(src, {"setup.py": "", "demo.py": "new\n"})
    dest = tmp_path / "copy"
    make_files(dest, {"stale.py": "", "demo.py": "old\n", "build/lib/demo.py": ""})
    prepare_copy(src, dest, Runner(log=[].append))
    assert files_under(dest) == ["demo.py", "setup.py"]
    assert (dest / "demo.py").read_text() == "new\n"


def test_prepare_copy_writes_pyproject_for_setup_cfg_only(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_files(src, {"setup.cfg": "[metadata]\nname = demo\n", "demo.py": ""})
    dest = tmp_path / "copy"
    prepare_copy(src, dest, Runner(log=[].append))
    assert (dest / "pyproject.toml").read_text() == (
        "# Written by dh_venv: the source has only setup.cfg.\n"
        "[build-system]\n"
        'requires = ["setuptools>=40.9"]\n'
        'build-backend = "setuptools.build_meta"\n'
    )
    assert not (src / "pyproject.toml").exists()


@pytest.mark.parametrize("backend", ["setup.py", "pyproject.toml"])
def test_prepare_copy_leaves_projects_with_backend_alone(tmp_path: Path, backend: str) -> None:
    src = tmp_path / "src"
    make_files(src, {"setup.cfg": "[metadata]\nname = demo\n", backend: "# mine\n"})
    dest = tmp_path / "copy"
    prepare_copy(src, dest, Runner(log=[].append))
    assert files_under(dest) == sorted(["setup.cfg", backend])
    assert (dest / backend).read_text() == "# mine\n"


def test_prepare_copy_source_is_build_dir(tmp_path: Path) -> None:
    # The default: the project is the source package, the copy lives in its debian/.
    make_files(tmp_path, {"pyproject.toml": "# debian\n", "debian/control": "Package: demo\n", "demo.py": ""})
    (tmp_path / "debian/demo/opt").mkdir(parents=True)
    dest = tmp_path / "debian/.debhelper/dh_venv/demo/src"
    prepare_copy(tmp_path, dest, Runner(log=[].append))
    # The project names debian/, so the copy has it, without the staging tree.
    assert files_under(dest) == ["debian/control", "demo.py", "pyproject.toml"]


def test_prepare_copy_leaves_debian_out_for_a_flat_layout(tmp_path: Path) -> None:
    # setuptools' automatic discovery would see debian/ as a second top-level package.
    files = {"pyproject.toml": "[project]\nname = 'demo'\n", "debian/control": "Package: demo\n", "demo/x.py": ""}
    make_files(tmp_path / "src", files)
    prepare_copy(tmp_path / "src", tmp_path / "copy", Runner(log=[].append))
    assert files_under(tmp_path / "copy") == ["demo/x.py", "pyproject.toml"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"setup.py": "open('debian/changelog')"}, True),
        ({"setup.py": "os.path.join('debian', 'control')"}, True),
        ({"setup.cfg": "[metadata]\nlong_description = file: debian/README\n"}, True),
        ({"setup.py": "setup(name='debianize')"}, False),
        # VCS-versioned projects: inputs.clean_git_copy makes git see the copy as clean.
        ({"pyproject.toml": "[tool.setuptools_scm]\n", ".git/HEAD": ""}, False),
        ({"pyproject.toml": "[tool.setuptools_scm]\n"}, False),
        ({"pyproject.toml": "[project]\n", ".git/HEAD": ""}, False),
    ],
)
def test_reads_debian(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    make_files(tmp_path, files)
    assert reads_debian(tmp_path) is expected


def test_prepare_copy_no_act_copies_nothing(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_files(src, {"setup.cfg": "", "demo.py": ""})
    dest = tmp_path / "copy"
    log: list[str] = []
    assert prepare_copy(src, dest, Runner(log=log.append, no_act=True)) == dest
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]
    # The same steps a real run takes: the copy, and the pyproject.toml a setup.cfg-only project gets.
    assert log == [f"\tcp -a {src} {dest}", f"\twrite {dest / 'pyproject.toml'}"]
    real: list[str] = []
    prepare_copy(src, dest, Runner(log=real.append, verbose=True))
    assert real == log
    assert (dest / "pyproject.toml").is_file()


# without_project


def test_without_project_drops_self_references_and_keeps_nested_paths(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "req").mkdir(parents=True)
    reqs = source / "req" / "prod.txt"
    # Requirement paths are relative to pip's working directory (the source);
    # nested -r/-c files are relative to the file that names them.
    reqs.write_text("-r base.txt\n--constraint=pins.txt\n-e .[server,cli]  # the app\nclick>=8\n-e ..\n")
    dest = tmp_path / "work" / "requirements-0.txt"
    path, dropped, extras = without_project(reqs, source, dest, Runner(log=print))
    assert path == dest
    assert dropped == ["-e .[server,cli]  # the app"]
    assert extras == ["server", "cli"]
    assert dest.read_text() == (
        f"-r {source / 'req' / 'base.txt'}\n--constraint {source / 'req' / 'pins.txt'}\nclick>=8\n-e ..\n"
    )


@pytest.mark.parametrize("line", [".", "./", "-e .", "--editable=.", "file:.", ".[x]"])
def test_without_project_recognises_forms(tmp_path: Path, line: str) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"six\n{line}\n")
    path, dropped, _ = without_project(reqs, tmp_path, tmp_path / "out.txt", Runner(log=print))
    assert (path, dropped) == (tmp_path / "out.txt", [line])
    assert path.read_text() == "six\n"


def test_without_project_leaves_other_files_alone(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("six\n./vendor/lib\n-e ../elsewhere\n")
    (tmp_path / "vendor" / "lib").mkdir(parents=True)
    assert without_project(reqs, tmp_path, tmp_path / "out.txt", Runner(log=print)) == (reqs, [], [])
    assert not (tmp_path / "out.txt").exists()


# isolate_local


def test_local_directories_are_built_from_copies(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "vendor_dep").mkdir(parents=True)
    (source / "vendor_dep" / "setup.py").write_text("")
    (source / "req").mkdir()
    (source / "req" / "nested.txt").write_text("file:vendor_dep[fast] ; python_version >= '3'\n")
    reqs = source / "requirements.txt"
    reqs.write_text("six\n./vendor_dep\n-r req/nested.txt\nname @ file://" + str(source / "vendor_dep") + "\n")
    work = tmp_path / "work"
    result = isolate_local(reqs, source, work / "requirements-0-local.txt", work / "local", Runner(log=print))
    assert result.path == work / "requirements-0-local.txt"
    lines = result.path.read_text().splitlines()
    assert lines[0] == "six"
    assert lines[1] == str(work / "local" / "requirements-0-local-1")
    assert lines[2] == f"-r {work / 'requirements-0-local-2.txt'}"
    assert lines[3] == f"name @ file://{work / 'local' / 'requirements-0-local-3'}"
    assert (work / "local" / "requirements-0-local-1" / "setup.py").is_file()
    nested = (work / "requirements-0-local-2.txt").read_text()
    assert nested == f"{work / 'local' / 'requirements-0-local-2-0'}[fast] ; python_version >= '3'\n"
    assert result.notes == []


@pytest.mark.parametrize(
    "line", ["-e git+https://example.org/x.git#egg=x", "--editable=git+https://example.org/x.git#egg=x"]
)
def test_editable_vcs_requirements_become_regular(tmp_path: Path, line: str) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"{line}\n")
    result = isolate_local(reqs, tmp_path, tmp_path / "out.txt", tmp_path / "local", Runner(log=print))
    assert result.path.read_text() == "git+https://example.org/x.git#egg=x\n"
    assert result.notes == [f"requirements.txt: {line!r} is installed as a regular, not an editable, requirement"]


def test_editable_local_directory_becomes_a_regular_copy(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("-e ./lib\n")
    result = isolate_local(reqs, tmp_path, tmp_path / "w" / "out.txt", tmp_path / "w" / "local", Runner(log=print))
    assert result.path.read_text() == f"{tmp_path / 'w' / 'local' / 'out-0'}\n"
    assert len(result.notes) == 1


def test_requirements_without_local_paths_are_left_alone(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("six\n./missing-dir\nhttps://example.org/x.whl\n")
    assert isolate_local(reqs, tmp_path, tmp_path / "out.txt", tmp_path / "local", Runner(log=print)).path == reqs
    assert not (tmp_path / "out.txt").exists()


def test_a_directory_holding_the_copies_is_not_copied(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("-e ..\n")
    source = tmp_path / "src"
    source.mkdir()
    result = isolate_local(reqs, source, source / "w" / "out.txt", source / "w" / "local", Runner(log=print))
    assert result.path.read_text() == "..\n"


def test_requirements_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_bytes(b"six\n# caf\xe9\n")
    with pytest.raises(DhVenvError, match=r"requirements\.txt: line 2 is not valid UTF-8"):
        check_requirements(reqs)


def test_local_preinstall_directories_are_copied(tmp_path: Path) -> None:
    (tmp_path / "tools" / "helper").mkdir(parents=True)
    out, skipped = local_args(("pip==23.0", "./tools/helper"), tmp_path, tmp_path / "w", Runner(log=print))
    assert out == ["pip==23.0", str(tmp_path / "w" / "arg-1")]
    assert (tmp_path / "w" / "arg-1").is_dir() and skipped == []
