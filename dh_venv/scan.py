"""Scanning a finished tree for paths of the build machine."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# Shorter needles would match ordinary text ("/src", "/tmp").
_MIN_NEEDLE = 5


def needles_for(build_dir: Path) -> list[bytes]:
    """The byte strings that betray ``build_dir``: literal and resolved.

    A very short build directory ("/src") is searched as ``/src/debian/``,
    where the staging tree and the build copy live, rather than not at all.
    """
    needles = set()
    for form in {str(build_dir), os.path.realpath(build_dir)}:
        needles.add(form if len(form) >= _MIN_NEEDLE else os.path.join(form, "debian", ""))
    return [n.encode() for n in sorted(needles)]


def find_leaks(roots: Iterable[Path], needles: list[bytes]) -> list[Path]:
    """Every file or symlink under ``roots`` that contains one of ``needles``."""
    leaks: list[Path] = []
    for root in roots:
        if root.is_symlink() or root.is_file():
            candidates: Iterable[tuple[str, list[str], list[str]]] = [(str(root.parent), [], [root.name])]
        else:
            candidates = os.walk(root)
        for dirpath, dirnames, filenames in candidates:
            for name in [*dirnames, *filenames]:
                path = Path(dirpath, name)
                if path.is_symlink():
                    data = os.fsencode(os.readlink(path))
                elif name in filenames and path.is_file():
                    data = path.read_bytes()
                else:
                    continue
                if any(n in data for n in needles):
                    leaks.append(path)
    return sorted(leaks)
