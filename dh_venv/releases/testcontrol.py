"""The tests a maintainer lists in ``debian/tests/control`` (autopkgtest's format), as ``dh-venv smoke`` runs them.

A stanza's ``Test-Command`` runs under ``sh -e``; ``Tests`` names scripts
in ``Tests-Directory`` (default: beside the control file).  ``Depends``
adds packages to install (``@`` stands for the packages under test).
``Restrictions`` are honoured as autopkgtest does where a fresh chroot can:
without ``allow-stderr``, output on stderr fails a test; with
``skippable``, exit status 77 skips it.  ``Features: test-name=NAME`` names
a command.  A stanza needing what a chroot is not (a machine, a reboot,
the built source tree) is skipped with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from debian.deb822 import Deb822

from dh_venv.errors import DhVenvError

CONTROL = Path("debian/tests/control")
#: Restrictions a fresh chroot cannot give: the stanza is skipped.
_UNMET = {
    "isolation-machine": "needs a whole machine",
    "needs-reboot": "reboots the testbed",
    "build-needed": "needs the built source tree",
    "rw-build-tree": "needs the source tree",
    "needs-sudo": "needs a non-root user with sudo",
}


@dataclass(frozen=True)
class Test:
    """One test to run in the chroot."""

    #: What the report calls it: the command, or the script's name.
    name: str
    command: str | None = None
    script: Path | None = None
    allow_stderr: bool = False
    skippable: bool = False
    #: Why it is not run, when it cannot be.
    skipped: str | None = None


@dataclass(frozen=True)
class Tests:
    """The tests of one control file and the packages they need besides the ones under test."""

    control: Path
    tests: tuple[Test, ...]
    depends: tuple[str, ...]


def find(directory: Path, packages: Sequence[str]) -> Path | None:
    """``debian/tests/control`` of the source package in ``directory``, if it builds one of ``packages``."""
    control = directory / CONTROL
    if not control.is_file():
        return None
    try:
        text = (directory / "debian" / "control").read_text()
    except (OSError, UnicodeDecodeError):
        return None
    built = {p.get("Package", "") for p in Deb822.iter_paragraphs(text)}
    return control if built & set(packages) else None


def _depends(field: str) -> list[str]:
    """Package names of a Depends field, ``@`` and autopkgtest's ``@...@`` words left out."""
    names = []
    for item in field.split(","):
        first = item.split("|")[0].strip()
        name = re.split(r"[\s(\[<:]", first, maxsplit=1)[0]
        if name and not name.startswith("@"):
            names.append(name)
    return names


def _stanza(stanza: Deb822, where: str, tests_dir: Path) -> list[Test]:
    restrictions = set(re.split(r"[\s,]+", stanza.get("Restrictions", "").strip())) - {""}
    unmet = sorted(restrictions & _UNMET.keys())
    skipped = f"{unmet[0]}: {_UNMET[unmet[0]]}" if unmet else None
    allow_stderr, skippable = "allow-stderr" in restrictions, "skippable" in restrictions
    if "Test-Command" in stanza:
        command = " ".join(line.strip() for line in stanza["Test-Command"].strip().splitlines())
        features = re.split(r"[\s,]+", stanza.get("Features", ""))
        named = [f.removeprefix("test-name=") for f in features if f.startswith("test-name=")]
        return [Test(named[0] if named else command, command, None, allow_stderr, skippable, skipped)]
    found = []
    for name in stanza["Tests"].split():
        script = tests_dir / stanza.get("Tests-Directory", "") / name
        if not script.is_file() and skipped is None:
            raise DhVenvError(f"{where} names the test {name}, but {script} does not exist", hint="add it or fix Tests")
        found.append(Test(name, None, script, allow_stderr, skippable, skipped))
    return found


def read(control: Path) -> Tests:
    """The tests ``control`` lists, or an error naming the file and the stanza."""
    try:
        text = control.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise DhVenvError(
            f"cannot read the test list {control} ({exc})", hint="give an autopkgtest control file"
        ) from None
    tests: list[Test] = []
    depends: list[str] = []
    # Tests-Directory is relative to the source tree, which holds debian/tests/control.
    source_tree = control.resolve().parents[2] if len(control.resolve().parents) > 2 else control.parent
    for number, stanza in enumerate(Deb822.iter_paragraphs(text), 1):
        where = f"{control}, stanza {number},"
        if ("Tests" in stanza) == ("Test-Command" in stanza):
            raise DhVenvError(
                f"{where} has {'both' if 'Tests' in stanza else 'neither'} Tests and Test-Command",
                hint="give exactly one of them, as autopkgtest requires",
            )
        tests_dir = control.parent if "Tests-Directory" not in stanza else source_tree
        tests += _stanza(stanza, where, tests_dir)
        depends += _depends(stanza.get("Depends", "@"))
    if not tests:
        raise DhVenvError(f"{control} lists no test", hint="add a Test-Command stanza, or leave --tests out")
    return Tests(control, tuple(tests), tuple(dict.fromkeys(depends)))
