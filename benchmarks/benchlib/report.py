"""The printed report of one input (figures, profile, details, workarounds) and the targets."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping

from .analysis import INTERPRETER
from .incumbent import IncumbentRules
from .inputs import InputSpec
from .profile import Profile, profile_table
from .summary import Summary
from .tables import Figure, fmt_num, ratio, table

Getter = Callable[[Summary], Figure]

# (label, figure, kind); kind as fmt_num() takes it.
ROWS: list[tuple[str, Getter, str]] = [
    ("whole build, cold caches (s)", lambda s: s.wall_cold, "s"),
    ("whole build, warm caches (s)", lambda s: s.wall_warm, "s"),
    ("  venv step, cold (s)", lambda s: s.venv_cold, "s"),
    ("  venv step, warm (s)", lambda s: s.venv_warm, "s"),
    ("  rest of the build, warm (s)", lambda s: s.rest_warm, "s"),
    ("    of which dh_strip_nondeterminism (s)", lambda s: s.strip_nondeterminism, "s"),
    ("    of which dh_dwz + dh_strip (s)", lambda s: s.dwz_strip, "s"),
    ("    of which dh_shlibdeps (s)", lambda s: s.shlibdeps, "s"),
    ("    of which dh_builddeb (s)", lambda s: s.builddeb, "s"),
    ("floor: cp -a + dpkg-deb of the final tree (s)", lambda s: s.floor_s, "s"),
    ("  warm build / floor", lambda s: s.floor_ratio, "x"),
    (".deb size (KiB)", lambda s: s.deb_bytes, "kib"),
    ("-dbgsym .deb size (KiB, 0 = none)", lambda s: s.dbgsym_bytes, "kib"),
    ("Installed-Size (KiB)", lambda s: s.installed_size_kib, "n"),
    ("regular files in .deb", lambda s: s.files, "n"),
    ("symlinks in .deb", lambda s: s.symlinks, "n"),
    (".pyc files in .deb", lambda s: s.pyc_files, "n"),
    ("files containing the build dir", lambda s: s.build_path_files, "n"),
    ("apt install of the .deb (s)", lambda s: s.apt_install_s, "s"),
    ("first run of the installed command (s)", lambda s: s.first_run_s, "s"),
    ("files left in the venv dir after apt purge", lambda s: s.left_after_purge, "n"),
    (f"Depends names {INTERPRETER}", lambda s: s.depends_interpreter, "bool"),
    ("console script in /usr/bin", lambda s: s.console_script_on_path, "bool"),
    ("pip/setuptools/wheel shipped in the venv", lambda s: s.seeds_shipped, "bool"),
]


def _venvs_line(a: Summary, b: Summary) -> str:
    """Whether both venvs hold the same distributions, pip/setuptools/wheel aside."""
    if set(a.distributions) - set(a.seed_packages) != set(b.distributions) - set(b.seed_packages):
        only_a = sorted((set(a.distributions) - set(b.distributions)) - set(a.seed_packages))
        only_b = sorted((set(b.distributions) - set(a.distributions)) - set(b.seed_packages))
        return f"    NOTE: the venvs differ: only dh-venv {only_a}, only dh-virtualenv {only_b}"
    n = len(set(a.distributions) - set(a.seed_packages))
    return f"    Both venvs hold the same {n} distributions (apart from pip/setuptools/wheel)."


def figures_table(a: Summary, b: Summary, repeat: int) -> str:
    """dh-venv's and dh-virtualenv's figures side by side, with their ratio."""
    rows = [[f"median of {repeat} round(s)", "dh-venv", "dh-virtualenv", "ratio"]]
    for label, figure, kind in ROWS:
        rows.append([label, fmt_num(figure(a), kind), fmt_num(figure(b), kind), ratio(figure(a), figure(b), kind)])
    return table(rows)


def _details(tool: str, s: Summary) -> list[str]:
    out = [f"  {tool}:", f"    build times (s): cold {s.walls_cold}  warm {s.walls_warm}"]
    for key, (lo, hi) in (("deb_bytes", s.deb_bytes_range), ("files", s.files_range)):
        if lo != hi:
            out.append(f"    {key} varied between builds: {lo}..{hi}")
    out.append(f"    Depends: {s.depends or '(empty)'}")
    out.append(f"    /usr/bin: {', '.join(s.usr_bin) or '(nothing)'}; package data: {s.data_member}")
    if s.build_path_kinds:
        kinds = ", ".join(f"{n} {k}" for k, n in list(s.build_path_kinds.items())[:8])
        out.append(f"    files naming the build dir, by kind: {kinds}")
    return out


def _workarounds(incumbent: IncumbentRules) -> list[str]:
    out = ["  dh-virtualenv workarounds for this input (each found by a failing build without it):"]
    for found in incumbent.found:
        out.append(f"    - {found.workaround.key}: {found.workaround.why}.")
        out.append(f"      Without it the build failed with: {found.line}")
    for w in incumbent.forced:
        out.append(f"    - {w.key}: forced by --incumbent-venv=builtin ({w.why}).")
    if not incumbent.found and not incumbent.forced:
        out.append("    - none: the plain `dh $@ --with python-virtualenv` built.")
    out.append("  dh-virtualenv debian/rules used:")
    out.append(textwrap.indent(incumbent.rules_text.rstrip(), "    | ", lambda _: True))
    return out


def report_input(
    spec: InputSpec, summaries: Mapping[str, Summary], incumbent: IncumbentRules, repeat: int, prof: Profile
) -> str:
    a, b = summaries["dh-venv"], summaries["dh-virtualenv"]
    out = [f"[{spec.name}] {spec.package}: {spec.description}", _venvs_line(a, b), ""]
    out.append(textwrap.indent(figures_table(a, b, repeat), "  "))
    out.append("")
    out.append(textwrap.indent(profile_table(prof, repeat), "  "))
    out.append(
        f"  (dh_* commands of at least {prof.threshold_s} s median for either tool; "
        "outside = whole build - every dh_* command)"
    )
    out.append("")
    for tool, s in summaries.items():
        out += _details(tool, s)
    out += _workarounds(incumbent)
    return "\n".join(out)
