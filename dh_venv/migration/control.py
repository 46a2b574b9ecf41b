"""``debian/control``, edited as text: build-dependencies, interpreter dependencies, Architecture.

Only field values change, and only in the fields named here; the
descriptions and everything else keep their bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dh_venv.migration import Change

_BUILD_DEPENDS = ("build-depends", "build-depends-arch", "build-depends-indep")
_DEPENDS = ("depends", "pre-depends", "recommends")
_INCUMBENT = re.compile(r"(?<![\w.+-])dh-virtualenv(?![\w.+-])(\s*\([^)]*\))?(\s*\[[^\]]*\])?")
_SEQUENCE = re.compile(r"(?<![\w.+-])dh-sequence-python-virtualenv(?![\w.+-])")
_INTERPRETER = re.compile(r"python3\.\d+(\s*\([^)]*\))?")


@dataclass
class Field:
    name: str
    first: int
    last: int
    paragraph: int


@dataclass
class Control:
    """The lines of debian/control and where each field is."""

    lines: list[str]
    fields: list[Field] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Control:
        control = cls(text.splitlines(keepends=True))
        paragraph, current = 0, None
        for i, line in enumerate(control.lines):
            if not line.strip():
                if current is not None:
                    paragraph += 1
                current = None
            elif line[0] in " \t" and current is not None:
                current.last = i
            elif ":" in line and not line.startswith("#"):
                current = Field(line.split(":", 1)[0].strip().lower(), i, i, paragraph)
                control.fields.append(current)
        return control

    def value(self, f: Field) -> str:
        return "".join(self.lines[f.first : f.last + 1]).split(":", 1)[1]

    def set_value(self, f: Field, value: str) -> None:
        head = self.lines[f.first].split(":", 1)[0]
        new = (head + ":" + value).splitlines(keepends=True)
        self.lines[f.first : f.last + 1] = new + [""] * (f.last + 1 - f.first - len(new))

    def packages(self) -> dict[str, tuple[str, Field | None]]:
        """Binary package -> (architecture, its Architecture field)."""
        names = {f.paragraph: self.value(f).strip() for f in self.fields if f.name == "package"}
        arch = {f.paragraph: f for f in self.fields if f.name == "architecture"}
        out: dict[str, tuple[str, Field | None]] = {}
        for paragraph, name in names.items():
            f = arch.get(paragraph)
            out[name] = (self.value(f).strip() if f else "", f)
        return out

    def text(self) -> str:
        return "".join(self.lines)


def rewrite(text: str, path: str, substvars: list[str], arch_any: bool) -> tuple[str, list[Change]]:
    """Build-dependencies renamed; interpreter dependencies dropped; ``Architecture: all`` to ``any`` if asked."""
    control = Control.parse(text)
    changes: list[Change] = []
    turned: set[int] = set()
    for f in control.fields:
        value = control.value(f)
        if f.name in _BUILD_DEPENDS and f.paragraph == 0:
            new = _SEQUENCE.sub("dh-sequence-python-venv", _INCUMBENT.sub("dh-venv", value))
            for old in [*_INCUMBENT.finditer(value), *_SEQUENCE.finditer(value)]:
                target = "dh-sequence-python-venv" if "sequence" in old.group(0) else "dh-venv"
                changes.append(
                    Change(path, f.first + 1, f"{old.group(0)} -> {target}", "the build-dependency of dh-venv")
                )
        elif f.name in _DEPENDS and f.paragraph > 0:
            new, dropped = _drop_items(value, substvars)
            changes += [
                Change(
                    path,
                    f.first + 1,
                    f"removed {item} from {f.name.title()}",
                    "dh_venv adds the interpreter the venv was built for (python3.X) to ${misc:Depends}",
                )
                for item in dropped
            ]
        elif f.name == "architecture" and arch_any and value.strip() == "all":
            new = value.replace("all", "any", 1)
            turned.add(f.paragraph)
            changes.append(
                Change(path, f.first + 1, "Architecture: all -> any", "the venv holds compiled files (--arch-any)")
            )
        else:
            continue
        if new != value:
            control.set_value(f, new)
    for f in control.fields:
        if f.name == "depends" and f.paragraph in turned and "${shlibs:Depends}" not in control.value(f):
            control.set_value(f, control.value(f).rstrip("\n").rstrip(", \t") + ", ${shlibs:Depends}\n")
            changes.append(
                Change(
                    path,
                    f.first + 1,
                    "added ${shlibs:Depends} to Depends",
                    "the venv's compiled files need libraries (--arch-any)",
                )
            )
    return control.text(), changes


def _drop_items(value: str, substvars: list[str]) -> tuple[str, list[str]]:
    items = value.split(",")
    kept, dropped = [], []
    for item in items:
        word = item.strip()
        if word in {f"${{{name}}}" for name in substvars} or _INTERPRETER.fullmatch(word):
            dropped.append(word)
        else:
            kept.append(item)
    if not dropped:
        return value, []
    if kept and kept[0].strip() != "" and not kept[0].startswith((" ", "\n")):
        kept[0] = " " + kept[0]
    new = ",".join(kept)
    if items[-1].endswith("\n") and not new.endswith("\n"):
        new = new.rstrip(" \t") + "\n"
    return new, dropped
