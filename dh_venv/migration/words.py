"""Lines of makefiles and shell scripts: code apart from comments, words with their spans.

Good enough for what ``debian/rules`` and the scripts it runs contain:
quotes, backslash escapes, ``$(...)``/``${...}`` (make's and the shell's,
nested) and backticks keep a ``#`` or a blank from ending a word or
starting a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dh_venv.migration import Change, Result

_OPEN = {"(": ")", "{": "}"}


def _bare(text: str) -> Iterator[int]:
    """Indexes of the characters of ``text`` outside quotes, escapes and ``$(...)``/``${...}``."""
    i, quote, depth = 0, "", 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c == "$" and text[i + 1 : i + 2] in _OPEN:
            depth += 1
            i += 1
        elif c in ")}" and depth:
            depth -= 1
        elif not depth:
            yield i
        i += 1


def split_comment(line: str) -> tuple[str, str]:
    """``(code, comment)``: the comment starts at a ``#`` that begins a word, outside quotes."""
    for i in _bare(line):
        if line[i] == "#" and (i == 0 or line[i - 1] in " \t;"):
            return line[:i], line[i:]
    return line, ""


def spans(code: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each shell word of ``code``: the runs between blanks outside quotes."""
    blanks = {i for i in _bare(code) if code[i] in " \t"}
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i in range(len(code) + 1):
        if i == len(code) or i in blanks:
            if start is not None:
                out.append((start, i))
            start = None
        elif start is None:
            start = i
    return out


def unquote(word: str) -> str:
    """A word without its quotes (no expansion)."""
    return re.sub(r"""["']""", "", word)


def variable_of(word: str) -> str | None:
    """The variable a word is nothing but a reference to: ``$X``, ``${X}``, ``$(X)``, ``"$X"``."""
    match = re.fullmatch(r"\$+(?:\{(\w+)\}|\((\w+)\)|(\w+))", unquote(word))
    return next(g for g in match.groups() if g) if match else None


def continues(code: str) -> bool:
    """Whether the line goes on in the next one (a trailing backslash)."""
    return code.rstrip(" \t\n").endswith("\\")


class Editor:
    """The lines of one file, edited in place (``None``: deleted), and what the edits were."""

    def __init__(self, text: str, path: str) -> None:
        self.lines: list[str | None] = [*text.splitlines(keepends=True)]
        self.path = path
        self.result = Result(text)

    def code(self, i: int) -> str:
        """Line ``i`` without its comment (empty once deleted)."""
        line = self.lines[i]
        return split_comment(line.rstrip("\n"))[0] if line is not None else ""

    def set_code(self, i: int, code: str) -> None:
        """Replace the code of line ``i``, keeping its comment."""
        line = self.lines[i]
        assert line is not None
        end = "\n" if line.endswith("\n") else ""
        self.lines[i] = code + split_comment(line.rstrip("\n"))[1] + end

    def change(self, i: int, what: str, why: str) -> None:
        self.result.changes.append(Change(self.path, i + 1, what, why))

    def text(self) -> str:
        return "".join(line for line in self.lines if line is not None)
