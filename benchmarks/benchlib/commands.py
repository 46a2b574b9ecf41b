"""Running a command and reading what it prints (the helper every stage shares)."""

from __future__ import annotations

import subprocess
from typing import Any


def run(argv: list[str], **kwargs: Any) -> str:
    """The command's standard output; CalledProcessError if it fails."""
    out: str = subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs).stdout
    return out
