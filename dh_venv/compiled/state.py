"""What dh_venv leaves for dh_venv_setaside and dh_venv_restore, kept safe against kills.

Per binary package, ``debian/.debhelper/dh_venv/<package>/`` holds
``compiled.json`` (which venvs were built, which distributions were built
from source) and, between the two steps, ``prebuilt.json`` with the files
moved to ``prebuilt/``.  Every file is written through a temporary file
and a rename.

A build stopped anywhere must resume with ``dpkg-buildpackage -nc``,
which runs the whole binary sequence again: dh_prep removes the staging
tree and ``debian/.debhelper/generated/<package>/``, where dh_venv keeps
the token of the build its state belongs to.  A state without its token
(an earlier, unfinished build), or one that cannot be read, is discarded
with a notice, never trusted.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from dh_venv import tree
from dh_venv.settings import work_dir

STATE = "compiled.json"
MANIFEST = "prebuilt.json"
ASIDE = "prebuilt"
_TOKEN = "dh_venv-build"


def _token_file(build_dir: Path, package: str) -> Path:
    """Inside what dh_prep removes, so a new run of the sequence has no token."""
    return build_dir / "debian" / ".debhelper" / "generated" / package / _TOKEN


@dataclass
class State:
    """What dh_venv leaves for the later steps of one binary package."""

    #: Venv directories on the target system (``/opt/venvs/<pkg>``).
    venvs: list[str] = field(default_factory=list)
    #: The package's staging tree (``-P``), absolute.
    staging: list[str] = field(default_factory=list)
    #: Normalized names of distributions built from source in this build.
    built_here: list[str] = field(default_factory=list)
    #: Distributions a pip report says came from a downloaded wheel.
    downloaded: list[str] = field(default_factory=list)
    #: Library packages to move from Depends to Recommends, or to leave out.
    recommends: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    #: Projects (source directories) built into the package, and the console-script links made.
    projects: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    #: The build this state belongs to (see the module's docstring).
    token: list[str] = field(default_factory=list)
    #: ``--allow-build-path`` patterns, for dh_venv_rescan.
    allow_build_path: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, work: Path, notes: list[str]) -> State | None:
        """The saved state, or None (with a note) if there is none or it cannot be trusted."""
        data = read_json(work / STATE, notes)
        if not isinstance(data, dict):
            if data is not None:
                discard(work, notes, f"{work / STATE} holds no state")
            return None
        try:
            return cls(**{k: [str(x) for x in v] for k, v in data.items() if k in cls.__dataclass_fields__})
        except TypeError:
            discard(work, notes, f"{work / STATE} holds no state")
            return None

    def save(self, work: Path) -> None:
        tree.write_atomic(work / STATE, json.dumps(self.__dict__, indent=1, sort_keys=True) + "\n")

    def merge(self, other: State) -> None:
        for name in self.__dataclass_fields__:
            mine: list[str] = getattr(self, name)
            mine += [v for v in getattr(other, name) if v not in mine]


def read_json(path: Path, notes: list[str]) -> object:
    """The content of a state file; None if missing; the file discarded (with a note) if corrupt."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        notes.append(f"{path} is corrupt (an interrupted write?); discarded it")
        path.unlink(missing_ok=True)
        return None


def discard(work: Path, notes: list[str], why: str) -> None:
    """Forget the state of ``work``: its files and whatever was set aside."""
    notes.append(f"{why}; discarded {work}")
    for name in (STATE, MANIFEST):
        (work / name).unlink(missing_ok=True)
    shutil.rmtree(work / ASIDE, ignore_errors=True)


def begin(build_dir: Path, package: str, notes: list[str]) -> None:
    """Called by dh_venv before it builds: drop the state of an unfinished earlier build, hold a token."""
    work = work_dir(build_dir, package)
    token = _token_file(build_dir, package)
    if token.is_file():
        return  # an earlier dh_venv call of this run of the sequence (one venv from several projects)
    if any((work / name).exists() for name in (STATE, MANIFEST, ASIDE)):
        discard(work, notes, f"the state of an earlier build of {package} that did not finish is left")
    tree.write_atomic(token, secrets.token_hex(16) + "\n")


def current(build_dir: Path, package: str, notes: list[str]) -> State | None:
    """The state of this run of the sequence, for dh_venv_setaside and dh_venv_restore."""
    work = work_dir(build_dir, package)
    state = State.load(work, notes)
    if state is None:
        return None
    try:
        token = _token_file(build_dir, package).read_text().strip()
    except OSError:
        token = ""
    if not token or state.token != [token]:
        discard(work, notes, f"{work / STATE} belongs to an earlier build (dh_prep ran since dh_venv)")
        return None
    return state


def stamp(build_dir: Path, package: str, state: State) -> None:
    """Tie ``state`` to this run of the sequence."""
    state.token = [_token_file(build_dir, package).read_text().strip()]
