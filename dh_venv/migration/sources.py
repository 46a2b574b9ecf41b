"""The files of a debianized tree that the migration reads and rewrites.

``debian/rules``, then every file under ``debian/`` its code names (the
scripts its overrides run, the makefiles it includes), transitively;
``debian/control``; triggers files; maintainer scripts.  The changelog,
copyright and any file no code runs are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dh_venv.migration import Change, Decision, commands, control
from dh_venv.migration.commands import TRIGGER

_NEVER = {"changelog", "control", "copyright", "compat", "watch", "source/format"}
_MAINTAINER_SCRIPTS = ("postinst", "prerm", "postrm")
_TOKEN = "#DEBHELPER#"


@dataclass
class Plan:
    """The new text of every file that changes, and what to tell the maintainer."""

    root: Path
    new: dict[Path, str | None] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def old(self, path: Path) -> str:
        return path.read_text() if path.is_file() else ""

    def shown(self, path: Path) -> str:
        return str(path.relative_to(self.root))


def plan(root: Path, *, arch_any: bool = False, add_token: bool = False) -> Plan:
    """Everything ``dh-venv migrate`` would change in the tree at ``root``."""
    out = Plan(root)
    substvars: list[str] = []
    queue, seen = [root / "debian" / "rules"], set()
    while queue:
        path = queue.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        result = commands.rewrite(path.read_text(), out.shown(path))
        out.changes += result.changes
        out.decisions += result.decisions
        substvars += result.substvars
        if result.text != path.read_text():
            out.new[path] = result.text
        for name in result.files:
            candidate = root / name
            relative = str(candidate.relative_to(root / "debian")) if candidate.is_relative_to(root / "debian") else ""
            if relative and relative not in _NEVER and _is_code(candidate):
                queue.append(candidate)
    path = root / "debian" / "control"
    packages = control.Control.parse(path.read_text()).packages()
    text, changes = control.rewrite(path.read_text(), out.shown(path), substvars, arch_any)
    out.changes += changes
    if text != path.read_text():
        out.new[path] = text
    _triggers(out, list(packages))
    _maintainer_scripts(out, list(packages), add_token)
    return out


def _is_code(path: Path) -> bool:
    """A text file a build would run or include (not a wheel, not a data file)."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return False
    return path.is_file() and b"\0" not in head and (head.startswith(b"#!") or path.suffix in (".mk", ".make", ".sh"))


def _triggers(out: Plan, packages: list[str]) -> None:
    names = [f"{p}.triggers" for p in packages] + (["triggers"] if packages else [])
    for name in names:
        path = out.root / "debian" / name
        if not path.is_file():
            continue
        lines = path.read_text().splitlines(keepends=True)
        kept = [line for line in lines if TRIGGER not in line.split("#", 1)[0].split()]
        for n, line in enumerate(lines):
            if line not in kept:
                out.changes.append(
                    Change(
                        out.shown(path),
                        n + 1,
                        f"removed {line.strip()!r}",
                        "dh-virtualenv's trigger: nothing activates it any more (the venv links its interpreter); "
                        "dh_venv adds a trigger on the interpreter itself",
                    )
                )
        if len(kept) != len(lines):
            useful = [line for line in kept if line.split("#", 1)[0].strip()]
            out.new[path] = "".join(kept) if useful else None


def _maintainer_scripts(out: Plan, packages: list[str], add_token: bool) -> None:
    for package in packages:
        for script in _MAINTAINER_SCRIPTS:
            path = out.root / "debian" / f"{package}.{script}"
            if not path.is_file() and package == packages[0]:
                path = out.root / "debian" / script
            if not path.is_file():
                continue
            text = out.new.get(path) or path.read_text()
            if _TOKEN in text:
                continue
            if not add_token:
                out.decisions.append(
                    Decision(
                        out.shown(path),
                        f"has no {_TOKEN} line, so dh_venv's snippets (byte-compiling the venv after install, "
                        "removing the bytecode before removal) would not run and dh_venv stops the build",
                        "dh-venv migrate --add-debhelper-token adds the line before the script's final exit",
                    )
                )
                continue
            out.new[path] = _with_token(text)
            out.changes.append(
                Change(out.shown(path), 0, f"added {_TOKEN}", "dh_venv's snippets go there (--add-debhelper-token)")
            )


def _with_token(text: str) -> str:
    """``text`` with a ``#DEBHELPER#`` line before its last top-level ``exit 0``, or at its end."""
    lines = text.splitlines(keepends=True)
    for n in range(len(lines) - 1, -1, -1):
        if re.fullmatch(r"exit\s+0\s*", lines[n]):
            return "".join([*lines[:n], f"{_TOKEN}\n\n", *lines[n:]])
        if lines[n].strip():
            break
    return text + ("" if text.endswith("\n") or not text else "\n") + f"\n{_TOKEN}\n"
