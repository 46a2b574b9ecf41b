"""Malformed inputs of every kind end in one DhVenvError naming the file, never in another exception.

Each reader of user input is fed what a damaged or hand-edited file holds:
the exact message is checked for each kind, and every lock format is walked
through every structural damage (a key removed, a value of another type) to
show that nothing but a DhVenvError comes out.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import tarfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dh_venv.cli import options, vendor
from dh_venv.compiled import aside, prebuilt, state
from dh_venv.debhelper import lintian
from dh_venv.errors import DhVenvError
from dh_venv.inputs import locks, poetrylock, pylock, uvlock
from dh_venv.inputs.pyproject import from_data, read_pyproject
from dh_venv.inputs.requirements import check_syntax, requirement_files
from dh_venv.relocate import finalize

PACKAGES = Path(__file__).resolve().parents[1] / "packages"
UVAPP = PACKAGES / "inp-uvapp"
POETRYAPP = PACKAGES / "inp-poetryapp"
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
REGENERATE = "fix or regenerate the lock file"


def lock_in(tmp_path: Path, fixture: Path, lock: str, edit: tuple[str, str] | None = None) -> Path:
    """A copy of a fixture project with its lock ``lock``, optionally with one text replacement."""
    shutil.copy(fixture / "pyproject.toml", tmp_path)
    source = fixture / lock if (fixture / lock).is_file() else fixture / "alt" / lock
    text = source.read_text()
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    (tmp_path / lock).write_text(text)
    return tmp_path / lock


def error_of(lock: Path, wanted: locks.Wanted | None = None) -> str:
    with pytest.raises(DhVenvError) as info:
        locks.read(lock, read_pyproject(lock.parent), LINUX_311, wanted or locks.Wanted())
    return str(info.value)


# -- lock files: the exact line for each kind of damage ---------------------------------------


def test_pylock_package_without_name(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ('[[packages]]\nname = "idna"\n', "[[packages]]\n"))
    assert error_of(lock) == f"{lock}: [[packages]] entry 2 has no name; {REGENERATE}"


def test_pylock_name_not_a_string(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ('name = "six"', "name = 6"))
    assert error_of(lock) == (
        f"{lock}: [[packages]] entry 4 has name = 6, which is not a non-empty string; {REGENERATE}"
    )


def test_pylock_packages_not_an_array(tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    shutil.copy(UVAPP / "pyproject.toml", tmp_path)
    lock.write_text('lock-version = "1.0"\npackages = "six"\n')
    assert error_of(lock) == f"{lock}: [[packages]] is not an array of tables but 'six'; {REGENERATE}"


def test_pylock_version_not_pep440(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ('version = "3.3"', 'version = "three"'))
    assert error_of(lock) == (
        f"{lock}: the entry of idna has version = 'three', which is not a PEP 440 version; {REGENERATE}"
    )


def test_pylock_requires_python_invalid(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ('requires-python = ">=3.9"', 'requires-python = "3.9+"'))
    assert error_of(lock) == (f"{lock}: requires-python '3.9+' is not valid: Invalid specifier: '3.9+'; {REGENERATE}")


def test_pylock_marker_not_a_string(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ("marker = \"sys_platform == 'win32'\"", "marker = 1"))
    assert error_of(lock) == f"{lock}: a marker is not a string but 1; {REGENERATE}"


def test_pylock_not_toml(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "pylock.toml", ('lock-version = "1.0"', "lock-version = "))
    assert error_of(lock) == (f"cannot read lock file {lock}: Invalid value (at line 3, column 16); {REGENERATE}")


def test_uv_lock_package_without_name(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "uv.lock", ('[[package]]\nname = "attrs"\n', "[[package]]\n"))
    assert error_of(lock) == f"{lock}: [[package]] entry 1 has no name; {REGENERATE}"


def test_uv_lock_dependency_without_name(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "uv.lock", ('{ name = "six" }', '{ nam = "six" }'))
    assert error_of(lock) == f"{lock}: [[package]] 'inp-uvapp': dependencies entry has no name; {REGENERATE}"


def test_uv_lock_wheels_not_tables(tmp_path: Path) -> None:
    text = (UVAPP / "uv.lock").read_text()
    start = text.index("wheels = [", text.index('name = "idna"'))
    end = text.index("]\n", start) + 2
    lock = lock_in(tmp_path, UVAPP, "uv.lock", (text[start:end], 'wheels = ["idna.whl"]\n'))
    assert error_of(lock) == (
        f"{lock}: [[package]] 'idna': wheels is not an array of tables but ['idna.whl']; {REGENERATE}"
    )


def test_uv_lock_requires_dist_invalid_requirement(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, UVAPP, "uv.lock")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"idna",', '"idna",\n    "bad name",'))
    with pytest.raises(DhVenvError) as info:
        read_pyproject(tmp_path)
    assert str(info.value) == (
        f"{pyproject}: [project] dependencies: invalid requirement 'bad name': "
        "Expected end or semicolon (after name and no valid version specifier); "
        "write it as a PEP 508 requirement, such as 'name[extra]>=1.0; python_version >= \"3.9\"'"
    )
    assert lock.is_file()


def test_poetry_lock_package_without_name(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, POETRYAPP, "poetry.lock", ('[[package]]\nname = "six"\n', "[[package]]\n"))
    assert error_of(lock) == f"{lock}: [[package]] entry 5 has no name; {REGENERATE}"


def test_poetry_lock_files_not_an_array(tmp_path: Path) -> None:
    text = (POETRYAPP / "poetry.lock").read_text()
    start = text.index("files = [", text.index('name = "six"'))
    end = text.index("]\n", start) + 2
    lock = lock_in(tmp_path, POETRYAPP, "poetry.lock", (text[start:end], 'files = "six.whl"\n'))
    assert error_of(lock) == (f"{lock}: [[package]] 'six': files is not an array of tables but 'six.whl'; {REGENERATE}")


def test_poetry_lock_version_missing(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, POETRYAPP, "poetry.lock", ('name = "idna"\nversion = "3.3"\n', 'name = "idna"\n'))
    assert error_of(lock) == (
        f"{lock}: the entry of idna has version = None, which is not a non-empty string; {REGENERATE}"
    )


def test_poetry_lock_pep621_dependency_invalid(tmp_path: Path) -> None:
    lock = lock_in(tmp_path, POETRYAPP, "poetry.lock")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[project]\nname = "inp-poetryapp"\ndependencies = "six"\n')
    with pytest.raises(DhVenvError) as info:
        locks.read(lock, read_pyproject(tmp_path), LINUX_311, locks.Wanted())
    assert str(info.value) == (
        f"{pyproject}: [project] dependencies must be an array of PEP 508 strings, not 'six'; fix pyproject.toml"
    )


# -- lock files: every structural damage gives a DhVenvError ---------------------------------

READERS = {"uv.lock": uvlock.read, "poetry.lock": poetrylock.read, "pylock.toml": pylock.read}
DAMAGE: list[object] = [None, 7, "x", [], {}, [7], ["x"], [{}], {"x": 7}]


def key_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value of a TOML document (keys and array indexes)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield (*prefix, key)
        yield from key_paths(inner, (*prefix, key))


def damaged(data: dict[str, Any], path: tuple[Any, ...], new: object) -> dict[str, Any]:
    result = copy.deepcopy(data)
    parent: Any = result
    for key in path[:-1]:
        parent = parent[key]
    if new is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return result


@pytest.mark.parametrize(("fixture", "name"), [(UVAPP, "uv.lock"), (POETRYAPP, "poetry.lock"), (UVAPP, "pylock.toml")])
def test_every_damage_to_a_lock_is_a_dh_venv_error(tmp_path: Path, fixture: Path, name: str) -> None:
    lock = lock_in(tmp_path, fixture, name)
    data = tomllib.loads(lock.read_text())
    project = read_pyproject(tmp_path)
    wanted = locks.Wanted(("fancy",), ("dev",)) if name != "pylock.toml" else locks.Wanted()
    outcomes = {"ok": 0, "error": 0}
    for path in key_paths(data):
        for new in DAMAGE:
            try:
                result = READERS[name](lock, damaged(data, path, new), project, LINUX_311, wanted)
                locks.check_matches_project(result, project, LINUX_311, wanted)
                outcomes["ok"] += 1
            except DhVenvError as exc:
                assert str(lock) in str(exc), (path, new, str(exc))
                outcomes["error"] += 1
            except Exception as exc:  # the point of the test
                pytest.fail(f"{name}: {path} = {new!r} raised {type(exc).__name__}: {exc}")
    # Both outcomes occur: damage to what the walk reads is refused, to what it ignores is not.
    assert outcomes["ok"] > 100
    assert outcomes["error"] > 100


@pytest.mark.parametrize(("fixture", "name"), [(UVAPP, "uv.lock"), (POETRYAPP, "poetry.lock"), (UVAPP, "pylock.toml")])
def test_every_damage_to_pyproject_is_a_dh_venv_error(tmp_path: Path, fixture: Path, name: str) -> None:
    """What passes the checks of pyproject.toml is safe for the lock readers."""
    lock = lock_in(tmp_path, fixture, name)
    pyproject = tmp_path / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text())
    refused = 0
    for path in key_paths(data):
        for new in DAMAGE:
            try:
                project = from_data(pyproject, damaged(data, path, new))
            except DhVenvError as exc:
                assert str(exc).startswith(f"{pyproject}: "), (path, new, str(exc))
                refused += 1
                continue
            try:
                locks.read(lock, project, LINUX_311, locks.Wanted(("fancy",), ("dev",)))
            except DhVenvError:
                pass
            except Exception as exc:  # the point of the test
                pytest.fail(f"pyproject.toml: {path} = {new!r} raised {type(exc).__name__}: {exc}")
    assert refused > 20


# -- pyproject.toml -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[project]\nname = 'x'\ndependencies = 'six'\n",
            "[project] dependencies must be an array of PEP 508 strings, not 'six'",
        ),
        (
            "[project]\nname = 'x'\ndependencies = [6]\n",
            "each entry of [project] dependencies must be a PEP 508 string, not 6",
        ),
        ("[project]\nname = 7\n", "[project] name must be a string, not 7"),
        ("project = 'x'\n", "[project] must be a table, not 'x'"),
        (
            "[project]\nname = 'x'\noptional-dependencies = ['six']\n",
            "[project.optional-dependencies] must be a table, not ['six']",
        ),
        (
            "[project]\nname = 'x'\n[project.optional-dependencies]\nfancy = 'attrs'\n",
            "[project.optional-dependencies] fancy must be an array of PEP 508 strings, not 'attrs'",
        ),
        (
            "[project]\nname = 'x'\ndynamic = 'version'\n",
            "[project] dynamic must be an array of strings, not 'version'",
        ),
        (
            "[dependency-groups]\ndev = 'pytest'\n",
            "[dependency-groups] dev must be an array of PEP 508 strings and include-group tables, not 'pytest'",
        ),
        (
            "[build-system]\nrequires = 'setuptools'\n",
            "[build-system] requires must be an array of PEP 508 strings, not 'setuptools'",
        ),
        ("[tool]\npoetry = 1\n", "[tool.poetry] must be a table, not 1"),
        ("[tool.poetry]\ndependencies = ['six']\n", "[tool.poetry.dependencies] must be a table, not ['six']"),
        (
            "[tool.poetry.extras]\nfancy = 'attrs'\n",
            "[tool.poetry.extras] fancy must be an array of strings, not 'attrs'",
        ),
        ("[tool.poetry.group.dev]\ndependencies = 1\n", "[tool.poetry.group.dev.dependencies] must be a table, not 1"),
    ],
)
def test_pyproject_wrong_types(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(DhVenvError) as info:
        read_pyproject(tmp_path)
    assert str(info.value) == f"{tmp_path / 'pyproject.toml'}: {message}; fix pyproject.toml"


def test_pyproject_invalid_requirement(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n[project.optional-dependencies]\nweb = ['flask>>2']\n"
    )
    with pytest.raises(DhVenvError) as info:
        read_pyproject(tmp_path)
    assert info.value.message == (
        f"{tmp_path / 'pyproject.toml'}: [project.optional-dependencies] web: invalid requirement 'flask>>2': "
        "Expected end or semicolon (after name and no valid version specifier)"
    )


def test_pyproject_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[project]\nname = '\xe9'\n")
    with pytest.raises(DhVenvError) as info:
        read_pyproject(tmp_path)
    assert info.value.message.startswith(f"cannot read {tmp_path / 'pyproject.toml'}: 'utf-8' codec can't decode")


def test_pyproject_valid_tables_pass(tmp_path: Path) -> None:
    shutil.copy(UVAPP / "pyproject.toml", tmp_path)
    assert read_pyproject(tmp_path)["dependencies"][0] == "six>=1.10"
    shutil.copy(POETRYAPP / "pyproject.toml", tmp_path)
    assert read_pyproject(tmp_path)["name"] == "inp-poetryapp"
    (tmp_path / "pyproject.toml").write_text(
        "[dependency-groups]\ntest = ['pytest']\nall = [{include-group = 'test'}, 'coverage']\n"
    )
    assert read_pyproject(tmp_path)["dependency-groups"]["all"][0] == {"include-group": "test"}


# -- requirements files -------------------------------------------------------------------------


def test_requirements_invalid_line(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("# tools\nsix==1.16.0\nrequests>>=2 ; python_version > '3'\n")
    with pytest.raises(DhVenvError) as info:
        requirement_files(tmp_path, None)
    assert str(info.value) == (
        f"{tmp_path}/requirements.txt: line 3: invalid requirement \"requests>>=2 ; python_version > '3'\": "
        "Expected end or semicolon (after name and no valid version specifier); "
        "write it as a PEP 508 requirement (name, extras, version, marker), a path or a URL"
    )


def test_requirements_invalid_line_in_nested_file_after_continuation(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r more/base.txt\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more/base.txt").write_text("six==1.16.0 \\\n    --hash=sha256:abc\nsix[=1\n")
    with pytest.raises(DhVenvError) as info:
        requirement_files(tmp_path, ("requirements.txt",))
    assert info.value.message.startswith(
        f"{(tmp_path / 'more/base.txt').resolve()}: line 3: invalid requirement 'six[=1': Expected"
    )


def test_requirements_nul_byte(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"six\n./vendored\0dir\n")
    with pytest.raises(DhVenvError) as info:
        requirement_files(tmp_path, None)
    assert str(info.value) == (
        f"{tmp_path}/requirements.txt: line 2 contains a NUL byte, so it is not a text file; "
        "save the requirements file as UTF-8 text"
    )


def test_requirements_lines_pip_understands_pass(tmp_path: Path) -> None:
    (tmp_path / "vendored").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "\n".join(
            [
                "--index-url https://pypi.org/simple",
                "-e .",
                ".[fancy]",
                "./libs/thing-1.0-py3-none-any.whl",
                "vendored",
                "thing-1.0.tar.gz",
                "git+https://example.org/x.git#egg=x",
                "https://example.org/x-1.0.tar.gz",
                "file:///srv/x",
                "x @ https://example.org/x-1.0.tar.gz ; python_version >= '3'",
                "pkg==${VERSION}",
                "six==1.16.0 --hash=sha256:abc \\",
                "    --hash=sha256:def",
                "attrs[tests] >= 21 ; sys_platform == 'linux'  # comment",
                "",
            ]
        )
    )
    check_syntax(tmp_path / "requirements.txt", tmp_path)


# -- RECORD, installer reports and state files -----------------------------------------------


def make_dist(tmp_path: Path, record: bytes) -> prebuilt.Distribution:
    dist_info = tmp_path / "lib/python3/site-packages/odd-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "RECORD").write_bytes(record)
    return prebuilt.Distribution("odd", dist_info)


def test_record_not_utf8_is_read_and_kept(tmp_path: Path) -> None:
    site = tmp_path / "lib/python3/site-packages"
    site.mkdir(parents=True)
    (site / b"caf\xe9.py".decode(errors="surrogateescape")).write_text("x = 1\n")
    dist = make_dist(tmp_path, b"caf\xe9.py,sha256=AAAA,6\nodd-1.0.dist-info/RECORD,,\n")
    assert [p.name for p, _ in dist.hashed_files()] == ["caf\udce9.py"]
    assert prebuilt.refresh_record(dist)
    assert (dist.dist_info / "RECORD").read_bytes().startswith(b"caf\xe9.py,sha256=")


def test_record_not_csv(tmp_path: Path) -> None:
    dist = make_dist(tmp_path, b'"' + b"x" * 200000 + b'",sha256=AAAA,1\n')
    with pytest.raises(DhVenvError) as info:
        list(dist.hashed_files())
    assert str(info.value) == (
        f"{dist.dist_info}/RECORD is not a valid RECORD (CSV) file: field larger than field limit (131072); "
        "fix what wrote it (a command in override_dh_venv?), or reinstall that distribution"
    )


@pytest.mark.parametrize(
    "report", ["[]", '{"install": 5}', '{"install": [5, {"metadata": 5}]}', '{"install": [{"metadata": {"name": 5}}]}']
)
def test_installer_report_of_another_shape_is_left_to_the_wheel_tags(tmp_path: Path, report: str) -> None:
    (tmp_path / "report.json").write_text(report)
    assert prebuilt.read_reports([tmp_path / "report.json"]) == prebuilt.State()


def test_installer_report_read(tmp_path: Path) -> None:
    report = {
        "install": [
            {"metadata": {"name": "Built_Here"}, "download_info": {"url": "file:///src"}},
            {"metadata": {"name": "wheely"}, "download_info": {"url": "https://x/wheely-1-py3-none-any.whl"}},
        ]
    }
    (tmp_path / "report.json").write_text(json.dumps(report))
    state = prebuilt.read_reports([tmp_path / "report.json"])
    assert (state.built_here, state.downloaded) == (["built-here"], ["wheely"])


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{", "is corrupt (an interrupted write?); discarded it"),
        ("[]", "holds no state; discarded {dir}"),
        ('{"venvs": 5}', "holds no state; discarded {dir}"),
    ],
)
def test_state_file_damaged_is_discarded_with_a_notice(tmp_path: Path, text: str, why: str) -> None:
    (tmp_path / state.STATE).write_text(text)
    notes: list[str] = []
    assert state.State.load(tmp_path, notes) is None
    assert notes == [f"{tmp_path}/compiled.json {why.format(dir=tmp_path)}"]
    assert not (tmp_path / state.STATE).exists()


def test_set_aside_manifest_damaged_is_discarded_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / state.MANIFEST).write_text('[{"path": "x"}]')
    notes: list[str] = []
    assert aside.restore(tmp_path, tmp_path, notes) == []
    assert notes == [f"{tmp_path}/prebuilt.json holds no list of files; discarded it"]


# -- dh-venv vendor: pyproject.toml of the project and of sdists ----------------------------------


def test_vendor_project_pyproject_not_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[build-system\n")
    with pytest.raises(DhVenvError) as info:
        vendor._build_requires_of_project(tmp_path)
    assert str(info.value) == (
        f"{tmp_path}/pyproject.toml is not valid TOML: Expected ']' at the end of a table declaration "
        "(at line 1, column 14); fix pyproject.toml"
    )


def sdist_with(tmp_path: Path, pyproject: bytes) -> str:
    path = tmp_path / "odd-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as t:
        info = tarfile.TarInfo("odd-1.0/pyproject.toml")
        info.size = len(pyproject)
        t.addfile(info, io.BytesIO(pyproject))
    return str(path)


def test_vendor_sdist_pyproject_not_toml(tmp_path: Path) -> None:
    sdist = sdist_with(tmp_path, b"[build-system]\nrequires = [\n")
    with pytest.raises(DhVenvError) as info:
        vendor._build_requires_of_sdist(sdist)
    assert str(info.value) == (
        f"the sdist {sdist} has a pyproject.toml that is not valid TOML: Invalid value (at end of document); "
        "the sdist cannot be built: pin another version of it, or vendor its wheel instead"
    )


def test_vendor_sdist_requires_not_an_array(tmp_path: Path) -> None:
    sdist = sdist_with(tmp_path, b"[build-system]\nrequires = 'setuptools'\n")
    with pytest.raises(DhVenvError) as info:
        vendor._build_requires_of_sdist(sdist)
    assert info.value.message == f"{sdist}: [build-system] requires must be an array of strings, not 'setuptools'"


def test_lintian_reads_any_record(tmp_path: Path) -> None:
    dist = make_dist(tmp_path, b"caf\xe9.py,,\n" + b'"' + b"x" * 200000 + b'",,\n')
    site = dist.site_packages
    assert lintian._record_files(dist.dist_info / "RECORD") == {(site / "caf\udce9.py").resolve()}


# -- words of environment variables -------------------------------------------------------------


def test_dh_options_with_an_unclosed_quote() -> None:
    with pytest.raises(DhVenvError) as info:
        options.parse([], {"DH_OPTIONS": "--foo 'x"})
    assert str(info.value) == (
        'DH_OPTIONS cannot be split into words (No closing quotation): "--foo \'x"; '
        "fix the quoting in DH_OPTIONS (debian/rules or the build environment)"
    )


def test_pip_args_split_as_a_shell_does() -> None:
    assert options.split_words("DH_VENV_PIP_ARGS", "--index-url 'https://x/a b' -q") == [
        "--index-url",
        "https://x/a b",
        "-q",
    ]
    with pytest.raises(DhVenvError) as info:
        options.split_words("DH_VENV_PIP_ARGS", '--index-url "x')
    assert info.value.message == "DH_VENV_PIP_ARGS cannot be split into words (No closing quotation): '--index-url \"x'"


@pytest.mark.parametrize("text", ["[]", "{", '{"url": 5}', '{"dir_info": {}}'])
def test_direct_url_json_of_another_shape_is_no_url_of_the_target(tmp_path: Path, text: str) -> None:
    """finalize keeps a direct_url.json only when it names a URL that is not a local path."""
    (tmp_path / "direct_url.json").write_text(text)
    assert finalize._is_local(tmp_path / "direct_url.json") is (text in ("[]", "{"))
