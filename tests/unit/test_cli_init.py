"""``dh-venv init``'s errors as the user reads them, those raised before any build (others: tests/e2e/test_init.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dh_venv.cli import frontend


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory as the current one, with no maintainer known (no variables, no git config)."""
    for name in ("DEBFULLNAME", "DEBEMAIL", "EMAIL", "GIT_CONFIG_GLOBAL", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path / "app")
    return tmp_path / "app"


def _pyproject(project: Path, name: str) -> None:
    (project / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "1.0"\n')


def test_no_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert frontend.main(["init"]) == 1
    assert capsys.readouterr().err == (
        f"dh-venv: error: no Python project in {project}: none of pyproject.toml, setup.cfg, setup.py found; "
        "run dh-venv init at the top of the project, or give its directory: dh-venv init DIR\n"
    )


def test_name_that_cannot_become_debian(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pyproject(project, "x")
    assert frontend.main(["init"]) == 1
    assert capsys.readouterr().err == (
        "dh-venv: error: the project name 'x' cannot become a Debian package name (lower-case letters, digits, "
        "'+', '-' and '.', at least two characters, starting with a letter or digit); "
        "give one with dh-venv init --package NAME\n"
    )


def test_no_maintainer(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pyproject(project, "ini-nobody")
    assert frontend.main(["init", "--package", "ini-nobody"]) == 1
    assert capsys.readouterr().err == (
        "dh-venv: error: no maintainer known for debian/control and debian/changelog: DEBFULLNAME (or git config "
        "user.name) and DEBEMAIL not set; export DEBFULLNAME='Your Name' DEBEMAIL=you@example.org, or set git "
        "config user.name and user.email, and run dh-venv init again\n"
    )


def test_existing_debian_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pyproject(project, "ini-mine")
    (project / "debian" / "source").mkdir(parents=True)
    (project / "debian" / "rules").write_text("#!/usr/bin/make -f\n")
    (project / "debian" / "source" / "format").write_text("3.0 (native)\n")
    assert frontend.main(["init", str(project)]) == 1
    assert capsys.readouterr().err == (
        f"dh-venv: error: debian/rules, debian/source/format already exist in {project}; nothing was written; "
        "dh-venv init --force overwrites them\n"
    )
    assert (project / "debian" / "rules").read_text() == "#!/usr/bin/make -f\n"


def test_usage_lists_init(capsys: pytest.CaptureFixture[str]) -> None:
    assert frontend.main(["--help"]) == 0
    assert "  init     write debian/ for a Python project from its metadata\n" in capsys.readouterr().out
