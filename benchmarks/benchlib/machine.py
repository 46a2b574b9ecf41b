"""The machine the benchmark runs on: what it needs, what it is, and how the builds were run there."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from .commands import run
from .compressor import compressor_label
from .inputs import CHECKOUT, BenchError

VERSIONS_OF = ("debhelper", "dpkg-dev", "dh-virtualenv", "python3-virtualenv", "python3-pip-whl", "dh-venv")


@dataclass(frozen=True)
class MachineInfo:
    """The machine's figures as the report and the JSON file give them (in this order)."""

    nproc: str
    kernel: str
    cpu: str
    memory_gib: str
    debian: str
    python3: str
    python3_on_path: str
    packages: dict[str, str]  # Debian package -> installed version or "not installed"
    dh_venv: str  # version and checkout

    def to_json(self) -> dict[str, object]:
        return asdict(self)


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


def dpkg_version(package: str) -> str:
    try:
        out = run(["dpkg-query", "-W", "-f", "${Status} ${Version}", package]).split()
    except subprocess.CalledProcessError:
        return "not installed"
    return out[-1] if len(out) >= 4 and out[2] == "installed" else "not installed"


def _cpu_and_memory() -> tuple[str, str]:
    cpu, mem = "?", "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = str(round(int(line.split()[1]) / 1024 / 1024, 1))
    except OSError:
        pass
    return cpu, mem


def _dh_venv_version() -> str:
    m = re.search(r'__version__\s*=\s*"([^"]+)"', (CHECKOUT / "dh_venv" / "__init__.py").read_text())
    version = m.group(1) if m else "?"
    try:
        head = run(["git", "-C", str(CHECKOUT), "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", str(CHECKOUT), "status", "--porcelain", "--untracked-files=no"]).strip()
        return version + f" (checkout {CHECKOUT}, {head}{', with uncommitted changes' if dirty else ''})"
    except (subprocess.CalledProcessError, FileNotFoundError):
        return version + f" (checkout {CHECKOUT})"


def machine_info() -> MachineInfo:
    nproc = run(["nproc"]).strip()
    cpu, mem = _cpu_and_memory()
    try:
        debian = Path("/etc/debian_version").read_text().strip()
    except OSError:
        debian = "?"
    return MachineInfo(
        nproc=nproc,
        kernel=platform.release(),
        cpu=cpu,
        memory_gib=mem,
        debian=debian,
        python3=run(["/usr/bin/python3", "--version"]).strip() + f" ({os.path.realpath('/usr/bin/python3')})",
        python3_on_path=shutil.which("python3") or "none",
        packages={p: dpkg_version(p) for p in VERSIONS_OF},
        dh_venv=_dh_venv_version(),
    )


def how_text(info: MachineInfo, repeat: int, install: bool, compressor: Mapping[str, str]) -> str:
    """The report's closing part: how the builds were run, and on what."""
    lines = [
        "How the builds were run",
        "  - Both tools build identical sources (only debian/rules and Build-Depends differ) with",
        "    dpkg-buildpackage -us -uc -b -d, debhelper compat 13. One unmeasured warm-up per tool, then",
        f"    {repeat} round(s); in each, per tool: a cold build (the tool's pip/virtualenv/dh-venv caches",
        "    emptied first) and a warm build (the caches the cold build filled). The tool going first",
        "    alternates between rounds.",
        "  - Same clean environment: PIP_CONFIG_FILE=/dev/null, PIP_* dropped except network settings,",
        "    DEB_BUILD_OPTIONS, DH_*, PYTHONPATH, VIRTUAL_ENV, PERL5LIB, UV_* unset, LC_ALL=C.UTF-8;",
        "    packages come from the public index.",
        "  - Same compressor for both builds and the floor:",
        f"    {compressor_label(compressor)}.",
        "  - venv step = the dh_venv / dh_virtualenv command alone, timed by a wrapper around every dh_*",
        "    command (identical for both tools); rest = whole build - venv step.",
        "  - floor = cp -a of the final package tree plus dpkg-deb --build with the package's compressor",
        "    (and the level of --compressor, if it gave one).",
    ]
    if install:
        lines.append("  - apt install and first run: the warm build's .deb, apt-get install, then the console")
        lines.append("    script once by its venv path under env -i PATH=/usr/bin:/bin, then apt-get purge.")
    lines += [
        "",
        "Machine",
        f"  nproc {info.nproc}, {info.cpu}, {info.memory_gib} GiB RAM, kernel {info.kernel}, Debian {info.debian}",
        f"  {info.python3}; python3 first on PATH: {info.python3_on_path} (used by neither build)",
        f"  dh-venv {info.dh_venv}",
        "  " + ", ".join(f"{p} {v}" for p, v in info.packages.items()),
    ]
    return "\n".join(lines)
