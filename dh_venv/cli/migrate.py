"""``dh-venv migrate``: move a debianized tree from dh-virtualenv to dh-venv, or show how (``--check``).

A command-line module that :mod:`dh_venv.cli.frontend` dispatches to,
inside the one error boundary: it reads argv, prints the report and the
diff on standard output (errors go to standard error as ``dh-venv: error:``),
writes the files and returns the exit status (0: nothing left to decide,
3: a decision is pending).
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.cli import archcheck, configure
from dh_venv.cli import options as dh_venv_options
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.installers.backend import build_environment
from dh_venv.migration import Decision, control, sources
from dh_venv.migration import options as migration_options
from dh_venv.report import Report
from dh_venv.runner import Runner

PROG = "dh-venv migrate"
PENDING = 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Rewrite debian/ of a dh-virtualenv package for dh-venv, and list what the maintainer must "
        "decide before the first build.",
    )
    p.add_argument("--check", action="store_true", help="print the report and the diff, write nothing")
    p.add_argument(
        "--arch-any",
        action="store_true",
        help="make every Architecture: all package Architecture: any (a venv with compiled files)",
    )
    p.add_argument(
        "--add-debhelper-token",
        action="store_true",
        help="add a #DEBHELPER# line to postinst, prerm and postrm scripts that lack one",
    )
    p.add_argument(
        "--no-resolve",
        action="store_true",
        help="do not resolve the requirements of Architecture: all packages (no index, no download)",
    )
    return p


def _say(line: str) -> None:
    print(line, flush=True)


def run_migrate(argv: Sequence[str], environ: Mapping[str, str], report: Report) -> int:
    """The command; errors are raised as :class:`DhVenvError` for the front end to print."""
    opts = _parser().parse_args(list(argv))
    root = Path.cwd()
    for needed in ("control", "rules"):
        if not (root / "debian" / needed).is_file():
            raise DhVenvError(
                f"{root / 'debian' / needed} not found", hint="run dh-venv migrate at the top of the source package"
            )
    plan = sources.plan(root, arch_any=opts.arch_any, add_token=opts.add_debhelper_token)
    if not opts.no_resolve:
        plan.decisions += _architecture_all(root, plan, environ, report)
    for change in sorted(plan.changes, key=lambda c: (c.path != "debian/control", c.path, c.line)):
        _say(f"{PROG}: {change}")
    for decision in plan.decisions:
        _say(f"{PROG}: decide: {decision}")
    if opts.check:
        for line in _diff(plan):
            _say(line)
    else:
        for path, text in plan.new.items():
            if text is None:
                path.unlink()
            else:
                path.write_text(text)
    files = len(plan.new)
    done = "would change" if opts.check else "changed"
    summary = f"{done} {files} file(s)" if files else "nothing to change"
    pending = f"{len(plan.decisions)} decision(s) pending" if plan.decisions else "no decision pending"
    _say(f"{PROG}: {summary}; {pending}")
    return PENDING if plan.decisions else 0


def _diff(plan: sources.Plan) -> list[str]:
    lines: list[str] = []
    for path in sorted(plan.new):
        new = plan.new[path]
        shown = plan.shown(path)
        lines += difflib.unified_diff(
            plan.old(path).splitlines(),
            (new or "").splitlines(),
            f"a/{shown}",
            f"b/{shown}" if new is not None else "/dev/null",
            lineterm="",
        )
    return lines


def _architecture_all(root: Path, plan: sources.Plan, environ: Mapping[str, str], report: Report) -> list[Decision]:
    """Resolve the requirement set of each package still ``Architecture: all`` after the plan."""
    path = root / "debian" / "control"
    text = plan.new.get(path) or path.read_text()
    wanted = [
        name
        for name, (arch, _) in control.Control.parse(text).packages().items()
        if arch == "all" and not debhelper.is_documentation(name)
    ]
    if not wanted:
        return []
    words: list[str] = []
    for code in [root / "debian" / "rules", *(p for p in plan.new if p.name != "control")]:
        text = plan.new.get(code) or (code.read_text() if code.is_file() else "")
        found = migration_options.command_words(text or "")
        if found:
            words = found[0]
            break
    clean = {k: v for k, v in environ.items() if not k.startswith(("DH_OPTIONS", "DH_INTERNAL_OPTIONS"))}
    try:
        opts, _ = dh_venv_options.parse(words, clean)
    except DhVenvError:
        opts, _ = dh_venv_options.parse([], clean)
    runner = Runner(log=report.write, report=report)
    env = build_environment(environ, root)
    decisions = []
    for package in wanted:
        settings = configure.settings_for(package, opts, clean, root, env)
        decision = archcheck.architecture_all(settings, runner)
        if decision is not None:
            decisions.append(decision)
    return decisions
