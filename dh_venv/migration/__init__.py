"""Moving a debianized source tree from dh-virtualenv to dh-venv (``dh-venv migrate``).

:mod:`.words` reads one line of a makefile or shell script (code and
comment apart, shell words with their spans) and edits lines;
:mod:`.commands` rewrites the names in one such file and what dh_venv now
does itself; :mod:`.options` the ``dh_virtualenv`` command lines;
:mod:`.control` edits ``debian/control``; :mod:`.sources` finds the files
``debian/rules`` runs, triggers files and maintainer scripts, and plans
the whole change.  Every edit comes with one line saying what and why.
Nothing here prints, runs a program or writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """One edit: ``path:line: what; why``."""

    path: str
    line: int
    what: str
    why: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.what}; {self.why}"
            if self.line
            else f"{self.path}: {self.what}; {self.why}"
        )


@dataclass(frozen=True)
class Decision:
    """Something the maintainer must decide before the build: what, and the way out."""

    path: str
    what: str
    offer: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}; {self.offer}"


@dataclass
class Result:
    """What rewriting one file did."""

    text: str
    changes: list[Change] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    #: Substitution variables no longer filled (their ``${name}`` goes from debian/control).
    substvars: list[str] = field(default_factory=list)
    #: ``debian/...`` paths the code names (scripts it runs, makefiles it includes).
    files: list[str] = field(default_factory=list)
