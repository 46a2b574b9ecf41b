#!/usr/bin/python3
"""Build the same Python applications with dh-venv and with dh-virtualenv and compare.

Run as root on Debian bookworm, from anywhere::

    /usr/bin/python3 benchmarks/compare.py [--repeat N] [--inputs small,mid,heavy]
                                           [--no-install] [--keep] [--json FILE]
                                           [--dh-venv-args="--installer=pip"]
                                           [--compressor TYPE[:LEVEL]]

dh-venv is used from the checkout this script lives in (``bin/`` on ``PATH``,
``perl/`` in ``PERL5LIB``); dh-virtualenv is the installed Debian package.
The inputs are the source trees under ``benchmarks/inputs/``.  See
README.rst beside this file for what is measured and how.  Only the standard
library is used.
"""

# ruff: noqa: T201  (a command-line report: printing is its job)
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.analysis import analyse, cache_contents, floor, install_and_run
from benchlib.inputs import TOOLS, BenchError, load_inputs
from benchlib.report import (
    MODES,
    compressor_label,
    machine_info,
    print_how,
    profile,
    report_input,
    summarise,
    targets_table,
)
from benchlib.running import (
    VENV_COMMAND,
    Build,
    Workaround,
    build,
    check_prerequisites,
    compressor_env,
    fail,
    find_incumbent_rules,
    incumbent_rules_text,
    setup_context,
)


def main(argv: list[str] | None = None) -> int:
    inputs = load_inputs()
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="measured rounds per input (default 3)")
    parser.add_argument("--inputs", default=",".join(inputs), help=f"comma-separated, from: {', '.join(inputs)}")
    parser.add_argument("--modes", default="cold,warm", help="which builds to measure: cold, warm (default both)")
    parser.add_argument("--no-install", action="store_true", help="skip apt install and first-run timings")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (sources, logs, .debs)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw numbers to FILE")
    parser.add_argument("--workdir", metavar="DIR", help="create the work directory inside DIR (default: $TMPDIR)")
    parser.add_argument(
        "--dh-venv-args",
        default="",
        metavar="ARGS",
        help="build dh-venv's side with an override_dh_venv running dh_venv ARGS (e.g. --installer=pip)",
    )
    parser.add_argument(
        "--compressor",
        metavar="TYPE[:LEVEL]",
        help="build both packages (and the floor) with this dpkg-deb compressor, e.g. zstd:3, xz:6, gzip "
        "(sets DPKG_DEB_COMPRESSOR_TYPE/_LEVEL; default: dh_builddeb's default)",
    )
    parser.add_argument(
        "--incumbent-venv",
        choices=("auto", "builtin", "virtualenv"),
        default="auto",
        help="how dh_virtualenv creates its venv: auto = its default, switching to --builtin-venv "
        "--python=/usr/bin/python3 only if that fails; builtin = always that; virtualenv = never",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = [n.strip() for n in args.inputs.split(",") if n.strip()]
    unknown = [n for n in names if n not in inputs]
    if unknown or not names:
        parser.error(f"--inputs: unknown {unknown}; choose from {', '.join(inputs)}")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        parser.error("--modes: choose from cold, warm")
    try:
        args.compressor_env = compressor_env(args.compressor) if args.compressor else {}
    except ValueError as exc:
        parser.error(f"--compressor: {exc}")

    started = time.monotonic()
    try:
        check_prerequisites(install=not args.no_install)
    except BenchError as exc:
        print(f"compare.py: error: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dh-venv-bench-", dir=args.workdir)).resolve()
    try:
        return run_benchmark(args, inputs, names, modes, work, started)
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


def measure(ctx: Any, spec: Any, tool: str, workarounds: list[Any], label: str, *, final: bool, install: bool) -> Build:
    """One measured build; the last of a round also gets the floor and install timings."""
    b = build(ctx, spec, tool, workarounds, label)
    if not b.ok:
        raise fail(b, "measured build")
    b.analysis = analyse(spec, b)
    if final:
        b.floor = floor(spec, b, b.analysis, ctx.compressor)
        if install:
            b.install = install_and_run(spec, b)
    busy = f", busy: {','.join(b.busy_before)}" if b.busy_before else ""
    print(
        f"    {label:12s} {tool:13s} {b.wall:7.2f} s (venv step "
        f"{b.steps.get(VENV_COMMAND[tool], float('nan')):.2f} s, load {b.load_before:.2f}{busy})",
        flush=True,
    )
    if not ctx.keep:
        shutil.rmtree(b.run_dir)
    return b


def run_benchmark(
    args: argparse.Namespace, inputs: dict[str, Any], names: list[str], modes: list[str], work: Path, started: float
) -> int:
    info = machine_info()
    ctx = setup_context(work, args.keep, args.compressor_env)
    load_start = os.getloadavg()
    print("dh-venv vs dh-virtualenv: the same inputs built with dpkg-buildpackage -us -uc -b -d", flush=True)
    print(f"work directory: {work}   rounds: {args.repeat}   inputs: {', '.join(names)}", flush=True)
    print(f"compressor: {compressor_label(ctx.compressor)}", flush=True)

    ours = (
        [Workaround("dh-venv args", f"override_dh_venv:\n\tdh_venv {args.dh_venv_args}\n", "", "--dh-venv-args")]
        if args.dh_venv_args
        else []
    )
    if ours:
        print(f"dh-venv side: dh_venv {args.dh_venv_args}", flush=True)
    results: dict[str, Any] = {}
    summaries_by_input: dict[str, dict[str, dict[str, Any]]] = {}
    reports = []
    for name in names:
        spec = inputs[name]
        print(f"\n[{name}] warm-up builds (not measured)", flush=True)
        warm = build(ctx, spec, "dh-venv", ours, "warmup")
        if not warm.ok:
            raise fail(warm, "warm-up")
        print(f"    dh-venv warm-up: {warm.wall:.1f} s", flush=True)
        incumbent, warm_inc = find_incumbent_rules(ctx, spec, args.incumbent_venv)
        print(f"    dh-virtualenv warm-up: {warm_inc.wall:.1f} s", flush=True)
        if not ctx.keep:
            shutil.rmtree(warm.run_dir)
            shutil.rmtree(warm_inc.run_dir)

        measured: dict[str, dict[str, list[Build]]] = {t: {m: [] for m in modes} for t in TOOLS}
        for i in range(args.repeat):
            for tool in TOOLS if i % 2 == 0 else tuple(reversed(TOOLS)):
                workarounds = ours if tool == "dh-venv" else incumbent["workarounds"]
                for mode in modes:
                    if mode == "cold":
                        ctx.clear_cache(tool)
                    final = mode == modes[-1]
                    label = f"r{i + 1}-{mode}"
                    b = measure(ctx, spec, tool, workarounds, label, final=final, install=not args.no_install)
                    measured[tool][mode].append(b)
        summaries = {t: summarise(measured[t]) for t in TOOLS}
        summaries_by_input[name] = summaries
        prof = profile(measured)
        reports.append(report_input(spec, summaries, incumbent, args.repeat, prof))
        results[name] = {
            "package": spec.package,
            "description": spec.description,
            "dh_virtualenv_rules": incumbent_rules_text(incumbent["workarounds"]),
            "profile": prof,
            "tools": {
                t: {
                    "summary": summaries[t],
                    "runs": [
                        {
                            "mode": mode,
                            "wall_s": round(b.wall, 3),
                            "steps_s": {k: round(v, 3) for k, v in sorted(b.steps.items())},
                            "load_before": b.load_before,
                            "busy_before": b.busy_before,
                            "analysis": b.analysis,
                            "install": b.install,
                            "floor": b.floor,
                        }
                        for mode in modes
                        for b in measured[t][mode]
                    ],
                }
                for t in TOOLS
            },
        }

    elapsed = time.monotonic() - started
    print("\n" + "=" * 78)
    print("RESULTS (ratio = dh-venv / dh-virtualenv; below 1 means dh-venv is smaller or faster)")
    print(f"compressor: {compressor_label(ctx.compressor)}")
    print("=" * 78)
    for report in reports:
        print()
        print(report)
    print("\nTargets (ratio dh-venv / dh-virtualenv)")
    print("  " + targets_table(summaries_by_input).replace("\n", "\n  "))
    print()
    print_how(info, args.repeat, not args.no_install, ctx.compressor)
    for tool in TOOLS:
        files, size = cache_contents(ctx.cache_dir(tool))
        print(f"  {tool}'s caches at the end: {files} files, {size / 2**20:.1f} MiB")
    load_end = os.getloadavg()
    print(f"  load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f}")
    print(f"\nTotal benchmark time: {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    if args.json:
        payload = {
            "machine": info,
            "settings": {
                "repeat": args.repeat,
                "inputs": names,
                "modes": modes,
                "compressor": args.compressor or "default",
                "compressor_env": ctx.compressor,
                "elapsed_s": round(elapsed, 1),
            },
            "inputs": results,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"Raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
