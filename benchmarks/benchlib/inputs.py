"""The benchmark inputs: source trees under ``benchmarks/inputs/<name>/``.

Each input directory holds ``bench.toml`` (package name, console script,
description) and either a ``src/`` tree or a ``source`` key naming a tree
elsewhere in the checkout; with an ``sdist`` key (``name==version``), ``src/``
holds only ``debian/``, laid over that PyPI sdist.  The tree's ``debian/control`` says
``Build-Depends: @BUILD_DEPENDS@`` (or any value, which is replaced); each
tool gets the same tree with its own Build-Depends and ``debian/rules``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
INPUTS_DIR = CHECKOUT / "benchmarks" / "inputs"

TOOLS = ("dh-venv", "dh-virtualenv")
#: Not a tool: ``dh`` alone on the same source, no venv (the baseline of the small app's target).
BASELINE = "dh"
BUILD_DEPENDS = {
    "dh-venv": "debhelper-compat (= 13), dh-venv, python3",
    "dh-virtualenv": "debhelper-compat (= 13), dh-virtualenv, python3",
    BASELINE: "debhelper-compat (= 13)",
}
BASE_RULES = {
    "dh-venv": "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-venv\n",
    "dh-virtualenv": "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-virtualenv\n",
    # No build system: nothing is built or installed, the package holds its documentation only.
    BASELINE: "#!/usr/bin/make -f\n\n%:\n\tdh $@ --buildsystem=none\n",
}


class BenchError(Exception):
    """A failure that ends the benchmark with a message."""


@dataclass(frozen=True)
class InputSpec:
    """One application to build with both tools."""

    name: str
    package: str
    version: str
    script: str
    script_args: tuple[str, ...]
    description: str
    tree: Path
    #: Replaces the tree's requirements.txt (an input that pins other versions of the same application).
    requirements: Path | None = None
    #: A PyPI sdist (``name==version``) whose unpacked tree the input's ``debian/`` is laid over.
    sdist: str | None = None


def load_inputs() -> dict[str, InputSpec]:
    """Every input under benchmarks/inputs/, by directory name, sorted by size of the idea."""
    specs = {}
    for meta in sorted(INPUTS_DIR.glob("*/bench.toml")):
        with meta.open("rb") as fh:
            data = tomllib.load(fh)
        tree = CHECKOUT / data["source"] if "source" in data else meta.parent / "src"
        if not (tree / "debian" / "control").is_file():
            raise BenchError(f"{meta}: {tree}/debian/control is missing")
        specs[meta.parent.name] = InputSpec(
            name=meta.parent.name,
            package=data["package"],
            version=data["version"],
            script=data["script"],
            script_args=tuple(data.get("script_args", ())),
            description=data["description"],
            tree=tree,
            requirements=meta.parent / data["requirements"] if "requirements" in data else None,
            sdist=data.get("sdist"),
        )
    order = {"small": 0, "mid": 1, "mid-newest": 2, "heavy": 3, "sdist": 4}
    return dict(sorted(specs.items(), key=lambda kv: (order.get(kv[0], 9), kv[0])))


def _ignore_leftovers(directory: str, names: list[str]) -> set[str]:
    """What an earlier build left in a tree: build outputs and staging dirs."""
    skipped = {n for n in names if n in {"__pycache__", "build", "dist"} or n.endswith(".egg-info")}
    if Path(directory).name == "debian":
        for n in names:
            staging = (Path(directory) / n).is_dir() and n not in {"source", "patches", "tests"}
            if staging or n == "files" or n.endswith((".substvars", ".debhelper", "-build-stamp")):
                skipped.add(n)
    return skipped


def sdist_tree(requirement: str) -> Path:
    """The unpacked sdist of ``requirement`` (``name==version``), downloaded from PyPI once per machine.

    Debian's pip wheel (python3-pip-whl, which dh-virtualenv needs anyway) downloads it, with no
    pip configuration of the machine: the same file on every machine.
    """
    where = Path(tempfile.gettempdir()) / "dh-venv-bench-sdists" / re.sub(r"[^A-Za-z0-9.=-]", "_", requirement)
    if where.is_dir():
        return where
    pips = sorted(Path("/usr/share/python-wheels").glob("pip-*.whl"))
    if not pips:
        raise BenchError(f"the {requirement} input needs Debian's pip wheel: apt-get install python3-pip-whl")
    from .context import clean_environment  # the builds' own environment (context imports this module)

    env = clean_environment()
    where.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=where.parent) as tmp:
        argv = ["/usr/bin/python3", f"{pips[-1]}/pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        proc = subprocess.run([*argv, "-d", tmp, requirement], env=env, capture_output=True, text=True)
        archives = sorted(Path(tmp).glob("*.tar.gz"))
        if proc.returncode != 0 or len(archives) != 1:
            raise BenchError(f"could not download the sdist of {requirement}:\n{proc.stderr[-2000:]}")
        with tarfile.open(archives[0]) as tar:
            members = tar.getmembers()
            if any(m.name.startswith("/") or ".." in Path(m.name).parts or m.issym() or m.islnk() for m in members):
                raise BenchError(f"the sdist of {requirement} holds an absolute path, '..' or a link")
            # tarfile's own check too where this Python has it (3.12, and bookworm's 3.11 has not).
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(Path(tmp) / "x", members, **safe)  # type: ignore[arg-type]
        (top,) = (Path(tmp) / "x").iterdir()
        top.rename(where)
    return where


def write_source(spec: InputSpec, dest: Path, tool: str, extra_rules: str = "") -> None:
    """A fresh copy of the input for ``tool``: its Build-Depends and debian/rules."""
    if spec.sdist is not None:
        shutil.copytree(sdist_tree(spec.sdist), dest, ignore=_ignore_leftovers)
    shutil.copytree(spec.tree, dest, ignore=_ignore_leftovers, dirs_exist_ok=spec.sdist is not None)
    if spec.requirements is not None:
        shutil.copyfile(spec.requirements, dest / "requirements.txt")
    control = dest / "debian" / "control"
    text, count = re.subn(
        r"^Build-Depends:.*(?:\n[ \t].*)*", f"Build-Depends: {BUILD_DEPENDS[tool]}", control.read_text(), flags=re.M
    )
    if count != 1:
        raise BenchError(f"{spec.tree}/debian/control has no Build-Depends field")
    control.write_text(text)
    rules = dest / "debian" / "rules"
    rules.write_text(BASE_RULES[tool] + extra_rules)
    rules.chmod(0o755)
