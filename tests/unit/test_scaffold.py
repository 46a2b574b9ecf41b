"""dh-venv init's files, from Project values and real files in tmp_path (no build: see tests/e2e/test_init.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.record.licenses import License
from dh_venv.releases import targets, testcontrol
from dh_venv.runner import Runner
from dh_venv.scaffold import Project, Request, compose, control, copyright, names, service, write
from dh_venv.scaffold.compose import from_project

EPOCH = {"SOURCE_DATE_EPOCH": "1780000000"}  # 2026-05-28


def _runner() -> Runner:
    return Runner(log=[].append)


def _project(**fields: object) -> Project:
    base: dict[str, object] = {
        "name": "Web_App",
        "version": "2.1rc1",
        "summary": "Serves the web app.",
        "readme": "# Web app\n\n[![ci](https://x/b.svg)](https://x)\n\nThe **web app** serves [pages](https://x/p).\n",
        "readme_type": "text/markdown",
        "license": License("MIT", source="License-Expression"),
        "license_files": {"LICENSE": "Copyright (c) Ada\n\nPermission is hereby granted.\n"},
        "urls": {"Homepage": "https://example.org/app", "Source": "https://github.com/o/web-app/tree/main"},
        "authors": ("Ada Lovelace <ada@example.org>",),
        "scripts": ("web-app", "web-admin"),
    }
    base.update(fields)
    return Project(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("project", "debian"),
    [("Web_App", "web-app"), ("zope.interface", "zope-interface"), ("A--B__c", "a-b-c"), ("py3", "py3")],
)
def test_package_name_follows_pep503_then_debian(project: str, debian: str) -> None:
    assert names.package_name(project) == debian


@pytest.mark.parametrize("project", ["x", "café", "a b"])
def test_package_name_that_cannot_be_debian(project: str) -> None:
    with pytest.raises(DhVenvError) as exc:
        names.package_name(project)
    assert str(exc.value) == (
        f"the project name {project!r} cannot become a Debian package name (lower-case letters, digits, '+', "
        "'-' and '.', at least two characters, starting with a letter or digit); "
        "give one with dh-venv init --package NAME"
    )


def test_package_name_given_is_checked() -> None:
    assert names.package_name("x", "my-x") == "my-x"
    with pytest.raises(DhVenvError, match=r"^--package 'My_X' is not a Debian package name; use lower-case"):
        names.package_name("x", "My_X")


@pytest.mark.parametrize(
    ("pep440", "debian"),
    [
        ("1.0", "1.0"),
        ("1.0rc1", "1.0~rc1"),
        ("1.0a2.dev3", "1.0~a2~dev3"),
        ("2.0.post1", "2.0.post1"),
        ("1!3.1", "1:3.1"),
        ("0.4.dev2+g1234abc", "0.4~dev2+g1234abc"),
    ],
)
def test_debian_version_sorts_like_pep440(pep440: str, debian: str) -> None:
    assert names.debian_version(pep440) == debian


def test_debian_version_refuses_what_is_not_pep440() -> None:
    with pytest.raises(DhVenvError, match=r"^the project's version 'banana' is not a PEP 440 version"):
        names.debian_version("banana")


def test_maintainer_from_debian_variables(tmp_path: Path) -> None:
    env = {"DEBFULLNAME": "Ada Lovelace", "DEBEMAIL": "ada@example.org", "HOME": str(tmp_path)}
    assert names.maintainer(env, tmp_path, _runner()) == "Ada Lovelace <ada@example.org>"
    both = {"DEBEMAIL": "Grace Hopper <grace@example.org>", "HOME": str(tmp_path)}
    assert names.maintainer(both, tmp_path, _runner()) == "Grace Hopper <grace@example.org>"


def test_maintainer_from_git_config(tmp_path: Path) -> None:
    (tmp_path / ".gitconfig").write_text("[user]\n\tname = Linus Example\n\temail = linus@example.org\n")
    assert names.maintainer({"HOME": str(tmp_path)}, tmp_path, _runner()) == "Linus Example <linus@example.org>"


def test_no_maintainer_names_the_variables(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as exc:
        names.maintainer({"HOME": str(tmp_path)}, tmp_path, _runner())
    assert str(exc.value) == (
        "no maintainer known for debian/control and debian/changelog: DEBFULLNAME (or git config user.name) "
        "and DEBEMAIL not set; export DEBFULLNAME='Your Name' DEBEMAIL=you@example.org, or set git config "
        "user.name and user.email, and run dh-venv init again"
    )


def test_description_from_summary_and_readme() -> None:
    text = control.description("web-app", _project())
    assert text.splitlines() == [
        "Serves the web app",
        " The web app serves pages.",
        " .",
        " This package ships Web_App with every Python distribution it needs in",
        " its own virtual environment under /opt/venvs/web-app.",
    ]


def test_readme_paragraphs_skip_rest_markup() -> None:
    rst = (
        "=====\nTitle\n=====\n\n.. image:: x.svg\n\n"
        "Some `link <https://x>`_ and ``code`` here, at length.\n\n::\n\n    $ run\n"
    )
    assert control.readme_paragraphs(rst, "text/x-rst") == ["Some link and code here, at length."]


def test_readme_introduction_ends_at_the_next_heading() -> None:
    rst = (
        "yamllint\n========\n\nA linter for YAML files, with `docs <https://x>`_ and a reference_.\n\n"
        "Installation\n------------\n\nUsing pip, the Python package manager:\n\n.. code:: bash\n\n"
        "   pip install yamllint\n"
    )
    assert control.readme_paragraphs(rst, "text/x-rst") == ["A linter for YAML files, with docs and a reference."]
    markdown = "# App\n\nIntro of the app, in words.\n\nRun it like this:\n\n```\napp --go\n```\n\n## Usage\n\nMore."
    assert control.readme_paragraphs(markdown, "text/markdown") == ["Intro of the app, in words."]


def test_synopsis_is_one_short_line_without_the_name() -> None:
    long = _project(summary="web-app: " + "very " * 30 + "long.")
    synopsis = control.synopsis_of("web-app", long)
    assert len(synopsis) <= 80 and synopsis.startswith("Very very") and synopsis.endswith("...")


def test_synopsis_starts_with_no_article() -> None:
    assert control.synopsis_of("yl", _project(summary="A linter for YAML files.")) == "Linter for YAML files"
    assert control.synopsis_of("yl", _project(summary="The tool")) == "Tool"
    assert control.synopsis_of("yl", _project(summary="Another tool")) == "Another tool"


def test_urls_give_homepage_and_vcs() -> None:
    assert control.urls(_project().urls) == ("https://example.org/app", "https://github.com/o/web-app")
    assert control.urls({"Repository": "https://gitlab.com/g/p"}) == (
        "https://gitlab.com/g/p",
        "https://gitlab.com/g/p",
    )
    assert control.urls({}) == (None, None)


@pytest.mark.parametrize(
    ("spdx", "field"),
    [
        ("MIT", "Expat"),
        ("GPL-2.0-or-later", "GPL-2+"),
        ("LGPL-2.1-only", "LGPL-2.1"),
        ("MIT OR Apache-2.0", "Expat or Apache-2.0"),
        ("GPL-3.0-only WITH Classpath-exception-2.0", "GPL-3 with Classpath-exception-2.0 exception"),
        ("BSD-3-Clause AND PSF-2.0", "BSD-3-clause and PSF-2"),
    ],
)
def test_license_field_in_debian_short_names(spdx: str, field: str) -> None:
    assert copyright.license_field(_project(license=License(spdx)))[0] == field


def test_copyright_is_machine_readable_with_license_texts() -> None:
    text, warnings = copyright.copyright(
        "web-app",
        _project(license=License("MIT OR Apache-2.0")),
        maintainer="M <m@example.org>",
        source="https://example.org/app",
        environ=EPOCH,
    )
    assert warnings == []
    paragraphs = text.split("\n\n")
    assert paragraphs[0].splitlines()[:4] == [
        f"Format: {copyright.FORMAT}",
        "Upstream-Name: Web_App",
        "Upstream-Contact: Ada Lovelace <ada@example.org>",
        "Source: https://example.org/app",
    ]
    assert "/usr/share/doc/web-app/venv-licenses.txt" in paragraphs[0].replace("\n ", " ")
    assert paragraphs[1] == "Files: *\nCopyright: 2026 Ada Lovelace\nLicense: Expat or Apache-2.0"
    assert paragraphs[2] == "Files: debian/*\nCopyright: 2026 M <m@example.org>\nLicense: Expat or Apache-2.0"
    assert paragraphs[3] == "License: Expat\n Copyright (c) Ada\n .\n Permission is hereby granted."
    assert paragraphs[4].startswith("License: Apache-2.0\n On Debian systems, the complete text")


def test_license_recognised_from_its_text_when_the_metadata_names_none() -> None:
    gpl = "          GNU GENERAL PUBLIC LICENSE\n           Version 3, 29 June 2007\n\n Copyright..."
    found = _project(license=License(names=("GNU-GPL",)), license_files={"LICENSE.txt": gpl})
    text, warnings = copyright.copyright("cowsay", found, maintainer="M <m@e.org>", source=None, environ=EPOCH)
    assert warnings == [] and "GENERAL PUBLIC" not in text
    assert text.rstrip().split("\n\n")[-1] == (
        "License: GPL-3\n On Debian systems, the complete text of the GPL-3 license\n"
        " can be found in /usr/share/common-licenses/GPL-3."
    )
    unknown = _project(license=License(names=("Custom",)), license_files={"LICENSE": "Do what you like.\n"})
    assert copyright.license_field(unknown) == ("Custom", ["Custom"])


def test_copyright_without_a_license_text_warns() -> None:
    _, warnings = copyright.copyright(
        "web-app", _project(license_files={}), maintainer="M <m@example.org>", source=None, environ=EPOCH
    )
    assert warnings == [
        "debian/copyright: no text found for the license Expat (not in /usr/share/common-licenses, and the "
        "project ships no license file): add it under its License: paragraph"
    ]


def test_no_license_at_all_is_a_warning_of_the_scaffold() -> None:
    found = _project(license=License(), license_files={}, scripts=())
    scaffold = from_project(found, Request(), "M <m@e.org>", "bookworm", EPOCH)
    assert "License: unknown\n" in scaffold.files["debian/copyright"]
    assert scaffold.warnings == (
        "debian/copyright: Web_App declares no license and ships no license file; write its license in place "
        "of 'unknown' (and into the project's metadata)",
        "Web_App declares no console script: nothing will be on PATH, and no command is tested",
    )
    assert scaffold.files["debian/tests/control"] == "Test-Command: true\nDepends: @\nRestrictions: superficial\n"


def test_service_runs_the_command_as_the_package_user() -> None:
    unit = service.unit("web-app", "Serves", "web-app serve --port 80%", ["web-app"])
    assert "ExecStart=/usr/bin/web-app serve --port 80%%\n" in unit
    assert "User=web-app\nGroup=web-app\n" in unit
    assert service.exec_start("gunicorn app:wsgi", "web-app", ["web-app"]) == "/opt/venvs/web-app/bin/gunicorn app:wsgi"
    assert service.exec_start("/usr/bin/env X=1 true", "p", []) == "/usr/bin/env X=1 true"
    assert service.user_name("2to3.x+y") == "_2to3-x-y"
    adduser = "adduser --system --group --quiet --no-create-home --home /nonexistent web-app"
    assert adduser in service.postinst("web-app")
    with pytest.raises(DhVenvError, match=r"^--service needs a command"):
        service.exec_start("  ", "p", [])


def test_from_project_all_files() -> None:
    scaffold = from_project(_project(), Request(build_depends=("libpq-dev",)), "M <m@e.org>", "trixie", EPOCH)
    assert (scaffold.package, scaffold.version) == ("web-app", "2.1~rc1-1")
    assert sorted(scaffold.files) == [
        "debian/changelog",
        "debian/control",
        "debian/copyright",
        "debian/rules",
        "debian/source/format",
        "debian/tests/control",
        "debian/web-app.lintian-overrides",
    ]
    assert scaffold.files["debian/changelog"].splitlines()[0] == "web-app (2.1~rc1-1) trixie; urgency=medium"
    assert scaffold.files["debian/changelog"].splitlines()[-1] == " -- M <m@e.org>  Thu, 28 May 2026 20:26:40 +0000"
    assert scaffold.files["debian/rules"] == "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-venv\n"
    control_text = scaffold.files["debian/control"]
    assert "Build-Depends: debhelper-compat (= 13),\n dh-sequence-python-venv,\n libpq-dev\n" in control_text
    assert "Architecture: all\nDepends: ${misc:Depends}\n" in control_text
    tests = scaffold.files["debian/tests/control"]
    assert "Test-Command: web-admin --version 2>/dev/null || web-admin --help\n" in tests
    assert "no-manual-page [usr/bin/web-app]" in scaffold.files["debian/web-app.lintian-overrides"]
    assert scaffold.executable == frozenset({"debian/rules"})


def test_tests_control_is_what_dh_venv_smoke_runs(tmp_path: Path) -> None:
    scaffold = from_project(_project(), Request(), "M <m@e.org>", "trixie", EPOCH)
    write(scaffold, tmp_path, force=False, runner=_runner())
    tests = testcontrol.read(tmp_path / "debian" / "tests" / "control")
    assert [(t.name, t.command) for t in tests.tests] == [
        ("web-app", "web-app --version 2>/dev/null || web-app --help"),
        ("web-admin", "web-admin --version 2>/dev/null || web-admin --help"),
    ]
    assert tests.depends == ()


def test_from_project_compiled_and_service() -> None:
    found = _project(compiled=("markupsafe-3.0-cp311-cp311-manylinux_2_17_x86_64.whl",))
    scaffold = from_project(found, Request(service="web-app serve"), "M <m@e.org>", "bookworm", EPOCH)
    assert (
        "Architecture: any\nDepends: adduser,\n ${misc:Depends},\n ${shlibs:Depends}\n"
        in scaffold.files["debian/control"]
    )
    assert {"debian/web-app.service", "debian/web-app.postinst", "debian/web-app.postrm"} <= set(scaffold.files)
    assert scaffold.executable == {"debian/rules", "debian/web-app.postinst", "debian/web-app.postrm"}
    assert "Architecture: any: the requirement set holds compiled distributions (markupsafe 3.0)" in scaffold.notes


def test_from_project_sdist_not_built_here_is_any() -> None:
    found = _project(unbuilt=("psycopg2-2.9.tar.gz (pg_config executable not found)",))
    scaffold = from_project(found, Request(), "M <m@e.org>", "bookworm", EPOCH)
    assert "Architecture: any\n" in scaffold.files["debian/control"]
    assert scaffold.notes == (
        "Architecture: any: could not build psycopg2-2.9.tar.gz (pg_config executable not found) here to tell "
        "whether it compiles code; name what it needs to build with --build-depends",
    )


def test_release_must_be_supported() -> None:
    supported = targets.supported()
    assert names.release(supported[-1].codename) == supported[-1].codename
    with pytest.raises(DhVenvError) as exc:
        names.release("bookwrom")
    assert str(exc.value) == (
        f"--release 'bookwrom' is not a Debian release dh-venv builds for ({targets.names(supported)}); "
        "give one of those"
    )


def test_write_refuses_to_overwrite_then_forces(tmp_path: Path) -> None:
    scaffold = from_project(_project(), Request(), "M <m@e.org>", "trixie", EPOCH)
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / "rules").write_text("mine\n")
    with pytest.raises(DhVenvError) as exc:
        write(scaffold, tmp_path, force=False, runner=_runner())
    assert str(exc.value) == (
        f"debian/rules already exists in {tmp_path}; nothing was written; dh-venv init --force overwrites them"
    )
    assert sorted(os.listdir(tmp_path / "debian")) == ["rules"]
    written = write(scaffold, tmp_path, force=True, runner=_runner())
    assert len(written) == 7
    assert (tmp_path / "debian" / "rules").read_text().startswith("#!/usr/bin/make -f")
    assert (tmp_path / "debian" / "rules").stat().st_mode & stat.S_IXUSR
    assert not (tmp_path / "debian" / "control").stat().st_mode & stat.S_IXUSR


def test_compose_without_a_project(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as exc:
        compose(tmp_path, Request(), {"HOME": str(tmp_path)}, _runner())
    assert str(exc.value) == (
        f"no Python project in {tmp_path}: none of pyproject.toml, setup.cfg, setup.py found; "
        "run dh-venv init at the top of the project, or give its directory: dh-venv init DIR"
    )
