"""Nothing from the build machine ships, nothing escapes the venv, every failure resumes (issue 16).

Every case builds tests/packages/sec-app (a C extension, a prebuilt
dependency, package data "*", a console script) with the real
dpkg-buildpackage, and installs and purges it where the behaviour lives
there.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    PACKAGES,
    Build,
    assert_purged,
    extract,
    installed,
    run_clean,
    sh,
    tool_env,
)

PACKAGE = "sec-app"
VENV = f"/opt/venvs/{PACKAGE}"


class Builder:
    """Copies of sec-app built with the hermetic wheelhouse."""

    def __init__(self, root: Path, wheelhouse: Path) -> None:
        self.root = root
        self.wheelhouse = wheelhouse
        self.count = 0

    def copy(self, dest: Path | None = None) -> Path:
        self.count += 1
        source = dest or self.root / f"b{self.count}" / f"{PACKAGE}-1.0"
        shutil.copytree(PACKAGES / PACKAGE, source, symlinks=True)
        return source

    def env(self, args: str = "", **extra: str) -> dict[str, str]:
        env = tool_env(**{"DH_VENV_PIP_ARGS": f"--no-index --find-links={self.wheelhouse}", **extra})
        if args:
            env["DH_VENV_TEST_ARGS"] = args
        return env

    def build(self, source: Path, args: str = "", *options: str, **extra: str) -> Build:
        proc = subprocess.run(
            ["dpkg-buildpackage", "-us", "-uc", "-b", "-d", *options],
            cwd=source,
            env=self.env(args, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return Build(source, proc.returncode, proc.stdout)


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Builder:
    return Builder(tmp_path_factory.mktemp("sec"), wheelhouse)


def one_error(build: Build, prog: str = "dh_venv") -> str:
    assert build.returncode != 0, build.output[-3000:]
    assert "Traceback" not in build.output and "internal error" not in build.output, build.output[-3000:]
    [line] = [
        line
        for line in build.output.splitlines()
        if line.startswith(f"{prog}: error: ") and not line.startswith(f"{prog}: error:  ")
    ]
    assert build.debs == {}
    return line


def debs(build: Build) -> dict[str, bytes]:
    """Every .deb of a build, -dbgsym included, by file name."""
    return {p.name: p.read_bytes() for p in build.source.parent.glob("*.deb")}


def diffoscope(one: Path, other: Path) -> str:
    result = sh("diffoscope", "--text", "-", str(one), str(other), check=False)
    return result.stdout[-6000:] or result.stderr[-2000:]


def assert_same_debs(got: dict[str, bytes], want_dir: Path, got_dir: Path) -> None:
    assert sorted(got) == sorted(p.name for p in want_dir.glob("*.deb"))
    for name, data in got.items():
        if data != (want_dir / name).read_bytes():
            pytest.fail(f"{name} differs from the clean build:\n{diffoscope(want_dir / name, got_dir / name)}")


# 1. Symlinks that leave the source tree ---------------------------------------------


def test_symlink_out_of_the_tree_is_refused(builder: Builder, tmp_path: Path) -> None:
    source = builder.copy()
    (source / "sec_app/shadow.txt").symlink_to("/etc/shadow")
    build = builder.build(source)
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}: the symlink {source}/sec_app/shadow.txt points to /etc/shadow, outside the "
        f"source tree {source}; the build would ship its content from the build machine; replace the link by the "
        f"file, or list sec_app/shadow.txt in debian/{PACKAGE}.venv-links if that content is "
        "meant to ship"
    )
    # A relative one (a monorepo's ../../common) to a directory with a key in it, outside the tree.
    (source / "sec_app/shadow.txt").unlink()
    keys = source.parent / "keys"
    keys.mkdir()
    (keys / "id_rsa").write_text("PRIVATE KEY\n")
    (source / "sec_app/keys").symlink_to("../../keys")
    build = builder.build(source)
    assert one_error(build).startswith(
        f"dh_venv: error: {PACKAGE}: the symlink {source}/sec_app/keys points to ../../keys, outside the source tree"
    )


def test_symlinks_inside_the_tree_and_allowed_ones_ship(builder: Builder, tmp_path: Path) -> None:
    source = builder.copy()
    # A monorepo: the project in app/, shared data beside it, one link inside the project.
    (source / "app").mkdir()
    for name in ("setup.py", "sec_app"):
        (source / name).rename(source / "app" / name)
    (source / "common").mkdir()
    (source / "common/common.txt").write_text("common data\n")
    (source / "app/sec_app/common.txt").symlink_to("../../common/common.txt")
    (source / "app/sec_app/inner.txt").symlink_to("inside.txt")
    outside = source.parent / "licensed.txt"
    outside.write_text("licensed data from outside\n")
    (source / "app/sec_app/licensed.txt").symlink_to(outside)
    (source / f"debian/{PACKAGE}.venv-links").write_text("# shipped on purpose\nsec_app/licensed.txt\n")
    build = builder.build(source, "--sourcedirectory=app")
    assert build.returncode == 0, build.output[-3000:]
    tree = extract(build.deb(PACKAGE), tmp_path / "x")
    [package_dir] = tree.glob("opt/venvs/sec-app/lib/python3*/site-packages/sec_app")
    assert (package_dir / "common.txt").read_text() == "common data\n"
    assert (package_dir / "inner.txt").read_text() == "shipped data\n"
    assert (package_dir / "licensed.txt").read_text() == "licensed data from outside\n"
    with installed(build.deb(PACKAGE)):
        result = run_clean(PACKAGE)
        assert result.stdout == f"sec-app 42 in {VENV} data=common.txt,inner.txt,inside.txt,licensed.txt\n"
    assert_purged(PACKAGE, VENV, [PACKAGE])


# 3. Values that reach maintainer scripts ---------------------------------------------


def test_hostile_install_paths_run_nothing(builder: Builder, tmp_path: Path) -> None:
    # dpkg runs maintainer scripts in /, the build runs in the source tree.
    marks = [Path("/tmp/sec-pwned-root"), Path("/sec-pwned-suffix")]
    for mark in marks:
        mark.unlink(missing_ok=True)
    root = "/opt/sec-$(id>/tmp/sec-pwned-root)"
    # No "$" here (make would expand it in DH_VENV_TEST_ARGS), and no "/".
    suffix = 'sec-app`id>sec-pwned-suffix`;"'
    source = builder.copy()
    marks.append(source / "sec-pwned-suffix")
    # Single quotes: debian/rules hands the value to a shell, which must not run it at build time.
    build = builder.build(source, f"'--install-suffix={suffix}'", DH_VENV_INSTALL_ROOT=root)
    assert build.returncode == 0, build.output[-3000:]
    venv = Path(root) / suffix
    with installed(build.deb(PACKAGE)):
        # postinst byte-compiled the venv.
        assert list(venv.glob("lib/python3*/site-packages/sec_app/__pycache__/__init__.*.pyc")), "not compiled"
        assert run_clean(PACKAGE).stdout == f"sec-app 42 in {venv} data=inside.txt\n"
    assert_purged(PACKAGE, str(venv), [PACKAGE])
    assert not Path(root).exists()
    assert [m for m in marks if m.exists()] == []


# 7. An upgrade that moves the venv --------------------------------------------------


def new_version(source: Path, version: str) -> None:
    changelog = source / "debian/changelog"
    changelog.write_text(
        f"{PACKAGE} ({version}) unstable; urgency=medium\n\n  * Moved.\n\n"
        " -- dh-venv developers <dh-venv@example.org>  Sat, 21 Nov 2026 12:00:00 +0000\n\n" + changelog.read_text()
    )


def test_upgrade_to_another_venv_then_purge_leaves_nothing(builder: Builder) -> None:
    v1 = builder.build(builder.copy())
    assert v1.returncode == 0, v1.output[-3000:]
    source = builder.copy()
    new_version(source, "2.0")
    v2 = builder.build(source, "--install-suffix=sec-app-new")
    assert v2.returncode == 0, v2.output[-3000:]
    with installed(v1.deb(PACKAGE)):
        # What the application writes into its venv at run time.
        Path(VENV, "state.db").write_text("runtime data\n")
        upgrade = sh("apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=900", str(v2.deb(PACKAGE)), check=False)
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        assert not os.path.exists(VENV), list(Path(VENV).rglob("*"))
        assert run_clean(PACKAGE).stdout == "sec-app 42 in /opt/venvs/sec-app-new data=inside.txt\n"
        Path("/opt/venvs/sec-app-new/state.db").write_text("runtime data\n")
    assert_purged(PACKAGE, "/opt/venvs/sec-app-new", [PACKAGE])
    assert not os.path.exists(VENV)
    assert not os.path.exists(f"/var/lib/dh-venv/{PACKAGE}.previous-venvs")


# 4. Every failure resumes -------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_build(builder: Builder) -> Path:
    """The .deb files of a clean build, at the path the resumed builds use."""
    source = builder.root / "resume" / f"{PACKAGE}-1.0"
    builder.copy(source)
    build = builder.build(source)
    assert build.returncode == 0, build.output[-3000:]
    out = builder.root / "clean-debs"
    out.mkdir()
    for deb in source.parent.glob("*.deb"):
        shutil.move(deb, out / deb.name)
    shutil.rmtree(source.parent)
    return out


@pytest.mark.parametrize(
    "step", ["dh_venv", "dh_venv_setaside", "dh_strip_nondeterminism", "dh_strip", "dh_shlibdeps", "dh_venv_restore"]
)
def test_stopped_after_a_step_resumes_with_nc(builder: Builder, clean_build: Path, step: str) -> None:
    source = builder.root / "resume" / f"{PACKAGE}-1.0"
    builder.copy(source)
    try:
        stopped = builder.build(source, DH_VENV_TEST_FAIL_AFTER=step)
        assert stopped.returncode != 0 and f"test: stopping after {step}" in stopped.output, stopped.output[-3000:]
        resumed = builder.build(source, "", "-nc")
        assert resumed.returncode == 0, resumed.output[-3000:]
        assert "Traceback" not in resumed.output
        if step in ("dh_venv", "dh_venv_setaside", "dh_strip_nondeterminism", "dh_strip", "dh_shlibdeps"):
            assert (
                f"dh_venv: notice: {PACKAGE}: the state of an earlier build of {PACKAGE} that did not finish is "
                f"left; discarded {source}/debian/.debhelper/dh_venv/{PACKAGE}"
            ) in resumed.output
        assert_same_debs(debs(resumed), clean_build, source.parent)
    finally:
        shutil.rmtree(source.parent)


def test_killed_inside_dh_venv_resumes_with_nc(builder: Builder, clean_build: Path) -> None:
    source = builder.root / "resume" / f"{PACKAGE}-1.0"
    builder.copy(source)
    try:
        proc = subprocess.Popen(
            ["dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
            cwd=source,
            env=builder.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Killed once the installer has put the prebuilt dependency into the venv.
        site = source / "debian" / PACKAGE / VENV.lstrip("/") / "lib"
        deadline = time.monotonic() + 300
        while not list(site.glob("python3*/site-packages/tinydep*")) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        resumed = builder.build(source, "", "-nc")
        assert resumed.returncode == 0, resumed.output[-3000:]
        assert_same_debs(debs(resumed), clean_build, source.parent)
    finally:
        shutil.rmtree(source.parent)


def test_corrupt_state_is_discarded_with_a_notice(builder: Builder, clean_build: Path) -> None:
    source = builder.root / "resume" / f"{PACKAGE}-1.0"
    builder.copy(source)
    try:
        stopped = builder.build(source, DH_VENV_TEST_FAIL_AFTER="dh_venv_setaside")
        assert stopped.returncode != 0
        work = source / "debian/.debhelper/dh_venv" / PACKAGE
        (work / "prebuilt.json").write_text("")  # what a full disk left before writes were atomic
        # dh_venv_restore alone, as debian/rules would run it next.
        restore = subprocess.run(
            ["dh_venv_restore"], cwd=source, env=builder.env(), capture_output=True, text=True, check=False
        )
        assert restore.returncode == 0, restore.stderr
        assert restore.stderr == (
            f"dh_venv_restore: notice: {PACKAGE}: {work}/prebuilt.json is corrupt (an interrupted write?); "
            "discarded it\n"
        )
        (work / "compiled.json").write_text("{")
        aside = subprocess.run(
            ["dh_venv_setaside"], cwd=source, env=builder.env(), capture_output=True, text=True, check=False
        )
        assert (aside.returncode, aside.stderr) == (
            0,
            f"dh_venv_setaside: notice: {PACKAGE}: {work}/compiled.json is corrupt (an interrupted write?); "
            "discarded it\n",
        )
        resumed = builder.build(source, "", "-nc")
        assert resumed.returncode == 0, resumed.output[-3000:]
        assert_same_debs(debs(resumed), clean_build, source.parent)
    finally:
        shutil.rmtree(source.parent)


# 2. Nothing an installer writes lands outside the venv ----------------------------------


def hostile_wheel(directory: Path, *scripts: str) -> Path:
    """A wheel of sec-evil whose console scripts are named by ``scripts``."""
    import base64
    import hashlib
    import zipfile

    def digest(data: bytes) -> str:
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    info = "sec_evil-1.0.dist-info"
    files = {
        "sec_evil/__init__.py": b"def main():\n    print('evil')\n",
        f"{info}/METADATA": b"Metadata-Version: 2.1\nName: sec-evil\nVersion: 1.0\n",
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "".join(
            ["[console_scripts]\n", *(f"{s} = sec_evil:main\n" for s in scripts)]
        ).encode(),
    }
    record = "".join(f"{name},{digest(data)},{len(data)}\n" for name, data in files.items()) + f"{info}/RECORD,,\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "sec_evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_hostile_wheel_is_refused_before_install(builder: Builder, tmp_path: Path, installer: str) -> None:
    written = tmp_path / "ABS_EP"
    wheel = hostile_wheel(tmp_path / "evil", "../../../EP_OPT", str(written))
    source = builder.copy()
    (source / "requirements.txt").write_text("sec-evil\n")
    build = builder.build(
        source,
        f"--installer={installer}",
        DH_VENV_PIP_ARGS=f"--no-index --find-links={builder.wheelhouse} --find-links={wheel.parent}",
    )
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}: distribution sec_evil 1.0 (sec_evil-1.0-py3-none-any.whl in {wheel.parent}) "
        "declares the console script '../../../EP_OPT', a path rather than a file name; installed, it would be "
        "written outside the venv; leave that distribution out, or fix its entry points"
    )
    assert not written.exists()
    assert not (source / "debian" / PACKAGE / "opt").exists()


def hostile_project(source: Path, written: Path) -> None:
    """A local requirement built from source during the install: no wheel to look at before."""
    project = source / "evil"
    (project / "sec_evil2").mkdir(parents=True)
    (project / "sec_evil2/__init__.py").write_text("def main():\n    pass\n")
    (project / "setup.py").write_text(
        "from setuptools import setup\n"
        'setup(name="sec-evil2", version="1.0", packages=["sec_evil2"], entry_points={"console_scripts": '
        f'["../../../EP_OPT = sec_evil2:main", "{written} = sec_evil2:main"]}})\n'
    )
    (source / "requirements.txt").write_text("./evil\n")


def test_hostile_project_fails_the_build_after_uv(builder: Builder, tmp_path: Path) -> None:
    written = tmp_path / "ABS_EP2"
    source = builder.copy()
    hostile_project(source, written)
    build = builder.build(source, "--installer=uv")
    line = one_error(build)
    # uv 0.9.7 joins the names to bin/ as they are; what it wrote is named, the staging tree is cleaned.
    assert line == (
        f"dh_venv: error: {PACKAGE}: uv installed 2 file(s) of sec_evil2 1.0 outside the venv; it declares the "
        f"script(s) '../../../EP_OPT', '{written}'; uv wrote {written} on this build machine: remove it; leave "
        "that distribution out, or fix it"
    )
    assert f"dh_venv: error:   {source}/debian/{PACKAGE}/opt/EP_OPT" in build.output
    # Nothing of it is left in the staging tree for a later step to ship.
    assert [p for p in (source / "debian" / PACKAGE / "opt").rglob("*") if not p.is_dir()] == []


def test_hostile_project_fails_the_build_after_pip(builder: Builder, tmp_path: Path) -> None:
    written = tmp_path / "ABS_EP2"
    source = builder.copy()
    hostile_project(source, written)
    build = builder.build(source, "--installer=pip")
    # pip writes bin/EP_OPT: the names are refused all the same.
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}: distribution sec_evil2 1.0 declares the console script '../../../EP_OPT', a "
        "path rather than a file name; installed, it would be written outside the venv; leave that distribution "
        "out, or fix its entry points"
    )
    assert not written.exists()


# 6. Extensions compiled from a downloaded sdist are reproducible ----------------------------


@pytest.mark.network
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_sdist_extension_is_byte_identical(builder: Builder, tmp_path: Path, installer: str) -> None:
    """psycopg2 compiled from its sdist against libpq-dev, in two directories with two HOMEs, caches and TMPDIRs."""
    builds = []
    for number in (1, 2):
        source = tmp_path / f"build{number}" / ("deeper/" * number) / f"{PACKAGE}-1.0"
        builder.copy(source)
        (source / "requirements.txt").write_text("psycopg2==2.9.13\n")
        home, tmp = tmp_path / f"home{number}", tmp_path / f"tmp{number}"
        home.mkdir()
        tmp.mkdir()
        build = builder.build(
            source,
            f"--installer={installer}",
            # The index for psycopg2, the wheelhouse for tinydep; each build its own cache in its HOME.
            DH_VENV_PIP_ARGS=f"--find-links={builder.wheelhouse}",
            DH_VENV_CACHE_DIR="",
            HOME=str(home),
            TMPDIR=str(tmp),
            DPKG_DEB_COMPRESSOR_TYPE="gzip",
        )
        assert build.returncode == 0, build.output[-5000:]
        builds.append(build)
    one, two = builds
    assert list((tmp_path / "home1").glob(".cache/dh-venv/*")), "the build used no cache in its HOME"
    dbgsym = extract(next(one.source.parent.glob("*-dbgsym_*.deb")), tmp_path / "dbg")
    # Both extensions were compiled here (sec_app._fast from the project, psycopg2 from the sdist).
    assert len(list(dbgsym.glob("usr/lib/debug/.build-id/*/*.debug"))) == 2
    got = debs(two)
    assert sorted(got) == sorted(debs(one))
    for name, data in got.items():
        if data != (one.source.parent / name).read_bytes():
            pytest.fail(f"{name} differs:\n{diffoscope(one.source.parent / name, two.source.parent / name)}")


# Poor messages made precise -------------------------------------------------------------------


def test_requires_python_names_the_way_out(builder: Builder) -> None:
    minor = int(os.path.basename(os.path.realpath("/usr/bin/python3")).split(".")[1])
    release = next(
        line.split("=", 1)[1].strip('"')
        for line in Path("/etc/os-release").read_text().splitlines()
        if line.startswith("VERSION_CODENAME=")
    )
    rows = [r.split(",") for r in Path("/usr/share/distro-info/debian.csv").read_text().splitlines()[1:]]
    names = [r[2] for r in sorted((r for r in rows if r[0].isdigit()), key=lambda r: int(r[0]))]
    later = names[names.index(release) + 1]
    wanted = f"3.{minor + 1}"
    installed = os.access(f"/usr/bin/python{wanted}", os.X_OK)
    use = f"--python=/usr/bin/python{wanted}" if installed else f"--python with an installed python{wanted}"
    source = builder.copy()
    (source / "setup.cfg").write_text(f"[options]\npython_requires = >={wanted}\n")
    build = builder.build(source)
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}: this project needs Python >= {wanted}; {release} has 3.{minor}: use {use}, "
        f"or target {later}"
    )
    assert not (source / "debian" / PACKAGE / "opt").exists()


def test_two_dh_venv_calls_on_one_project_fail_before_the_second_venv(builder: Builder) -> None:
    source = builder.copy()
    with (source / "debian/control").open("a") as fh:
        fh.write(f"\nPackage: {PACKAGE}-two\nArchitecture: any\nDepends: ${{misc:Depends}}\nDescription: two\n two\n")
    rules = (source / "debian/rules").read_text()
    rules = rules.replace(
        "\tdh_venv $(DH_VENV_TEST_ARGS)\n",
        f"\tdh_venv -p{PACKAGE}\n\tdh_venv -p{PACKAGE}-two $(DH_VENV_TEST_ARGS)\n",
    )
    (source / "debian/rules").write_text(rules)
    build = builder.build(source)
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}-two: package {PACKAGE} already links /usr/bin/{PACKAGE} from the project "
        f"{source} (an earlier dh_venv call); this package would link the same console scripts; expose them from "
        "one package only (--console-script, --no-console-scripts)"
    )
    assert not (source / f"debian/{PACKAGE}-two/opt").exists()
    # One venv for both: refused before building too.
    build = builder.build(source, f"--install-suffix={PACKAGE} --no-console-scripts")
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}-two: package {PACKAGE} already has its venv at {VENV}; "
        "give each package its own --install-suffix"
    )
    assert not (source / f"debian/{PACKAGE}-two/opt").exists()


def test_cache_inside_the_source_tree_is_refused(builder: Builder) -> None:
    source = builder.copy()
    build = builder.build(source, DH_VENV_CACHE_DIR="cache")
    assert one_error(build) == (
        f"dh_venv: error: source package {PACKAGE}: DH_VENV_CACHE_DIR=cache is inside the source tree {source}, "
        "so every build would copy it with the project; point DH_VENV_CACHE_DIR outside the source tree, or under "
        "debian/.debhelper/"
    )
    assert not (source / "cache").exists()


def test_literal_password_in_debian_rules_is_named(builder: Builder) -> None:
    source = builder.copy()
    secret = "sec-literal-s3cret"
    build = builder.build(source, f"--index-url=http://user:{secret}@127.0.0.1:9/simple")
    assert (
        "dh_venv: warning: the index URL http://user:****@127.0.0.1:9/simple holds a password as it is, which make "
        "has printed into the build log; write it as $${VAR} in debian/rules and set VAR in the build environment"
    ) in build.output.splitlines()
    # make echoed the recipe line: the reason for the warning.
    assert f"dh_venv --index-url=http://user:{secret}@" in build.output
    # Written as $${VAR}: make prints the variable, dh_venv gets the value from the shell and says nothing.
    source = builder.copy()
    build = builder.build(source, "--index-url=http://user:$${SEC_TOKEN}@127.0.0.1:9/simple", SEC_TOKEN=secret)
    assert secret not in build.output
    assert "holds a password as it is" not in build.output


# 5. A full or read-only disk ------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 64 MB tmpfs, enough for one build of sec-app."""
    mount = tmp_path / "disk"
    mount.mkdir()
    sh("mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", str(mount))
    try:
        yield mount
    finally:
        sh("umount", "--lazy", str(mount), check=False)


_FULL = re.compile(
    r"(?P<prog>dh_venv\w*): error: sec-app: could not (?P<what>.+): no space left on the device holding "
    r"(?P<path>\S+); free space there \(df -h\) and build again"
)


@pytest.mark.parametrize(
    ("step", "what"),
    [
        ("dh_venv", "record the build of sec-app under {source}/debian/.debhelper"),
        (
            "dh_venv_setaside",
            "move the prebuilt files of sec-app to {source}/debian/.debhelper/dh_venv/sec-app/prebuilt",
        ),
    ],
)
def test_full_disk_names_the_step_and_resumes(
    builder: Builder, small_disk: Path, tmp_path: Path, step: str, what: str
) -> None:
    source = small_disk / f"{PACKAGE}-1.0"
    builder.copy(source)
    clean = builder.build(source)
    assert clean.returncode == 0, clean.output[-3000:]
    want = tmp_path / "clean"
    want.mkdir()
    for deb in small_disk.glob("*.deb"):
        shutil.move(deb, want / deb.name)
    shutil.rmtree(source)
    builder.copy(source)
    filler = small_disk / "filler"
    full = builder.build(source, DH_VENV_TEST_FILL_BEFORE=step, DH_VENV_TEST_FILLER=str(filler))
    assert "Traceback" not in full.output and "internal error" not in full.output, full.output[-3000:]
    [match] = [m for line in full.output.splitlines() if (m := _FULL.fullmatch(line))]
    assert match["prog"] == step
    assert match["what"] == what.format(source=source)
    assert match["path"].startswith(f"{source}/debian/"), match["path"]
    assert list(small_disk.glob("*.deb")) == []
    if step == "dh_venv":
        assert not (source / "debian" / PACKAGE / VENV.lstrip("/")).exists()
    filler.unlink()
    resumed = builder.build(source, "", "-nc")
    assert resumed.returncode == 0, resumed.output[-3000:]
    assert_same_debs(debs(resumed), want, small_disk)


def test_full_disk_while_copying_the_project(builder: Builder, small_disk: Path) -> None:
    # The project is built from a copy: a file of 40 of the 64 MB cannot be copied.
    source = small_disk / f"{PACKAGE}-1.0"
    builder.copy(source)
    with (source / "sec_app/big.bin").open("wb") as fh:
        fh.write(os.urandom(40 << 20))
    build = builder.build(source)
    assert one_error(build) == (
        f"dh_venv: error: {PACKAGE}: could not copy {source} to {source}/debian/.debhelper/dh_venv/"
        f"{PACKAGE}/src: no space left on the device holding {source}/debian/.debhelper/dh_venv/{PACKAGE}/src/"
        "sec_app/big.bin; free space there (df -h) and build again"
    )


def test_read_only_staging_tree(builder: Builder, small_disk: Path) -> None:
    sh("mount", "-o", "remount,ro", str(small_disk))
    source = builder.copy()
    build = builder.build(source, f"-P{small_disk}/{PACKAGE}")
    line = one_error(build)
    # virtualenv runs, or (when an earlier build of the session kept its venv) the kept venv is copied.
    made = ("virtualenv could not create", "could not build the venv")
    assert any(
        line.startswith(
            f"dh_venv: error: {PACKAGE}: {how} {small_disk}/{PACKAGE}{VENV}: the file system holding {small_disk}"
        )
        for how in made
    ), line
    assert line.endswith(" is read-only; build in a writable directory"), line
