"""Malformed inputs of every kind stop a real build with one exact error line naming the file.

The fixture's debian/rules is the two-line one (plus a damage step for the
RECORD case); each case writes one malformed file into a copy of the
project and runs dpkg-buildpackage.  No traceback, no "internal error",
no .deb.  The input cases fail before any venv exists, so they are fast.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import PACKAGES

PROJECT = "inp2-errors"
LOCK_HINT = "fix or regenerate the lock file"
PEP508_HINT = "write it as a PEP 508 requirement, such as 'name[extra]>=1.0; python_version >= \"3.9\"'"
PYPROJECT = (PACKAGES / PROJECT / "pyproject.toml").read_text()

# case: (files written into the project, the error line after "dh_venv: error: inp2-errors: {source}/")
CASES: dict[str, tuple[dict[str, str], str]] = {
    "pyproject dependencies not an array": (
        {"pyproject.toml": PYPROJECT.replace('dependencies = ["tinydep"]', 'dependencies = "tinydep"')},
        "pyproject.toml: [project] dependencies must be an array of PEP 508 strings, not 'tinydep'; fix pyproject.toml",
    ),
    "pyproject dependency not PEP 508": (
        {"pyproject.toml": PYPROJECT.replace('"tinydep"', '"tinydep>>1"')},
        "pyproject.toml: [project] dependencies: invalid requirement 'tinydep>>1': "
        f"Expected end or semicolon (after name and no valid version specifier); {PEP508_HINT}",
    ),
    "pyproject not TOML": (
        {"pyproject.toml": PYPROJECT.replace("[project]", "[project")},
        "pyproject.toml is not valid TOML: Expected ']' at the end of a table declaration (at line 5, column 9); "
        "fix pyproject.toml",
    ),
    "requirements line not PEP 508": (
        {"requirements.txt": "# what the project needs\ntinydep>>1\n"},
        "requirements.txt: line 2: invalid requirement 'tinydep>>1': "
        "Expected end or semicolon (after name and no valid version specifier); "
        "write it as a PEP 508 requirement (name, extras, version, marker), a path or a URL",
    ),
    "uv.lock package without name": (
        {
            "uv.lock": 'version = 1\nrequires-python = ">=3.9"\n\n'
            '[[package]]\nname = "inp2-errors"\nversion = "1.0"\nsource = { editable = "." }\n'
            'dependencies = [{ name = "tinydep" }]\n\n'
            '[[package]]\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n'
        },
        f"uv.lock: [[package]] entry 2 has no name; {LOCK_HINT}",
    ),
    "poetry.lock files not an array": (
        {
            "poetry.lock": '[[package]]\nname = "tinydep"\nversion = "1.0"\n'
            'files = "tinydep-1.0-py3-none-any.whl"\n\n[metadata]\nlock-version = "2.1"\n'
        },
        "poetry.lock: [[package]] 'tinydep': files is not an array of tables but "
        f"'tinydep-1.0-py3-none-any.whl'; {LOCK_HINT}",
    ),
    "pylock.toml package without name": (
        {"pylock.toml": 'lock-version = "1.0"\ncreated-by = "hand"\n\n[[packages]]\nversion = "1.0"\n'},
        f"pylock.toml: [[packages]] entry 1 has no name; {LOCK_HINT}",
    ),
    "pylock.toml version not PEP 440": (
        {
            "pylock.toml": 'lock-version = "1.0"\n\n[[packages]]\nname = "tinydep"\nversion = "one"\n'
            'wheels = [{ name = "tinydep-1.0-py3-none-any.whl", hashes = { sha256 = "00" } }]\n'
        },
        f"pylock.toml: the entry of tinydep has version = 'one', which is not a PEP 440 version; {LOCK_HINT}",
    ),
}


def copy_of_fixture(tmp_path: Path, files: dict[str, str]) -> Path:
    source = tmp_path / PROJECT / f"{PROJECT}-1.0"
    shutil.copytree(PACKAGES / PROJECT, source, symlinks=True)
    for name, text in files.items():
        (source / name).write_text(text)
    return source


def assert_one_error(output: str, program: str, expected: str) -> None:
    assert "Traceback" not in output, output[-3000:]
    assert "internal error" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if re.match(rf"{program}: error: ", line)]
    assert errors == [expected], f"expected {expected!r}, build output:\n{output[-3000:]}"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_malformed_input(build_package, tmp_path: Path, case: str) -> None:
    files, error = CASES[case]
    source = copy_of_fixture(tmp_path, files)
    build = build_package(PROJECT, source=source)
    assert build.returncode != 0
    assert_one_error(build.output, "dh_venv", f"dh_venv: error: {PROJECT}: {source}/{error}")
    assert build.debs == {}
    # Nothing was built: the inputs stage stops before any venv exists.
    assert not (source / "debian" / PROJECT / "opt").exists()


def test_malformed_record_after_dh_venv(build_package, tmp_path: Path) -> None:
    """A RECORD damaged after dh_venv (in override_dh_venv) stops dh_venv_setaside, naming the file."""
    source = copy_of_fixture(tmp_path, {})
    build = build_package(PROJECT, source=source, INP2_DAMAGE_RECORD="1")
    assert build.returncode != 0
    python = os.path.basename(os.path.realpath("/usr/bin/python3"))
    record = f"{source}/debian/{PROJECT}/opt/venvs/{PROJECT}/lib/{python}/site-packages/tinydep-1.0.dist-info/RECORD"
    assert_one_error(
        build.output,
        "dh_venv_setaside",
        f"dh_venv_setaside: error: {PROJECT}: {record} is not a valid RECORD (CSV) file: "
        "field larger than field limit (131072); "
        "fix what wrote it (a command in override_dh_venv?), or reinstall that distribution",
    )
    assert build.debs == {}
