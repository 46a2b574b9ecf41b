"""Rewriting one makefile or shell script of ``debian/`` from dh-virtualenv to dh-venv.

Only code changes, never a comment: the command and its override
targets, the ``--with`` sequence name, the environment variable, the
options of the ``dh_virtualenv`` command lines, and what dh_venv now
does itself (the interpreter found by ``readlink -e /usr/bin/python3``,
``python3.X`` substitution variables, dh-virtualenv's trigger).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dh_venv.migration import Decision, Result, options
from dh_venv.migration.words import Editor, continues

TRIGGER = "dh-virtualenv-interpreter-update"
_TARGET = re.compile(r"\b(override|execute_before|execute_after)_dh_virtualenv(?=-arch\b|-indep\b|\b)")
_COMMAND = re.compile(r"(?<![\w./=-])((?:/usr)?/bin/)?dh_virtualenv(?![\w.-])")
_WITH = re.compile(r"(--with[= ]\s*)([\w,+-]+)")
_ENV = re.compile(r"\bDH_VIRTUALENV_INSTALL_ROOT\b")
_BUILDSYSTEM = re.compile(r"--buildsystem[= ]\s*dh_virtualenv\b|-S\s*dh_virtualenv\b|\bDH_VIRTUALENV_ARGUMENTS\b")
_ASSIGN = re.compile(r"^\s*(?:export\s+)?(\w+)\s*[:?+]?=\s*(.*)$")
_SUBSTVARS_WRITE = re.compile(r">>?\s*\S*debian/\S*substvars")
_SUBSTVAR_VALUE = re.compile(r"""^(?:echo|printf)\s+["']?([\w][\w:.+-]*)=(.*)""")
_FILE = re.compile(r"(?<![\w.-])debian/[\w.+-]+(?:/[\w.+-]+)*")


def rewrite(text: str, path: str) -> Result:
    """Rewrite the makefile or shell script ``text`` (shown as ``path``)."""
    ed = Editor(text, path)
    dance = _dance_variables(ed)
    for i in range(len(ed.lines)):
        _rename(ed, i)
    for i in range(len(ed.lines)):
        if ed.lines[i] is not None and options.is_command(ed.code(i), "dh_venv"):
            options.command_options(ed, i, dance)
        if ed.lines[i] is not None and options.is_command(ed.code(i), "dh_gencontrol"):
            options.gencontrol(ed, i, dance)
    options.keep_seed(ed)
    for i in range(len(ed.lines)):
        _drop_line(ed, i, dance)
    _drop_unused(ed, dance)
    for i in range(len(ed.lines)):
        ed.result.files += [f for f in _FILE.findall(ed.code(i)) if f not in ed.result.files]
    ed.result.text = ed.text()
    return ed.result


def _dance_variables(ed: Editor) -> set[str]:
    """Variables holding the resolved interpreter, and those computed from them."""
    found: set[str] = set()
    grew = True
    while grew:
        grew = False
        for i in range(len(ed.lines)):
            match = _ASSIGN.match(ed.code(i))
            if not match or match.group(1) in found:
                continue
            value = match.group(2)
            if options.DANCE.search(value) or any(re.search(rf"\$[({{]?{v}\b", value) for v in found):
                found.add(match.group(1))
                grew = True
    return found


def _rename(ed: Editor, i: int) -> None:
    code = ed.code(i)
    if not code or ed.lines[i] is None:
        return
    if _BUILDSYSTEM.search(code):
        ed.result.decisions.append(
            Decision(
                f"{ed.path}:{i + 1}",
                "dh-virtualenv's build system form (--buildsystem=dh_virtualenv, DH_VIRTUALENV_ARGUMENTS) has no "
                "counterpart",
                "change it to the add-on form by hand, as docs/migration.rst says, and run dh-venv migrate again",
            )
        )
        return
    rules: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str], str], ...] = (
        (_TARGET, lambda m: f"{m.group(1)}_dh_venv", "the command is dh_venv now"),
        (_COMMAND, lambda m: f"{m.group(1) or ''}dh_venv", "dh_venv is the command of dh-venv"),
        (_WITH, _with_list, "the dh add-on is python-venv"),
        (_ENV, lambda m: "DH_VENV_INSTALL_ROOT", "dh_venv reads DH_VENV_INSTALL_ROOT (the old name only as fallback)"),
    )
    for pattern, new, why in rules:
        for match in list(pattern.finditer(code)):
            replacement = new(match)
            if replacement != match.group(0):
                ed.change(i, f"{match.group(0).strip()} -> {replacement.strip()}", why)
        code = pattern.sub(new, code)
    ed.set_code(i, code)


def _with_list(match: re.Match[str]) -> str:
    items = [
        "python-venv" if item in ("python-virtualenv", "python_virtualenv") else item
        for item in match.group(2).split(",")
    ]
    return match.group(1) + ",".join(items)


def _drop_line(ed: Editor, i: int, dance: set[str]) -> None:
    """Lines that write dh-virtualenv's trigger or a hand-made interpreter substitution variable."""
    code = ed.code(i)
    if not code.strip() or continues(code) or (i and continues(ed.code(i - 1))):
        return
    if re.search(rf"(?<![\w-]){TRIGGER}(?![\w-])", code):
        ed.lines[i] = None
        ed.change(
            i,
            f"removed {code.strip()!r}",
            "dh-virtualenv's trigger: nothing activates it any more (the venv links its interpreter); "
            "dh_venv adds a trigger on the interpreter itself",
        )
        return
    match = _SUBSTVAR_VALUE.match(code.strip())
    if match and _SUBSTVARS_WRITE.search(code) and options.python_valued(match.group(2).strip("\"' >"), dance):
        ed.lines[i] = None
        ed.result.substvars.append(match.group(1))
        ed.change(i, f"removed {code.strip()!r}", "dh_venv adds the interpreter the venv needs to ${misc:Depends}")


def _drop_unused(ed: Editor, dance: set[str]) -> None:
    """Assignments of the interpreter variables nothing uses any more."""
    grew = True
    while grew:
        grew = False
        for i in range(len(ed.lines)):
            match = _ASSIGN.match(ed.code(i))
            if not match or match.group(1) not in dance or continues(ed.code(i)):
                continue
            name = match.group(1)
            used = any(j != i and re.search(rf"\$[({{]?{name}\b", ed.code(j)) for j in range(len(ed.lines)))
            if not used:
                ed.change(i, f"removed {ed.code(i).strip()!r}", "nothing uses it any more")
                ed.lines[i] = None
                grew = True
