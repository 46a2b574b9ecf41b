"""The targets the project set itself, each checked against a run: pass or fail.

A target is on one of three scales: the ratio of dh-venv's figure to
dh-virtualenv's (``ratio``), dh-venv's own figure (``own``: seconds, or
the ratio to the floor), or dh-venv's figure minus what ``dh`` alone
costs for the same source without a venv (``baseline``, seconds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .summary import Summary
from .tables import table

Getter = Callable[[Summary], float | None]


@dataclass(frozen=True)
class Target:
    label: str
    inputs: tuple[str, ...]
    limit: float
    scale: str  # ratio, own or baseline
    figure: Getter
    strict: bool = False  # "<" rather than "<="
    unit: str = ""

    def value(self, ours: Summary, theirs: Summary, baseline: float | None) -> float | None:
        mine = self.figure(ours)
        if mine is None:
            return None
        if self.scale == "own":
            return mine
        if self.scale == "baseline":
            return None if baseline is None else mine - baseline
        other = self.figure(theirs)
        return mine / other if other else None

    def met(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit

    def bound(self) -> str:
        return f"{'<' if self.strict else '<='} {self.limit:.2f}{self.unit}"


def _wall_warm(s: Summary) -> float | None:
    return s.wall_warm


def _wall_cold(s: Summary) -> float | None:
    return s.wall_cold


MID = ("mid", "mid-newest")
# Issue 18 (warm builds at the compressor's floor, installs as fast as the incumbent's).
# "Cold no slower than before": the cold ratios issue 18 measured (small 0.57, mid 0.53, heavy 0.53).
ISSUE_18: list[Target] = [
    Target("whole build, warm / dh-virtualenv's", (*MID, "sdist"), 1 / 3, "ratio", _wall_warm),
    Target("whole build, warm / floor", (*MID, "heavy"), 1.3, "own", lambda s: s.floor_ratio),
    Target("whole build, warm - dh alone", ("small",), 3.0, "baseline", _wall_warm, unit=" s"),
    Target("dh_venv step, warm / dh_virtualenv's", (*MID, "heavy"), 1 / 10, "ratio", lambda s: s.venv_warm),
    Target("dh_venv_restore, warm", MID, 0.3, "own", lambda s: s.restore_warm, strict=True, unit=" s"),
    Target("dh_venv_restore, warm", ("heavy",), 1.0, "own", lambda s: s.restore_warm, strict=True, unit=" s"),
    Target("apt install / dh-virtualenv's", (*MID, "heavy"), 1.0, "ratio", lambda s: s.apt_install_s),
    Target("whole build, cold / dh-virtualenv's (before: 0.57)", ("small",), 0.57, "ratio", _wall_cold),
    Target("whole build, cold / dh-virtualenv's (before: 0.53)", ("mid", "heavy"), 0.53, "ratio", _wall_cold),
]
# The earlier ones (mid-size app; the small app faster than dh-virtualenv).
EARLIER: list[Target] = [
    Target("whole build, cold / dh-virtualenv's", ("mid",), 1 / 2, "ratio", _wall_cold),
    Target(".deb size / dh-virtualenv's", ("mid",), 1 / 2, "ratio", lambda s: s.deb_bytes),
    Target("Installed-Size / dh-virtualenv's", ("mid",), 1 / 2, "ratio", lambda s: s.installed_size_kib),
    Target("whole build, warm / dh-virtualenv's", ("small",), 1.0, "ratio", _wall_warm),
]
TARGETS = ISSUE_18 + EARLIER


def check(
    all_summaries: Mapping[str, Mapping[str, Summary]], baseline: float | None
) -> list[tuple[str, Target, float | None, bool | None]]:
    """Each target on each input that ran: (input, target, value, met); None where a figure is missing."""
    out: list[tuple[str, Target, float | None, bool | None]] = []
    for target in TARGETS:
        for name in target.inputs:
            if name not in all_summaries:
                continue
            value = target.value(all_summaries[name]["dh-venv"], all_summaries[name]["dh-virtualenv"], baseline)
            out.append((name, target, value, None if value is None else target.met(value)))
    return out


def targets_table(all_summaries: Mapping[str, Mapping[str, Summary]], baseline: float | None = None) -> str:
    rows = [["target", "input", "value", "limit", "met"]]
    for name, target, value, met in check(all_summaries, baseline):
        shown = "-" if value is None else f"{value:.2f}{target.unit}"
        rows.append([target.label, name, shown, target.bound(), "?" if met is None else "yes" if met else "NO"])
    return table(rows) if len(rows) > 1 else "(no input with targets was run)"
