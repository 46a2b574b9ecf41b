"""One measured build with what was learnt from it: the values the summary and profile read."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analysis
from .builds import Build
from .floor import Floor
from .install import InstallTimes


@dataclass(frozen=True)
class Measurement:
    """A measured build, its .deb's analysis and, for the last build of a round, floor and install."""

    mode: str  # cold or warm
    build: Build
    analysis: Analysis
    floor: Floor | None = None
    install: InstallTimes | None = None

    def to_json(self) -> dict[str, object]:
        """The build's entry under "runs" in the JSON file."""
        b = self.build
        return {
            "mode": self.mode,
            "wall_s": round(b.wall, 3),
            "steps_s": {k: round(v, 3) for k, v in sorted(b.steps.items())},
            "load_before": b.load_before,
            "busy_before": list(b.busy_before),
            "analysis": self.analysis.to_json(),
            "install": self.install.to_json() if self.install else None,
            "floor": self.floor.to_json() if self.floor else None,
        }
