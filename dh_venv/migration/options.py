"""The options of ``dh_venv`` command lines (and ``dh_gencontrol``'s ``-V``), rewritten for dh-venv.

Works on a :class:`~dh_venv.migration.words.Editor`; each edit is reported
as a :class:`~dh_venv.migration.Change`, each question as a
:class:`~dh_venv.migration.Decision`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from dh_venv.migration import Decision
from dh_venv.migration.words import Editor, continues, spans, unquote, variable_of

DANCE = re.compile(r"\b(readlink\s+-[ef]|realpath)\s+/usr/bin/python3\b")
# The venv's pip or python (a path ending in bin/, not the system's /usr/bin or /bin).
_VENV_PIP = re.compile(r"(?<!/usr)(?<![\s\"'=])/bin/(?:pip[\d.]*|python[\d.]*\s+-m\s+pip)\s")
_WHY_DROPPED = {
    "--builtin-venv": "dh_venv always creates the venv with virtualenv",
    "--setuptools": "setuptools is always available to builds",
    "-s": "short for --setuptools, which setuptools' presence in every build makes moot",
    "--no-test": "it had no effect in dh-virtualenv either",
}
_REFUSED = {
    "--pip-tool": "dh_venv refuses it: choose --installer=pip, --installer=uv or the default --installer=auto",
    "--setuptools-test": "dh_venv refuses it: run the tests in override_dh_venv after dh_venv, with the venv's python",
}


def is_command(code: str, name: str) -> bool:
    """Whether a word of ``code`` is the command ``name`` (bare or in /usr/bin, /bin)."""
    return any(re.fullmatch(rf"(?:(?:/usr)?/bin/)?{name}", code[s:e]) for s, e in spans(code))


def command_lines(ed: Editor, first: int) -> list[int]:
    """The line ``first`` and its continuation lines."""
    lines = [first]
    while continues(ed.code(lines[-1])) and lines[-1] + 1 < len(ed.lines):
        lines.append(lines[-1] + 1)
    return lines


def command_options(ed: Editor, first: int, dance: set[str]) -> None:
    """Drop, rename or question the options of one dh_venv command (with its continuation lines)."""
    requirements = 0
    for i in command_lines(ed, first):
        code = ed.code(i)
        words = spans(code)
        edits: list[tuple[int, int, str]] = []
        for n, (s, e) in enumerate(words):
            word = unquote(code[s:e])
            name, eq, _ = word.partition("=")
            if name in _WHY_DROPPED and not eq:
                edits.append((s, e, ""))
                ed.change(i, f"removed {name}", _WHY_DROPPED[name])
            elif name == "--pypi-url":
                edits.append((s, s + len(name), "--index-url"))
                ed.change(i, "--pypi-url -> --index-url", "the option's name in pip and dh_venv")
            elif name in _REFUSED:
                ed.result.decisions.append(Decision(f"{ed.path}:{i + 1}", f"{name} has no counterpart", _REFUSED[name]))
            elif name == "--requirements":
                requirements += 1
            elif name == "--python":
                _python_option(ed, i, code, words, n, dance, edits)
            elif word in ("-a", "--arch") and n + 1 < len(words) and code[words[n + 1][0]] != "-":
                edits.append((s, words[n + 1][1], ""))
                ed.change(
                    i,
                    f"removed {code[s : words[n + 1][1]]}",
                    "dh_virtualenv ignored it; dh_venv's -a takes no value (it selects the architecture-dependent "
                    "packages, as in every debhelper command)",
                )
        for s, e, new in sorted(edits, reverse=True):
            code = code[:s] + new + code[e:] if new else _cut(code, s, e)
        ed.set_code(i, code)
    if requirements > 1:
        ed.result.decisions.append(
            Decision(
                f"{ed.path}:{first + 1}",
                "--requirements is given more than once: dh_virtualenv used the last file only, dh_venv installs all",
                "keep the one file dh-virtualenv used, unless all are meant",
            )
        )
    _tidy_continuations(ed, command_lines(ed, first))


def _python_option(
    ed: Editor,
    i: int,
    code: str,
    words: list[tuple[int, int]],
    n: int,
    dance: set[str],
    edits: list[tuple[int, int, str]],
) -> None:
    """``--python``: dropped if it names the resolved /usr/bin/python3, questioned if the release lacks it."""
    s, e = words[n]
    eq = "=" in code[s:e]
    raw = code[s:e].partition("=")[2] if eq else (code[slice(*words[n + 1])] if n + 1 < len(words) else "")
    if not _python_dance(raw, dance):
        _check_python(ed, i, unquote(raw))
        return
    edits.append((s, e if eq else words[n + 1][1], ""))
    ed.change(
        i,
        f"removed --python {raw}",
        "dh_venv resolves /usr/bin/python3 to /usr/bin/python3.X itself, and depends on it",
    )


def _cut(code: str, s: int, e: int) -> str:
    """``code`` without the word at ``s:e`` and the blanks before it."""
    head = code[:s].rstrip(" \t")
    if not head.strip():
        head = code[:s]  # keep the indentation of a line that starts with the word
        return head + code[e:].lstrip(" \t")
    return head + (" " if code[e:].strip() else "") + code[e:].lstrip(" \t")


def keep_seed(ed: Editor) -> None:
    """``--keep-seed`` for dh_venv commands of a file that runs the venv's pip: dh_venv leaves pip out otherwise."""
    if not any(_VENV_PIP.search(ed.code(i) + " ") for i in range(len(ed.lines))):
        return
    for i in range(len(ed.lines)):
        if ed.lines[i] is None or not is_command(ed.code(i), "dh_venv"):
            continue
        lines = command_lines(ed, i)
        if any("--keep-seed" in ed.code(j) for j in lines):
            continue
        last = lines[-1]
        ed.set_code(last, ed.code(last).rstrip(" \t") + " --keep-seed")
        ed.change(
            last,
            "added --keep-seed",
            "this file runs the venv's pip after dh_venv, and dh_venv ships no pip, setuptools or wheel without it",
        )


def _python_dance(raw: str, dance: set[str]) -> bool:
    return bool(DANCE.search(raw)) or variable_of(raw) in dance


def _check_python(ed: Editor, i: int, value: str) -> None:
    if not value or "$" in value or "`" in value:
        return
    path = Path(value) if value.startswith("/") else None
    exists = path.exists() if path else any(Path(d, value).exists() for d in ("/usr/bin", "/bin"))
    if not exists and (path or shutil.which(value, path="/usr/bin:/bin") is None):
        ed.result.decisions.append(
            Decision(
                f"{ed.path}:{i + 1}",
                f"--python {value} names an interpreter this machine (this release) does not have",
                "drop --python to build for /usr/bin/python3 resolved, or name an interpreter the release ships",
            )
        )


def _tidy_continuations(ed: Editor, lines: list[int]) -> None:
    """Drop lines left with nothing but a backslash; the last kept line ends the command."""
    kept = []
    for i in lines:
        if ed.code(i).strip() in ("\\", "") and i != lines[0]:
            ed.lines[i] = None
        else:
            kept.append(i)
    if kept and continues(ed.code(kept[-1])) and not continues(ed.code(lines[-1]) if ed.lines[lines[-1]] else ""):
        ed.set_code(kept[-1], ed.code(kept[-1]).rstrip(" \t\\").rstrip(" \t"))


def gencontrol(ed: Editor, first: int, dance: set[str]) -> None:
    """Drop ``-Vname=python3.X`` (or a resolved-interpreter value) from a dh_gencontrol command."""
    for i in command_lines(ed, first):
        code = ed.code(i)
        for s, e in reversed(spans(code)):
            match = re.fullmatch(r"-V([\w][\w:.+-]*)=(.*)", unquote(code[s:e]))
            if match and python_valued(match.group(2), dance):
                ed.result.substvars.append(match.group(1))
                ed.change(i, f"removed {code[s:e]}", "dh_venv adds the interpreter the venv needs to ${misc:Depends}")
                code = _cut(code, s, e)
        code = re.sub(r"\s+--\s*$", "", code)
        ed.set_code(i, code)
    _tidy_continuations(ed, command_lines(ed, first))


def python_valued(value: str, dance: set[str]) -> bool:
    if re.fullmatch(r"python3\.\d+", value):
        return True
    return bool(DANCE.search(value)) or any(re.search(rf"\$[({{]?{v}\b", value) for v in dance)


def command_words(text: str) -> list[list[str]]:
    """The literal words after each ``dh_venv`` command of a makefile or script (variables left out)."""
    ed = Editor(text, "")
    found = []
    for i in range(len(ed.lines)):
        code = ed.code(i)
        if not is_command(code, "dh_venv"):
            continue
        joined = " ".join(ed.code(j).rstrip(" \t\\") for j in command_lines(ed, i))
        words = [joined[s:e] for s, e in spans(joined)]
        start = next(n for n, w in enumerate(words) if re.fullmatch(r"(?:(?:/usr)?/bin/)?dh_venv", w)) + 1
        found.append(
            [unquote(w) for w in words[start:] if "$" not in w and "`" not in w and w not in (";", "&&", "||")]
        )
    return found
