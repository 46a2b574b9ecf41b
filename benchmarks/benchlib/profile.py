"""Where the build time goes: median seconds per dh_* command, per tool and mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .builds import VENV_COMMAND, Build
from .inputs import TOOLS
from .summary import ByMode, med
from .tables import fmt_num, table

# The profile table lists each dh_* command whose median reaches this for either tool.
PROFILE_THRESHOLD_S = 0.2

Seconds = dict[str, dict[str, float | None]]  # {tool: {mode: median}}, None: the tool never ran it


@dataclass(frozen=True)
class ProfileRow:
    label: str
    seconds: Seconds
    commands: tuple[str, ...] | None = None  # the commands a summed row adds up

    def to_json(self) -> dict[str, object]:
        if self.commands is None:
            return {"label": self.label, "seconds": self.seconds}
        return {"label": self.label, "commands": list(self.commands), "seconds": self.seconds}


@dataclass(frozen=True)
class Profile:
    threshold_s: float
    modes: tuple[str, ...]  # warm first
    rows: tuple[ProfileRow, ...]

    def to_json(self) -> dict[str, object]:
        return {"threshold_s": self.threshold_s, "modes": list(self.modes), "rows": [r.to_json() for r in self.rows]}


def profile(measured: Mapping[str, ByMode]) -> Profile:
    """Median seconds of the whole build and of each dh_* command, per tool and mode.

    Commands reaching PROFILE_THRESHOLD_S for either tool in either mode get
    a row each (the venv steps first, then the slowest first); the rest are
    summed per build into one row, and so is the time outside every dh_*
    command (dpkg-buildpackage, debian/rules, dh). A tool that never ran a
    command gets None for it.
    """
    modes = tuple(m for m in ("warm", "cold") if any(measured[t].get(m) for t in TOOLS))
    ran = {t: {c for runs in measured[t].values() for m in runs for c in m.build.steps} for t in TOOLS}
    commands = set().union(*ran.values())

    def medians(value: Callable[[Build], float], only: str | None = None) -> Seconds:
        """{tool: {mode: median of value(build)}}, None where the tool never ran the command ``only``."""
        return {
            t: {
                m: med([value(x.build) for x in measured[t].get(m, [])]) if only is None or only in ran[t] else None
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
    others = tuple(sorted(commands - set(listed)))
    rows = [ProfileRow("whole build", medians(lambda b: b.wall))]
    rows += [ProfileRow(c, per_command[c]) for c in listed]
    summed = medians(lambda b: sum(b.steps.get(c, 0.0) for c in others))
    rows.append(ProfileRow(f"other dh_* commands ({len(others)})", summed, others))
    rows.append(ProfileRow("outside dh_* commands", medians(lambda b: b.wall - sum(b.steps.values()))))
    return Profile(PROFILE_THRESHOLD_S, modes, tuple(rows))


def profile_table(prof: Profile, repeat: int) -> str:
    head = [f"profile: median s of {repeat} round(s)"]
    head += [f"{t} {m}" for m in prof.modes for t in TOOLS]
    rows = [head]
    for row in prof.rows:
        rows.append([row.label] + [fmt_num(row.seconds[t][m], "s") for m in prof.modes for t in TOOLS])
    return table(rows)
