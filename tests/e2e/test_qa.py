"""What Debian's QA tools check, on one source with three kinds of package.

``qa-modes`` has an arch-any server (an extension compiled in the build, a
prebuilt binary wheel, a pure requirement), an arch-all pure-Python client
and a ``-doc`` package that gets no venv.  Three real builds are shared by
the assertions:

- ``full``: ``dpkg-buildpackage -F`` as root, in one directory, umask 022,
  C.UTF-8, UTC, ``parallel=1``;
- ``arch``: ``-B`` from the unpacked ``.dsc`` as the user ``nobody`` with
  fakeroot, in a longer directory, umask 002, another locale, time zone,
  ``HOME`` and ``parallel=2``;
- ``indep``: ``-A`` as root in that second tree.

The ``.deb`` files of ``full`` must be byte-identical to those of ``arch``
and ``indep`` (diffoscope shows the difference otherwise), lintian must be
quiet about them, and the installed packages must survive their
maintainer scripts run with every argument and a re-trigger of the
interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import (
    CPYTHON_TAG,
    PACKAGES,
    RELEASE,
    ROOT,
    assert_purged,
    clean_pip_env,
    extract,
    installed,
    run_clean,
    sh,
    tool_env,
)

SERVER, CLIENT, DOC = "qa-modes-server", "qa-modes-client", "qa-modes-doc"
SERVER_VENV, CLIENT_VENV = f"/opt/venvs/{SERVER}", f"/opt/venvs/{CLIENT}"
PYTHON = os.path.realpath("/usr/bin/python3")


@dataclass
class Result:
    tree: Path
    output: str
    debs: dict[str, Path]
    staged: dict[str, bool]  # package -> whether its staging tree got a venv
    env: dict[str, str]


def _wheelhouse(base: Path, wheelhouse: Path) -> Path:
    """The session wheels plus a prebuilt binary wheel, readable by nobody."""
    out = base / "wheelhouse"
    shutil.copytree(wheelhouse, out)
    src = base / "qa-binwheel"
    shutil.copytree(ROOT / "tests/wheels-qa/qa-binwheel", src)
    pip = ["/usr/bin/python3", "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*pip, "-w", str(out), str(src)], check=True, env=clean_pip_env(), capture_output=True)
    out.chmod(0o755)
    for wheel in out.iterdir():
        wheel.chmod(0o644)
    return out


def _build(tree: Path, mode: str, env: dict[str, str], user: str | None = None, umask: int = 0o022) -> Result:
    argv = ["dpkg-buildpackage", "-us", "-uc", "-d", mode]
    if user:
        argv = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *argv, "-rfakeroot"]
    old = os.umask(umask)
    try:
        proc = subprocess.run(argv, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        os.umask(old)
    assert proc.returncode == 0, f"{' '.join(argv)} failed:\n{proc.stdout[-5000:]}"
    debs = {p.name.split("_")[0]: p for p in tree.parent.glob("*.deb") if "-dbgsym_" not in p.name}
    staged = {p: (tree / "debian" / p / "opt").exists() for p in (SERVER, CLIENT, DOC)}
    return Result(tree, proc.stdout, debs, staged, env)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[str, Result]:
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"qa-e2e-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    try:
        wheels = _wheelhouse(base, wheelhouse)
        pip_args = f"--no-index --find-links={wheels}"
        one = base / "one" / "qa-modes-1.0"
        shutil.copytree(PACKAGES / "qa-modes", one)
        env_one = tool_env(
            DH_VENV_PIP_ARGS=pip_args, LC_ALL="C.UTF-8", TZ="UTC", DEB_BUILD_OPTIONS="parallel=1", HOME="/root"
        )
        full = _build(one, "-F", env_one)

        two_parent = base / "a-much-longer-second-build-directory" / "src"
        two_parent.mkdir(parents=True)
        dsc = next(one.parent.glob("*.dsc"))
        sh("dpkg-source", "-x", str(dsc), str(two_parent / "qa-modes-1.0"))
        two = two_parent / "qa-modes-1.0"
        home = base / "home-nobody"
        home.mkdir()
        # nobody's own cache, with the uv the session unpacked: both builds install with uv.
        cache = base / "cache-nobody"
        shutil.copytree(Path(env_one["DH_VENV_CACHE_DIR"]) / "uv-bin", cache / "uv-bin", dirs_exist_ok=True)
        for path in (two_parent, home, cache, *two_parent.rglob("*"), *home.rglob("*"), *cache.rglob("*")):
            os.chown(path, 65534, 65534)
        env_two = tool_env(
            DH_VENV_PIP_ARGS=pip_args,
            # A locale that is not installed, as reprotest picks: perl warns on stderr.
            LC_ALL="fr_CH.UTF-8",
            LANG="fr_CH.UTF-8",
            TZ="Pacific/Kiritimati",
            DEB_BUILD_OPTIONS="parallel=2",
            HOME=str(home),
            DH_VENV_CACHE_DIR=str(cache),
        )
        arch = _build(two, "-B", env_two, user="nobody", umask=0o002)
        indep = _build(two, "-A", dict(env_two, HOME="/root"))
        yield {"full": full, "arch": arch, "indep": indep}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_build_modes_act_on_the_right_packages(builds: dict[str, Result]) -> None:
    full, arch, indep = builds["full"], builds["arch"], builds["indep"]
    assert sorted(full.debs) == [CLIENT, DOC, SERVER]
    assert list(full.tree.parent.glob("*.dsc")), "-F made no source package"
    # The -doc package never gets a venv; -B and -A act only on their packages,
    # although override_dh_venv names the server with -p.
    assert full.staged == {SERVER: True, CLIENT: True, DOC: False}
    assert arch.staged == {SERVER: True, CLIENT: False, DOC: False}, arch.output[-3000:]
    assert indep.staged == {SERVER: False, CLIENT: True, DOC: False}, indep.output[-3000:]
    # The fixture distributions declare no license, which dh_venv rightly says; nothing else is to warn about.
    lines = (full.output + arch.output + indep.output).splitlines()
    assert [line for line in lines if "dh_venv: warning" in line and " declares no license " not in line] == []


def test_debs_are_reproducible(builds: dict[str, Result], tmp_path: Path) -> None:
    """Other path, user (fakeroot), umask, locale, time zone, HOME, parallel, time: same bytes."""
    full = builds["full"].debs
    others = {SERVER: builds["arch"].debs[SERVER], CLIENT: builds["indep"].debs[CLIENT], DOC: builds["indep"].debs[DOC]}
    diffs = []
    for package, other in others.items():
        if full[package].read_bytes() != other.read_bytes():
            out = subprocess.run(
                ["diffoscope", "--text", "-", "--max-report-size=20000", str(full[package]), str(other)],
                capture_output=True,
                text=True,
            )
            diffs.append(f"{package}:\n{out.stdout[:8000]}")
    assert not diffs, "\n".join(diffs)


# What lintian still says and dh-venv does not override, on purpose:
# no-manual-page belongs to the maintainer (the fixture's server overrides it in
# debian/qa-modes-server.lintian-overrides; the client does not).  The
# extension compiled in this build is stripped by dh_strip (its debug symbols
# go to -dbgsym), so lintian has nothing to say about it.
ALLOWED = {
    f"W: {CLIENT}: no-manual-page [usr/bin/{CLIENT}]",
}


def test_lintian_is_quiet(builds: dict[str, Result], tmp_path: Path) -> None:
    debs = builds["full"].debs
    out = subprocess.run(["lintian", "--no-cfg", *map(str, debs.values())], capture_output=True, text=True)
    hints = {line for line in out.stdout.splitlines() if line[:2] in ("E:", "W:")}
    assert hints == ALLOWED, "\n".join(sorted(hints ^ ALLOWED))
    # The maintainer's override survives next to dh-venv's own, which say why.
    tree = extract(debs[SERVER], tmp_path / "server")
    overrides = (tree / f"usr/share/lintian/overrides/{SERVER}").read_text()
    assert overrides.startswith(
        "# The maintainer's own override: dh-venv merges it with its own.\n"
        f"{SERVER}: no-manual-page [usr/bin/{SERVER}]\n"
    )
    assert f"{SERVER}: dir-or-file-in-opt [opt/venvs/{SERVER}/*]" in overrides
    # The prebuilt wheel's binary is overridden by path; the local extension is not.
    assert f"site-packages/qa_binwheel/_mul.{CPYTHON_TAG}-x86_64-linux-gnu.so]" in overrides
    assert "qa_server/_speed" not in overrides
    assert not (extract(debs[DOC], tmp_path / "doc") / "opt").exists()


def _script(package: str, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return sh(f"/var/lib/dpkg/info/{package}.{name}", *args, check=False, env={"PATH": "/usr/bin:/bin"})


def _bytecode(venv: str) -> int:
    return len(list(Path(venv).rglob("*.pyc")))


def test_installed_maintainer_scripts_and_trigger(builds: dict[str, Result]) -> None:
    debs = builds["full"].debs
    triggers = sh("dpkg-deb", "-I", str(debs[SERVER]), "triggers").stdout
    assert f"interest-noawait {PYTHON}" in triggers
    with installed(debs[SERVER], debs[CLIENT], debs[DOC]):
        out = run_clean(SERVER)
        assert (out.returncode, out.stdout.split()) == (0, ["server", "42", "42", SERVER_VENV, "tinydep"]), out.stderr
        assert run_clean(CLIENT).stdout.split() == ["client", CLIENT_VENV]
        assert _bytecode(SERVER_VENV) > 0
        # Every argument dpkg passes, twice where it may happen twice.
        for script, args in [
            ("postinst", ["configure", "1.0"]),
            ("postinst", ["configure", "1.0"]),
            ("prerm", ["upgrade", "1.0"]),
            ("postinst", ["abort-upgrade", "1.0"]),
            ("prerm", ["deconfigure", "in-favour", "other", "1.0"]),
            ("postinst", ["abort-deconfigure", "in-favour", "other", "1.0"]),
            ("prerm", ["remove"]),
            ("postinst", ["abort-remove"]),
            ("prerm", ["failed-upgrade", "1.0"]),
            ("postrm", ["failed-upgrade", "1.0"]),
            ("postrm", ["abort-upgrade", "1.0"]),
            ("postinst", ["configure", "1.0"]),
        ]:
            result = _script(SERVER, script, *args)
            assert (result.returncode, result.stderr) == (0, ""), (script, args)
            # (running the application as root makes bytecode too, so postrm is not checked)
            if script != "postrm":
                assert (_bytecode(SERVER_VENV) > 0) == (script == "postinst"), (script, args)
            assert run_clean(SERVER).returncode == 0, (script, args)
        # An upgrade of the interpreter re-compiles every venv through the trigger.
        sh("find", SERVER_VENV, CLIENT_VENV, "-name", "__pycache__", "-prune", "-exec", "rm", "-rf", "{}", "+")
        assert _bytecode(SERVER_VENV) == _bytecode(CLIENT_VENV) == 0
        sh("dpkg-trigger", "--no-await", PYTHON)
        sh("dpkg", "--triggers-only", "--pending")
        assert _bytecode(SERVER_VENV) > 0 and _bytecode(CLIENT_VENV) > 0
        status = sh("dpkg-query", "-W", "-f=${db:Status-Status}", SERVER).stdout
        assert status == "installed"
    assert_purged(SERVER, SERVER_VENV, [SERVER])
    assert_purged(CLIENT, CLIENT_VENV, [CLIENT])


CACHE = Path(os.environ.get("DH_VENV_TEST_CACHE", "/var/cache/dh-venv-tests"))
MIRROR = "http://deb.debian.org/debian"


def _base_tarball() -> Path:
    """A minbase of this machine's release with the interpreter, made once and kept for later runs."""
    python = os.path.basename(PYTHON)
    tarball = CACHE / f"{RELEASE}-{python}.tar.gz"
    if not tarball.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / f"{RELEASE}-{python}.partial.tar.gz"
        sh("mmdebstrap", "--variant=minbase", f"--include={python}", RELEASE, str(partial), MIRROR)
        partial.rename(tarball)
    return tarball


@pytest.mark.network
def test_piuparts_install_purge_and_upgrade(builds: dict[str, Result], tmp_path: Path) -> None:
    """piuparts: install and purge 1.1, then upgrade from 1.0, which had tinydep where 1.1 has extradep.

    The custom script in tests/piuparts-qa checks, inside the chroot after
    the upgrade, that nothing of tinydep is left, bytecode included.
    """
    base = _base_tarball()
    old = builds["full"]
    new = tmp_path / "new" / "qa-modes-1.1"
    shutil.copytree(PACKAGES / "qa-modes", new)
    (new / "server/requirements.txt").write_text("extradep==1.0\nqa-binwheel==1.0\n")
    changelog = new / "debian/changelog"
    changelog.write_text(
        "qa-modes (1.1) unstable; urgency=medium\n\n  * Drop tinydep, add extradep.\n\n"
        " -- dh-venv developers <dh-venv@example.org>  Sat, 21 Nov 2026 12:00:00 +0000\n\n" + changelog.read_text()
    )
    server = _build(new, "-B", old.env).debs[SERVER]
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(old.debs[SERVER], repo)
    with (repo / "Packages").open("w") as fh:
        subprocess.run(["dpkg-scanpackages", "."], cwd=repo, stdout=fh, check=True, capture_output=False)
    proc = subprocess.run(
        [
            "piuparts",
            f"--basetgz={base}",
            f"--distribution={RELEASE}",
            f"--mirror={MIRROR}",
            f"--bindmount={repo}",
            f"--extra-repo=deb [trusted=yes] file://{repo} ./",
            f"--scriptsdir={ROOT / 'tests/piuparts-qa'}",
            str(server),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = proc.stdout
    failures = [line for line in log.splitlines() if "FAIL" in line or "ERROR" in line]
    assert proc.returncode == 0, "\n".join(failures) + "\n" + log[-3000:]
    assert "PASS: Installation and purging test." in log
    assert "PASS: Installation, upgrade and purging tests." in log
    assert "qa-check: PASS: upgraded to 1.1, tinydep gone, extradep in" in log
