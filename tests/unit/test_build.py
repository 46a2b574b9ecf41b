"""Tests for dh_venv.pipeline: the pipeline for one package, with real tools.

The builds use virtualenv's embedded wheels and ``--no-index``, so they
need no network.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from dh_venv import pipeline as build
from dh_venv.cli import configure, options
from dh_venv.errors import DhVenvError
from dh_venv.expose import links as expose_links
from dh_venv.installers.backend import build_environment
from dh_venv.runner import Runner
from dh_venv.settings import Settings

VERSION = "9.8.7"


def make_settings(build_dir: Path, argv: list[str], environ: dict[str, str] | None = None) -> Settings:
    environ = environ or {}
    if not any(a.startswith("--installer") for a in argv):
        argv = ["--installer=pip", *argv]  # the uv backend has its own tests (test_uv.py)
    opts, warnings = options.parse(argv, environ)
    assert warnings == []
    base = {"PATH": "/usr/bin:/bin", "HOME": str(build_dir.parent), "PIP_NO_CACHE_DIR": "1", "LC_ALL": "C.UTF-8"}
    return configure.settings_for("demo", opts, environ, build_dir, build_environment(base, build_dir))


def write_project(root: Path) -> None:
    (root / "debian").mkdir(parents=True)
    (root / "debian/control").write_text("Source: demo\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "demo-app"
            version = "1.0"

            [project.scripts]
            demo-tool = "demo_app:main"

            [project.gui-scripts]
            DemoGui = "demo_app:main"
            """
        )
    )
    (root / "demo_app").mkdir()
    (root / "demo_app/__init__.py").write_text("def main():\n    return 0\n")


def virtualenv_seed(tmp: Path) -> list[str]:
    """What this machine's virtualenv seeds a venv with: pip, setuptools and wheel on bookworm, pip on trixie."""
    venv = tmp / "seed-probe"
    subprocess.run(
        [sys.executable, "-m", "virtualenv", "-q", "--no-download", "--no-periodic-update", str(venv)],
        check=True,
        env={"PATH": "/usr/bin:/bin", "VIRTUALENV_OVERRIDE_APP_DATA": str(tmp / "app-data")},
    )
    return sorted(p.name.split("-")[0] for p in venv.glob("lib/python3*/site-packages/*.dist-info"))


def record_problems(venv: Path) -> list[str]:
    """RECORD rows whose file is missing or whose hash or size is wrong."""
    problems = []
    for record in venv.glob("lib/python3*/site-packages/*.dist-info/RECORD"):
        with record.open(newline="") as fh:
            for row in csv.reader(fh):
                if len(row) < 3 or not row[1]:
                    continue
                path = Path(os.path.normpath(record.parent.parent / row[0]))
                if not path.is_file():
                    problems.append(f"missing {row[0]}")
                    continue
                data = path.read_bytes()
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                if row[1:3] != [f"sha256={digest}", str(len(data))]:
                    problems.append(f"stale {row[0]}")
    return problems


def files_naming(root: Path, needle: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        data = os.fsencode(os.readlink(path)) if path.is_symlink() else path.read_bytes() if path.is_file() else b""
        if needle.encode() in data:
            found.append(path)
    return found


# check_inputs


def test_check_inputs_default_requirements(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "requirements.txt").write_text("requests\n")
    assert build.check_inputs(Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo")) == [
        tmp_path / "requirements.txt"
    ]


def test_check_inputs_no_default_requirements(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    assert build.check_inputs(Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo")) == []


def test_check_inputs_explicit_requirements(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements/base.txt").write_text("")
    (tmp_path / "requirements.txt").write_text("")
    settings = Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo", requirements=("requirements/base.txt",))
    assert build.check_inputs(settings) == [tmp_path / "requirements/base.txt"]


def test_check_inputs_missing_requirements(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    settings = Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo", requirements=("reqs.txt",))
    with pytest.raises(DhVenvError) as info:
        build.check_inputs(settings)
    assert str(info.value) == (
        f"requirements file {tmp_path}/reqs.txt does not exist; "
        "fix --requirements (paths are relative to the source directory)"
    )


@pytest.mark.parametrize("explicit", [False, True])
def test_check_inputs_requirements_pipe_is_an_error(tmp_path: Path, explicit: bool) -> None:
    (tmp_path / "setup.py").write_text("")
    os.mkfifo(tmp_path / "requirements.txt")
    settings = Settings(
        "demo", tmp_path, tmp_path, tmp_path / "debian/demo", requirements=("requirements.txt",) if explicit else None
    )
    with pytest.raises(DhVenvError, match="is a named pipe, not a regular file"):
        build.check_inputs(settings)


def test_check_inputs_build_dir_not_utf8(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))
    odd.mkdir()
    (odd / "setup.py").write_text("")
    with pytest.raises(DhVenvError, match=r"the build directory .*caf\\xe9 is not valid UTF-8"):
        build.check_inputs(Settings("demo", odd, odd, odd / "debian/demo"))


def test_before_building_refuses_shared_venvs_and_clashing_links(tmp_path: Path) -> None:
    a = Settings("a", tmp_path, tmp_path, tmp_path / "debian/a", venv_name="shared")
    b = Settings("b", tmp_path, tmp_path, tmp_path / "debian/b", venv_name="shared")
    runner = Runner(log=[].append)
    with pytest.raises(DhVenvError, match="would overlap the venv /opt/venvs/shared of package a") as info:
        build.check_before_building([a, b], runner, ("a", "b"))
    assert info.value.package == "b"
    c = Settings("c", tmp_path, tmp_path, tmp_path / "debian/c", console_scripts=(("tool", "tool"),))
    d = Settings("d", tmp_path, tmp_path, tmp_path / "debian/d", console_scripts=(("tool", "tool"),))
    with pytest.raises(DhVenvError, match="/usr/bin/tool would be linked by both c and d"):
        build.check_before_building([c, d], runner, ("c", "d"))
    e = Settings("e", tmp_path, tmp_path, tmp_path / "debian/e", console_scripts=(("tool", "ls"),))
    with pytest.raises(DhVenvError, match="belongs to package coreutils"):
        build.check_before_building([e], runner, ("e",))
    # A venv an earlier dh_venv call of this build filled for another package.
    (tmp_path / "debian/f/opt/venvs/g").mkdir(parents=True)
    g = Settings("g", tmp_path, tmp_path, tmp_path / "debian/g")
    with pytest.raises(DhVenvError, match="package f already has its venv at /opt/venvs/g"):
        build.check_before_building([g], runner, ("f", "g"))


def test_check_inputs_skip_install_needs_no_project(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\n")
    settings = Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo", skip_install=True)
    assert build.check_inputs(settings) == [tmp_path / "requirements.txt"]


def test_check_inputs_skip_install_missing_dir(tmp_path: Path) -> None:
    settings = Settings("demo", tmp_path, tmp_path / "src", tmp_path / "debian/demo", skip_install=True)
    with pytest.raises(DhVenvError) as info:
        build.check_inputs(settings)
    assert str(info.value) == f"source directory {tmp_path}/src does not exist; fix --sourcedirectory"


def test_check_inputs_needs_project(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        build.check_inputs(Settings("demo", tmp_path, tmp_path, tmp_path / "debian/demo"))
    assert info.value.message == (f"no Python project in {tmp_path}: none of pyproject.toml, setup.py, setup.cfg found")


# build_package


def test_no_act_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "src"
    write_project(root)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    log: list[str] = []
    settings = make_settings(root, [])
    build.build_package(settings, Runner(log=log.append, no_act=True), VERSION, {})
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    staging = root / "debian/demo/opt/venvs/demo"
    copy = root / "debian/.debhelper/dh_venv/demo/src"
    python = os.path.realpath("/usr/bin/python3")
    work = copy.parent
    assert log[0] == "\trecord the build of demo in debian/.debhelper"
    assert log[1].startswith(f"\t{python} -I -c ")
    # The same steps a real run takes, each shown and none done (plan, then apply).
    assert log[2:] == [
        "\tdpkg-buildflags --dump",
        f"\tmkdir -p {work}/tmp",
        f"\twrite {work}/compilers/cc (mode 755)",
        f"\twrite {work}/compilers/c++ (mode 755)",
        f"\tcp -a {root} {copy}",
        f"\t{sys.executable} -m virtualenv --quiet --no-periodic-update --no-download --python {python} {staging}",
        f"\t{staging}/bin/python -m pip install --no-compile --report {copy.parent}/pip-report-0.json {copy}",
        f"\t{staging}/bin/python -m pip check",
        f"\trewrite {staging} for /opt/venvs/demo, then scan it for {root}",
        "\tlink the console scripts of /opt/venvs/demo/bin into /usr/bin",
        f"\tdpkg-query -S {python}",
        f"\techo misc:Depends+={os.path.basename(python)} >> {root}/debian/demo.substvars",
        f"\tadd postrm-venv-opt to {root}/debian/demo.postrm.debhelper",
        f"\tadd postrm-venv-root to {root}/debian/demo.postrm.debhelper",
        f"\tadd postrm-venv-renamed to {root}/debian/demo.postrm.debhelper",
        f"\tadd preinst-venv to {root}/debian/demo.preinst.debhelper",
        f"\tadd postinst-venv to {root}/debian/demo.postinst.debhelper",
        f"\tadd prerm-venv to {root}/debian/demo.prerm.debhelper",
        f"\tadd postrm-venv to {root}/debian/demo.postrm.debhelper",
        f"\tadd postinst-venv-renamed to {root}/debian/demo.postinst.debhelper",
        f"\techo interest-noawait {python} >> {root}/debian/.debhelper/generated/demo/triggers",
    ]


def test_requirements_only_build(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "debian").mkdir(parents=True)
    settings = make_settings(
        root, ["--skip-install", "--keep-seed", "--console-script=pip=demo-pip", "-n"], {"DEB_BUILD_OPTIONS": "nocheck"}
    )
    taken: dict[PurePosixPath, str] = {}
    build.build_package(settings, Runner(log=[].append), VERSION, taken)

    staging = root / "debian/demo/opt/venvs/demo"
    assert taken == {PurePosixPath("/usr/bin/demo-pip"): "demo"}
    assert os.readlink(root / "debian/demo/usr/bin/demo-pip") == "/opt/venvs/demo/bin/pip"
    assert (staging / "bin/pip").read_text().splitlines()[0] == "#!/opt/venvs/demo/bin/python"
    # Quoted by bookworm's virtualenv, not by trixie's.
    assert re.search(r"^VIRTUAL_ENV='?/opt/venvs/demo'?$", (staging / "bin/activate").read_text(), re.M)
    assert files_naming(staging, str(root)) == []
    assert list(staging.rglob("__pycache__")) == []
    assert record_problems(staging) == []
    interpreter = os.path.basename(os.path.realpath("/usr/bin/python3"))
    assert (root / "debian/demo.substvars").read_text() == f"misc:Depends={interpreter}\n"
    # .debhelper: caches, the TMPDIR of pip and what dh_venv_setaside/dh_venv_restore read.
    assert sorted(p.name for p in (root / "debian").iterdir()) == [".debhelper", "demo", "demo.substvars"]


def test_link_taken_by_earlier_package(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "debian").mkdir(parents=True)
    settings = make_settings(
        root, ["--skip-install", "--keep-seed", "--console-script=pip"], {"DEB_BUILD_OPTIONS": "nocheck"}
    )
    taken = {PurePosixPath("/usr/bin/pip"): "demo-other"}
    with pytest.raises(DhVenvError) as info:
        build.build_package(settings, Runner(log=[].append), VERSION, taken)
    assert str(info.value) == (
        "/usr/bin/pip is already linked by package demo-other; "
        "expose it from one package only (--console-script, --no-console-scripts)"
    )
    assert not (root / "debian/demo/usr").exists()


def test_leaked_build_path_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "src"
    (root / "debian").mkdir(parents=True)
    # The prompt names the build directory, which finalize cannot know to rewrite.
    settings = make_settings(
        root, ["--skip-install", f"--extra-virtualenv-arg=--prompt={root}"], {"DEB_BUILD_OPTIONS": "nocheck"}
    )
    with pytest.raises(DhVenvError) as info:
        build.build_package(settings, Runner(log=[].append), VERSION, {})
    shown = info.value.details.splitlines()
    assert "  opt/venvs/demo/pyvenv.cfg" in shown
    assert shown == sorted(shown)
    assert info.value.message == f"{len(shown)} file(s) of the venv still contain the build path {root}"
    assert not (root / "debian/demo.substvars").exists()


@pytest.fixture(scope="module")
def app_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("app") / "src"
    write_project(root)
    # The build backend from Debian's wheels (python3-setuptools-whl), offline; not from the venv,
    # which has no setuptools where virtualenv seeds pip alone (trixie's).
    settings = make_settings(
        root, ["--extra-pip-arg=--no-index", "--extra-pip-arg=--find-links=/usr/share/python-wheels"]
    )
    log: list[str] = []
    build.build_package(settings, Runner(log=log.append, verbose=True), VERSION, {})
    return root, log


def test_app_scripts_are_linked(app_build: tuple[Path, list[str]]) -> None:
    root, _ = app_build
    bin_dir = root / "debian/demo/usr/bin"
    assert sorted(os.listdir(bin_dir)) == ["DemoGui", "demo-tool"]
    assert os.readlink(bin_dir / "DemoGui") == "/opt/venvs/demo/bin/DemoGui"
    assert os.readlink(bin_dir / "demo-tool") == "/opt/venvs/demo/bin/demo-tool"


def test_app_venv_is_relocated(app_build: tuple[Path, list[str]]) -> None:
    root, _ = app_build
    staging = root / "debian/demo/opt/venvs/demo"
    assert (staging / "bin/demo-tool").read_text().splitlines()[0] == "#!/opt/venvs/demo/bin/python"
    assert files_naming(staging, str(root)) == []
    assert list(staging.rglob("__pycache__")) == []
    assert list(staging.rglob("*.pyc")) == []
    assert record_problems(staging) == []


def test_app_local_direct_url_is_dropped(app_build: tuple[Path, list[str]]) -> None:
    root, _ = app_build
    info = root / "debian/demo/opt/venvs/demo/lib"
    [dist_info] = info.glob("python3*/site-packages/demo_app-1.0.dist-info")
    assert not (dist_info / "direct_url.json").exists()
    assert "direct_url.json" not in (dist_info / "RECORD").read_text()


def test_app_debian_files(app_build: tuple[Path, list[str]]) -> None:
    root, _ = app_build
    debian = root / "debian"
    assert sorted(p.name for p in debian.iterdir()) == [
        ".debhelper",
        "control",
        "demo",
        "demo.postinst.debhelper",
        "demo.postrm.debhelper",
        "demo.preinst.debhelper",
        "demo.prerm.debhelper",
        "demo.substvars",
    ]
    postrm = (debian / "demo.postrm.debhelper").read_text()
    assert postrm.splitlines()[0] == f"# Automatically added by dh_venv/{VERSION}"
    assert "rm -rf /opt/venvs/demo" in postrm
    assert (debian / ".debhelper/dh_venv/demo/src/pyproject.toml").is_file()
    assert not (debian / ".debhelper/dh_venv/demo/src/debian").exists()


def test_app_build_log(app_build: tuple[Path, list[str]]) -> None:
    root, log = app_build
    staging = root / "debian/demo/opt/venvs/demo"
    # The marker probe (for which seed distributions are required) is left out.
    commands = [line for line in log if re.match(r"\t[^ ]", line) and " -I -c " not in line]
    owners = " ".join(
        f"{d}/{name}"
        for d in ("/bin", "/sbin", "/usr/bin", "/usr/games", "/usr/local/bin", "/usr/local/sbin", "/usr/sbin")
        for name in ("DemoGui", "demo-tool")
    )
    assert commands[-18:] == [
        f"\t{staging}/bin/python -m pip check",
        f"\t{staging}/bin/python -m pip uninstall --yes {' '.join(virtualenv_seed(root.parent))}",
        f"\tdpkg-query -S {owners}",
        f"\trewrite {staging} for /opt/venvs/demo",
        f"\tln -s /opt/venvs/demo/bin/DemoGui {root}/debian/demo/usr/bin/DemoGui",
        f"\tln -s /opt/venvs/demo/bin/demo-tool {root}/debian/demo/usr/bin/demo-tool",
        f"\tdpkg-query -S {os.path.realpath('/usr/bin/python3')}",
        f"\techo misc:Depends+={os.path.basename(os.path.realpath('/usr/bin/python3'))} "
        f">> {root}/debian/demo.substvars",
        f"\tadd postrm-venv-opt to {root}/debian/demo.postrm.debhelper",
        f"\tadd postrm-venv-root to {root}/debian/demo.postrm.debhelper",
        f"\tadd postrm-venv-renamed to {root}/debian/demo.postrm.debhelper",
        f"\tadd preinst-venv to {root}/debian/demo.preinst.debhelper",
        f"\tadd postinst-venv to {root}/debian/demo.postinst.debhelper",
        f"\tadd prerm-venv to {root}/debian/demo.prerm.debhelper",
        f"\tadd postrm-venv to {root}/debian/demo.postrm.debhelper",
        f"\tadd postinst-venv-renamed to {root}/debian/demo.postinst.debhelper",
        f"\techo interest-noawait {os.path.realpath('/usr/bin/python3')} "
        f">> {root}/debian/.debhelper/generated/demo/triggers",
        f"\tadd dh_venv's lintian overrides to {root}/debian/demo/usr/share/lintian/overrides/demo",
    ]


def _exposure(
    tmp_path: Path, argv: list[str], links: str | None
) -> tuple[dict[PurePosixPath, PurePosixPath], list[str]]:
    root = tmp_path / "src"
    (root / "debian").mkdir(parents=True, exist_ok=True)
    if links is not None:
        (root / "debian/demo.links").write_text(links)
    settings = make_settings(root, argv)
    for name in ("demo", "demo-admin", "dep-tool"):
        (settings.staging_venv / "bin").mkdir(parents=True, exist_ok=True)
        (settings.staging_venv / "bin" / name).write_text("#!/bin/sh\n")
    log: list[str] = []
    return expose_links.choose_links(
        settings, Runner(log=log.append), settings.staging_venv, ["demo", "demo-admin"]
    ), log


def test_exposure_default_says_how_to_turn_it_off(tmp_path: Path) -> None:
    links, log = _exposure(tmp_path, [], None)
    assert sorted(map(str, links)) == ["/usr/bin/demo", "/usr/bin/demo-admin"]
    assert log == [
        "dh_venv: demo: linked the application's console scripts as /usr/bin/demo, /usr/bin/demo-admin; "
        "--no-console-scripts leaves them off PATH, as dh-virtualenv did"
    ]


def test_exposure_defers_to_maintainer_links_into_the_venv(tmp_path: Path) -> None:
    links, log = _exposure(tmp_path, [], "opt/venvs/demo/bin/demo usr/sbin/demo\n")
    assert links == {}
    assert log == [
        "dh_venv: demo: debian/demo.links links into the venv, so dh_venv links no console scripts "
        "itself (not linked: demo-admin); --console-script links them"
    ]


def test_exposure_ignores_maintainer_links_elsewhere(tmp_path: Path) -> None:
    links, _ = _exposure(tmp_path, [], "usr/share/demo/README usr/share/doc/demo/README\n")
    assert sorted(map(str, links)) == ["/usr/bin/demo", "/usr/bin/demo-admin"]


def test_exposure_selection_coexists_with_identical_maintainer_link(tmp_path: Path) -> None:
    argv = ["--console-script=dep-tool", "--console-script=demo=/usr/sbin/demo"]
    links, log = _exposure(tmp_path, argv, "opt/venvs/demo/bin/demo usr/sbin/demo\n")
    assert links == {
        PurePosixPath("/usr/bin/dep-tool"): PurePosixPath("/opt/venvs/demo/bin/dep-tool"),
        PurePosixPath("/usr/sbin/demo"): PurePosixPath("/opt/venvs/demo/bin/demo"),
    }
    assert log == []


def test_exposure_conflicting_maintainer_link_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        _exposure(tmp_path, ["--console-script=demo-admin=demo"], "opt/venvs/demo/bin/demo usr/bin/demo\n")
    assert str(info.value) == (
        "debian/demo.links links /usr/bin/demo to /opt/venvs/demo/bin/demo, and dh_venv would link it to "
        "/opt/venvs/demo/bin/demo-admin; delete the line, or link the script elsewhere with --console-script=NAME=OTHER"
    )


def test_exposure_default_gives_way_to_a_file_of_the_package(tmp_path: Path) -> None:
    root = tmp_path / "src"
    wrapper = root / "debian/demo/usr/bin/demo"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text('#!/bin/sh\nexec /opt/venvs/demo/bin/demo "$@"\n')
    links, log = _exposure(tmp_path, [], None)
    assert links == {PurePosixPath("/usr/bin/demo-admin"): PurePosixPath("/opt/venvs/demo/bin/demo-admin")}
    assert log == [
        "dh_venv: demo: /usr/bin/demo is already in the package, so the console script demo is not linked there; "
        "--console-script=NAME=OTHER links it elsewhere",
        "dh_venv: demo: linked the application's console scripts as /usr/bin/demo-admin; "
        "--no-console-scripts leaves them off PATH, as dh-virtualenv did",
    ]
