"""A setup.py project with a requirements.txt and the two-line debian/rules."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import PY, assert_purged, deb_field, extract, files_containing, installed, run_clean

VENV = "/opt/venvs/setuppy-app"


def test_build_install_run_purge(build_package, tmp_path: Path) -> None:
    build = build_package("setuppy-reqs")
    assert build.returncode == 0, build.output[-4000:]
    deb = build.deb("setuppy-app")

    # dh_auto_* were neutralised instead of tripping over setup.py on compat 13.
    assert "dh_auto_configure --buildsystem=none" in build.output
    assert "removed in compat" not in build.output
    # The source tree is left as it was: no build/ or egg-info from setuptools.
    assert not (build.source / "build").exists()
    assert not list(build.source.glob("*.egg-info"))

    assert deb_field(deb, "Depends") == PY
    tree = extract(deb, tmp_path / "extracted")
    assert files_containing(tree, str(build.source)) == []
    assert files_containing(tree, str(build.source.parent)) == []
    assert not list(tree.rglob("*.pyc")), "bytecode compiled at build time must not ship"
    assert not (tree / VENV.lstrip("/") / ".gitignore").exists()
    assert (tree / "usr/bin/setuppy-app").is_symlink()
    assert (tree / "usr/bin/setuppy-app").readlink() == Path(VENV, "bin/setuppy-app")
    # A dependency's own script is not put on PATH.
    assert (tree / VENV.lstrip("/") / "bin/tinydep-tool").exists()
    assert not (tree / "usr/bin/tinydep-tool").exists()
    assert (tree / VENV.lstrip("/") / "bin/python").readlink() == Path("/usr/bin", PY)
    # Quoted by bookworm's virtualenv, not by trixie's.
    activate = (tree / VENV.lstrip("/") / "bin/activate").read_text()
    assert re.search(f"^VIRTUAL_ENV='?{VENV}'?$", activate, re.M), activate
    for script in ("postinst", "prerm", "postrm"):
        text = (tree / "DEBIAN" / script).read_text()
        assert "# Automatically added by dh_venv/" in text, script

    with installed(deb):
        result = run_clean("setuppy-app")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["SETUPPY-APP!", VENV]
        # postinst byte-compiled the venv for this machine.
        assert list(Path(VENV).rglob("setuppy_app/__pycache__/*.pyc"))
        # The venv carries no pip (nothing needs it); Debian's pip, pointed at the venv, finds it consistent.
        assert not list(Path(VENV).glob("lib/python3*/site-packages/pip"))
        check = run_clean("/usr/bin/python3", "-m", "pip", "--python", f"{VENV}/bin/python", "check")
        assert check.returncode == 0, check.stdout + check.stderr
        # Runtime bytecode the package never shipped is cleaned up on removal.
        run_clean(f"{VENV}/bin/python", "-c", "import tinydep")
    assert_purged("setuppy-app", VENV, ["setuppy-app"])


def test_second_build_from_same_tree_with_options(build_package, tmp_path: Path) -> None:
    first = build_package("setuppy-reqs")
    assert first.returncode == 0, first.output[-3000:]
    # Options through DH_OPTIONS reach dh_venv without touching debian/rules.
    again = build_package(
        "setuppy-reqs",
        source=first.source,
        DH_OPTIONS="--no-console-scripts --extra-virtualenv-arg=--prompt=setuppy-prompt",
    )
    assert again.returncode == 0, again.output[-3000:]
    deb = again.deb("setuppy-app")
    assert deb_field(deb, "Depends") == PY
    tree = extract(deb, tmp_path / "again")
    assert not (tree / "usr/bin").exists()
    assert "setuppy-prompt" in (tree / VENV.lstrip("/") / "bin/activate").read_text()
