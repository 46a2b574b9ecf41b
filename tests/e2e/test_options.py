"""Options that change the built package, each checked in the package and on the system."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from .conftest import PY, SITE, assert_purged, deb_field, extract, files_containing, installed, run_clean


def simple_index(root: Path, wheels: list[Path]) -> str:
    """A PEP 503 index on disk; pip reads index.html in file: directories."""
    for whl in wheels:
        project = whl.name.split("-")[0].lower().replace("_", "-")
        (root / project).mkdir(parents=True, exist_ok=True)
        shutil.copy(whl, root / project)
        (root / project / "index.html").write_text(f'<a href="{html.escape(whl.name)}">{html.escape(whl.name)}</a>\n')
    return root.as_uri()


def test_root_suffix_rename_preinstall_indexes_verbose(build_package, wheelhouse: Path, tmp_path: Path) -> None:
    wheels = sorted(wheelhouse.glob("*.whl"))
    main = simple_index(tmp_path / "main", [w for w in wheels if not w.name.startswith("extradep")])
    extra = simple_index(tmp_path / "extra", [w for w in wheels if w.name.startswith("extradep")])
    args = (
        f"--install-root=/srv/venvs -O--install-suffix=errapp-env -O--no-such-option "
        f"--console-script=errapp-admin=errapp-ctl --preinstall=extradep "
        f"--index-url={main} --extra-index-url={extra} --requirements=requirements-self.txt"
    )
    build = build_package("errors", args=args, DH_VENV_PIP_ARGS="", DH_VERBOSE="1")
    assert build.returncode == 0, build.output[-4000:]
    # -v shows the commands, tab-indented, with the installer's own output below them (uv by default).
    assert "\tcp -a " in build.output
    assert any(line.startswith("\t") and "uv pip install" in line for line in build.output.splitlines())
    assert re.search(r"^\t  Installed \d+ packages? in ", build.output, re.M), build.output[-3000:]
    # "-e ." in a requirements file would make pip see the project twice.
    assert (
        "dh_venv: warning: errapp: requirements-self.txt: left out '-e .  # dh-virtualenv habit', "
        "which installs the project itself; dh_venv installs it anyway" in build.output
    )
    assert not list(build.source.glob("*.egg-info"))

    deb = build.deb("errapp")
    tree = extract(deb, tmp_path / "x")
    assert files_containing(tree, str(build.source)) == []
    assert not (tree / "opt").exists()
    venv = tree / "srv/venvs/errapp-env"
    assert sorted(p.name for p in (tree / "usr/bin").iterdir()) == ["errapp-ctl"]
    assert (tree / "usr/bin/errapp-ctl").readlink() == Path("/srv/venvs/errapp-env/bin/errapp-admin")
    assert list(venv.glob(f"{SITE}/extradep-1.0.dist-info"))
    assert "/srv/venvs/errapp-env" in (tree / "DEBIAN/postinst").read_text()

    with installed(deb):
        result = run_clean("errapp-ctl")
        assert (result.returncode, result.stdout) == (0, "errapp\n"), result.stderr
    assert_purged("errapp", "/srv/venvs/errapp-env", ["errapp-ctl"])


def test_skip_install_system_packages_no_scripts_nocheck(build_package, wheelhouse: Path, tmp_path: Path) -> None:
    build = build_package(
        "errors",
        # Only --extra-pip-arg points pip at the wheelhouse here.
        args="--skip-install --requirements=requirements-tools.txt --console-script=tinydep-tool "
        f"--use-system-packages -n --extra-pip-arg=--no-index --extra-pip-arg=--find-links={wheelhouse}",
        DH_VENV_PIP_ARGS="",
        DH_OPTIONS=f"--python={PY} --some-option-of-another-tool",
        DEB_BUILD_OPTIONS="nocheck",
    )
    assert build.returncode == 0, build.output[-4000:]
    assert "dh_venv: warning: ignored unknown options in DH_OPTIONS: --some-option-of-another-tool" in build.output
    assert "pip check" not in build.output
    deb = build.deb("errapp")
    assert deb_field(deb, "Depends") == PY
    tree = extract(deb, tmp_path / "x")
    venv = tree / "opt/venvs/errapp"
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()
    assert not list(venv.glob(f"{SITE}/errapp*"))
    assert list(venv.glob(f"{SITE}/tinydep-1.0.dist-info"))
    assert sorted(p.name for p in (tree / "usr/bin").iterdir()) == ["tinydep-tool"]
    assert not (tree / "DEBIAN/postinst").exists()
    assert not (tree / "DEBIAN/prerm").exists()

    try:
        with installed(deb):
            # Without maintainer scripts nothing is compiled at install time.
            assert not list(Path("/opt/venvs/errapp").rglob("*.pyc"))
            result = run_clean("tinydep-tool")
            assert (result.returncode, result.stdout) == (0, "TINYDEP!\n"), result.stderr
    finally:
        # Nor is the bytecode written at run time removed: -n means no prerm.
        shutil.rmtree("/opt/venvs/errapp", ignore_errors=True)
