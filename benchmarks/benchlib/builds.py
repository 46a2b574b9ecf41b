"""One dpkg-buildpackage run of one input by one tool, timed per dh_* command."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .context import Context
from .inputs import BenchError, InputSpec, write_source
from .workarounds import Workaround, rules_for

VENV_COMMAND = {"dh-venv": "dh_venv", "dh-virtualenv": "dh_virtualenv"}
BUSY_PROGRAMS = {"dpkg-buildpackage", "apt-get", "apt", "dpkg", "pytest", "sbuild"}


@dataclass(frozen=True)
class Build:
    """What one build gave: its outcome, times and where its files are."""

    tool: str
    input: str
    label: str
    ok: bool
    wall: float
    run_dir: Path
    src: Path
    log: Path
    steps: Mapping[str, float]  # seconds per top-level dh_* command
    load_before: float
    busy_before: tuple[str, ...]

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])


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


def build(ctx: Context, spec: InputSpec, tool: str, workarounds: Sequence[Workaround], label: str) -> Build:
    run_dir = ctx.work / "runs" / spec.name / f"{tool}-{label}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    src = run_dir / f"{spec.package}-{spec.version}"
    write_source(spec, src, tool, rules_for(workarounds))
    log = run_dir / "build.log"
    steps_log = run_dir / "steps.log"
    load = os.getloadavg()[0]
    busy = tuple(busy_processes())
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


def the_deb(spec: InputSpec, b: Build) -> Path:
    """The one package .deb the build made (its -dbgsym aside)."""
    debs = sorted(b.src.parent.glob(f"{spec.package}_*.deb"))
    if len(debs) != 1:
        raise BenchError(f"expected one {spec.package}_*.deb in {b.src.parent}, found {[d.name for d in debs]}")
    return debs[0]
