#!/usr/bin/python3
"""Build the same Python applications with dh-venv and with dh-virtualenv and compare.

Run as root on Debian bookworm or trixie, from anywhere::

    /usr/bin/python3 benchmarks/compare.py [--repeat N] [--inputs small,mid,mid-newest,heavy,sdist]
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.analysis import analyse
from benchlib.builds import VENV_COMMAND, build, fail
from benchlib.compressor import compressor_env, compressor_label
from benchlib.context import Context, cache_contents, setup_context
from benchlib.floor import floor
from benchlib.incumbent import find_incumbent_rules
from benchlib.inputs import BASELINE, TOOLS, BenchError, InputSpec, load_inputs
from benchlib.install import install_and_run
from benchlib.machine import MachineInfo, check_prerequisites, how_text, machine_info
from benchlib.measurement import Measurement
from benchlib.profile import profile
from benchlib.record import InputResult, RunSettings, run_json
from benchlib.report import report_input
from benchlib.summary import MODES, summarise
from benchlib.targets import targets_table
from benchlib.workarounds import Workaround


@dataclass(frozen=True)
class Options:
    """The command line, checked."""

    repeat: int
    names: list[str]
    modes: list[str]
    install: bool
    keep: bool
    json: str | None
    workdir: str | None
    dh_venv_args: str
    compressor: str | None
    compressor_env: dict[str, str]
    incumbent_venv: str


def say(line: str) -> None:
    print(line, flush=True)


def make_parser(inputs: Mapping[str, InputSpec]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--rounds",
        "--repeat",
        dest="repeat",
        type=int,
        default=3,
        metavar="N",
        help="measured rounds per input (default 3)",
    )
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
    return parser


def parse_options(argv: list[str] | None, inputs: Mapping[str, InputSpec]) -> Options:
    parser = make_parser(inputs)
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
        env = compressor_env(args.compressor) if args.compressor else {}
    except ValueError as exc:
        parser.error(f"--compressor: {exc}")
    return Options(
        repeat=args.repeat,
        names=names,
        modes=modes,
        install=not args.no_install,
        keep=args.keep,
        json=args.json,
        workdir=args.workdir,
        dh_venv_args=args.dh_venv_args,
        compressor=args.compressor,
        compressor_env=env,
        incumbent_venv=args.incumbent_venv,
    )


def main(argv: list[str] | None = None) -> int:
    inputs = load_inputs()
    opts = parse_options(argv, inputs)
    started = time.monotonic()
    try:
        check_prerequisites(install=opts.install)
    except BenchError as exc:
        print(f"compare.py: error: {exc}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dh-venv-bench-", dir=opts.workdir)).resolve()
    try:
        return run_benchmark(opts, inputs, work, started)
    except BenchError as exc:
        print(f"\ncompare.py: error: {exc}", file=sys.stderr)
        if not opts.keep:
            print("(run with --keep to keep the logs and sources)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncompare.py: interrupted", file=sys.stderr)
        return 130
    finally:
        if opts.keep:
            print(f"\nWork directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(
    ctx: Context,
    spec: InputSpec,
    tool: str,
    mode: str,
    workarounds: Sequence[Workaround],
    label: str,
    *,
    final: bool,
    install: bool,
) -> Measurement:
    """One measured build; the last of a round also gets the floor and install timings."""
    b = build(ctx, spec, tool, workarounds, label)
    if not b.ok:
        raise fail(b, "measured build")
    analysis = analyse(spec, b)
    floor_of = floor(spec, b, analysis, ctx.compressor) if final else None
    installed = install_and_run(spec, b) if final and install else None
    busy = f", busy: {','.join(b.busy_before)}" if b.busy_before else ""
    say(
        f"    {label:12s} {tool:13s} {b.wall:7.2f} s (venv step "
        f"{b.steps.get(VENV_COMMAND[tool], float('nan')):.2f} s, load {b.load_before:.2f}{busy})"
    )
    if not ctx.keep:
        shutil.rmtree(b.run_dir)
    return Measurement(mode, b, analysis, floor_of, installed)


def bench_input(opts: Options, ctx: Context, spec: InputSpec, ours: Sequence[Workaround]) -> InputResult:
    """Warm-ups (dh-virtualenv's find its workarounds), then the measured rounds of one input."""
    started = time.monotonic()
    baseline: list[float] = []
    say(f"\n[{spec.name}] warm-up builds (not measured)")
    warm = build(ctx, spec, "dh-venv", ours, "warmup")
    if not warm.ok:
        raise fail(warm, "warm-up")
    say(f"    dh-venv warm-up: {warm.wall:.1f} s")
    incumbent, warm_inc = find_incumbent_rules(ctx, spec, opts.incumbent_venv, say)
    say(f"    dh-virtualenv warm-up: {warm_inc.wall:.1f} s")
    if not ctx.keep:
        shutil.rmtree(warm.run_dir)
        shutil.rmtree(warm_inc.run_dir)
    warmed = time.monotonic()

    measured: dict[str, dict[str, list[Measurement]]] = {t: {m: [] for m in opts.modes} for t in TOOLS}
    for i in range(opts.repeat):
        for tool in TOOLS if i % 2 == 0 else tuple(reversed(TOOLS)):
            workarounds = ours if tool == "dh-venv" else incumbent.workarounds
            for mode in opts.modes:
                if mode == "cold":
                    ctx.clear_cache(tool)
                final = mode == opts.modes[-1]
                label = f"r{i + 1}-{mode}"
                m = measure(ctx, spec, tool, mode, workarounds, label, final=final, install=opts.install)
                measured[tool][mode].append(m)
        # The small app's target is relative to it; on the others it bounds the floor target (print_results).
        baseline.append(measure_baseline(ctx, spec, f"r{i + 1}"))
    summaries = {t: summarise(measured[t]) for t in TOOLS}
    elapsed = (warmed - started, time.monotonic() - warmed)
    say(f"    [{spec.name}] warm-ups {elapsed[0]:.0f} s, {opts.repeat} round(s) {elapsed[1]:.0f} s")
    return InputResult(
        spec, incumbent, tuple(opts.modes), measured, summaries, profile(measured), tuple(baseline), elapsed
    )


def measure_baseline(ctx: Context, spec: InputSpec, label: str) -> float:
    """``dh`` alone on the same source, no venv: what any package of it costs."""
    b = build(ctx, spec, BASELINE, (), label)
    if not b.ok:
        raise fail(b, "baseline build (dh alone, no venv)")
    say(f"    {label + '-dh':12s} {'dh alone':13s} {b.wall:7.2f} s (no venv, load {b.load_before:.2f})")
    if not ctx.keep:
        shutil.rmtree(b.run_dir)
    return b.wall


def print_results(opts: Options, ctx: Context, results: Mapping[str, InputResult], info: MachineInfo) -> None:
    print("\n" + "=" * 78)
    print("RESULTS (ratio = dh-venv / dh-virtualenv; below 1 means dh-venv is smaller or faster)")
    print(f"compressor: {compressor_label(ctx.compressor)}")
    print("=" * 78)
    for result in results.values():
        print()
        print(report_input(result.spec, result.summaries, result.incumbent, opts.repeat, result.profile))
    baseline = results["small"].baseline_s if "small" in results else None
    if baseline is not None:
        small = results["small"].summaries["dh-venv"].wall_warm
        margin = f"; dh-venv's warm build of the small app is {small - baseline:.2f} s above it" if small else ""
        print(f"\ndh alone (no venv) on the small app's source: {baseline:.2f} s (median){margin}")
    for name, result in results.items():
        floor_s, alone = result.summaries["dh-venv"].floor_s, result.baseline_s
        if floor_s and alone is not None and name != "small":
            print(
                f"dh alone (no venv) on {name}'s source: {alone:.2f} s; with the floor ({floor_s:.2f} s) that is "
                f"{(alone + floor_s) / floor_s:.2f} x the floor before any venv work: the least a dh build reaches"
            )
    print(f"\nTargets (compressor: {compressor_label(ctx.compressor)})")
    print("  " + targets_table({n: r.summaries for n, r in results.items()}, baseline).replace("\n", "\n  "))
    print()
    print(how_text(info, opts.repeat, opts.install, ctx.compressor))
    for tool in TOOLS:
        files, size = cache_contents(ctx.cache_dir(tool))
        print(f"  {tool}'s caches at the end: {files} files, {size / 2**20:.1f} MiB")


def full_run_estimate(opts: Options, inputs: Mapping[str, InputSpec], results: Mapping[str, InputResult]) -> str:
    """How long the default run (3 rounds of every input) would take here, from this run's per-round times."""
    default = 3
    seconds = sum(r.elapsed[0] + r.elapsed[1] / opts.repeat * default for r in results.values())
    missing = [name for name in inputs if name not in results]
    line = f"A run of --rounds {default} of {', '.join(results)} takes about {seconds / 60:.0f} min on this machine"
    return line + (f" (plus {', '.join(missing)}, not run here)." if missing else ".")


def run_benchmark(opts: Options, inputs: Mapping[str, InputSpec], work: Path, started: float) -> int:
    info = machine_info()
    ctx = setup_context(work, opts.keep, opts.compressor_env)
    load_start = os.getloadavg()
    say("dh-venv vs dh-virtualenv: the same inputs built with dpkg-buildpackage -us -uc -b -d")
    say(f"work directory: {work}   rounds: {opts.repeat}   inputs: {', '.join(opts.names)}")
    say(f"compressor: {compressor_label(ctx.compressor)}")
    ours = []
    if opts.dh_venv_args:
        rules = f"override_dh_venv:\n\tdh_venv {opts.dh_venv_args}\n"
        ours.append(Workaround("dh-venv args", rules, "", "--dh-venv-args"))
        say(f"dh-venv side: dh_venv {opts.dh_venv_args}")
    results = {name: bench_input(opts, ctx, inputs[name], ours) for name in opts.names}

    elapsed = time.monotonic() - started
    print_results(opts, ctx, results, info)
    load_end = os.getloadavg()
    print(f"  load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f}")
    print(f"\nTotal benchmark time: {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    print(full_run_estimate(opts, inputs, results))
    if opts.json:
        compressor = opts.compressor or "default"
        settings = RunSettings(opts.repeat, opts.names, opts.modes, compressor, dict(ctx.compressor), round(elapsed, 1))
        payload = run_json(info, settings, results)
        Path(opts.json).write_text(json.dumps(payload, indent=2, default=str) + "\n")
        print(f"Raw numbers written to {opts.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
