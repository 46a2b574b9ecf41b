"""The maintainer-script snippets, run as dpkg runs them, with every argument.

The scripts are assembled the way dh_installdeb does (``#!/bin/sh``,
``set -e``, the snippet) around a real venv in ``tmp_path``.
"""

from __future__ import annotations

import marshal
import os
import subprocess
from pathlib import Path

import pytest

from dh_venv.debhelper.files import PackageFiles
from dh_venv.runner import Runner

PYTHON = os.path.realpath("/usr/bin/python3")
TAG = "cpython-" + os.path.basename(PYTHON)[len("python") :].replace(".", "")
POSTINST_ARGS = [
    ["configure", "1.0"],
    ["configure", "1.0"],
    ["abort-upgrade", "1.1"],
    ["abort-remove"],
    ["abort-deconfigure", "in-favour", "other", "1.0"],
    ["triggered", PYTHON],
]
PRERM_ARGS = [["remove"], ["upgrade", "1.1"], ["deconfigure", "in-favour", "other", "1.0"], ["failed-upgrade", "1.0"]]
POSTRM_ARGS = [
    ["remove"],
    ["upgrade", "1.1"],
    ["failed-upgrade", "1.0"],
    ["abort-install"],
    ["abort-upgrade", "1.0"],
    ["disappear", "other", "1.0"],
]


def make_scripts(tmp_path: Path, venv: Path) -> dict[str, Path]:
    """preinst, postinst, prerm and postrm for a venv at ``venv``, as dh_installdeb writes them."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(PYTHON)
    module = venv / "lib/python3/site-packages/demo/__init__.py"
    module.parent.mkdir(parents=True)
    module.write_text("X = 1\n")
    (venv / "lib/python3/site-packages/broken.py").write_text("print 'python 2'\n")
    build = tmp_path / "build"
    (build / "debian").mkdir(parents=True)
    files = PackageFiles(build, "demo", Runner(log=[].append), "0")
    values = {"VENV": str(venv), "ROOT": str(venv.parent), "PACKAGE": "demo", "PYTHON": PYTHON}
    out = {}
    files.add_autoscript("postrm", "postrm-venv-opt", values)
    files.add_autoscript("postrm", "postrm-venv-root", values)
    files.add_autoscript("postrm", "postrm-venv-renamed", values)
    for script in ("preinst", "postinst", "prerm", "postrm"):
        files.add_autoscript(script, f"{script}-venv", values)
        if script == "postinst":
            files.add_autoscript(script, "postinst-venv-renamed", values)
        path = tmp_path / script
        path.write_text("#!/bin/sh\nset -e\n" + (build / f"debian/demo.{script}.debhelper").read_text() + "exit 0\n")
        path.chmod(0o755)
        out[script] = path
    return out


@pytest.fixture
def scripts(tmp_path: Path) -> dict[str, Path]:
    return make_scripts(tmp_path, tmp_path / "root/venv")


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script), *args], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def bytecode(venv: Path) -> list[str]:
    return sorted(str(p.relative_to(venv)) for p in venv.rglob("*.pyc"))


def test_postinst_every_argument_compiles_and_is_idempotent(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in POSTINST_ARGS:
        result = run(scripts["postinst"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert bytecode(venv) == [f"lib/python3/site-packages/demo/__pycache__/__init__.{TAG}.pyc"], args


def test_prerm_every_argument_removes_bytecode(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in PRERM_ARGS:
        assert run(scripts["postinst"], "configure", "1.0").returncode == 0
        assert bytecode(venv)
        result = run(scripts["prerm"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert bytecode(venv) == [] and not list(venv.rglob("__pycache__")), args


def test_postrm_keeps_the_venv_except_on_purge(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    for args in POSTRM_ARGS:
        result = run(scripts["postrm"], *args)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert (venv / "lib/python3/site-packages/demo/__init__.py").exists(), args
    assert run(scripts["postrm"], "purge").returncode == 0
    # The venv and its install root, which no package owns, are gone; /opt stays.
    assert not venv.parent.exists()
    assert os.path.isdir("/opt")
    # Twice, and with the venv gone: still fine.
    for args in [["purge"], *POSTRM_ARGS]:
        assert run(scripts["postrm"], *args).returncode == 0, args


def test_interpreter_gone(scripts: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "root/venv"
    (venv / "bin/python").unlink()
    (venv / "bin/python").symlink_to(tmp_path / "python3.99")
    for args in PRERM_ARGS:
        assert run(scripts["prerm"], *args).returncode == 0, args
    result = run(scripts["postinst"], "triggered", PYTHON)
    assert result.returncode == 0
    assert result.stderr == (
        f"demo: warning: the venv {venv} no longer runs: its interpreter {PYTHON} is missing or broken; "
        "install a version of demo built for the Python now installed\n"
    )
    for args in [*POSTRM_ARGS, ["purge"]]:
        assert run(scripts["postrm"], *args).returncode == 0, args
    assert not venv.exists()


HOSTILE = "v$(touch PWNED)`touch PWNED`;touch PWNED'\"${IFS}$HOME"


def test_hostile_venv_path_runs_nothing(tmp_path: Path) -> None:
    """A venv path full of shell syntax is data in every snippet: compiled, cleaned, purged, nothing run."""
    venv = tmp_path / "root" / HOSTILE
    scripts = make_scripts(tmp_path, venv)
    text = "".join(p.read_text() for p in scripts.values())
    assert "#VENV#" not in text and "#ROOT#" not in text
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for script, args in (("preinst", ["install"]), ("postinst", ["configure", ""]), ("prerm", ["remove"])):
        result = subprocess.run(
            [str(scripts[script]), *args], capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin"}
        )
        assert (result.returncode, result.stderr) == (0, ""), script
        if script == "postinst":
            assert bytecode(venv) == [f"lib/python3/site-packages/demo/__pycache__/__init__.{TAG}.pyc"]
    assert bytecode(venv) == []
    result = subprocess.run(
        [str(scripts["postrm"]), "purge"], capture_output=True, text=True, cwd=cwd, env={"PATH": "/usr/bin:/bin"}
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert not venv.exists() and not venv.parent.exists()
    assert list(cwd.iterdir()) == [] and not list(tmp_path.rglob("PWNED"))


def test_postinst_leaves_out_the_test_suites_inside_packages(scripts: dict[str, Path], tmp_path: Path) -> None:
    site = tmp_path / "root/venv/lib/python3/site-packages"
    for rel in (
        "demo/tests/test_a.py",
        "demo/sub/tests/deeper/test_c.py",
        "demo/sub/test/test_b.py",
        "demo/testing.py",
        "demo/contests.py",
        "tests.py",
        "tests/__init__.py",
    ):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("Y = 2\n")
    assert run(scripts["postinst"], "configure", "1.0").returncode == 0
    assert [p.removeprefix("lib/python3/site-packages/") for p in bytecode(tmp_path / "root/venv")] == [
        f"__pycache__/tests.{TAG}.pyc",
        f"demo/__pycache__/__init__.{TAG}.pyc",
        f"demo/__pycache__/contests.{TAG}.pyc",
        f"demo/__pycache__/testing.{TAG}.pyc",
        f"demo/sub/test/__pycache__/test_b.{TAG}.pyc",
        # A top-level package named tests (a wheel's mistake, but importable) is compiled.
        f"tests/__pycache__/__init__.{TAG}.pyc",
    ]


def _pyc(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.{TAG}.pyc"


def test_postinst_bytecode_is_what_py_compile_writes(scripts: dict[str, Path], tmp_path: Path) -> None:
    """Same header (magic, timestamp, size) and the same code, named by the installed path, as py_compile's."""
    source = tmp_path / "root/venv/lib/python3/site-packages/demo/__init__.py"
    source.write_text("import os\n\n\ndef f(x):\n    return [os.sep * i for i in range(x)]\n")
    assert run(scripts["postinst"], "configure", "1.0").returncode == 0
    ours = _pyc(source).read_bytes()
    reference = tmp_path / "reference.pyc"
    subprocess.run(
        [PYTHON, "-c", f"import py_compile; py_compile.compile({str(source)!r}, {str(reference)!r}, doraise=True)"],
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    theirs = reference.read_bytes()
    assert ours[:16] == theirs[:16]
    assert marshal.loads(ours[16:]) == marshal.loads(theirs[16:])
    assert marshal.loads(ours[16:]).co_filename == str(source)
    # The interpreter takes it as it is: importing the module rewrites nothing.
    before = _pyc(source).stat().st_mtime_ns
    site = source.parent.parent
    result = subprocess.run([PYTHON, "-c", "import demo; print(demo.f(2))"], capture_output=True, text=True, cwd=site)
    assert result.stdout == "['', '/']\n", result.stderr
    assert _pyc(source).stat().st_mtime_ns == before


def test_postinst_recompiles_what_is_stale_and_keeps_the_rest(scripts: dict[str, Path], tmp_path: Path) -> None:
    """After an interpreter upgrade (the trigger) or an aborted upgrade: stale bytecode is made again, no other."""
    site = tmp_path / "root/venv/lib/python3/site-packages"
    for name in ("kept", "other_python", "edited", "removed"):
        (site / f"{name}.py").write_text(f"NAME = {name!r}\n")
    assert run(scripts["postinst"], "configure", "1.0").returncode == 0
    kept = _pyc(site / "kept.py").stat().st_mtime_ns
    # Bytecode of another Python version (another magic number), an edited source, a removed file.
    other = _pyc(site / "other_python.py")
    other.write_bytes(b"\x00\x00\r\n" + other.read_bytes()[4:])
    (site / "edited.py").write_text("NAME = 'edited again'\n")
    _pyc(site / "removed.py").unlink()
    result = run(scripts["postinst"], "triggered", PYTHON)
    assert (result.returncode, result.stderr) == (0, "")
    assert _pyc(site / "kept.py").stat().st_mtime_ns == kept
    magic = subprocess.run(
        [PYTHON, "-c", "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name, value in (("other_python", "other_python"), ("edited", "edited again"), ("removed", "removed")):
        data = _pyc(site / f"{name}.py").read_bytes()
        assert data[:4].hex() == magic, name
        assert value in marshal.loads(data[16:]).co_consts, name


def test_postinst_compiles_a_large_venv_in_parallel_and_skips_syntax_errors(
    scripts: dict[str, Path], tmp_path: Path
) -> None:
    """Enough modules for one compiler per CPU: every module compiled once, no partial file left."""
    site = tmp_path / "root/venv/lib/python3/site-packages"
    sources = []
    for i in range(300):
        path = site / f"pkg{i % 7}" / f"mod{i}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"VALUE = {i}\n" + "def f():\n    return VALUE\n" * (i % 5))
        sources.append(path)
    (site / "pkg0/template.py").write_text("{% if python2 %}\nprint 'x'\n")
    result = run(scripts["postinst"], "configure", "1.0")
    assert (result.returncode, result.stderr) == (0, "")
    assert [p for p in sources if not _pyc(p).is_file()] == []
    assert not _pyc(site / "pkg0/template.py").exists()
    assert sorted(p.suffix for p in site.rglob("__pycache__/*") if p.suffix != ".pyc") == []
    assert {marshal.loads(_pyc(p).read_bytes()[16:]).co_consts[0] for p in sources} == set(range(300))
