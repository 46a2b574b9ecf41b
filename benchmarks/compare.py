#!/usr/bin/python3
"""Build the same Python applications with dh-venv and with dh-virtualenv and compare.

Run as root on Debian bookworm, from anywhere::

    /usr/bin/python3 benchmarks/compare.py [--repeat N] [--inputs small,large]
                                           [--keep] [--json FILE]

dh-venv is used from the checkout this script lives in (``bin/`` on ``PATH``,
``perl/`` in ``PERL5LIB``); dh-virtualenv is the installed Debian package.
Each input is built once per tool as a warm-up (which also fills the shared,
private pip cache, and for dh-virtualenv finds the workarounds it needs), then
``--repeat`` times per tool, alternating the tools.  See README.rst beside
this file for what is measured and how.  Only the standard library is used;
nothing is installed into the system.
"""

# ruff: noqa: T201  (a command-line report: printing is its job)
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent
TOOLS = ("dh-venv", "dh-virtualenv")
VENV_COMMAND = {"dh-venv": "dh_venv", "dh-virtualenv": "dh_virtualenv"}
INSTALL_ROOT = "opt/venvs"

# The environment both builds get (see README.rst, "Fairness").
PIP_NETWORK_VARS = {
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_PROXY",
    "PIP_TRUSTED_HOST",
    "PIP_TIMEOUT",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_RETRIES",
}
DROPPED_VARS = {
    "DEB_BUILD_OPTIONS",
    "DEB_BUILD_PROFILES",
    "DH_VERBOSE",
    "DH_QUIET",
    "DH_OPTIONS",
    "DH_INTERNAL_OPTIONS",
    "DH_NO_ACT",
    "DH_COMPAT",
    "PERL5LIB",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}
DROPPED_PREFIXES = ("DH_VENV_", "DH_VIRTUALENV_", "VIRTUALENV_")

BUSY_PROGRAMS = {"dpkg-buildpackage", "apt-get", "apt", "dpkg", "pytest", "sbuild"}


class BenchError(Exception):
    """A failure that ends the benchmark with a message."""


# --------------------------------------------------------------------------
# Inputs


@dataclass
class InputSpec:
    name: str
    package: str
    version: str
    script: str
    description: str
    write_source: Callable[[Path], None]
    control: Callable[[str], str]  # Build-Depends value -> debian/control


def _copy_example(dest: Path) -> None:
    """Copy examples/hello-venv without anything a previous build left there."""
    src = CHECKOUT / "examples" / "hello-venv"
    if not (src / "pyproject.toml").is_file():
        raise BenchError(f"{src} is missing; is {CHECKOUT} a dh-venv checkout?")

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in {"__pycache__", "build", "dist"} or n.endswith(".egg-info")}
        if Path(directory).name == "debian":
            for n in names:
                if (Path(directory) / n).is_dir() and n not in {"source", "patches", "tests"}:
                    skipped.add(n)  # staging trees, .debhelper/
                elif n == "files" or n.endswith((".substvars", ".debhelper", "-build-stamp")):
                    skipped.add(n)
        return skipped

    shutil.copytree(src, dest, ignore=ignore)


def _example_control(build_depends: str) -> str:
    text = (CHECKOUT / "examples" / "hello-venv" / "debian" / "control").read_text()
    text, count = re.subn(r"^Build-Depends:.*(?:\n[ \t].*)*", f"Build-Depends: {build_depends}", text, flags=re.M)
    if count != 1:
        raise BenchError("examples/hello-venv/debian/control has no Build-Depends field")
    return text


LARGE_REQUIREMENTS = """\
# Eight real PyPI projects, pinned, all with CPython 3.11 wheels
# (five of them with compiled extensions).
flask==3.0.3
requests==2.32.3
PyYAML==6.0.2
MarkupSafe==2.1.5
charset-normalizer==3.4.0
SQLAlchemy==2.0.36
python-dateutil==2.9.0.post0
attrs==24.2.0
"""

LARGE_FILES = {
    "setup.py": """\
from setuptools import setup

setup(
    name="bench-large",
    version="1.0.0",
    description="Benchmark input for dh-venv and dh-virtualenv",
    packages=["bench_large"],
    python_requires=">=3.9",
    install_requires=["flask", "requests", "PyYAML", "SQLAlchemy", "python-dateutil", "attrs"],
    entry_points={"console_scripts": ["bench-large = bench_large.cli:main"]},
)
""",
    "requirements.txt": LARGE_REQUIREMENTS,
    "bench_large/__init__.py": '"""Benchmark input application."""\n',
    "bench_large/cli.py": """\
\"\"\"Import every requirement, so a broken venv shows at once.\"\"\"

import attr
import charset_normalizer
import dateutil
import flask
import markupsafe
import requests
import sqlalchemy
import yaml


def main() -> None:
    for module in (attr, charset_normalizer, dateutil, flask, markupsafe, requests, sqlalchemy, yaml):
        print(module.__name__, getattr(module, "__version__", "?"))
""",
    "debian/changelog": """\
bench-large (1.0.0) unstable; urgency=medium

  * Benchmark input.

 -- dh-venv benchmark <bench@example.org>  Fri, 20 Nov 2026 12:00:00 +0000
""",
    "debian/copyright": """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: bench-large

Files: *
Copyright: 2026 dh-venv developers
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files, to deal in the software
 without restriction, subject to the condition that the above copyright notice
 and this permission notice are included in all copies.
""",
    "debian/source/format": "3.0 (native)\n",
}

LARGE_CONTROL = """\
Source: bench-large
Section: python
Priority: optional
Maintainer: dh-venv benchmark <bench@example.org>
Build-Depends: {build_depends}
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: bench-large
Architecture: any
Depends: ${{shlibs:Depends}}, ${{misc:Depends}}
Description: benchmark input with several PyPI requirements
 A tiny Flask/SQLAlchemy/requests application with a setup.py and a
 requirements.txt, built into /opt/venvs/bench-large.
"""


def _write_large(dest: Path) -> None:
    for rel, text in LARGE_FILES.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


INPUTS = {
    "small": InputSpec(
        name="small",
        package="hello-venv",
        version="1.0.0",
        script="hello-venv",
        description="copy of examples/hello-venv: pyproject.toml only (setuptools backend), requires click",
        write_source=_copy_example,
        control=_example_control,
    ),
    "large": InputSpec(
        name="large",
        package="bench-large",
        version="1.0.0",
        script="bench-large",
        description=(
            "setup.py project + requirements.txt pinning 8 PyPI projects (flask, requests, PyYAML, "
            "MarkupSafe, charset-normalizer, SQLAlchemy, python-dateutil, attrs)"
        ),
        write_source=_write_large,
        control=lambda bd: LARGE_CONTROL.format(build_depends=bd),
    ),
}

BUILD_DEPENDS = {
    "dh-venv": "debhelper-compat (= 13), dh-venv, python3",
    "dh-virtualenv": "debhelper-compat (= 13), dh-virtualenv, python3",
}
BASE_RULES = {
    "dh-venv": "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-venv\n",
    "dh-virtualenv": "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-virtualenv\n",
}


# --------------------------------------------------------------------------
# dh-virtualenv workarounds: each is added only after a build failed without it


@dataclass
class Workaround:
    key: str
    rules: str
    pattern: str
    why: str


WORKAROUNDS = [
    Workaround(
        key="empty override_dh_auto_configure",
        rules="override_dh_auto_configure:\n",
        pattern=r"This feature was removed in compat 12",
        why=(
            "dh-virtualenv takes dh_auto_build/test/install/clean out of the sequence but not "
            "dh_auto_configure, which picks debhelper's python_distutils build system for a "
            "setup.py; that build system is gone in compat 12+"
        ),
    ),
    Workaround(
        key="override_dh_virtualenv with --python=/usr/bin/python3 --builtin-venv",
        rules="override_dh_virtualenv:\n\tdh_virtualenv --python=/usr/bin/python3 --builtin-venv\n",
        pattern=r"No such file or directory: 'virtualenv'|virtualenv: (command )?not found",
        why="dh_virtualenv runs a 'virtualenv' command from PATH unless told to use python3 -m venv",
    ),
    Workaround(
        key="empty override_dh_dwz",
        rules="override_dh_dwz:\n",
        pattern=r"dh_dwz: error",
        why="dwz rejects the prebuilt libraries of wheels from the index",
    ),
]
BUILTIN_VENV = WORKAROUNDS[1]


def rules_for(tool: str, workarounds: list[Workaround]) -> str:
    text = BASE_RULES[tool]
    for w in workarounds:
        text += "\n" + w.rules
    return text


# --------------------------------------------------------------------------
# Running builds


def run(argv: list[str], **kwargs: Any) -> str:
    out: str = subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs).stdout
    return out


def busy_processes() -> list[str]:
    """Other package builds or apt/dpkg runs on the machine (they add noise)."""
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")[:3]
        except OSError:
            continue
        names = {os.path.basename(a.decode(errors="replace")) for a in argv if a}
        hit = names & BUSY_PROGRAMS
        if hit:
            found.append(sorted(hit)[0])
    return sorted(found)


@dataclass
class Context:
    work: Path
    base_env: dict[str, str]
    shim_dirs: dict[str, Path] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    keep: bool = False


def clean_environment(work: Path) -> dict[str, str]:
    env = {}
    for key, value in os.environ.items():
        if key in DROPPED_VARS or key.startswith(DROPPED_PREFIXES):
            continue
        if key.startswith("PIP_") and key not in PIP_NETWORK_VARS:
            continue
        env[key] = value
    env.update(
        PIP_CONFIG_FILE="/dev/null",
        PIP_CACHE_DIR=str(work / "cache" / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(work / "cache" / "virtualenv"),
        LC_ALL="C.UTF-8",
    )
    return env


SHIM = """\
#!/bin/sh
{promise}# Timing shim written by dh-venv's benchmarks/compare.py for {real}
s=$(date +%s.%N)
{quoted} "$@"
rc=$?
printf '%s %s %s %s\\n' {name} "$s" "$(date +%s.%N)" "$rc" >>"${{DHVENV_BENCH_STEPS:-/dev/null}}"
exit $rc
"""


def make_shims(shim_dir: Path, search_path: str) -> None:
    """Put a timing wrapper for every dh_* command on search_path into shim_dir.

    A wrapper keeps the command's "PROMISE: DH NOOP" line, so dh skips
    exactly the commands it would skip without the wrappers.
    """
    shim_dir.mkdir(parents=True)
    for directory in search_path.split(":"):
        if not directory or not os.path.isdir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            real = os.path.join(directory, entry)
            target = shim_dir / entry
            if not entry.startswith("dh_") or target.exists():
                continue
            if not (os.path.isfile(real) and os.access(real, os.X_OK)):
                continue
            promise = ""
            try:
                with open(real, encoding="utf-8", errors="replace") as fh:
                    for line in fh:
                        if re.search(r"PROMISE: DH NOOP( WITHOUT\s+(.*))?\s*$", line):
                            promise = line if line.endswith("\n") else line + "\n"
                            break
            except OSError:
                pass
            quoted = "'" + real.replace("'", "'\\''") + "'"
            target.write_text(SHIM.format(promise=promise, real=real, quoted=quoted, name=entry))
            target.chmod(0o755)


def setup_context(work: Path, keep: bool) -> Context:
    ctx = Context(work=work, base_env=clean_environment(work), keep=keep)
    original = ctx.base_env.get("PATH", "/usr/bin:/bin")
    tool_paths = {
        "dh-venv": f"{CHECKOUT / 'bin'}:{original}",
        "dh-virtualenv": original,
    }
    for tool, path in tool_paths.items():
        shims = work / "shims" / tool
        make_shims(shims, path)
        ctx.shim_dirs[tool] = shims
        ctx.paths[tool] = f"{shims}:{path}"
    return ctx


def env_for(ctx: Context, tool: str, steps_log: Path) -> dict[str, str]:
    env = dict(ctx.base_env)
    env["PATH"] = ctx.paths[tool]
    env["DHVENV_BENCH_STEPS"] = str(steps_log)
    if tool == "dh-venv":
        env["PERL5LIB"] = str(CHECKOUT / "perl")
    return env


@dataclass
class Build:
    tool: str
    input: str
    label: str
    ok: bool
    wall: float
    run_dir: Path
    src: Path
    log: Path
    steps: dict[str, float]
    load_before: float
    busy_before: list[str]
    analysis: dict[str, Any] | None = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])


def parse_steps(path: Path) -> dict[str, float]:
    """Seconds per dh_* command, counting only top-level calls (not nested ones)."""
    entries = []
    try:
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4:
                entries.append((float(parts[1]), float(parts[2]), parts[0]))
    except OSError:
        return {}
    entries.sort()
    totals: dict[str, float] = {}
    outer_end = float("-inf")
    for start, end, name in entries:
        if start < outer_end:  # called from inside another dh_* command
            continue
        outer_end = end
        totals[name] = totals.get(name, 0.0) + (end - start)
    return totals


def build(ctx: Context, spec: InputSpec, tool: str, workarounds: list[Workaround], label: str) -> Build:
    run_dir = ctx.work / "runs" / spec.name / f"{tool}-{label}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    src = run_dir / f"{spec.package}-{spec.version}"
    spec.write_source(src)
    (src / "debian").mkdir(exist_ok=True)
    (src / "debian" / "control").write_text(spec.control(BUILD_DEPENDS[tool]))
    rules = src / "debian" / "rules"
    rules.write_text(rules_for(tool, workarounds))
    rules.chmod(0o755)
    log = run_dir / "build.log"
    steps_log = run_dir / "steps.log"
    load = os.getloadavg()[0]
    busy = busy_processes()
    start = time.monotonic()
    with open(log, "wb") as fh:
        rc = subprocess.run(
            ["dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
            cwd=src,
            env=env_for(ctx, tool, steps_log),
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
        ).returncode
    wall = time.monotonic() - start
    return Build(
        tool=tool,
        input=spec.name,
        label=label,
        ok=rc == 0,
        wall=wall,
        run_dir=run_dir,
        src=src,
        log=log,
        steps=parse_steps(steps_log),
        load_before=load,
        busy_before=busy,
    )


def fail(b: Build, what: str) -> BenchError:
    tail = textwrap.indent(b.log_tail(), "  | ", lambda _: True)
    return BenchError(
        f"{what}: the {b.tool} build of input '{b.input}' ({b.label}) failed after {b.wall:.1f} s.\n"
        f"Last lines of its log ({b.log}, deleted unless --keep):\n{tail}"
    )


# --------------------------------------------------------------------------
# Looking at the result


def leak_kind(rel: str) -> str:
    base = os.path.basename(rel)
    if base.endswith(".pyc"):
        return ".pyc"
    if base in {"RECORD", "direct_url.json", "pyvenv.cfg", "INSTALLER", "entry_points.txt"}:
        return base
    if "/bin/" in rel:
        return "venv bin/ script"
    if base.endswith(".pth"):
        return ".pth"
    if rel.startswith("DEBIAN/"):
        return "DEBIAN/" + base
    suffix = os.path.splitext(base)[1]
    return suffix or base


def analyse(spec: InputSpec, b: Build) -> dict[str, Any]:
    out = b.src.parent
    debs = sorted(out.glob(f"{spec.package}_*.deb"))
    if len(debs) != 1:
        raise BenchError(f"expected one {spec.package}_*.deb in {out}, found {[d.name for d in debs]}")
    deb = debs[0]
    dbgsym = sorted(out.glob(f"{spec.package}-dbgsym_*.deb"))
    result: dict[str, Any] = {
        "deb": deb.name,
        "deb_bytes": deb.stat().st_size,
        "dbgsym_bytes": dbgsym[0].stat().st_size if dbgsym else 0,
    }
    fields = {}
    for line in run(["dpkg-deb", "-f", str(deb), "Depends", "Installed-Size"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    result["depends"] = fields.get("Depends", "")
    result["installed_size_kib"] = int(fields.get("Installed-Size", "0") or 0)
    result["depends_python3_11"] = bool(re.search(r"(^|[\s,|])python3\.11([\s(,]|$)", result["depends"]))

    regular = symlinks = pyc = 0
    usr_bin = []
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for member in tar:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isfile():
                regular += 1
                if name.endswith(".pyc"):
                    pyc += 1
            elif member.issym() or member.islnk():
                symlinks += 1
            if name.startswith("usr/bin/") and not member.isdir():
                usr_bin.append(name[len("usr/bin/") :])
    if proc.wait() != 0:
        raise BenchError(f"dpkg-deb --fsys-tarfile {deb} failed")
    result.update(files=regular, symlinks=symlinks, pyc_files=pyc, usr_bin=sorted(usr_bin))
    result["console_script_on_path"] = spec.script in usr_bin

    extracted = b.run_dir / "extracted"
    run(["dpkg-deb", "-R", str(deb), str(extracted)])
    needles = sorted({str(b.src), os.path.realpath(b.src)})
    grep = ["grep", "-rlsF"]
    for needle in needles:
        grep += ["-e", needle]
    found = subprocess.run([*grep, str(extracted)], capture_output=True, text=True)
    if found.returncode not in (0, 1):
        raise BenchError(f"grep failed on {extracted}: {found.stderr.strip()}")
    leaks = [os.path.relpath(p, extracted) for p in found.stdout.splitlines() if p]
    kinds: dict[str, int] = {}
    for rel in leaks:
        kinds[leak_kind(rel)] = kinds.get(leak_kind(rel), 0) + 1
    leaking_links = 0
    for root, dirs, files in os.walk(extracted):
        for n in dirs + files:
            p = os.path.join(root, n)
            if os.path.islink(p) and any(needle in os.readlink(p) for needle in needles):
                leaking_links += 1
    result.update(
        build_path_files=len(leaks),
        build_path_kinds=dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        build_path_symlinks=leaking_links,
    )

    venv = extracted / INSTALL_ROOT / spec.package
    cfg = {}
    try:
        for line in (venv / "pyvenv.cfg").read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                cfg[key.strip()] = value.strip()
    except OSError:
        pass
    result["pyvenv_home"] = cfg.get("home", "?")
    result["pyvenv_version"] = cfg.get("version_info") or cfg.get("version") or "?"
    result["pyvenv_base_executable"] = cfg.get("base-executable") or cfg.get("executable") or "?"
    site = "lib/python3*/site-packages/"
    dists = sorted(re.sub(r"\.dist-info$", "", p.name) for p in venv.glob(site + "*.dist-info"))
    # A setup.py project installed by "setup.py install" (pip without the
    # wheel package) gets name-version-pyX.Y.egg-info metadata instead.
    eggs = sorted(re.sub(r"(-py\d+\.\d+)?\.egg-info$", "", p.name) for p in venv.glob(site + "*.egg-info"))
    result["distributions"] = sorted(dists + eggs)
    app = spec.package.replace("-", "_").lower()
    if any(d.split("-")[0].lower() == app for d in dists):
        result["app_metadata"] = "dist-info (installed from a wheel)"
    elif any(d.split("-")[0].lower() == app for d in eggs):
        result["app_metadata"] = "egg-info (legacy setup.py install)"
    else:
        result["app_metadata"] = "not found"
    seeds = {"pip", "setuptools", "wheel"}
    result["seed_packages"] = sorted(d for d in dists if d.split("-")[0].lower() in seeds)
    shutil.rmtree(extracted)
    return result


# --------------------------------------------------------------------------
# Machine information


def cache_contents(directory: Path) -> tuple[int, int]:
    """Number of files and bytes under directory."""
    files = size = 0
    for root, _dirs, names in os.walk(directory):
        for n in names:
            try:
                size += os.lstat(os.path.join(root, n)).st_size
            except OSError:
                continue
            files += 1
    return files, size


def dpkg_version(package: str) -> str:
    try:
        out = run(["dpkg-query", "-W", "-f", "${Status} ${Version}", package]).split()
    except subprocess.CalledProcessError:
        return "not installed"
    return out[-1] if len(out) >= 4 and out[2] == "installed" else "not installed"


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {}
    info["nproc"] = run(["nproc"]).strip()
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
        )
        info["memory_gib"] = round(int(mem) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        info["memory_gib"] = "?"
    info["cpu"] = cpu
    info["kernel"] = platform.release()
    try:
        info["debian"] = Path("/etc/debian_version").read_text().strip()
    except OSError:
        info["debian"] = "?"
    info["python3"] = run(["/usr/bin/python3", "--version"]).strip() + " (/usr/bin/python3 -> "
    info["python3"] += os.path.realpath("/usr/bin/python3") + ")"
    on_path = shutil.which("python3") or "none"
    info["python3_on_path"] = on_path
    info["packages"] = {
        p: dpkg_version(p)
        for p in (
            "debhelper",
            "dpkg-dev",
            "dh-virtualenv",
            "python3-virtualenv",
            "python3-venv",
            "python3-pip-whl",
            "dh-venv",
        )
    }
    version = "?"
    m = re.search(r'__version__\s*=\s*"([^"]+)"', (CHECKOUT / "dh_venv" / "__init__.py").read_text())
    if m:
        version = m.group(1)
    try:
        head = run(["git", "-C", str(CHECKOUT), "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", str(CHECKOUT), "status", "--porcelain", "--untracked-files=no"]).strip()
        version += f" (checkout {CHECKOUT}, {head}{', with uncommitted changes' if dirty else ''})"
    except (subprocess.CalledProcessError, FileNotFoundError):
        version += f" (checkout {CHECKOUT})"
    info["dh_venv"] = version
    virtualenv_cmd = shutil.which("virtualenv", path=os.environ.get("PATH", ""))
    info["virtualenv_on_path"] = virtualenv_cmd or "none"
    return info


# --------------------------------------------------------------------------
# Report


def med(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_num(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "s":
        return f"{value:.2f}"
    if kind == "kib":
        return f"{value / 1024:,.0f}" if value else "0"
    if kind == "n":
        return f"{value:,.0f}"
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def ratio(a: Any, b: Any, kind: str) -> str:
    if kind in {"bool", "text"} or a is None or b is None:
        return ""
    if b == 0:
        return "-" if a == 0 else "n/a"
    return f"{a / b:.2f}"


def summarise(builds: list[Build]) -> dict[str, Any]:
    """Median figures over the measured builds of one tool and input."""
    tool = builds[0].tool
    venv_cmd = VENV_COMMAND[tool]
    walls = [b.wall for b in builds]
    venv_steps = [b.steps.get(venv_cmd) for b in builds]
    s: dict[str, Any] = {
        "wall": med(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "venv_step": med(venv_steps),  # type: ignore[arg-type]
    }
    s["rest"] = None if s["venv_step"] is None else med([b.wall - (b.steps.get(venv_cmd) or 0) for b in builds])
    for key, names in STEP_GROUPS.items():
        s[key] = med([sum(b.steps.get(n, 0.0) for n in names) for b in builds])
    analyses = [b.analysis for b in builds if b.analysis]
    last = analyses[-1]
    for key in (
        "deb_bytes",
        "dbgsym_bytes",
        "installed_size_kib",
        "files",
        "symlinks",
        "pyc_files",
        "build_path_files",
        "build_path_symlinks",
    ):
        s[key] = med([a[key] for a in analyses])
        s[key + "_range"] = (min(a[key] for a in analyses), max(a[key] for a in analyses))
    for key in (
        "depends_python3_11",
        "console_script_on_path",
        "depends",
        "usr_bin",
        "build_path_kinds",
        "pyvenv_home",
        "pyvenv_version",
        "pyvenv_base_executable",
        "distributions",
        "seed_packages",
    ):
        s[key] = last[key]
    s["app_metadata"] = last["app_metadata"]
    s["seeds_shipped"] = bool(last["seed_packages"])
    return s


STEP_GROUPS = {
    "strip_nondeterminism": ["dh_strip_nondeterminism"],
    "dwz_strip": ["dh_dwz", "dh_strip"],
    "shlibdeps": ["dh_shlibdeps"],
    "builddeb": ["dh_builddeb"],
}

ROWS = [
    ("build wall time, median (s)", "wall", "s"),
    ("  venv step: dh_venv / dh_virtualenv (s)", "venv_step", "s"),
    ("  rest of dpkg-buildpackage (s)", "rest", "s"),
    ("    of which dh_strip_nondeterminism (s)", "strip_nondeterminism", "s"),
    ("    of which dh_dwz + dh_strip (s)", "dwz_strip", "s"),
    ("    of which dh_shlibdeps (s)", "shlibdeps", "s"),
    ("    of which dh_builddeb (s)", "builddeb", "s"),
    (".deb size (KiB)", "deb_bytes", "kib"),
    ("-dbgsym .deb size (KiB, 0 = none)", "dbgsym_bytes", "kib"),
    ("Installed-Size (KiB)", "installed_size_kib", "n"),
    ("regular files in .deb", "files", "n"),
    ("symlinks in .deb", "symlinks", "n"),
    (".pyc files in .deb", "pyc_files", "n"),
    ("files containing the build dir (grep -rl)", "build_path_files", "n"),
    ("symlinks pointing into the build dir", "build_path_symlinks", "n"),
    ("Depends names python3.11", "depends_python3_11", "bool"),
    ("console script in /usr/bin", "console_script_on_path", "bool"),
    ("pip/setuptools/wheel shipped in the venv", "seeds_shipped", "bool"),
]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r[1:], 1)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_input(
    spec: InputSpec,
    summaries: dict[str, dict[str, Any]],
    measured: dict[str, list[Build]],
    incumbent: dict[str, Any],
    repeat: int,
) -> str:
    a, b = summaries["dh-venv"], summaries["dh-virtualenv"]
    out = [f"=== Input '{spec.name}': package {spec.package}", f"    {spec.description}"]
    skip = {"pip", "setuptools", "wheel", spec.package.replace("-", "_")}
    third = [d for d in a["distributions"] if d.split("-")[0].lower().replace("-", "_") not in skip]
    out.append(f"    third-party distributions in dh-venv's venv ({len(third)}): {', '.join(third)}")
    if set(a["distributions"]) - set(a["seed_packages"]) != set(b["distributions"]) - set(b["seed_packages"]):
        only_a = sorted((set(a["distributions"]) - set(b["distributions"])) - set(a["seed_packages"]))
        only_b = sorted((set(b["distributions"]) - set(a["distributions"])) - set(b["seed_packages"]))
        out.append(f"    NOTE: the venvs differ: only dh-venv {only_a}, only dh-virtualenv {only_b}")
    else:
        out.append("    Both venvs hold the same distributions (apart from pip/setuptools/wheel).")
    out.append("")
    rows = [[f"metric (median of {repeat} builds)", "dh-venv", "dh-virtualenv", "ratio dh-venv/dh-virtualenv"]]
    for label, key, kind in ROWS:
        rows.append([label, fmt_num(a.get(key), kind), fmt_num(b.get(key), kind), ratio(a.get(key), b.get(key), kind)])
    out.append(textwrap.indent(table(rows), "  "))
    out.append("")
    for tool, s in summaries.items():
        walls = ", ".join(f"{x.wall:.2f}" for x in measured[tool])
        venv_steps = ", ".join(f"{x.steps.get(VENV_COMMAND[tool], float('nan')):.2f}" for x in measured[tool])
        out.append(f"  {tool}:")
        out.append(f"    build times (s): {walls}   venv step (s): {venv_steps}")
        for key in ("deb_bytes", "files", "build_path_files"):
            lo, hi = s[key + "_range"]
            if lo != hi:
                out.append(f"    {key} varied between builds: {lo}..{hi}")
        out.append(f"    Depends: {s['depends'] or '(empty)'}")
        out.append(f"    /usr/bin: {', '.join(s['usr_bin']) or '(nothing)'}")
        out.append(
            f"    venv interpreter (pyvenv.cfg): home={s['pyvenv_home']} "
            f"base-executable={s['pyvenv_base_executable']} version={s['pyvenv_version']}"
        )
        out.append(f"    seed packages in venv: {', '.join(s['seed_packages']) or 'none'}")
        out.append(f"    the application's metadata: {s['app_metadata']}")
        if s["build_path_kinds"]:
            kinds = ", ".join(f"{n} {k}" for k, n in list(s["build_path_kinds"].items())[:8])
            out.append(f"    files naming the build dir, by kind: {kinds}")
    out.append("")
    out.append("  dh-virtualenv workarounds for this input (each found by a failing build without it):")
    if incumbent["found"]:
        for w, line in incumbent["found"]:
            out.append(f"    - {w.key}: {w.why}.")
            out.append(f"      Without it the build failed with: {line}")
    if incumbent["forced"]:
        for w in incumbent["forced"]:
            out.append(f"    - {w.key}: forced by --incumbent-venv=builtin ({w.why}).")
    if not incumbent["found"] and not incumbent["forced"]:
        out.append("    - none: the plain `dh $@ --with python-virtualenv` built.")
    out.append("  dh-virtualenv debian/rules used:")
    out.append(textwrap.indent(rules_for("dh-virtualenv", incumbent["workarounds"]).rstrip(), "    | ", lambda _: True))
    return "\n".join(out)


# --------------------------------------------------------------------------
# Main


def find_incumbent_rules(ctx: Context, spec: InputSpec, mode: str) -> tuple[dict[str, Any], Build]:
    """Build with dh-virtualenv, adding known workarounds until it builds.

    The successful build is the warm-up build for dh-virtualenv.
    """
    applied: list[Workaround] = []
    forced: list[Workaround] = []
    found: list[tuple[Workaround, str]] = []
    if mode == "builtin":
        applied.append(BUILTIN_VENV)
        forced.append(BUILTIN_VENV)
    for attempt in range(len(WORKAROUNDS) + 1):
        b = build(ctx, spec, "dh-virtualenv", applied, f"warmup{attempt}")
        if b.ok:
            return {"workarounds": applied, "found": found, "forced": forced}, b
        log = b.log.read_text(errors="replace")
        match = None
        for w in WORKAROUNDS:
            if w in applied or (w is BUILTIN_VENV and mode == "virtualenv"):
                continue
            m = re.search(w.pattern, log)
            if m:
                end = log.find("\n", m.end())
                line = log[log.rfind("\n", 0, m.start()) + 1 : end if end >= 0 else len(log)].strip()
                match = (w, line)
                break
        if match is None:
            raise fail(b, "no known workaround fits")
        print(f"    dh-virtualenv needs a workaround: {match[0].key}", flush=True)
        found.append(match)
        applied.append(match[0])
        if not ctx.keep:
            shutil.rmtree(b.run_dir)
    raise fail(b, "still failing with every known workaround")


def check_prerequisites() -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (dpkg-buildpackage of these packages is tested as root)")
    for tool in ("dpkg-buildpackage", "dh", "dpkg-deb", "grep"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} not found (apt-get install dpkg-dev debhelper)")
    if not Path("/usr/bin/dh_virtualenv").exists():
        problems.append("dh-virtualenv is not installed (apt-get install dh-virtualenv)")
    if (
        not (CHECKOUT / "bin" / "dh_venv").exists()
        or not (CHECKOUT / "perl" / "Debian" / "Debhelper" / "Sequence" / "python_venv.pm").exists()
    ):
        problems.append(f"{CHECKOUT} does not look like a dh-venv checkout (bin/dh_venv, perl/...)")
    if subprocess.run(["/usr/bin/python3", "-c", "import virtualenv"], capture_output=True).returncode != 0:
        problems.append("dh_venv needs python3-virtualenv (apt-get install python3-virtualenv)")
    if problems:
        raise BenchError("cannot run:\n" + "\n".join(f"  - {p}" for p in problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="measured builds per tool and input")
    parser.add_argument("--inputs", default="small,large", help="comma-separated: small, large (default: both)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (sources, logs, .debs)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw numbers to FILE")
    parser.add_argument("--workdir", metavar="DIR", help="create the work directory inside DIR (default: $TMPDIR)")
    parser.add_argument(
        "--incumbent-venv",
        choices=("auto", "builtin", "virtualenv"),
        default="auto",
        help="how dh_virtualenv creates its venv: auto = its default (the 'virtualenv' command), "
        "switching to --builtin-venv --python=/usr/bin/python3 only if that fails; builtin = always "
        "that workaround; virtualenv = never",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = [n.strip() for n in args.inputs.split(",") if n.strip()]
    unknown = [n for n in names if n not in INPUTS]
    if unknown or not names:
        parser.error(f"--inputs: unknown {unknown}; choose from {', '.join(INPUTS)}")

    started = time.monotonic()
    try:
        check_prerequisites()
    except BenchError as exc:
        print(f"compare.py: error: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dh-venv-bench-", dir=args.workdir)).resolve()
    try:
        return run_benchmark(args, names, work, started)
    except BenchError as exc:
        print(f"\ncompare.py: error: {exc}", file=sys.stderr)
        if not args.keep:
            print("(run with --keep to keep the logs and sources)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncompare.py: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"\nWork directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run_benchmark(args: argparse.Namespace, names: list[str], work: Path, started: float) -> int:
    info = machine_info()
    ctx = setup_context(work, args.keep)
    load_start = os.getloadavg()
    print("dh-venv vs dh-virtualenv: the same inputs built with dpkg-buildpackage -us -uc -b -d", flush=True)
    print(f"work directory: {work}   repeat: {args.repeat}   inputs: {', '.join(names)}", flush=True)

    results: dict[str, Any] = {}
    text_reports = []
    for name in names:
        spec = INPUTS[name]
        print(f"\n[{name}] warm-up builds (not measured)", flush=True)
        warm = build(ctx, spec, "dh-venv", [], "warmup")
        if not warm.ok:
            raise fail(warm, "warm-up")
        print(f"    dh-venv warm-up: {warm.wall:.1f} s", flush=True)
        if not ctx.keep:
            shutil.rmtree(warm.run_dir)
        incumbent, warm_inc = find_incumbent_rules(ctx, spec, args.incumbent_venv)
        print(f"    dh-virtualenv warm-up: {warm_inc.wall:.1f} s", flush=True)
        if not ctx.keep:
            shutil.rmtree(warm_inc.run_dir)

        measured: dict[str, list[Build]] = {t: [] for t in TOOLS}
        for i in range(args.repeat):
            order = TOOLS if i % 2 == 0 else tuple(reversed(TOOLS))
            for tool in order:
                workarounds = [] if tool == "dh-venv" else incumbent["workarounds"]
                b = build(ctx, spec, tool, workarounds, f"run{i + 1}")
                if not b.ok:
                    raise fail(b, "measured build")
                b.analysis = analyse(spec, b)
                measured[tool].append(b)
                busy = f", busy: {','.join(b.busy_before)}" if b.busy_before else ""
                print(
                    f"    run {i + 1}/{args.repeat} {tool:13s} {b.wall:7.2f} s "
                    f"(venv step {b.steps.get(VENV_COMMAND[tool], float('nan')):.2f} s, "
                    f"load {b.load_before:.2f}{busy})",
                    flush=True,
                )
                if not ctx.keep:
                    shutil.rmtree(b.run_dir)
        summaries = {t: summarise(measured[t]) for t in TOOLS}
        text_reports.append(report_input(spec, summaries, measured, incumbent, args.repeat))
        results[name] = {
            "package": spec.package,
            "description": spec.description,
            "dh_virtualenv_workarounds": [w.key for w in incumbent["workarounds"]],
            "dh_virtualenv_rules": rules_for("dh-virtualenv", incumbent["workarounds"]),
            "tools": {
                t: {
                    "summary": summaries[t],
                    "runs": [
                        {
                            "wall_s": round(b.wall, 3),
                            "steps_s": {k: round(v, 3) for k, v in sorted(b.steps.items())},
                            "load_before": b.load_before,
                            "busy_before": b.busy_before,
                            "analysis": b.analysis,
                        }
                        for b in measured[t]
                    ],
                }
                for t in TOOLS
            },
        }

    http_files, http_bytes = 0, 0
    for sub in ("http", "http-v2"):
        f, n = cache_contents(ctx.work / "cache" / "pip" / sub)
        http_files, http_bytes = http_files + f, http_bytes + n
    elapsed = time.monotonic() - started
    load_end = os.getloadavg()
    busy_runs = sum(1 for r in results.values() for t in r["tools"].values() for x in t["runs"] if x["busy_before"])
    total_runs = sum(len(t["runs"]) for r in results.values() for t in r["tools"].values())

    print("\n" + "=" * 78)
    print("RESULTS (ratio = dh-venv / dh-virtualenv; below 1 means dh-venv is smaller or faster)")
    print("=" * 78)
    for report in text_reports:
        print()
        print(report)
    print()
    print("How the builds were run")
    print("  - Both tools build identical sources (only debian/rules and Build-Depends differ) with")
    print("    dpkg-buildpackage -us -uc -b -d, debhelper compat 13, one warm-up each, then")
    print(f"    {args.repeat} measured builds per tool, alternating which tool goes first.")
    print("  - Same clean pip environment for both: PIP_CONFIG_FILE=/dev/null (the machine's pip.conf with")
    print("    its extra indexes/find-links is not read), every PIP_* variable removed except network ones")
    print(f"    ({', '.join(sorted(v for v in PIP_NETWORK_VARS if v in os.environ)) or 'none set'} kept),")
    print("    PIP_DISABLE_PIP_VERSION_CHECK=1, and one private pip cache and virtualenv app-data dir for both,")
    print("    filled by the warm-up builds; packages come from the public index (https://pypi.org/simple).")
    if http_files:
        print(f"    pip's HTTP cache held {http_files} files ({http_bytes / 2**20:.1f} MiB) at the end.")
    else:
        print("    pip's HTTP cache stayed EMPTY: the index's responses carry no caching headers here, so")
        print("    every build of either tool downloaded every wheel again (equal cost for both).")
    print("  - DEB_BUILD_OPTIONS, DH_*, PYTHONPATH, VIRTUAL_ENV, PERL5LIB unset; LC_ALL=C.UTF-8.")
    print(f"  - dh-venv from the checkout: PATH={CHECKOUT / 'bin'}:..., PERL5LIB={CHECKOUT / 'perl'}.")
    print("  - venv step = time of the dh_venv / dh_virtualenv command, measured by a timing wrapper around")
    print("    every dh_* command (same wrappers for both tools, a few ms per command); rest = total - venv step.")
    print("  - Build-dir files: grep -rlF for the source tree's absolute path in dpkg-deb -R output")
    print("    (control files included).")
    print()
    print("Machine")
    print(
        f"  nproc {info['nproc']}, {info['cpu']}, {info['memory_gib']} GiB RAM, kernel {info['kernel']}, "
        f"Debian {info['debian']}"
    )
    print(f"  {info['python3']}; python3 first on PATH: {info['python3_on_path']} (not used by either build)")
    print(f"  dh-venv {info['dh_venv']}")
    print("  " + ", ".join(f"{p} {v}" for p, v in info["packages"].items()))
    print(f"  'virtualenv' command on PATH: {info['virtualenv_on_path']}")
    print(
        f"  load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f}; "
        f"{busy_runs} of {total_runs} measured builds started while other package builds or apt/dpkg ran"
    )
    print(f"\nTotal benchmark time: {elapsed:.0f} s ({elapsed / 60:.1f} min)")

    if args.json:
        payload = {
            "machine": info,
            "settings": {
                "repeat": args.repeat,
                "inputs": names,
                "incumbent_venv": args.incumbent_venv,
                "elapsed_s": round(elapsed, 1),
                "load_start": load_start,
                "load_end": load_end,
            },
            "inputs": results,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"Raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
