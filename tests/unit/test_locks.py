"""Tests for dh_venv.inputs.locks: each format walked for one target interpreter."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs import locks, poetrylock
from dh_venv.inputs.pyproject import read_pyproject

FIXTURE = Path(__file__).resolve().parents[1] / "packages" / "inp-uvapp"
LINUX_311 = {
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_release": "6.1.0",
    "platform_system": "Linux",
    "platform_version": "#1 SMP",
    "python_full_version": "3.11.2",
    "platform_python_implementation": "CPython",
    "python_version": "3.11",
    "sys_platform": "linux",
}
WIN_39 = {
    **LINUX_311,
    "sys_platform": "win32",
    "os_name": "nt",
    "python_full_version": "3.9.7",
    "python_version": "3.9",
}


def project_with(tmp_path: Path, *lock_files: str) -> Path:
    shutil.copy(FIXTURE / "pyproject.toml", tmp_path)
    for name in lock_files:
        source = FIXTURE / name if (FIXTURE / name).exists() else FIXTURE / "alt" / name
        shutil.copy(source, tmp_path / Path(name).name)
    return tmp_path


def versions(lock: locks.Lock) -> dict[str, str]:
    return {p.name: p.version for p in lock.pins}


@pytest.mark.parametrize("name", ["uv.lock", "pylock.toml"])
def test_lock_for_linux_311(tmp_path: Path, name: str) -> None:
    root = project_with(tmp_path, name)
    lock = locks.read(root / name, read_pyproject(root), LINUX_311, locks.Wanted())
    assert versions(lock) == {"idna": "3.3", "six": "1.16.0"}
    six = next(p for p in lock.pins if p.name == "six")
    assert six.hashes == (
        "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926",
        "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254",
    )
    assert six.requirement_line().startswith("six==1.16.0 --hash=sha256:1e61")
    assert lock.indexes == ()
    # Each file's name with its hash, so the bill of materials can tell which one was installed.
    assert six.files == (
        ("six-1.16.0-py2.py3-none-any.whl", "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"),
        ("six-1.16.0.tar.gz", "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"),
    )


def test_uv_lock_markers_extras_groups(tmp_path: Path) -> None:
    root = project_with(tmp_path, "uv.lock")
    lock = locks.read(root / "uv.lock", read_pyproject(root), WIN_39, locks.Wanted(("fancy",), ("dev",)))
    assert versions(lock) == {
        "attrs": "21.4.0",
        "colorama": "0.4.4",
        "idna": "3.3",
        "iniconfig": "1.1.1",
        "six": "1.16.0",
        "typing-extensions": "4.2.0",
    }


def test_uv_lock_stale(tmp_path: Path) -> None:
    root = project_with(tmp_path, "uv.lock")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"six>=1.10"', '"six>=1.17"'))
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "uv.lock", read_pyproject(root), LINUX_311, locks.Wanted())
    assert str(info.value) == (
        f"{root}/uv.lock is stale: pyproject.toml's dependencies differ from the ones it was locked from "
        "(six>=1.10, six>=1.17); run uv lock and commit the lock file; "
        "dh_venv never installs a different set than the lock"
    )


def test_uv_lock_unsupported_version(tmp_path: Path) -> None:
    root = project_with(tmp_path, "uv.lock")
    lock = root / "uv.lock"
    lock.write_text(lock.read_text().replace("version = 1\n", "version = 2\n", 1))
    with pytest.raises(DhVenvError) as info:
        locks.read(lock, read_pyproject(root), LINUX_311, locks.Wanted())
    assert info.value.message == f"{lock}: uv.lock version 2 is not supported (dh_venv reads version 1)"


def test_uv_lock_of_another_project(tmp_path: Path) -> None:
    root = project_with(tmp_path, "uv.lock")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "inp-uvapp"', 'name = "other"'))
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "uv.lock", read_pyproject(root), LINUX_311, locks.Wanted())
    assert info.value.message == f"{root}/uv.lock does not lock the project 'other' of pyproject.toml"


def test_pylock_unsupported_version_and_set_markers(tmp_path: Path) -> None:
    root = project_with(tmp_path, "pylock.toml")
    lock = root / "pylock.toml"
    text = lock.read_text()
    lock.write_text(text.replace('lock-version = "1.0"', 'lock-version = "2.0"'))
    with pytest.raises(DhVenvError) as info:
        locks.read(lock, read_pyproject(root), LINUX_311, locks.Wanted())
    assert "lock-version 2.0 is not supported" in info.value.message
    # PEP 751 set markers: a package only for an extra.
    lock.write_text(text.replace('name = "six"\n', 'name = "six"\nmarker = "\'fancy\' in extras"\n'))
    pyproject = read_pyproject(root)
    pyproject["dependencies"] = ["idna"]
    pyproject["optional-dependencies"] = {}
    assert set(versions(locks.read(lock, pyproject, LINUX_311, locks.Wanted()))) == {"idna"}
    assert set(versions(locks.read(lock, pyproject, LINUX_311, locks.Wanted(("fancy",))))) == {"idna", "six"}


def test_lock_missing_a_dependency_of_the_project(tmp_path: Path) -> None:
    root = project_with(tmp_path, "pylock.toml")
    pyproject = read_pyproject(root)
    pyproject["dependencies"] = [*pyproject["dependencies"], "requests>=2"]
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "pylock.toml", pyproject, LINUX_311, locks.Wanted())
    assert (
        info.value.message == f"{root}/pylock.toml does not lock requests, which pyproject.toml requires (requests>=2)"
    )
    pyproject["dependencies"] = ["six>=1.17"]
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "pylock.toml", pyproject, LINUX_311, locks.Wanted())
    assert info.value.message == f"{root}/pylock.toml locks six 1.16.0, but pyproject.toml requires six>=1.17"


POETRY_PYPROJECT = """\
[tool.poetry]
name = "demo"
version = "1.0"

[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.25"
tomli = { version = "^1.2", python = "<3.11" }
pywin32 = { version = "*", markers = "sys_platform == 'win32'" }
rich = { version = "*", optional = true }

[tool.poetry.extras]
pretty = ["rich"]

[tool.poetry.group.dev.dependencies]
pytest = "^7"
"""

POETRY_LOCK = """\
[[package]]
name = "requests"
version = "2.25.1"
optional = false
python-versions = ">=2.7"
files = [{file = "requests-2.25.1-py2.py3-none-any.whl", hash = "sha256:aa"}]

[package.dependencies]
idna = ">=2.5,<3"
PySocks = {version = ">=1.5.6", optional = true}

[package.extras]
socks = ["PySocks (>=1.5.6)"]

[[package]]
name = "idna"
version = "2.10"
optional = false
python-versions = "*"
files = [
    {file = "idna-2.10-py2.py3-none-any.whl", hash = "sha256:bb"},
    {file = "idna-2.10.tar.gz", hash = "sha256:cc"},
]

[[package]]
name = "pysocks"
version = "1.7.1"
optional = true
python-versions = "*"
files = [{file = "PySocks-1.7.1-py3-none-any.whl", hash = "sha256:dd"}]

[[package]]
name = "tomli"
version = "1.2.3"
optional = false
python-versions = ">=3.6"
files = [{file = "tomli-1.2.3-py3-none-any.whl", hash = "sha256:ee"}]

[[package]]
name = "pywin32"
version = "306"
optional = false
python-versions = "*"
files = [{file = "pywin32-306-cp311-cp311-win_amd64.whl", hash = "sha256:ff"}]

[[package]]
name = "rich"
version = "10.0.0"
optional = true
python-versions = "*"
files = [{file = "rich-10.0.0-py3-none-any.whl", hash = "sha256:11"}]

[[package]]
name = "pytest"
version = "7.0.0"
optional = false
python-versions = "*"
files = [{file = "pytest-7.0.0-py3-none-any.whl", hash = "sha256:22"}]

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
content-hash = "0"
"""


def write_poetry(tmp_path: Path, lock: str = POETRY_LOCK) -> Path:
    (tmp_path / "pyproject.toml").write_text(POETRY_PYPROJECT)
    (tmp_path / "poetry.lock").write_text(textwrap.dedent(lock))
    return tmp_path


def test_poetry_lock(tmp_path: Path) -> None:
    root = write_poetry(tmp_path)
    pyproject = read_pyproject(root)
    lock = locks.read(root / "poetry.lock", pyproject, LINUX_311, locks.Wanted())
    assert versions(lock) == {"idna": "2.10", "requests": "2.25.1"}
    assert next(p for p in lock.pins if p.name == "idna").hashes == ("sha256:bb", "sha256:cc")
    assert [name for name, _ in next(p for p in lock.pins if p.name == "idna").files] == [
        "idna-2.10-py2.py3-none-any.whl",
        "idna-2.10.tar.gz",
    ]
    lock = locks.read(root / "poetry.lock", pyproject, WIN_39, locks.Wanted(("pretty",), ("dev",)))
    assert versions(lock) == {
        "idna": "2.10",
        "pytest": "7.0.0",
        "pywin32": "306",
        "requests": "2.25.1",
        "rich": "10.0.0",
        "tomli": "1.2.3",
    }


def test_poetry_lock_misses_a_dependency(tmp_path: Path) -> None:
    root = write_poetry(tmp_path, POETRY_LOCK.replace('name = "idna"', 'name = "idna-other"'))
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "poetry.lock", read_pyproject(root), LINUX_311, locks.Wanted())
    assert info.value.message == f"{root}/poetry.lock does not lock idna, which the project needs"


def test_poetry_lock_unsupported_version(tmp_path: Path) -> None:
    root = write_poetry(tmp_path, POETRY_LOCK.replace('lock-version = "2.0"', 'lock-version = "3.0"'))
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "poetry.lock", read_pyproject(root), LINUX_311, locks.Wanted())
    assert "poetry.lock version 3.0 is not supported" in info.value.message


def test_lock_without_hashes_is_refused(tmp_path: Path) -> None:
    root = write_poetry(
        tmp_path,
        POETRY_LOCK.replace(
            'files = [{file = "requests-2.25.1-py2.py3-none-any.whl", hash = "sha256:aa"}]', "files = []"
        ),
    )
    with pytest.raises(DhVenvError) as info:
        locks.read(root / "poetry.lock", read_pyproject(root), LINUX_311, locks.Wanted())
    assert info.value.message == f"{root}/poetry.lock: requests==2.25.1 has no file hashes"


@pytest.mark.parametrize(
    ("constraint", "version", "ok"),
    [
        ("^3.9", "3.11.2", True),
        ("^3.9", "4.0", False),
        ("^0.2.1", "0.3", False),
        ("~1.2", "1.2.9", True),
        ("~1.2", "1.3", False),
        (">=3.7,<3.10", "3.11.2", False),
        ("<3.10 || >=3.11", "3.11.2", True),
        ("*", "1", True),
        ("2.25.1", "2.25.1", True),
    ],
)
def test_poetry_constraints(constraint: str, version: str, ok: bool) -> None:
    assert poetrylock._version_ok(constraint, version) is ok


def test_find_by_precedence(tmp_path: Path) -> None:
    assert locks.find(tmp_path) is None
    for name in ("pylock.toml", "poetry.lock", "uv.lock"):
        (tmp_path / name).write_text("")
        assert locks.find(tmp_path) == tmp_path / name


def test_real_poetry_lock(tmp_path: Path) -> None:
    """poetry.lock as Poetry 2.5 writes it (lock-version 2.1, per-package groups and markers)."""
    root = FIXTURE.parent / "inp-poetryapp"
    pyproject = read_pyproject(root)
    lock = locks.read(root / "poetry.lock", pyproject, LINUX_311, locks.Wanted())
    assert versions(lock) == {"idna": "3.3", "six": "1.16.0"}
    assert lock.indexes == ()
    lock = locks.read(root / "poetry.lock", pyproject, WIN_39, locks.Wanted(("fancy",), ("dev",)))
    assert versions(lock) == {
        "attrs": "21.4.0",
        "colorama": "0.4.4",
        "idna": "3.3",
        "iniconfig": "1.1.1",
        "six": "1.16.0",
        "typing-extensions": "4.2.0",
    }
