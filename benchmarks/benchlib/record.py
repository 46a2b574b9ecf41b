"""What one input's builds gave, and the JSON file of the whole run (keys as earlier reports have them)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from .incumbent import IncumbentRules
from .inputs import TOOLS, InputSpec
from .machine import MachineInfo
from .profile import Profile
from .summary import ByMode, Summary


@dataclass(frozen=True)
class InputResult:
    """Every measured build of one input, their summaries per tool and their profile."""

    spec: InputSpec
    incumbent: IncumbentRules
    modes: tuple[str, ...]  # in the order --modes gave
    measured: Mapping[str, ByMode]  # tool -> mode -> builds
    summaries: Mapping[str, Summary]  # tool -> medians
    profile: Profile
    #: Seconds of each build of the same source by ``dh`` alone, without a venv (measured for the small input).
    baseline: tuple[float, ...] = ()
    #: Seconds this input took: warm-ups, and all its rounds.
    elapsed: tuple[float, float] = (0.0, 0.0)

    @property
    def baseline_s(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    def to_json(self) -> dict[str, object]:
        return {
            "package": self.spec.package,
            "description": self.spec.description,
            "dh_virtualenv_rules": self.incumbent.rules_text,
            "profile": self.profile.to_json(),
            "tools": {
                t: {
                    "summary": self.summaries[t].to_json(),
                    "runs": [m.to_json() for mode in self.modes for m in self.measured[t][mode]],
                }
                for t in TOOLS
            },
            "baseline_walls": [round(w, 3) for w in self.baseline],
            "elapsed_s": {"warmup": round(self.elapsed[0], 1), "rounds": round(self.elapsed[1], 1)},
        }


@dataclass(frozen=True)
class RunSettings:
    """The options of the run (the field order is the JSON file's)."""

    repeat: int
    inputs: list[str]
    modes: list[str]
    compressor: str  # as --compressor gave it, or "default"
    compressor_env: dict[str, str]
    elapsed_s: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def run_json(info: MachineInfo, settings: RunSettings, results: Mapping[str, InputResult]) -> dict[str, object]:
    """The whole JSON file."""
    return {
        "machine": info.to_json(),
        "settings": settings.to_json(),
        "inputs": {name: result.to_json() for name, result in results.items()},
    }
