"""Medians, ratios and the printed report."""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .inputs import CHECKOUT, TOOLS, InputSpec
from .running import VENV_COMMAND, Build, incumbent_rules_text, run

MODES = ("cold", "warm")

STEP_GROUPS = {
    "strip_nondeterminism": ["dh_strip_nondeterminism"],
    "dwz_strip": ["dh_dwz", "dh_strip"],
    "shlibdeps": ["dh_shlibdeps"],
    "builddeb": ["dh_builddeb"],
}

# (label, key, kind); kind: s = seconds, kib = bytes shown in KiB, n = count, x = ratio, bool.
ROWS = [
    ("whole build, cold caches (s)", "wall_cold", "s"),
    ("whole build, warm caches (s)", "wall_warm", "s"),
    ("  venv step, cold (s)", "venv_cold", "s"),
    ("  venv step, warm (s)", "venv_warm", "s"),
    ("  rest of the build, warm (s)", "rest_warm", "s"),
    ("    of which dh_strip_nondeterminism (s)", "strip_nondeterminism", "s"),
    ("    of which dh_dwz + dh_strip (s)", "dwz_strip", "s"),
    ("    of which dh_shlibdeps (s)", "shlibdeps", "s"),
    ("    of which dh_builddeb (s)", "builddeb", "s"),
    ("floor: cp -a + dpkg-deb of the final tree (s)", "floor_s", "s"),
    ("  warm build / floor", "floor_ratio", "x"),
    (".deb size (KiB)", "deb_bytes", "kib"),
    ("-dbgsym .deb size (KiB, 0 = none)", "dbgsym_bytes", "kib"),
    ("Installed-Size (KiB)", "installed_size_kib", "n"),
    ("regular files in .deb", "files", "n"),
    ("symlinks in .deb", "symlinks", "n"),
    (".pyc files in .deb", "pyc_files", "n"),
    ("files containing the build dir", "build_path_files", "n"),
    ("apt install of the .deb (s)", "apt_install_s", "s"),
    ("first run of the installed command (s)", "first_run_s", "s"),
    ("Depends names python3.11", "depends_python3_11", "bool"),
    ("console script in /usr/bin", "console_script_on_path", "bool"),
    ("pip/setuptools/wheel shipped in the venv", "seeds_shipped", "bool"),
]

# The profile table lists each dh_* command whose median reaches this for either tool.
PROFILE_THRESHOLD_S = 0.2

# The targets for dh-venv / dh-virtualenv (mid-size app; the small
# app must simply be faster).
TARGETS = [
    ("whole build, warm", "wall_warm", 1 / 3, ("mid",)),
    ("whole build, cold", "wall_cold", 1 / 2, ("mid",)),
    ("venv step, warm", "venv_warm", 1 / 10, ("mid",)),
    (".deb size", "deb_bytes", 1 / 2, ("mid",)),
    ("Installed-Size", "installed_size_kib", 1 / 2, ("mid",)),
    ("whole build, warm", "wall_warm", 1.0, ("small",)),
]


def med(values: list[Any]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_num(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "s":
        return f"{value:.2f}"
    if kind == "x":
        return f"{value:.2f}"
    if kind == "kib":
        return f"{value / 1024:,.0f}" if value else "0"
    if kind == "n":
        return f"{value:,.0f}"
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def ratio(a: Any, b: Any, kind: str) -> str:
    if kind in {"bool", "text", "x"} or a is None or b is None:
        return ""
    if b == 0:
        return "-" if a == 0 else "n/a"
    return f"{a / b:.2f}"


def summarise(builds: dict[str, list[Build]]) -> dict[str, Any]:
    """Median figures over the measured builds of one tool and input."""
    any_build = next(b for mode in MODES for b in builds.get(mode, []))
    venv_cmd = VENV_COMMAND[any_build.tool]
    s: dict[str, Any] = {}
    for mode in MODES:
        runs = builds.get(mode, [])
        s[f"wall_{mode}"] = med([b.wall for b in runs])
        s[f"venv_{mode}"] = med([b.steps.get(venv_cmd) for b in runs])
        s[f"walls_{mode}"] = [round(b.wall, 2) for b in runs]
    steps_from = builds.get("warm") or builds.get("cold") or []
    s["rest_warm"] = med([b.wall - (b.steps.get(venv_cmd) or 0) for b in steps_from])
    for key, names in STEP_GROUPS.items():
        s[key] = med([sum(b.steps.get(n, 0.0) for n in names) for b in steps_from])
    every = [b for mode in MODES for b in builds.get(mode, [])]
    analyses = [b.analysis for b in every if b.analysis]
    for key in ("deb_bytes", "dbgsym_bytes", "installed_size_kib", "files", "symlinks", "pyc_files"):
        s[key] = med([a[key] for a in analyses])
        s[key + "_range"] = (min(a[key] for a in analyses), max(a[key] for a in analyses))
    s["build_path_files"] = med([a["build_path_files"] for a in analyses])
    last = analyses[-1]
    for key in (
        "depends",
        "depends_python3_11",
        "console_script_on_path",
        "usr_bin",
        "build_path_kinds",
        "distributions",
        "seed_packages",
        "seeds_shipped",
        "data_member",
    ):
        s[key] = last[key]
    installs = [b.install for b in every if b.install]
    s["apt_install_s"] = med([i["apt_install_s"] for i in installs])
    s["first_run_s"] = med([i["first_run_s"] for i in installs])
    floors = [b.floor for b in every if b.floor]
    s["floor_s"] = med([f["seconds"] for f in floors])
    base = s["wall_warm"] if s["wall_warm"] is not None else s["wall_cold"]
    s["floor_ratio"] = base / s["floor_s"] if base and s["floor_s"] else None
    return s


def profile(measured: dict[str, dict[str, list[Build]]]) -> dict[str, Any]:
    """Median seconds of the whole build and of each dh_* command, per tool and mode.

    Commands reaching PROFILE_THRESHOLD_S for either tool in either mode get
    a row each (the venv steps first, then the slowest first); the rest are
    summed per build into one row, and so is the time outside every dh_*
    command (dpkg-buildpackage, debian/rules, dh). A tool that never ran a
    command gets None for it.
    """
    modes = [m for m in ("warm", "cold") if any(measured[t].get(m) for t in TOOLS)]
    ran = {t: {c for runs in measured[t].values() for b in runs for c in b.steps} for t in TOOLS}
    commands = set().union(*ran.values())

    def medians(value: Callable[[Build], float], only: str | None = None) -> dict[str, dict[str, float | None]]:
        """{tool: {mode: median of value(build)}}, None where the tool never ran the command ``only``."""
        return {
            t: {
                m: med([value(b) for b in measured[t].get(m, [])]) if only is None or only in ran[t] else None
                for m in modes
            }
            for t in TOOLS
        }

    def step(c: str) -> Callable[[Build], float]:
        return lambda b: b.steps.get(c, 0.0)

    per_command = {c: medians(step(c), only=c) for c in commands}

    def largest(c: str) -> float:
        return max((v for by_mode in per_command[c].values() for v in by_mode.values() if v is not None), default=0.0)

    venv_steps = set(VENV_COMMAND.values())
    listed = sorted(
        (c for c in commands if largest(c) >= PROFILE_THRESHOLD_S),
        key=lambda c: (c not in venv_steps, -largest(c), c),
    )
    others = sorted(commands - set(listed))
    rows: list[dict[str, Any]] = [{"label": "whole build", "seconds": medians(lambda b: b.wall)}]
    rows += [{"label": c, "seconds": per_command[c]} for c in listed]
    rows.append(
        {
            "label": f"other dh_* commands ({len(others)})",
            "commands": others,
            "seconds": medians(lambda b: sum(b.steps.get(c, 0.0) for c in others)),
        }
    )
    rows.append({"label": "outside dh_* commands", "seconds": medians(lambda b: b.wall - sum(b.steps.values()))})
    return {"threshold_s": PROFILE_THRESHOLD_S, "modes": modes, "rows": rows}


def profile_table(prof: dict[str, Any], repeat: int) -> str:
    head = [f"profile: median s of {repeat} round(s)"]
    head += [f"{t} {m}" for m in prof["modes"] for t in TOOLS]
    rows = [head]
    for row in prof["rows"]:
        rows.append([row["label"]] + [fmt_num(row["seconds"][t][m], "s") for m in prof["modes"] for t in TOOLS])
    return table(rows)


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
    incumbent: dict[str, Any],
    repeat: int,
    prof: dict[str, Any],
) -> str:
    a, b = summaries["dh-venv"], summaries["dh-virtualenv"]
    out = [f"[{spec.name}] {spec.package}: {spec.description}"]
    if set(a["distributions"]) - set(a["seed_packages"]) != set(b["distributions"]) - set(b["seed_packages"]):
        only_a = sorted((set(a["distributions"]) - set(b["distributions"])) - set(a["seed_packages"]))
        only_b = sorted((set(b["distributions"]) - set(a["distributions"])) - set(b["seed_packages"]))
        out.append(f"    NOTE: the venvs differ: only dh-venv {only_a}, only dh-virtualenv {only_b}")
    else:
        n = len(set(a["distributions"]) - set(a["seed_packages"]))
        out.append(f"    Both venvs hold the same {n} distributions (apart from pip/setuptools/wheel).")
    out.append("")
    rows = [[f"median of {repeat} round(s)", "dh-venv", "dh-virtualenv", "ratio"]]
    for label, key, kind in ROWS:
        rows.append([label, fmt_num(a.get(key), kind), fmt_num(b.get(key), kind), ratio(a.get(key), b.get(key), kind)])
    out.append(textwrap.indent(table(rows), "  "))
    out.append("")
    out.append(textwrap.indent(profile_table(prof, repeat), "  "))
    out.append(
        f"  (dh_* commands of at least {prof['threshold_s']} s median for either tool; "
        "outside = whole build - every dh_* command)"
    )
    out.append("")
    for tool, s in summaries.items():
        out.append(f"  {tool}:")
        out.append(f"    build times (s): cold {s['walls_cold']}  warm {s['walls_warm']}")
        for key in ("deb_bytes", "files"):
            lo, hi = s[key + "_range"]
            if lo != hi:
                out.append(f"    {key} varied between builds: {lo}..{hi}")
        out.append(f"    Depends: {s['depends'] or '(empty)'}")
        out.append(f"    /usr/bin: {', '.join(s['usr_bin']) or '(nothing)'}; package data: {s['data_member']}")
        if s["build_path_kinds"]:
            kinds = ", ".join(f"{n} {k}" for k, n in list(s["build_path_kinds"].items())[:8])
            out.append(f"    files naming the build dir, by kind: {kinds}")
    out.append("  dh-virtualenv workarounds for this input (each found by a failing build without it):")
    for w, line in incumbent["found"]:
        out.append(f"    - {w.key}: {w.why}.")
        out.append(f"      Without it the build failed with: {line}")
    for w in incumbent["forced"]:
        out.append(f"    - {w.key}: forced by --incumbent-venv=builtin ({w.why}).")
    if not incumbent["found"] and not incumbent["forced"]:
        out.append("    - none: the plain `dh $@ --with python-virtualenv` built.")
    out.append("  dh-virtualenv debian/rules used:")
    out.append(textwrap.indent(incumbent_rules_text(incumbent["workarounds"]).rstrip(), "    | ", lambda _: True))
    return "\n".join(out)


def targets_table(all_summaries: dict[str, dict[str, dict[str, Any]]]) -> str:
    rows = [["input", "figure", "ratio", "target", "met"]]
    for label, key, target, inputs in TARGETS:
        for name in inputs:
            if name not in all_summaries:
                continue
            a, b = all_summaries[name]["dh-venv"].get(key), all_summaries[name]["dh-virtualenv"].get(key)
            if a is None or not b:
                rows.append([name, label, "-", f"<= {target:.2f}", "?"])
                continue
            value = a / b
            rows.append([name, label, f"{value:.2f}", f"<= {target:.2f}", "yes" if value <= target else "NO"])
    return table(rows) if len(rows) > 1 else "(no input with targets was run)"


def dpkg_version(package: str) -> str:
    try:
        out = run(["dpkg-query", "-W", "-f", "${Status} ${Version}", package]).split()
    except subprocess.CalledProcessError:
        return "not installed"
    return out[-1] if len(out) >= 4 and out[2] == "installed" else "not installed"


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": run(["nproc"]).strip(), "kernel": platform.release()}
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
    info.update(cpu=cpu, memory_gib=mem)
    try:
        info["debian"] = Path("/etc/debian_version").read_text().strip()
    except OSError:
        info["debian"] = "?"
    info["python3"] = run(["/usr/bin/python3", "--version"]).strip() + f" ({os.path.realpath('/usr/bin/python3')})"
    info["python3_on_path"] = shutil.which("python3") or "none"
    info["packages"] = {
        p: dpkg_version(p)
        for p in ("debhelper", "dpkg-dev", "dh-virtualenv", "python3-virtualenv", "python3-pip-whl", "dh-venv")
    }
    m = re.search(r'__version__\s*=\s*"([^"]+)"', (CHECKOUT / "dh_venv" / "__init__.py").read_text())
    version = m.group(1) if m else "?"
    try:
        head = run(["git", "-C", str(CHECKOUT), "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", str(CHECKOUT), "status", "--porcelain", "--untracked-files=no"]).strip()
        version += f" (checkout {CHECKOUT}, {head}{', with uncommitted changes' if dirty else ''})"
    except (subprocess.CalledProcessError, FileNotFoundError):
        version += f" (checkout {CHECKOUT})"
    info["dh_venv"] = version
    return info


def compressor_label(env: dict[str, str]) -> str:
    """How the .debs are compressed, from running.compressor_env() (empty: the default)."""
    if not env:
        return "dh_builddeb's default (dpkg-deb's: xz, level 6)"
    kind = env["DPKG_DEB_COMPRESSOR_TYPE"]
    level = env.get("DPKG_DEB_COMPRESSOR_LEVEL")
    settings = " ".join(f"{k}={v}" for k, v in env.items())
    return f"{kind}{f' level {level}' if level else ''} ({settings})"


def print_how(info: dict[str, Any], repeat: int, install: bool, compressor: dict[str, str]) -> None:
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
        f"  nproc {info['nproc']}, {info['cpu']}, {info['memory_gib']} GiB RAM, kernel {info['kernel']}, "
        f"Debian {info['debian']}",
        f"  {info['python3']}; python3 first on PATH: {info['python3_on_path']} (used by neither build)",
        f"  dh-venv {info['dh_venv']}",
        "  " + ", ".join(f"{p} {v}" for p, v in info["packages"].items()),
    ]
    print("\n".join(lines))  # noqa: T201


__all__ = ["TOOLS"]
