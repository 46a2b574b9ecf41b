"""The debian/rules dh-virtualenv needs for an input, found by building until it builds."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .builds import Build, build, fail
from .context import Context
from .inputs import BASE_RULES, InputSpec
from .workarounds import BUILTIN_VENV, WORKAROUNDS, Workaround, rules_for


@dataclass(frozen=True)
class Finding:
    """A workaround a failing build asked for, with the log line that showed it."""

    workaround: Workaround
    line: str


@dataclass(frozen=True)
class IncumbentRules:
    """What dh-virtualenv's side of one input is built with, and why."""

    workarounds: tuple[Workaround, ...]  # every one applied, in order
    found: tuple[Finding, ...]  # those a failing build asked for
    forced: tuple[Workaround, ...]  # those --incumbent-venv=builtin imposed

    @property
    def rules_text(self) -> str:
        """The whole debian/rules of dh-virtualenv's builds."""
        return incumbent_rules_text(self.workarounds)


def incumbent_rules_text(workarounds: Sequence[Workaround]) -> str:
    return BASE_RULES["dh-virtualenv"] + rules_for(workarounds)


def _matching(log: str, applied: Sequence[Workaround], mode: str) -> Finding | None:
    """The first workaround not applied yet whose pattern the log shows."""
    for w in WORKAROUNDS:
        if w in applied or (w is BUILTIN_VENV and mode == "virtualenv"):
            continue
        m = re.search(w.pattern, log)
        if m:
            end = log.find("\n", m.end())
            line = log[log.rfind("\n", 0, m.start()) + 1 : end if end >= 0 else len(log)].strip()
            return Finding(w, line)
    return None


def find_incumbent_rules(
    ctx: Context, spec: InputSpec, mode: str, say: Callable[[str], None]
) -> tuple[IncumbentRules, Build]:
    """Build with dh-virtualenv, adding known workarounds until it builds.

    The successful build is dh-virtualenv's warm-up build; say() hears of
    each workaround added.
    """
    forced = [BUILTIN_VENV] if mode == "builtin" else []
    applied = list(forced)
    found: list[Finding] = []
    for attempt in range(len(WORKAROUNDS) + 1):
        b = build(ctx, spec, "dh-virtualenv", applied, f"warmup{attempt}")
        if b.ok:
            return IncumbentRules(tuple(applied), tuple(found), tuple(forced)), b
        match = _matching(b.log.read_text(errors="replace"), applied, mode)
        if match is None:
            raise fail(b, "no known workaround fits")
        say(f"    dh-virtualenv needs a workaround: {match.workaround.key}")
        found.append(match)
        applied.append(match.workaround)
        if not ctx.keep:
            shutil.rmtree(b.run_dir)
    raise fail(b, "still failing with every known workaround")
