"""The build environment both tools share, their timing shims and their own caches."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .inputs import BASELINE, CHECKOUT

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

SHIM = """\
#!/bin/sh
{promise}# Timing shim written by dh-venv's benchmarks/compare.py for {real}
s=$(date +%s.%N)
{quoted} "$@"
rc=$?
printf '%s %s %s %s\\n' {name} "$s" "$(date +%s.%N)" "$rc" >>"${{DHVENV_BENCH_STEPS:-/dev/null}}"
exit $rc
"""


def _promise_line(real: str) -> str:
    """The command's "PROMISE: DH NOOP" line, or nothing."""
    try:
        with open(real, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if re.search(r"PROMISE: DH NOOP( WITHOUT\s+(.*))?\s*$", line):
                    return line if line.endswith("\n") else line + "\n"
    except OSError:
        pass
    return ""


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
            quoted = "'" + real.replace("'", "'\\''") + "'"
            target.write_text(SHIM.format(promise=_promise_line(real), real=real, quoted=quoted, name=entry))
            target.chmod(0o755)


@dataclass(frozen=True)
class Context:
    """Work directory, environments and caches of one benchmark run."""

    work: Path
    keep: bool
    base_env: Mapping[str, str]
    compressor: Mapping[str, str]  # from compressor_env(); empty = the default
    paths: Mapping[str, str]  # PATH per tool, its shims first

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


def compile_checkout() -> None:
    """Byte-compile the checkout's dh_venv package, as the installed dh-venv (and dh-virtualenv) is.

    Otherwise a caller's ``PYTHONDONTWRITEBYTECODE`` makes every ``dh_venv*``
    command compile dh-venv's own modules again, which no installed package does.
    """
    subprocess.run(
        ["/usr/bin/python3", "-m", "compileall", "-q", str(CHECKOUT / "dh_venv")], check=True, capture_output=True
    )


def setup_context(work: Path, keep: bool, compressor: Mapping[str, str] | None = None) -> Context:
    """The shims of each tool under work/shims, and an empty cache each."""
    compile_checkout()
    base_env = clean_environment()
    original = base_env.get("PATH", "/usr/bin:/bin")
    paths = {}
    tools = {"dh-venv": f"{CHECKOUT / 'bin'}:{original}", "dh-virtualenv": original, BASELINE: original}
    for tool, path in tools.items():
        shims = work / "shims" / tool
        make_shims(shims, path)
        paths[tool] = f"{shims}:{path}"
    ctx = Context(work=work, keep=keep, base_env=base_env, compressor=dict(compressor or {}), paths=paths)
    for tool in paths:
        ctx.clear_cache(tool)
    return ctx


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
