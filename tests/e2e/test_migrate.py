"""``dh-venv migrate`` alone, on packages shaped like real dh-virtualenv users the sed cannot move.

Each migr-* package is built with Debian's dh-virtualenv first.  A copy is migrated by
``dh-venv migrate`` (its ``--check`` report asserted line by line, then the run, then ``--check``
again: nothing left), built on a builder where dh-virtualenv does not exist (``dh_virtualenv``
is on no PATH entry, and a private mount namespace hides the python-virtualenv sequence from
perl), installed over the old package, run, and purged.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from . import native
from .conftest import (
    PACKAGES,
    ROOT,
    Build,
    assert_purged,
    deb_field,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    tool_env,
)
from .test_migration import upgrade_in_place

SEQUENCES = Path("/usr/share/perl5/Debian/Debhelper/Sequence")
PY = os.path.basename(os.path.realpath("/usr/bin/python3"))


@pytest.fixture(scope="module")
def migr_wheelhouse(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test wheelhouse, Debian's pip wheel (--upgrade-pip) and a compiled wheel, migrplain."""
    out = tmp_path_factory.mktemp("migr-wheelhouse")
    for whl in [*wheelhouse.glob("*.whl"), *Path("/usr/share/python-wheels").glob("pip-*.whl")]:
        shutil.copy(whl, out)
    native.plain_wheel(out, tmp_path_factory.mktemp("migrplain") / "w", "migrplain")
    return out


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """argv prefix of a builder without dh-virtualenv: PATH without dh_virtualenv, no python-virtualenv sequence."""
    top = tmp_path_factory.mktemp("no-dh-virtualenv")
    (top / "bin").mkdir()
    for directory in ("/usr/bin", "/usr/sbin"):
        for entry in os.scandir(directory):
            if entry.name != "dh_virtualenv" and not (top / "bin" / entry.name).exists():
                (top / "bin" / entry.name).symlink_to(entry.path)
    shutil.copytree(SEQUENCES, top / "seq", ignore=shutil.ignore_patterns("python_virtualenv.pm"))
    script = f'mount --bind {top / "seq"} {SEQUENCES} && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, "sh", "env", f"PATH={ROOT / 'bin'}:{top / 'bin'}"]
    probe = subprocess.run(
        [*prefix, "sh", "-c", "command -v dh_virtualenv; perl -MDebian::Debhelper::Sequence::python_virtualenv -e1"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and probe.stdout == "", probe.stdout
    assert "Can't locate Debian/Debhelper/Sequence/python_virtualenv.pm" in probe.stderr
    assert (SEQUENCES / "python_virtualenv.pm").is_file(), "the host's sequence must stay"
    return prefix


def old_build(case: str, source: Path, wheelhouse: Path, **extra: str) -> Build:
    """dh-virtualenv's build, with only the wheelhouse (it runs pip with the machine's settings)."""
    env = {k: v for k, v in tool_env().items() if not k.startswith("PIP_")}
    env.update(PATH="/usr/bin:/bin", PIP_CONFIG_FILE="/dev/null", PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse))
    env.pop("PERL5LIB", None)
    env.update(extra)
    build = dpkg_buildpackage(source, env)
    assert build.returncode == 0, f"dh-virtualenv build of {case}:\n" + build.output[-4000:]
    return build


def migrate(source: Path, wheelhouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}")
    return subprocess.run(
        [str(ROOT / "bin" / "dh-venv"), "migrate", *args], cwd=source, env=env, capture_output=True, text=True
    )


def report(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The report lines of ``--check`` (the diff follows them)."""
    return [line for line in result.stdout.splitlines() if line.startswith("dh-venv migrate: ")]


def migrated(case: str, tmp_path: Path, wheelhouse: Path, expected: list[str], *options: str) -> Path:
    """A copy of ``case`` migrated by dh-venv migrate alone, after ``--check`` printed ``expected``."""
    source = tmp_path / "new" / case
    shutil.copytree(PACKAGES / case, source, symlinks=True)
    before = {p: p.read_bytes() for p in source.rglob("*") if p.is_file()}
    check = migrate(source, wheelhouse, "--check", *options)
    assert report(check) == expected, check.stdout + check.stderr
    assert {p: p.read_bytes() for p in source.rglob("*") if p.is_file()} == before, "--check wrote"
    assert "\n--- a/debian/" in check.stdout and "\n+++ b/debian/" in check.stdout
    run = migrate(source, wheelhouse, *options)
    assert run.returncode == 0, run.stdout + run.stderr
    again = migrate(source, wheelhouse, "--check", *options)
    assert (again.returncode, again.stdout) == (0, "dh-venv migrate: nothing to change; no decision pending\n")
    # Prose, URLs, comments and the changelog keep every byte.
    assert (source / "debian/changelog").read_bytes() == (PACKAGES / case / "debian/changelog").read_bytes()
    return source


def new_build(source: Path, builder: list[str], wheelhouse: Path, **extra: str) -> Build:
    env = tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}", **extra)
    proc = subprocess.run(
        [*builder, "dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Build(source, proc.returncode, proc.stdout)


def has_bytecode(venv: str) -> bool:
    return any(Path(venv).rglob("*.pyc"))


M = "dh-venv migrate: "
WHY_TRIGGER = (
    "dh-virtualenv's trigger: nothing activates it any more (the venv links its interpreter); "
    "dh_venv adds a trigger on the interpreter itself"
)
WHY_DEPENDS = "dh_venv adds the interpreter the venv needs to ${misc:Depends}"


def test_script_driven_override(builder: list[str], migr_wheelhouse: Path, tmp_path: Path) -> None:
    case, venv = "migr-script", "/opt/venvs/migr-script"
    old_src = tmp_path / "old" / case
    shutil.copytree(PACKAGES / case, old_src, symlinks=True)
    old = old_build(case, old_src, migr_wheelhouse)
    old_tree = extract(old.deb(case), tmp_path / "old-x")
    assert "interest dh-virtualenv-interpreter-update" in (old_tree / "DEBIAN/triggers").read_text()
    assert deb_field(old.deb(case), "Depends") == PY

    source = migrated(
        case,
        tmp_path,
        migr_wheelhouse,
        [
            M + "debian/control:5: dh-virtualenv (>= 1.0) -> dh-venv; the build-dependency of dh-venv",
            M + "debian/control:11: removed ${migr:pydepends} from Depends; dh_venv adds the interpreter the venv was "
            "built for (python3.X) to ${misc:Depends}",
            M + "debian/build_virtualenv:6: removed 'SNAKE=$(readlink -e /usr/bin/python3)'; nothing uses it any more",
            M + "debian/build_virtualenv:8: dh_virtualenv -> dh_venv; dh_venv is the command of dh-venv",
            M + "debian/build_virtualenv:10: removed --builtin-venv; dh_venv always creates the venv with virtualenv",
            M + 'debian/build_virtualenv:11: removed --python "$SNAKE"; dh_venv resolves /usr/bin/python3 to '
            "/usr/bin/python3.X itself, and depends on it",
            M + "debian/build_virtualenv:18: removed --no-test; it had no effect in dh-virtualenv either",
            M + "debian/build_virtualenv:21: removed 'PYPKG=`basename $SNAKE`'; nothing uses it any more",
            M
            + "debian/build_virtualenv:22: removed 'echo \"migr:pydepends=$PYPKG\" >> debian/migr-script.substvars'; "
            + WHY_DEPENDS,
            M + 'debian/build_virtualenv:26: removed \'echo "interest dh-virtualenv-interpreter-update" >> '
            "debian/.debhelper/generated/migr-script/triggers'; " + WHY_TRIGGER,
            M + "debian/rules:6: --with python-virtualenv -> --with python-venv; the dh add-on is python-venv",
            M + "debian/rules:8: override_dh_virtualenv -> override_dh_venv; the command is dh_venv now",
            M + "would change 3 file(s); no decision pending",
        ],
    )
    control = (source / "debian/control").read_text()
    assert "Homepage: https://github.com/spotify/dh-virtualenv\n" in control
    assert "see https://github.com/spotify/dh-virtualenv and the python-virtualenv\n" in control
    script = (source / "debian/build_virtualenv").read_text()
    assert "# Build the virtualenv with dh_virtualenv (https://github.com/spotify/dh-virtualenv).\n" in script
    assert '--extras="cli" \\\n    --requirements="requirements.txt" \\\n    --sourcedirectory=.\n' in script

    new = new_build(source, builder, migr_wheelhouse)
    assert new.returncode == 0, new.output[-4000:]
    assert "dh_venv_rescan" in new.output and "dh_virtualenv" not in new.output.replace("build_virtualenv", "")
    tree = extract(new.deb(case), tmp_path / "new-x")
    assert "dh-virtualenv" not in (tree / "DEBIAN/triggers").read_text()
    assert deb_field(new.deb(case), "Depends") == PY
    assert files_containing(tree, str(source)) == []

    with installed(old.deb(case)):
        upgrade_in_place(new, case)
        result = run_clean("migr-script")
        assert (result.returncode, result.stdout) == (0, f"MIGR-SCRIPT! fancy {venv}\n"), result.stderr
        assert has_bytecode(venv)
    assert_purged(case, venv, ["migr-script"])


def test_architecture_all_with_a_compiled_wheel(builder: list[str], migr_wheelhouse: Path, tmp_path: Path) -> None:
    case, venv = "migr-allwheel", "/opt/venvs/migr-allwheel"
    old_src = tmp_path / "old" / case
    shutil.copytree(PACKAGES / case, old_src, symlinks=True)
    old = old_build(case, old_src, migr_wheelhouse)
    assert old.deb(case).name.endswith("_all.deb")

    wheel = next(migr_wheelhouse.glob("migrplain-*.whl")).name
    changes = [
        M
        + "debian/control:5: dh-sequence-python-virtualenv -> dh-sequence-python-venv; the build-dependency of dh-venv",
        M + "debian/control:10: removed ${python:Version} from Depends; dh_venv adds the interpreter the venv was "
        "built for (python3.X) to ${misc:Depends}",
        M + "debian/rules:2: removed 'PYTHON := $(shell readlink -e /usr/bin/python3)'; nothing uses it any more",
        M + "debian/rules:3: removed 'PYVERSION := $(notdir $(PYTHON))'; nothing uses it any more",
        M + "debian/rules:11: override_dh_virtualenv -> override_dh_venv; the command is dh_venv now",
        M + "debian/rules:12: dh_virtualenv -> dh_venv; dh_venv is the command of dh-venv",
        M + "debian/rules:12: removed --python $(PYTHON); dh_venv resolves /usr/bin/python3 to /usr/bin/python3.X "
        "itself, and depends on it",
        M + "debian/rules:12: removed --builtin-venv; dh_venv always creates the venv with virtualenv",
        M + "debian/rules:15: removed -Vpython:Version=$(PYVERSION); " + WHY_DEPENDS,
    ]
    source = tmp_path / "pending" / case
    shutil.copytree(PACKAGES / case, source, symlinks=True)
    pending = migrate(source, migr_wheelhouse, "--check")
    assert pending.returncode == 3, pending.stdout + pending.stderr
    assert report(pending) == [
        *changes,
        M + "decide: debian/control: migr-allwheel is Architecture: all, and its requirement set has compiled wheels "
        f"({wheel}); dh_venv refuses ELF files in an Architecture: all package; dh-venv migrate --arch-any makes it "
        "Architecture: any (with ${shlibs:Depends})",
        M + "would change 2 file(s); 1 decision(s) pending",
    ]

    source = migrated(
        case,
        tmp_path,
        migr_wheelhouse,
        [
            changes[0],
            M + "debian/control:9: Architecture: all -> any; the venv holds compiled files (--arch-any)",
            changes[1],
            M + "debian/control:10: added ${shlibs:Depends} to Depends; the venv's compiled files need libraries "
            "(--arch-any)",
            *changes[2:],
            M + "would change 2 file(s); no decision pending",
        ],
        "--arch-any",
    )
    new = new_build(source, builder, migr_wheelhouse)
    assert new.returncode == 0, new.output[-4000:]
    assert not new.deb(case).name.endswith("_all.deb")

    with installed(old.deb(case)):
        upgrade_in_place(new, case)
        result = run_clean("migr-allwheel")
        assert (result.returncode, result.stdout) == (0, "migr-allwheel 46\n"), result.stderr
    assert_purged(case, venv, ["migr-allwheel"])


def test_postinst_without_debhelper_token(builder: list[str], migr_wheelhouse: Path, tmp_path: Path) -> None:
    case, venv = "migr-nohook", "/opt/venvs/migr-nohook"
    old_src = tmp_path / "old" / case
    shutil.copytree(PACKAGES / case, old_src, symlinks=True)
    old = old_build(case, old_src, migr_wheelhouse)

    changes = [
        M + "debian/rules:4: --with python-virtualenv -> --with python-venv; the dh add-on is python-venv",
        M + "debian/rules:6: override_dh_virtualenv -> override_dh_venv; the command is dh_venv now",
        M + "debian/rules:7: dh_virtualenv -> dh_venv; dh_venv is the command of dh-venv",
        M + "debian/rules:7: removed --builtin-venv; dh_venv always creates the venv with virtualenv",
    ]
    decision = (
        M + "decide: debian/migr-nohook.postinst: has no #DEBHELPER# line, so dh_venv's snippets (byte-compiling the "
        "venv after install, removing the bytecode before removal) would not run and dh_venv stops the build; "
        "dh-venv migrate --add-debhelper-token adds the line before the script's final exit"
    )
    # Without the token, the build stops at dh_venv and says why and what to do.
    untouched = tmp_path / "untouched" / case
    shutil.copytree(PACKAGES / case, untouched, symlinks=True)
    pending = migrate(untouched, migr_wheelhouse)
    assert pending.returncode == 3
    assert report(pending) == [
        M + "debian/control:5: dh-virtualenv -> dh-venv; the build-dependency of dh-venv",
        *changes,
        decision,
        M + "changed 2 file(s); 1 decision(s) pending",
    ]
    failed = new_build(untouched, builder, migr_wheelhouse)
    assert failed.returncode != 0
    assert (
        "dh_venv: error: migr-nohook: debian/migr-nohook.postinst has no #DEBHELPER# line, so dh_venv's snippets "
        "(byte-compiling the venv after install, removing the bytecode before removal and the venv on purge) would "
        "never run: without bytecode every start of the application compiles anew; add a line #DEBHELPER# (before "
        "the final exit 0; dh-venv migrate --add-debhelper-token does it), or build with -n/--noscripts to go "
        "without the snippets\n" in failed.output
    )
    assert not (untouched / "debian/migr-nohook/opt").exists(), "the venv was built before the check"

    source = migrated(
        case,
        tmp_path,
        migr_wheelhouse,
        [
            M + "debian/control:5: dh-virtualenv -> dh-venv; the build-dependency of dh-venv",
            M + "debian/migr-nohook.postinst: added #DEBHELPER#; dh_venv's snippets go there (--add-debhelper-token)",
            *changes,
            M + "would change 3 file(s); no decision pending",
        ],
        "--add-debhelper-token",
    )
    assert (source / "debian/migr-nohook.postinst").read_text().endswith("fi\n\n#DEBHELPER#\n\nexit 0\n")
    new = new_build(source, builder, migr_wheelhouse)
    assert new.returncode == 0, new.output[-4000:]

    with installed(old.deb(case)):
        upgrade_in_place(new, case)
        # Byte-compiled by the postinst, before the first start.
        assert has_bytecode(venv)
        result = run_clean("migr-nohook")
        assert (result.returncode, result.stdout) == (0, "MIGR-NOHOOK!\n"), result.stderr
        assert Path("/var/lib/migr-nohook/state").read_text().startswith("configured")
    assert_purged(case, venv, ["migr-nohook"])
    assert not Path("/var/lib/migr-nohook").exists()


def make_sdist(source: Path) -> None:
    """extra/ as migrextra-1.0.tar.gz at the top of the source tree, for the override's pip."""
    with tarfile.open(source / "migrextra-1.0.tar.gz", "w:gz") as tar:
        tar.add(source / "extra", arcname="migrextra-1.0")
        info = b"Metadata-Version: 2.1\nName: migrextra\nVersion: 1.0\n"
        member = tarfile.TarInfo("migrextra-1.0/PKG-INFO")
        member.size = len(info)
        tar.addfile(member, io.BytesIO(info))


def test_pip_install_after_dh_venv(builder: list[str], migr_wheelhouse: Path, tmp_path: Path) -> None:
    case, venv = "migr-pipafter", "/opt/venvs/migr-pipafter"
    old_src = tmp_path / "old" / case
    shutil.copytree(PACKAGES / case, old_src, symlinks=True)
    make_sdist(old_src)
    old = old_build(case, old_src, migr_wheelhouse, MIGR_WHEELS=str(migr_wheelhouse))

    source = migrated(
        case,
        tmp_path,
        migr_wheelhouse,
        [
            M + "debian/control:5: dh-virtualenv -> dh-venv; the build-dependency of dh-venv",
            M + "debian/rules:7: --with python-virtualenv -> --with python-venv; the dh add-on is python-venv",
            M + "debian/rules:9: override_dh_virtualenv -> override_dh_venv; the command is dh_venv now",
            M + "debian/rules:10: dh_virtualenv -> dh_venv; dh_venv is the command of dh-venv",
            M + "debian/rules:10: removed --builtin-venv; dh_venv always creates the venv with virtualenv",
            M + "debian/rules:10: added --keep-seed; this file runs the venv's pip after dh_venv, and dh_venv ships no "
            "pip, setuptools or wheel without it",
            M + "would change 2 file(s); no decision pending",
        ],
    )
    make_sdist(source)
    new = new_build(source, builder, migr_wheelhouse, MIGR_WHEELS=str(migr_wheelhouse))
    assert new.returncode == 0, new.output[-4000:]
    assert (
        f"dh_venv_rescan: {case}: {venv}: what ran after dh_venv left " in new.output
        and "bytecode director(y/ies) or file(s); relocated and removed" in new.output
    ), new.output[-3000:]
    tree = extract(new.deb(case), tmp_path / "new-x")
    assert files_containing(tree, str(source)) == []
    assert not list(tree.rglob("__pycache__"))
    assert (tree / venv.lstrip("/") / "bin/migr-extra").read_text().startswith(f"#!{venv}/bin/python")

    with installed(old.deb(case)):
        upgrade_in_place(new, case)
        result = run_clean("migr-pipafter")
        assert (result.returncode, result.stdout) == (0, "MIGR-PIPAFTER! with migrextra\n"), result.stderr
        result = run_clean(f"{venv}/bin/migr-extra")
        assert (result.returncode, result.stdout) == (0, "migr-extra with migrextra\n"), result.stderr
    assert_purged(case, venv, ["migr-pipafter"])

    # A build path written after dh_venv, which no rewrite can fix, fails the build with the file;
    # dh-virtualenv's trigger appended to the generated triggers file after migration is named with its file.
    rules = (source / "debian/rules").read_text()
    trigger = "echo interest dh-virtualenv-interpreter-update >> debian/.debhelper/generated/migr-pipafter/triggers"
    (source / "debian/rules").write_text(rules.replace("\ttest -z", f"\t{trigger}\n\ttest -z"))
    leaked = new_build(source, builder, migr_wheelhouse, MIGR_WHEELS=str(migr_wheelhouse), MIGR_LEAK="1")
    assert leaked.returncode != 0
    assert (
        f"dh_venv_rescan: warning: {case}: debian/.debhelper/generated/{case}/triggers: 'interest "
        "dh-virtualenv-interpreter-update' is dh-virtualenv's trigger, which nothing activates or handles any more "
        "(the venv links its interpreter instead of copying it); delete what writes it\n" in leaked.output
    ), leaked.output[-3000:]
    assert (
        f"dh_venv_rescan: error: {case}: 1 file(s) of the venv (written after dh_venv) still contain the build path "
        f"{source}; they would be broken on the target; stop the project from recording absolute build paths, or, "
        "if the path is harmless there, allow the file with --allow-build-path=PATTERN\n"
        f"dh_venv_rescan: error:   {venv.lstrip('/')}/lib/leak.txt\n" in leaked.output
    ), leaked.output[-3000:]
