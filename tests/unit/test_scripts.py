"""Tests for dh_venv.expose.scripts: which console scripts become commands."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.expose.scripts import (
    declared_scripts,
    defers_to,
    entry_point_scripts,
    find_application,
    link_path,
    plan_links,
)

FINAL = PurePosixPath("/opt/venvs/demo")
BIN = PurePosixPath("/usr/bin")
SITE = "lib/python3.11/site-packages"


def add_dist(venv: Path, name: str, url: str | None, entry_points: str | None = None) -> Path:
    info = venv / SITE / f"{name}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\n")
    if url is not None:
        (info / "direct_url.json").write_text(json.dumps({"url": url, "dir_info": {}}))
    if entry_points is not None:
        (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    return info


def add_scripts(venv: Path, *names: str) -> None:
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    for name in names:
        (venv / "bin" / name).write_text("#!/opt/venvs/demo/bin/python\n")


# find_application


def test_find_application_picks_the_dist_built_from_the_copy(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    copy = tmp_path / "work/src"
    copy.mkdir(parents=True)
    add_dist(venv, "requests-2.31.0", "https://files.example.org/requests-2.31.0.tar.gz")
    add_dist(venv, "other-1.0", f"file://{tmp_path}/elsewhere")
    add_dist(venv, "plain-1.0", None)
    app = add_dist(venv, "demo-1.0", f"file://{copy}")
    assert find_application(venv, copy) == app


def test_find_application_unquotes_and_resolves(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    copy = tmp_path / "my src"
    copy.mkdir()
    (tmp_path / "alias").symlink_to(copy, target_is_directory=True)
    app = add_dist(venv, "demo-1.0", f"file://{tmp_path}/my%20src")
    assert find_application(venv, tmp_path / "alias") == app


def test_find_application_skips_broken_direct_url(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    copy = tmp_path / "src"
    copy.mkdir()
    broken = add_dist(venv, "broken-1.0", None)
    (broken / "direct_url.json").write_text("{not json")
    app = add_dist(venv, "demo-1.0", f"file://{copy}")
    assert find_application(venv, copy) == app


def test_find_application_none_when_not_installed(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    copy = tmp_path / "src"
    copy.mkdir()
    add_dist(venv, "requests-2.31.0", "https://files.example.org/requests-2.31.0.tar.gz")
    assert find_application(venv, copy) is None


# entry_point_scripts


def test_entry_point_scripts_console_and_gui_case_preserved(tmp_path: Path) -> None:
    info = add_dist(
        tmp_path,
        "demo-1.0",
        None,
        """\
        [console_scripts]
        DemoTool = demo.cli:main
        demo-admin = demo.admin:main [admin]

        [demo.plugins]
        not-a-script = demo.plugin:Plugin

        [gui_scripts]
        demo-gui = demo.gui:main
        """,
    )
    assert entry_point_scripts(info) == ["DemoTool", "demo-admin", "demo-gui"]


def test_entry_point_scripts_without_script_sections(tmp_path: Path) -> None:
    info = add_dist(tmp_path, "demo-1.0", None, "[pytest11]\ndemo = demo.plugin\n")
    assert entry_point_scripts(info) == []


def test_entry_point_scripts_without_file(tmp_path: Path) -> None:
    info = add_dist(tmp_path, "demo-1.0", None)
    assert entry_point_scripts(info) == []


# plan_links


def test_plan_links_default_links_all_app_scripts(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo", "demo-admin", "pip")
    assert plan_links(tmp_path, FINAL, BIN, ["demo-admin", "demo", "demo"], None) == {
        PurePosixPath("/usr/bin/demo"): PurePosixPath("/opt/venvs/demo/bin/demo"),
        PurePosixPath("/usr/bin/demo-admin"): PurePosixPath("/opt/venvs/demo/bin/demo-admin"),
    }


def test_plan_links_default_without_app_scripts(tmp_path: Path) -> None:
    add_scripts(tmp_path, "pip")
    assert plan_links(tmp_path, FINAL, BIN, [], None) == {}


def test_plan_links_default_missing_declared_script(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo")
    with pytest.raises(DhVenvError) as info:
        plan_links(tmp_path, FINAL, BIN, ["demo", "demo-gui"], None)
    assert info.value.message == (
        "console script demo-gui is declared by the application but missing from /opt/venvs/demo/bin"
    )


def test_plan_links_selection_with_rename(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo", "demo-admin", "gunicorn")
    selected = (("demo", "demo-cli"), ("gunicorn", "gunicorn"))
    assert plan_links(tmp_path, FINAL, BIN, ["demo", "demo-admin"], selected) == {
        PurePosixPath("/usr/bin/demo-cli"): PurePosixPath("/opt/venvs/demo/bin/demo"),
        PurePosixPath("/usr/bin/gunicorn"): PurePosixPath("/opt/venvs/demo/bin/gunicorn"),
    }


def test_plan_links_empty_selection_links_nothing(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo")
    assert plan_links(tmp_path, FINAL, BIN, ["demo"], ()) == {}


def test_plan_links_unknown_selected_script(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo", "demo-admin")
    with pytest.raises(DhVenvError) as info:
        plan_links(tmp_path, FINAL, BIN, ["demo-admin", "demo"], (("demo", "demo"), ("nosuch", "nosuch")))
    assert str(info.value) == (
        "--console-script nosuch: no such script in /opt/venvs/demo/bin; "
        "the application's own scripts are: demo, demo-admin"
    )


def test_plan_links_selected_directory_is_not_a_script(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo")
    (tmp_path / "bin/subdir").mkdir()
    with pytest.raises(DhVenvError) as info:
        plan_links(tmp_path, FINAL, BIN, [], (("subdir", "subdir"),))
    assert str(info.value) == (
        "--console-script subdir: no such script in /opt/venvs/demo/bin; the application's own scripts are: none"
    )


def test_plan_links_two_scripts_onto_one_link(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo", "demo-admin")
    with pytest.raises(DhVenvError) as info:
        plan_links(tmp_path, FINAL, BIN, [], (("demo", "tool"), ("demo-admin", "tool")))
    assert str(info.value) == (
        "console scripts demo and demo-admin would both be linked as /usr/bin/tool; "
        "rename one with --console-script=NAME=OTHER"
    )


def test_plan_links_any_directory_and_a_dependency_script(tmp_path: Path) -> None:
    add_scripts(tmp_path, "profiler", "tinydep-tool")
    selected = (("profiler", "/usr/sbin/profiler"), ("tinydep-tool", "tinydep-tool"))
    assert plan_links(tmp_path, FINAL, PurePosixPath("/usr/games"), ["profiler"], selected) == {
        PurePosixPath("/usr/sbin/profiler"): PurePosixPath("/opt/venvs/demo/bin/profiler"),
        PurePosixPath("/usr/games/tinydep-tool"): PurePosixPath("/opt/venvs/demo/bin/tinydep-tool"),
    }


def test_plan_links_refuses_a_link_inside_the_venv(tmp_path: Path) -> None:
    add_scripts(tmp_path, "demo")
    with pytest.raises(DhVenvError) as info:
        plan_links(tmp_path, FINAL, BIN, [], (("demo", "/opt/venvs/demo/bin/other"),))
    assert str(info.value) == (
        "console script demo would be linked as /opt/venvs/demo/bin/other, inside the venv; "
        "give a link outside the venv in --console-script=NAME=/DIR/LINK"
    )


def test_link_path() -> None:
    assert link_path("demo", BIN) == PurePosixPath("/usr/bin/demo")
    assert link_path("/usr/sbin/demo", BIN) == PurePosixPath("/usr/sbin/demo")


def test_defers_to_links_into_the_venv_only() -> None:
    into = {PurePosixPath("/usr/sbin/prof"): PurePosixPath("/opt/venvs/demo/bin/prof")}
    elsewhere = {PurePosixPath("/usr/bin/x"): PurePosixPath("/usr/share/demo/x")}
    sibling = {PurePosixPath("/usr/bin/x"): PurePosixPath("/opt/venvs/demo2/bin/x")}
    assert defers_to(into, FINAL)
    assert not defers_to(elsewhere, FINAL)
    assert not defers_to(sibling, FINAL)
    assert not defers_to({}, FINAL)


@pytest.mark.parametrize("content", ["[]", '{"url": 5}', '"file:///x"', "{}"])
def test_find_application_skips_direct_url_of_another_shape(tmp_path: Path, content: str) -> None:
    dist_info = tmp_path / "lib/python3.11/site-packages/other-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "direct_url.json").write_text(content)
    assert find_application(tmp_path, tmp_path / "src") is None


def test_entry_points_declared_twice_are_one_script(tmp_path: Path) -> None:
    (tmp_path / "entry_points.txt").write_text("[console_scripts]\ndemo = a:b\ndemo = a:c\n")
    assert entry_point_scripts(tmp_path) == ["demo"]


def test_unreadable_entry_points_of_the_application_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "entry_points.txt").write_text("demo = a:b\n")
    with pytest.raises(DhVenvError) as info:
        entry_point_scripts(tmp_path)
    assert str(info.value).startswith(
        f"{tmp_path / 'entry_points.txt'} is not a valid entry_points.txt (File contains no section headers."
    )
    assert declared_scripts(tmp_path) == []  # a dependency's: no scripts, no error
