"""Never break the target system, never crash (issue 6).

1. console scripts that clash with another package's command or with the
   venv's own files are refused at build time;
2. the build-path scan has no false positive in a build directory named
   ``/build`` and can be told to accept named files;
3. odd source trees (special files, unreadable files, names and paths that
   are not UTF-8) give warnings or one clear error, never a traceback;
4. the source tree is unchanged after build + clean, no VCS metadata
   ships, shared venvs and links between packages are refused before the
   venv is built, stray data_files are listed, pip's failure shows once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    PACKAGES,
    SITE,
    Build,
    assert_purged,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    sh,
    tool_env,
)

VENV = "/opt/venvs/{}"


class Builder:
    """Builds fixtures from tests/packages with the hermetic wheelhouse."""

    def __init__(self, root: Path, wheelhouse: Path) -> None:
        self.root = root
        self.wheelhouse = wheelhouse
        self.count = 0

    def copy(self, case: str, dest: Path | None = None) -> Path:
        self.count += 1
        source = dest or self.root / f"{case}-{self.count}" / f"{case}-1.0"
        shutil.copytree(PACKAGES / case, source, symlinks=True)
        return source

    def env(self, args: str = "", **extra: str) -> dict[str, str]:
        env = tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={self.wheelhouse}", **extra)
        if args:
            env["DH_VENV_TEST_ARGS"] = args
        return env

    def build(self, case: str, args: str = "", **extra: str) -> Build:
        return dpkg_buildpackage(self.copy(case), self.env(args, **extra))


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Builder:
    return Builder(tmp_path_factory.mktemp("safe"), wheelhouse)


def error_lines(build: Build, package: str) -> list[str]:
    return [line for line in build.output.splitlines() if line.startswith(f"dh_venv: error: {package}: ")]


def assert_one_error(build: Build, package: str, *texts: str) -> str:
    assert build.returncode != 0, build.output[-3000:]
    assert "Traceback" not in build.output, build.output[-3000:]
    assert "internal error" not in build.output
    [line] = error_lines(build, package)
    for text in texts:
        assert text in line, f"{text!r} not in {line!r}"
    assert build.debs == {}
    return line


def venv_started(build: Build, package: str) -> bool:
    return (build.source / "debian" / package / "opt").exists()


# 1. Console scripts that clash ------------------------------------------------


def test_essential_command_is_refused(builder: Builder) -> None:
    # The application declares a console script named hostname (essential package hostname
    # ships /bin/hostname on bookworm, which merged /usr makes /usr/bin/hostname; trixie's
    # ships /usr/bin/hostname): dpkg's own path is named.
    listed = sh("dpkg", "-L", "hostname").stdout.splitlines()
    owned = next(line for line in listed if line.endswith("bin/hostname"))
    alias = "" if owned == "/usr/bin/hostname" else " (the same file on a merged-/usr system)"
    build = builder.build("safe-clash", "--sourcedirectory=app")
    assert_one_error(
        build,
        "safe-clash",
        "console script hostname would be linked as /usr/bin/hostname",
        f"but {owned}{alias} belongs to package hostname (essential)",
        "--console-script=hostname=OTHER-NAME",
    )
    assert not (build.source / "debian/safe-clash/usr/bin/hostname").exists()


def test_another_packages_command_is_refused_then_renamed(builder: Builder) -> None:
    owner = builder.build("safe-owner")
    assert owner.returncode == 0, owner.output[-3000:]
    with installed(owner.deb("safe-owner")):
        original = Path("/usr/bin/safe-owned-cmd").read_bytes()
        # Named with --console-script: refused before any venv is built.
        refused = builder.build(
            "safe-clash", "--sourcedirectory=app --console-script=safe-clash-cmd --console-script=safe-owned-cmd"
        )
        assert_one_error(
            refused,
            "safe-clash",
            "console script safe-owned-cmd would be linked as /usr/bin/safe-owned-cmd",
            "belongs to package safe-owner on this build machine",
        )
        assert not venv_started(refused, "safe-clash")
        assert Path("/usr/bin/safe-owned-cmd").read_bytes() == original

        # The documented way out: rename the link.
        renamed = builder.build(
            "safe-clash",
            "--sourcedirectory=app --console-script=safe-clash-cmd --console-script=safe-owned-cmd=safe-renamed-cmd",
        )
        assert renamed.returncode == 0, renamed.output[-3000:]
        with installed(renamed.deb("safe-clash")):
            assert run_clean("safe-owned-cmd").stdout == "safe-owner original\n"
            assert run_clean("safe-renamed-cmd").stdout.startswith("safe-clash-app as ")
        assert_purged("safe-clash", VENV.format("safe-clash"), ["safe-renamed-cmd", "safe-clash-cmd"])
        # Installing and purging ours left the other package's file alone.
        assert sh("dpkg", "-V", "safe-owner").stdout == ""
        assert Path("/usr/bin/safe-owned-cmd").read_bytes() == original
        assert run_clean("safe-owned-cmd").stdout == "safe-owner original\n"


def test_entry_point_replacing_the_venv_interpreter_is_refused(builder: Builder) -> None:
    build = builder.build("safe-clash", "--sourcedirectory=pyapp")
    line = assert_one_error(
        build,
        "safe-clash",
        "distribution safe_pyapp 1.0 declares the console script python, which replaced the venv's own bin/python",
    )
    assert "pip check" not in line and "nocheck" not in line
    assert "Too many levels of symbolic links" not in build.output


def test_link_named_python3_is_refused_before_the_venv(builder: Builder) -> None:
    build = builder.build("safe-clash", "--sourcedirectory=pyapp --console-script=safe-pyapp=python3")
    assert_one_error(build, "safe-clash", "console script safe-pyapp would be linked as /usr/bin/python3")
    assert not venv_started(build, "safe-clash")


# 2. The build-path scan --------------------------------------------------------


@pytest.fixture(scope="module")
def slash_build(builder: Builder) -> Iterator[tuple[Build, Path]]:
    """safe-clash built in a directory literally named /build (a bind mount, in its own mount namespace)."""
    if os.path.lexists("/build"):
        pytest.skip("/build exists on this machine; the test needs to own it")
    source = builder.copy("safe-clash")
    out = builder.root / "slash-build-out"
    out.mkdir()
    os.mkdir("/build")
    before = set(os.listdir("/"))
    # --keep-seed: pip's and setuptools' files mention "/build" in URLs and words.
    env = builder.env("--sourcedirectory=app --console-script=safe-clash-cmd --keep-seed")
    try:
        proc = subprocess.run(
            [
                "unshare",
                "--mount",
                "--propagation=private",
                "sh",
                "-c",
                'mount --bind "$0" /build && cd /build && exec dpkg-buildpackage -us -uc -b -d',
                str(source),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # dpkg-buildpackage writes its results next to the source: into /.
        for name in set(os.listdir("/")) - before:
            if name.startswith("safe-clash"):
                shutil.move(f"/{name}", out / name)
    finally:
        os.rmdir("/build")
    yield Build(out / "src", proc.returncode, proc.stdout), out


def test_build_in_slash_build_passes(slash_build: tuple[Build, Path], tmp_path: Path) -> None:
    build, out = slash_build
    assert "dh_venv --sourcedirectory=app" in build.output
    assert build.returncode == 0, build.output[-3000:]
    [deb] = out.glob("safe-clash_*.deb")
    tree = extract(deb, tmp_path / "x")
    # Files of pip and setuptools contain "/build" in URLs and words: the
    # old substring scan failed on them.
    assert files_containing(tree / "opt/venvs/safe-clash", "/build") != []
    assert files_containing(tree, "/build/debian") == []


def test_allow_build_path_accepts_named_files(builder: Builder) -> None:
    # errapp's leaky project records its build directory; the maintainer says it is harmless.
    build = builder.build(
        "errors", "--sourcedirectory=leaky --allow-build-path=lib/python3*/site-packages/leaky/_where.py"
    )
    assert build.returncode == 0, build.output[-3000:]
    refused = builder.build("errors", "--sourcedirectory=leaky --allow-build-path=lib/python3*/other.py")
    assert_one_error(refused, "errapp", "1 file(s) of the venv still contain the build path", "--allow-build-path")


# 3 and 4. Odd source trees, clean source trees ---------------------------------


def manifest(root: Path) -> dict[bytes, tuple[str, ...]]:
    """Every entry of a tree: type, mode and content (or link target)."""
    entries: dict[bytes, tuple[str, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            kind = stat.S_IFMT(st.st_mode)
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as fh:
                    content = hashlib.sha256(fh.read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path).hex()
            else:
                content = ""
            entries[os.path.relpath(path, os.fsencode(root))] = (str(kind), oct(st.st_mode), content)
    return entries


def make_odd_files(source: Path) -> None:
    os.mkfifo(source / "a-named-pipe")
    cwd = os.getcwd()
    os.chdir(source)  # a socket path must be short
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind("a-socket")
        sock.close()
    finally:
        os.chdir(cwd)
    os.mknod(source / "a-device", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    (Path(os.fsdecode(os.fsencode(source) + b"/caf\xe9-notes.txt"))).write_text("latin-1 name\n")
    (Path(os.fsdecode(os.fsencode(source) + b"/vendor_dep/r\xe9sum\xe9.txt"))).write_text("latin-1 name\n")


@pytest.fixture(scope="module")
def odd(builder: Builder) -> tuple[Build, dict[bytes, tuple[str, ...]], dict[bytes, tuple[str, ...]]]:
    """safe-odd with special files, latin-1 names, ./vendor_dep, an editable git requirement, --preinstall=./gitdep."""
    repo = builder.root / "gitdep-repo"
    shutil.copytree(PACKAGES / "safe-odd" / "gitdep", repo)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    sh("git", "init", "-q", str(repo))
    sh(*git, "add", "-A")
    sh(*git, "commit", "-q", "-m", "gitdep")
    source = builder.copy("safe-odd")
    with (source / "requirements.txt").open("a") as fh:
        fh.write(f"-e git+file://{repo}#egg=safe-gitdep\n")
    make_odd_files(source)
    before = manifest(source)
    # A local directory given to --preinstall is built from a copy too.  The requirements file
    # is named: one picked by default may not hold a VCS requirement.
    build = dpkg_buildpackage(source, builder.env("--preinstall=./gitdep --requirements=requirements.txt"))
    subprocess.run(["debian/rules", "clean"], cwd=source, env=builder.env(), check=True, capture_output=True)
    return build, before, manifest(source)


def test_odd_tree_builds_with_warnings(odd) -> None:  # type: ignore[no-untyped-def]
    build, _, _ = odd
    assert build.returncode == 0, build.output[-3000:]
    assert "Traceback" not in build.output
    for name, kind in (("a-named-pipe", "named pipe"), ("a-socket", "socket"), ("a-device", "character device")):
        assert re.search(rf"dh_venv: warning: safe-odd: \S*/{name}: skipped a {kind}", build.output), name


def test_source_tree_is_unchanged_after_build_and_clean(odd) -> None:  # type: ignore[no-untyped-def]
    build, before, after = odd
    assert build.returncode == 0
    assert after == before


def test_no_vcs_metadata_ships_and_editable_becomes_regular(odd, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build, _, _ = odd
    assert "is installed as a regular, not an editable, requirement" in build.output
    tree = extract(build.deb("safe-odd"), tmp_path / "x")
    vcs = [p for p in tree.rglob("*") if p.name in (".git", ".hg", ".svn", ".bzr", ".gitignore")]
    assert vcs == []
    assert not (tree / "opt/venvs/safe-odd/src").exists()


def test_absolute_data_files_are_reported(odd) -> None:  # type: ignore[no-untyped-def]
    build, _, _ = odd
    assert "dh_venv: warning: safe-odd: safe_odd-1.0 installs 1 file(s) meant for outside /opt/venvs/safe-odd" in (
        build.output
    )
    assert f"dh_venv: warning:   {SITE}/etc/safe-odd/safe-odd.conf" in build.output


def test_odd_package_installs_and_runs(odd) -> None:  # type: ignore[no-untyped-def]
    build, _, _ = odd
    with installed(build.deb("safe-odd")):
        result = run_clean("safe-odd")
        assert result.stdout == "safe-odd with vendor_dep and gitdep\n", result.stderr
    assert_purged("safe-odd", VENV.format("safe-odd"), ["safe-odd"])


def test_requirements_not_utf8_is_a_clear_error(builder: Builder) -> None:
    source = builder.copy("safe-odd")
    (source / "requirements.txt").write_bytes(b"# caf\xe9\n./vendor_dep\n")
    build = dpkg_buildpackage(source, builder.env())
    assert_one_error(build, "safe-odd", "requirements.txt: line 1 is not valid UTF-8", "save the requirements file")
    assert not venv_started(build, "safe-odd")


def test_build_directory_not_utf8_is_a_clear_error(builder: Builder) -> None:
    parent = Path(os.fsdecode(os.fsencode(builder.root) + b"/caf\xe9"))
    source = builder.copy("safe-twins", parent / "safe-twins-1.0")
    proc = subprocess.run(
        ["dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
        cwd=source,
        env=builder.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="backslashreplace",  # dpkg-buildpackage prints the path as it is
    )
    build = Build(source, proc.returncode, proc.stdout)
    assert_one_error(build, "safe-twin-a", "caf\\xe9/safe-twins-1.0 is not valid UTF-8")


def test_unreadable_file_in_a_non_root_build(builder: Builder, wheelhouse: Path) -> None:
    user = "safe-builder"
    if sh("id", user, check=False).returncode != 0:
        sh("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", user)
    top = Path(f"/tmp/{user}-{os.getpid()}")
    shutil.rmtree(top, ignore_errors=True)
    try:
        source = builder.copy("safe-odd", top / "safe-odd-1.0")
        (top / "home").mkdir()
        sh("chown", "-R", f"{user}:", str(top))
        secret = source / ".env"
        secret.write_text("SECRET=1\n")  # root's, mode 600: a developer's leftover
        secret.chmod(0o600)
        # The user's own cache (in HOME): the session's shared one is root's.
        env = builder.env(HOME=str(top / "home"), DH_VENV_CACHE_DIR="")
        proc = subprocess.run(
            ["runuser", "-u", user, "--", "dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
            cwd=source,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        build = Build(source, proc.returncode, proc.stdout)
        assert "fakeroot debian/rules binary" in build.output  # Rules-Requires-Root: binary-targets
        assert_one_error(
            build,
            "safe-odd",
            f"cannot read {secret} as user {user} (uid ",
            "under fakeroot: Permission denied",
            "make it readable",
        )
    finally:
        shutil.rmtree(top, ignore_errors=True)


# 4. Packages of one source, pip's failure text -----------------------------------


def test_shared_install_suffix_is_refused_before_any_venv(builder: Builder) -> None:
    build = builder.build("safe-twins", "--install-suffix=safe-shared")
    assert_one_error(
        build,
        "safe-twin-b",
        "the venv /opt/venvs/safe-shared would overlap the venv /opt/venvs/safe-shared of package safe-twin-a",
        "--install-suffix",
    )
    assert not venv_started(build, "safe-twin-a") and not venv_started(build, "safe-twin-b")


def test_duplicate_console_script_is_refused_before_the_second_venv(builder: Builder) -> None:
    build = builder.build("safe-twins")
    assert_one_error(build, "safe-twin-b", "/usr/bin/safe-twins would be linked by both safe-twin-a and safe-twin-b")
    assert venv_started(build, "safe-twin-a")
    assert not venv_started(build, "safe-twin-b")


@pytest.mark.parametrize(
    ("verbose", "installer"),
    [("", "uv"), ("1", "uv"), ("", "pip"), ("1", "pip")],
    ids=["quiet", "DH_VERBOSE", "quiet-pip", "DH_VERBOSE-pip"],
)
def test_pip_failure_is_shown_once(builder: Builder, verbose: str, installer: str) -> None:
    # A setup.py whose build step fails: old pip retries with setup.py install,
    # which fails the same way.
    build = builder.build("safe-odd", f"--sourcedirectory=badbuild --installer={installer}", DH_VERBOSE=verbose)
    assert_one_error(build, "safe-odd", f"{installer} could not install the application and its requirements")
    lines = build.output.splitlines()
    failures = [i for i, line in enumerate(lines) if "the build step fails on purpose" in line]
    assert len(failures) == 1, "\n".join(lines[-60:])
    error = next(i for i, line in enumerate(lines) if line.startswith("dh_venv: error: safe-odd: "))
    assert failures[0] > error
    assert lines[failures[0]].startswith("dh_venv: error: ")


def test_missing_requirement_is_shown_once_with_dh_verbose(builder: Builder) -> None:
    source = builder.copy("safe-odd")
    (source / "requirements.txt").write_text("safe-no-such-dist==9.9\n")
    for installer, words in (("uv", "Because safe-no-such-dist was not found"), ("pip", "satisfies the requirement")):
        build = dpkg_buildpackage(source, builder.env(f"--skip-install --installer={installer}", DH_VERBOSE="1"))
        assert_one_error(build, "safe-odd", f"{installer} could not install the requirements")
        said = [line for line in build.output.splitlines() if words in line]
        assert len(said) == 1 and said[0].startswith("dh_venv: error: "), said
