"""The docs are generated from, or checked against, the real code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_options_reference_matches_parser() -> None:
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from gen_options import options_rst
    finally:
        sys.path.pop(0)
    from dh_venv.cli.options import make_parser

    committed = (ROOT / "docs" / "options.rst").read_text()
    assert committed == options_rst(make_parser()), "run: python3 docs/gen_options.py"


def test_changelog_version_matches_package() -> None:
    from dh_venv import __version__

    first = (ROOT / "debian" / "changelog").read_text().splitlines()[0]
    assert re.match(rf"dh-venv \({re.escape(__version__)}\) ", first), first


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.rst").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    # The suite on this machine's release, then the subset on the other one, in that order.
    commands = [line.removeprefix("    sudo ") for line in readme.splitlines() if line.startswith("    sudo make ")]
    assert "make check" in commands and "make check-other" in commands
    run = [line for line in ci.splitlines() if line.startswith("make ")]
    assert run == ["make check", "make check-other"]
    makefile = (ROOT / "Makefile").read_text()
    assert "\t.ci/other-release check-subset\n" in makefile


def test_man_page_builds(tmp_path: Path) -> None:
    out = subprocess.run(
        ["rst2man", "--strict", str(ROOT / "docs" / "dh_venv.rst")], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert ".SH OPTIONS" in out.stdout and "\\-\\-install\\-suffix" in out.stdout


def test_dh_venv_man_page_builds() -> None:
    out = subprocess.run(
        ["rst2man", "--strict", str(ROOT / "docs" / "dh-venv.rst")], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "\\-\\-allow\\-sdists" in out.stdout


def test_dh_venv_smoke_options_are_documented() -> None:
    """Every option of dh-venv smoke's parser is in its man page, and the man page has the command."""
    from dh_venv.cli.smoke import parser

    page = (ROOT / "docs" / "dh-venv.rst").read_text()
    assert "**dh-venv smoke**" in page
    for action in parser()._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"**{option}" in page, f"{option} of dh-venv smoke is not in docs/dh-venv.rst"
    assert "smoke.rst" in (ROOT / "debian" / "dh-venv.docs").read_text()
