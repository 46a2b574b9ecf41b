"""Migration from dh-virtualenv: each mig-* package built with Debian's dh-virtualenv, then renamed
exactly as docs/migration.rst says (its sed command is read from the document) and built with dh-venv.

What the two packages ship is compared file by file, symlink by symlink.  The only differences allowed
are the ones the document lists: the virtualenv's own tooling (pip, setuptools, activate scripts,
the .gitignore of Python 3.13's venv: python -m venv against virtualenv), no shipped bytecode,
.dist-info instead of .egg-info metadata, python3.X in Depends, and the console-script links a build
announces in one line.  Then the old package
is installed, the new one over it, the commands run, and the purge leaves nothing.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from .conftest import (
    APT_WAIT,
    PACKAGES,
    PY,
    ROOT,
    Build,
    assert_purged,
    deb_field,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    sh,
    tool_env,
)

# Files the tool that makes the venv puts there itself (python -m venv with ensurepip for
# dh-virtualenv --builtin-venv, virtualenv for dh_venv), relative to the venv.
_TOOLING = re.compile(
    r"(bin/(activate(\..*)?|Activate\.ps1|activate_this\.py|pip[-0-9.]*|wheel[-0-9.]*|python[0-9.]*)"
    r"|lib64|include(/.*)?|pyvenv\.cfg|\.gitignore|CACHEDIR\.TAG"
    r"|lib/python3\.\d+/site-packages/"
    r"((pip|setuptools|wheel|pkg_resources|_distutils_hack)([-_][^/]*\.(dist-info|egg-info|virtualenv))?(/.*)?"
    r"|_virtualenv\.(py|pth)|distutils-precedence\.pth))$"
)
_METADATA = re.compile(r"(.*/site-packages/)([^/]+)-([^-/]+)\.(dist-info|egg-info)(/.*)?$")


def rename_command() -> str:
    """The shell command docs/migration.rst gives for the rename, as written there."""
    lines = (ROOT / "docs" / "migration.rst").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    sed -i -E"))
    block = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block)


@pytest.fixture(scope="module")
def mig_wheelhouse(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test wheelhouse plus Debian's pip wheel, for --upgrade-pip without an index."""
    out = tmp_path_factory.mktemp("mig-wheelhouse")
    for whl in [*wheelhouse.glob("*.whl"), *Path("/usr/share/python-wheels").glob("pip-*.whl")]:
        shutil.copy(whl, out)
    return out


def build_both(case: str, version: str, tmp_path: Path, wheelhouse: Path) -> tuple[Build, Build]:
    old_src = tmp_path / "old" / f"{case}-{version}"
    new_src = tmp_path / "new" / f"{case}-{version}"
    for src in (old_src, new_src):
        shutil.copytree(PACKAGES / case, src, symlinks=True)
    # dh-virtualenv runs pip with the build machine's pip settings; give it only the wheelhouse.
    old_env = {k: v for k, v in tool_env().items() if not k.startswith("PIP_")}
    old_env.update(PATH="/usr/bin:/bin", PIP_CONFIG_FILE="/dev/null", PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse))
    old_env.pop("PERL5LIB", None)
    old = dpkg_buildpackage(old_src, old_env)
    assert old.returncode == 0, "dh-virtualenv build:\n" + old.output[-4000:]

    subprocess.run(["sh", "-c", rename_command()], cwd=new_src, check=True)
    new = dpkg_buildpackage(new_src, tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}"))
    assert new.returncode == 0, "dh-venv build:\n" + new.output[-4000:]
    return old, new


def shipped(deb: Path, venv: str) -> tuple[dict[str, str], set[str]]:
    """Normalised entries of ``deb``: path -> kind (symlink target, mode), and the tooling seen."""
    entries: dict[str, str] = {}
    tooling: set[str] = set()
    fsys = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(fsys)) as tar:
        for member in tar.getmembers():
            path = "/" + member.name.lstrip("./")
            if member.isdir():
                continue
            if path.startswith(venv + "/") and _TOOLING.match(path[len(venv) + 1 :]):
                tooling.add(path[len(venv) + 1 :])
                continue
            if "/__pycache__/" in path:
                entries[path] = "bytecode"
                continue
            meta = _METADATA.match(path)
            if meta:
                name = re.sub(r"[-_.]+", "_", meta.group(2)).lower()
                entries[f"{meta.group(1)}{name}-{meta.group(3)}.<metadata>"] = "metadata"
                continue
            kind = f"-> {member.linkname}" if member.issym() else f"file {'x' if member.mode & 0o111 else '-'}"
            entries[path] = kind
    return entries, tooling


def compare(old: Build, new: Build, package: str, venv: str) -> dict[str, str]:
    """Assert the documented differences only; return what dh-venv ships in addition."""
    old_entries, old_tooling = shipped(old.deb(package), venv)
    new_entries, new_tooling = shipped(new.deb(package), venv)
    assert old_tooling and new_tooling, "the tooling pattern no longer matches either venv"
    assert not [p for p, kind in new_entries.items() if kind == "bytecode"], "dh-venv shipped bytecode"
    old_entries = {p: kind for p, kind in old_entries.items() if kind != "bytecode"}
    missing = {p: k for p, k in old_entries.items() if p not in new_entries}
    changed = {p: (k, new_entries[p]) for p, k in old_entries.items() if p in new_entries and new_entries[p] != k}
    assert (missing, changed) == ({}, {})
    # Depends: the old list plus the interpreter.
    old_depends = {d.strip() for d in deb_field(old.deb(package), "Depends").split(",")}
    new_depends = {d.strip() for d in deb_field(new.deb(package), "Depends").split(",")}
    assert new_depends - old_depends == {PY}
    assert old_depends - new_depends <= {"python3"}
    added = {p: k for p, k in new_entries.items() if p not in old_entries}
    # dh-venv's lintian overrides for the venv layout (merged with any of the maintainer's).
    overrides = f"/usr/share/lintian/overrides/{package}"
    if overrides not in old_entries:
        assert added.pop(overrides, None) == "file -", f"{overrides} missing from the dh-venv package"
    # What is in the venv, on record: the bill of materials and the license summary.
    for record in ("sbom.cdx.json", "venv-licenses.txt"):
        path = f"/usr/share/doc/{package}/{record}"
        assert added.pop(path, None) == "file -", f"{path} missing from the dh-venv package"
    return added


def announced_links(output: str, package: str) -> set[str]:
    match = re.search(rf"^dh_venv: {package}: linked the application's console scripts as (.*); ", output, re.M)
    return set(match.group(1).split(", ")) if match else set()


def build_paths(deb: Path, build: Build, dest: Path) -> list[str]:
    return files_containing(extract(deb, dest), str(build.source))


def upgrade_in_place(new: Build, package: str) -> None:
    """Install the new package over the installed old one (same version, as a rebuild is)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = sh("apt-get", *APT_WAIT, "install", "--reinstall", "-y", str(new.deb(package)), check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_service_compat10_systemd_triggers(mig_wheelhouse: Path, tmp_path: Path) -> None:
    package, venv = "mig-service", "/opt/venvs/mig-service"
    old, new = build_both(package, "2.3", tmp_path, mig_wheelhouse)
    # The trigger dh-virtualenv's postinst handled goes dead: the build says so.
    assert (
        "dh_venv: warning: mig-service: debian/mig-service.triggers: 'interest-noawait "
        "dh-virtualenv-interpreter-update' is dh-virtualenv's trigger, which nothing activates or handles "
        "any more (the venv links its interpreter instead of copying it); delete the line" in new.output
    )
    # No .links into the venv: the application's scripts are linked, in one announced line,
    # except where the package already ships a file (its /usr/bin/worker wrapper).
    assert (
        "dh_venv: mig-service: /usr/bin/worker is already in the package, so the console script worker is not "
        "linked there; --console-script=NAME=OTHER links it elsewhere" in new.output
    )
    links = announced_links(new.output, package)
    assert links == {"/usr/bin/migservice-web"}, new.output[-3000:]
    added = compare(old, new, package, venv)
    assert added == {"/usr/bin/migservice-web": f"-> {venv}/bin/migservice-web"}
    assert build_paths(new.deb(package), new, tmp_path / "new-x") == []
    assert build_paths(old.deb(package), old, tmp_path / "old-x"), "dh-virtualenv stopped leaking build paths?"

    with installed(old.deb(package)):
        assert run_clean(f"{venv}/bin/worker").stdout == "migservice worker with tinydep\n"
        upgrade_in_place(new, package)
        assert run_clean("worker").stdout == "migservice worker with tinydep\n"
        assert run_clean("migservice-web").stdout == f"migservice web on {venv}\n"
        assert Path("/lib/systemd/system/mig-service-worker.service").is_file()
    assert_purged(package, venv, ["worker", "migservice-web"])


def test_omnibus_compat9_setup_py_reads_debian(mig_wheelhouse: Path, tmp_path: Path) -> None:
    package, venv = "mig-omnibus", "/opt/venvs/mig-omnibus"
    old, new = build_both(package, "1.0", tmp_path, mig_wheelhouse)
    # setup.py read debian/changelog (version 1.0 pins tinydep==1.0) and debian/control.
    assert "left out" not in new.output
    assert announced_links(new.output, package) == set()
    added = compare(old, new, package, venv)
    assert added == {}
    new_entries, _ = shipped(new.deb(package), venv)
    assert new_entries["/usr/bin/tinydep-tool"] == f"-> {venv}/bin/tinydep-tool"
    # debian/mig-omnibus.install put a file into the venv directory before the venv was made.
    assert new_entries[f"{venv}/etc/tinydep.ini"] == "file -"
    assert new_entries[f"{venv}/lib/{PY}/site-packages/mig_omnibus-1.0.<metadata>"] == "metadata"
    assert "dh_strip --no-automatic-dbgsym" in new.output
    assert not list(new.source.parent.glob("*-dbgsym_*"))
    assert (new.source / "debian/changelog").is_file() and not (new.source / "build").exists()
    assert sh("dpkg-deb", "-f", str(new.deb(package)), "Version").stdout.strip() == "1.0-3"
    tree = extract(new.deb(package), tmp_path / "new-x")
    assert (tree / "DEBIAN/conffiles").read_text().split() == [
        "/etc/cron.d/mig-omnibus",
        "/etc/mig-omnibus/mig-omnibus.conf",
    ]
    assert "/var/lib/mig-omnibus" in (tree / "DEBIAN/postinst").read_text()

    with installed(old.deb(package)):
        upgrade_in_place(new, package)
        result = run_clean("tinydep-tool")
        assert result.returncode == 0, result.stderr
        assert Path("/var/lib/mig-omnibus/state").read_text() == "configured 1.0-3\n"
    assert not Path("/var/lib/mig-omnibus").exists()
    assert_purged(package, venv, ["tinydep-tool"])


def test_pybuild_compat11_opt_root_sbin_link(mig_wheelhouse: Path, tmp_path: Path) -> None:
    package, venv = "mig-pybuild", "/opt/mig-pybuild"
    old, new = build_both(package, "0.9", tmp_path, mig_wheelhouse)
    # pybuild on the dh line no longer builds, tests or installs with the system python.
    for command in ("dh_auto_build", "dh_auto_test", "dh_auto_install", "dh_auto_clean"):
        assert command not in new.output
    assert not (new.source / ".pybuild").exists() or not list((new.source / ".pybuild").rglob("*.py"))
    # debian/mig-pybuild.links chose /usr/sbin/profiler: no /usr/bin links next to it.
    assert (
        "dh_venv: mig-pybuild: debian/mig-pybuild.links links into the venv, so dh_venv links no console "
        "scripts itself (not linked: profiler-agent); --console-script links them" in new.output
    )
    added = compare(old, new, package, venv)
    assert added == {}
    new_entries, _ = shipped(new.deb(package), venv)
    assert new_entries["/usr/sbin/profiler"] == f"-> {venv}/bin/profiler"
    assert new_entries[f"{venv}/bin/mig-probe"] == "file x"
    # The compiled helper is stripped into a -dbgsym package, as before.
    assert list(old.source.parent.glob("mig-pybuild-dbgsym_*")) and list(new.source.parent.glob("mig-pybuild-dbgsym_*"))
    assert build_paths(new.deb(package), new, tmp_path / "new-x") == []

    # The optional clean-up: .links lines become --console-script options; same files.
    tidy_src = tmp_path / "tidy" / new.source.name
    shutil.copytree(PACKAGES / package, tidy_src, symlinks=True)
    subprocess.run(["sh", "-c", rename_command()], cwd=tidy_src, check=True)
    options = []
    for line in (tidy_src / f"debian/{package}.links").read_text().splitlines():
        target, link = line.split()
        options.append(f"--console-script={Path(target).name}=/{link}")
    (tidy_src / f"debian/{package}.links").unlink()
    rules = (tidy_src / "debian/rules").read_text()
    (tidy_src / "debian/rules").write_text(rules.replace("dh_venv \\\n", f"dh_venv {' '.join(options)} \\\n"))
    tidy = dpkg_buildpackage(tidy_src, tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={mig_wheelhouse}"))
    assert tidy.returncode == 0, tidy.output[-4000:]
    assert "--console-script=profiler=/usr/sbin/profiler" in tidy.output
    assert shipped(tidy.deb(package), venv)[0] == new_entries

    with installed(old.deb(package)):
        upgrade_in_place(new, package)
        result = run_clean("/usr/sbin/profiler")
        assert (result.returncode, result.stdout) == (0, "profiler: probe ok (tinydep, extradep)\n"), result.stderr
        assert not Path("/usr/bin/profiler").exists()
    assert_purged(package, venv, ["profiler"])


def dh_no_act(source: Path, sequence: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dh", sequence, *args, "--no-act"], cwd=source, env=tool_env(), capture_output=True, text=True
    )


def sequence_source(tmp_path: Path, compat: int, build_depends: str = "", arch_depends: str = "") -> Path:
    source = tmp_path / f"compat{compat}"
    (source / "debian").mkdir(parents=True)
    (source / "debian/compat").write_text(f"{compat}\n")
    shutil.copy(PACKAGES / "mig-service/debian/changelog", source / "debian/changelog")
    (source / "setup.py").write_text("from setuptools import setup\nsetup(name='x')\n")
    (source / "debian/control").write_text(
        f"Source: mig-seq\nBuild-Depends: debhelper{build_depends}\n{arch_depends}\n"
        "Package: mig-seq-bin\nArchitecture: any\nDescription: x\n x\n\n"
        "Package: mig-seq-data\nArchitecture: all\nDescription: x\n x\n"
    )
    (source / "debian/rules").write_text(
        "#!/usr/bin/make -f\n%:\n\tdh $@\n\n"
        "override_dh_auto_test:\n\tpython3 setup.py test\n\n"
        "override_dh_auto_install-indep:\n\n"
        "execute_after_dh_auto_build:\n\ttouch built\n"
    )
    (source / "debian/rules").chmod(0o755)
    return source


@pytest.mark.parametrize("compat", [9, 10, 11, 12, 13])
def test_sequence_at_every_compat_with_pybuild_on_the_dh_line(tmp_path: Path, compat: int) -> None:
    source = sequence_source(tmp_path, compat)
    for sequence in ("clean", "build", "build-arch", "build-indep", "binary", "binary-arch", "binary-indep"):
        result = dh_no_act(source, sequence, "--with", "python3,python-venv", "--buildsystem=pybuild")
        assert result.returncode == 0, result.stderr
        commands = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
        for gone in ("dh_auto_build", "dh_auto_test", "dh_auto_install", "dh_auto_clean"):
            assert gone not in commands, f"{sequence}: {result.stdout}"
        assert "debian/rules" not in commands, f"{sequence} runs a dead hook: {result.stdout}"
        if sequence.startswith(("build", "binary")):
            configure = [line for line in result.stdout.splitlines() if line.startswith("   dh_auto_configure ")]
            assert len(configure) == 1 and re.fullmatch(
                r"   dh_auto_configure --buildsystem=none( -[ai])? -O--buildsystem=pybuild", configure[0]
            ), result.stdout
        assert ("dh_venv" in commands) == sequence.startswith("binary")
    # Targets that do something and never run are named; the empty one is not.
    warnings = [line for line in result.stderr.splitlines() if "python-venv:" in line]
    assert warnings == [
        f"dh: warning: python-venv: debian/rules target {target} never runs: the add-on removes {command} "
        "from the sequence; move its commands into override_dh_venv, after dh_venv"
        for target, command in (
            ("override_dh_auto_build", "dh_auto_build"),
            ("execute_after_dh_auto_build", "dh_auto_build"),
            ("override_dh_auto_test", "dh_auto_test"),
        )
        if target != "override_dh_auto_build"
    ]


def test_sequence_of_a_conditional_add_on(tmp_path: Path) -> None:
    # debhelper cannot change the sequence for add-ons from Build-Depends-Arch, and says so.
    source = sequence_source(tmp_path, 13, arch_depends="Build-Depends-Arch: dh-sequence-python-venv")
    (source / "debian/compat").unlink()
    control = (source / "debian/control").read_text()
    (source / "debian/control").write_text(control.replace("debhelper", "debhelper-compat (= 13)", 1))
    result = dh_no_act(source, "binary")
    assert result.returncode != 0
    assert (
        "dh: warning: Hint: You may have to move the build-dependency for dh-sequence-python-venv to "
        "Build-Depends" in result.stderr
    )
