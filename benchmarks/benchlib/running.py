"""The build environment, timing wrappers, builds and dh-virtualenv's workarounds."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .inputs import BASE_RULES, CHECKOUT, TOOLS, BenchError, InputSpec, write_source

VENV_COMMAND = {"dh-venv": "dh_venv", "dh-virtualenv": "dh_virtualenv"}

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
    "DPKG_DEB_COMPRESSOR_TYPE",
    "DPKG_DEB_COMPRESSOR_LEVEL",
}
DROPPED_PREFIXES = ("DH_VENV_", "DH_VIRTUALENV_", "VIRTUALENV_", "UV_")
# dpkg-deb's compressors and their levels (dpkg-deb(1), -Z and -z); none has no level.
COMPRESSOR_LEVELS: dict[str, tuple[int, int] | None] = {"gzip": (0, 9), "xz": (0, 9), "zstd": (0, 22), "none": None}
BUSY_PROGRAMS = {"dpkg-buildpackage", "apt-get", "apt", "dpkg", "pytest", "sbuild"}


# --------------------------------------------------------------------------
# dh-virtualenv workarounds: each is added only after a build failed without it


@dataclass(frozen=True)
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
    Workaround(
        key="override_dh_shlibdeps excluding site-packages",
        rules="override_dh_shlibdeps:\n\tdh_shlibdeps -Xsite-packages/\n",
        pattern=r"dpkg-shlibdeps: error: cannot find library",
        why=(
            "libraries bundled by older auditwheel releases load each other without an RPATH, "
            "so dpkg-shlibdeps cannot resolve them (Depends then misses the venv's system libraries)"
        ),
    ),
]
BUILTIN_VENV = WORKAROUNDS[1]


def rules_for(workarounds: list[Workaround]) -> str:
    return "".join("\n" + w.rules for w in workarounds)


# --------------------------------------------------------------------------
# Environment and timing wrappers


def compressor_env(value: str) -> dict[str, str]:
    """The dpkg-deb variables for --compressor TYPE[:LEVEL] (dpkg >= 1.21.10 reads them).

    dh_builddeb passes no -Z or -z for a .deb, so dpkg-deb takes both from
    the environment.
    """
    kind, sep, level = value.partition(":")
    if kind not in COMPRESSOR_LEVELS:
        raise ValueError(f"unknown compressor '{kind}'; choose from {', '.join(COMPRESSOR_LEVELS)}")
    env = {"DPKG_DEB_COMPRESSOR_TYPE": kind}
    if sep:
        bounds = COMPRESSOR_LEVELS[kind]
        if bounds is None:
            raise ValueError(f"compressor '{kind}' takes no level")
        if not level.isdigit() or not bounds[0] <= int(level) <= bounds[1]:
            raise ValueError(f"{kind} level must be a number from {bounds[0]} to {bounds[1]}, not '{level}'")
        env["DPKG_DEB_COMPRESSOR_LEVEL"] = str(int(level))
    return env


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


@dataclass
class Context:
    """Work directory, environments and caches of one benchmark run."""

    work: Path
    keep: bool
    base_env: dict[str, str] = field(default_factory=dict)
    compressor: dict[str, str] = field(default_factory=dict)  # from compressor_env(); empty = the default
    paths: dict[str, str] = field(default_factory=dict)

    def cache_dir(self, tool: str) -> Path:
        return self.work / "cache" / tool

    def clear_cache(self, tool: str) -> None:
        shutil.rmtree(self.cache_dir(tool), ignore_errors=True)
        self.cache_dir(tool).mkdir(parents=True)

    def env_for(self, tool: str, steps_log: Path) -> dict[str, str]:
        """Each tool has its own caches, so a cold build of one leaves the other warm."""
        cache = self.cache_dir(tool)
        env = dict(self.base_env)
        env.update(
            PATH=self.paths[tool],
            DHVENV_BENCH_STEPS=str(steps_log),
            PIP_CACHE_DIR=str(cache / "pip"),
            VIRTUALENV_OVERRIDE_APP_DATA=str(cache / "virtualenv"),
            XDG_CACHE_HOME=str(cache / "xdg"),
        )
        env.update(self.compressor)
        if tool == "dh-venv":
            env["PERL5LIB"] = str(CHECKOUT / "perl")
            # The cache a CI machine would keep between builds (honoured by
            # dh_venv versions that have one; ignored by older ones).
            env["DH_VENV_CACHE_DIR"] = str(cache / "dh-venv")
        return env


def clean_environment() -> dict[str, str]:
    env = {}
    for key, value in os.environ.items():
        if key in DROPPED_VARS or key.startswith(DROPPED_PREFIXES):
            continue
        if key.startswith("PIP_") and key not in PIP_NETWORK_VARS:
            continue
        env[key] = value
    env.update(PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1", LC_ALL="C.UTF-8")
    return env


def setup_context(work: Path, keep: bool, compressor: dict[str, str] | None = None) -> Context:
    ctx = Context(work=work, keep=keep, base_env=clean_environment(), compressor=dict(compressor or {}))
    original = ctx.base_env.get("PATH", "/usr/bin:/bin")
    for tool, path in {"dh-venv": f"{CHECKOUT / 'bin'}:{original}", "dh-virtualenv": original}.items():
        shims = work / "shims" / tool
        make_shims(shims, path)
        ctx.paths[tool] = f"{shims}:{path}"
        ctx.clear_cache(tool)
    return ctx


# --------------------------------------------------------------------------
# Builds


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
    install: dict[str, Any] | None = None
    floor: dict[str, Any] | None = None

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
    write_source(spec, src, tool, rules_for(workarounds))
    log = run_dir / "build.log"
    steps_log = run_dir / "steps.log"
    load = os.getloadavg()[0]
    busy = busy_processes()
    start = time.monotonic()
    with open(log, "wb") as fh:
        rc = subprocess.run(
            ["dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
            cwd=src,
            env=ctx.env_for(tool, steps_log),
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
        ).returncode
    wall = time.monotonic() - start
    return Build(tool, spec.name, label, rc == 0, wall, run_dir, src, log, parse_steps(steps_log), load, busy)


def fail(b: Build, what: str) -> BenchError:
    tail = textwrap.indent(b.log_tail(), "  | ", lambda _: True)
    return BenchError(
        f"{what}: the {b.tool} build of input '{b.input}' ({b.label}) failed after {b.wall:.1f} s.\n"
        f"Last lines of its log ({b.log}, deleted unless --keep):\n{tail}"
    )


def find_incumbent_rules(ctx: Context, spec: InputSpec, mode: str) -> tuple[dict[str, Any], Build]:
    """Build with dh-virtualenv, adding known workarounds until it builds.

    The successful build is dh-virtualenv's warm-up build.
    """
    applied: list[Workaround] = []
    forced: list[Workaround] = []
    found: list[tuple[Workaround, str]] = []
    if mode == "builtin":
        applied.append(BUILTIN_VENV)
        forced.append(BUILTIN_VENV)
    b = None
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
        print(f"    dh-virtualenv needs a workaround: {match[0].key}", flush=True)  # noqa: T201
        found.append(match)
        applied.append(match[0])
        if not ctx.keep:
            shutil.rmtree(b.run_dir)
    assert b is not None
    raise fail(b, "still failing with every known workaround")


def incumbent_rules_text(workarounds: list[Workaround]) -> str:
    return BASE_RULES["dh-virtualenv"] + rules_for(workarounds)


def check_prerequisites(install: bool) -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (dpkg-buildpackage of these packages is tested as root)")
    for tool in ("dpkg-buildpackage", "dh", "dpkg-deb", "grep", "ar"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} not found (apt-get install dpkg-dev debhelper binutils)")
    if not Path("/usr/bin/dh_virtualenv").exists():
        problems.append("dh-virtualenv is not installed (apt-get install dh-virtualenv)")
    if not (CHECKOUT / "bin" / "dh_venv").exists():
        problems.append(f"{CHECKOUT} does not look like a dh-venv checkout (bin/dh_venv)")
    if subprocess.run(["/usr/bin/python3", "-c", "import virtualenv"], capture_output=True).returncode != 0:
        problems.append("dh_venv needs python3-virtualenv (apt-get install python3-virtualenv)")
    if install and shutil.which("apt-get") is None:
        problems.append("apt-get not found (or use --no-install)")
    if problems:
        raise BenchError("cannot run:\n" + "\n".join(f"  - {p}" for p in problems))


__all__ = ["TOOLS"]
