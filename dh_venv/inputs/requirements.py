"""Requirements files: which ones, and what pip must not see in them.

``--requirements`` names them, else the project's ``requirements.txt``.
Before pip reads one, lines installing the project itself are dropped
(dh_venv installs it anyway), local directories are replaced by build
copies and editable requirements by regular ones; nested ``-r``/``-c``
files get the same treatment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from dh_venv import tree
from dh_venv.errors import DhVenvError
from dh_venv.inputs.project import IGNORED
from dh_venv.runner import Runner

DEFAULT_REQUIREMENTS = "requirements.txt"
#: ``--requirements=none``: no requirements file at all, not even the default one.
NO_REQUIREMENTS = "none"

_HASH_OPTION = re.compile(r"^[^#]*?(^|\s)--hash[=\s]")


def requirement_files(source_dir: Path, requested: tuple[str, ...] | None) -> list[Path]:
    """The requirements files to use: the requested ones, else ``requirements.txt`` if present."""
    if requested is None:
        default = source_dir / DEFAULT_REQUIREMENTS
        # Anything but a directory by that name is read (and a pipe refused).
        found = [default] if os.path.lexists(default) and not default.is_dir() else []
        for path in found:
            check_requirements(path)
            check_syntax(path, source_dir)
            _refuse_unreleased(path)
        return found
    files = [source_dir / r for r in requested if r != NO_REQUIREMENTS]
    for path in files:
        if path.exists() and not path.is_dir():
            check_requirements(path)  # an error naming what is wrong with it
        if not path.is_file():
            raise DhVenvError(
                f"requirements file {path} does not exist",
                hint="fix --requirements (paths are relative to the source directory)",
            )
        check_syntax(path, source_dir)
    return files


# A requirement fetched from version control: no release, whatever the branch holds today.
_VCS_REQUIREMENT = re.compile(
    r"(?:^|[\s=@])(git|hg|svn|bzr)\+[a-z]+://|^(-e|--editable)[\s=]+[a-z][a-z0-9+.-]*://", re.IGNORECASE
)


def _refuse_unreleased(path: Path) -> None:
    """A requirements file nobody named may be a developer's: no VCS or editable URL requirement in it."""
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        spec = line.split(" #", 1)[0].strip()
        if spec and not spec.startswith("#") and _VCS_REQUIREMENT.search(spec):
            raise DhVenvError(
                f"{path.name} (picked by default: no --requirements was given) has a version-control or editable "
                f"URL requirement on line {number}: {spec!r}; that is a development branch, not a release",
                hint=f"name the file (--requirements={path.name}) to install it anyway, or build without it "
                "(--requirements=none: the project and its declared dependencies only)",
            )


def is_hashed(paths: list[Path], files: Runner) -> bool:
    """Whether any of the requirements files pins with ``--hash`` (pip then requires it everywhere)."""
    return any(_HASH_OPTION.search(line) for path in paths for line in files.read_text(path).splitlines())


_NESTED = ("-r", "--requirement", "-c", "--constraint")
_EXTRAS = re.compile(r"\[([^\]]*)\]$")


def _self_reference(spec: str, source_dir: Path) -> list[str] | None:
    """The extras of a requirement naming the project itself (``.``, ``-e .[x]``), else None."""
    words = spec.split(None, 1)
    if words and words[0] in ("-e", "--editable"):
        spec = words[1] if len(words) > 1 else ""
    elif spec.startswith("--editable="):
        spec = spec.split("=", 1)[1]
    spec = spec.removeprefix("file:")
    match = _EXTRAS.search(spec)
    path = spec[: match.start()] if match else spec
    if not path.startswith((".", "/")) or Path(source_dir, path).resolve() != source_dir.resolve():
        return None
    return [e.strip() for e in match.group(1).split(",") if e.strip()] if match else []


def without_project(
    requirements: Path, source_dir: Path, dest: Path, files: Runner
) -> tuple[Path, list[str], list[str]]:
    """Drop lines of ``requirements`` that install the project itself.

    dh-virtualenv users often list ``.`` or ``-e .`` in requirements.txt;
    dh_venv installs the project anyway, and pip refuses the same project
    from two places.  Returns the file to use (a copy in ``dest`` when
    something was dropped, with nested ``-r``/``-c`` paths made absolute),
    the dropped lines and the extras they asked for.
    """
    kept: list[str] = []
    dropped: list[str] = []
    extras: list[str] = []
    for line in files.read_text(requirements).splitlines():
        spec = line.split(" #", 1)[0].strip()
        wanted = _self_reference(spec, source_dir)
        if wanted is not None:
            dropped.append(line.strip())
            extras += wanted
            continue
        option, _, value = spec.partition("=") if spec.startswith("--") else spec.partition(" ")
        if option in _NESTED and value.strip():
            line = f"{option} {(requirements.parent / value.strip()).resolve()}"
        kept.append(line)
    if not dropped:
        return requirements, [], []
    files.write_text(dest, "\n".join(kept) + "\n")
    return dest, dropped, extras


def check_requirements(path: Path) -> None:
    """Fail with a clear error where pip would crash: unreadable, not UTF-8, or with a NUL byte."""
    for number, line in enumerate(tree.read_text(path).splitlines(), 1):
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            raise DhVenvError(
                f"{path}: line {number} is not valid UTF-8, so pip cannot read the file",
                hint="save the requirements file as UTF-8",
            ) from None
        if "\0" in line:
            raise DhVenvError(
                f"{path}: line {number} contains a NUL byte, so it is not a text file",
                hint="save the requirements file as UTF-8 text",
            )


# What pip takes for a path or URL rather than a named requirement.
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
_HEAD = re.compile(r"[\s;@\[<>=!~(]")
_COMMENT = re.compile(r"(^|\s+)#.*$")


def check_syntax(path: Path, source_dir: Path, *, _depth: int = 0) -> None:
    """Fail on a line naming a requirement that is not PEP 508, with the file and line number.

    pip and uv would stop there too, halfway through the installation and
    without the file's name.  Options, paths, URLs and lines with
    ``${VARIABLES}`` (expanded by the installer) are left to the installer;
    nested ``-r``/``-c`` files are checked as well.
    """
    for number, line in _logical_lines(path):
        option, _, value = line.partition("=") if line.startswith("--") else line.partition(" ")
        if option in _NESTED and value.strip() and _depth < 10:
            nested = (path.parent / value.strip()).resolve()
            if nested.is_file():
                check_syntax(nested, source_dir, _depth=_depth + 1)
            continue
        # pip's per-requirement options (--hash, --config-settings) start at the first word with a dash.
        words = line.split()
        text = " ".join(words[: next((i for i, w in enumerate(words) if w.startswith("-")), len(words))]).strip()
        if not text or "${" in text or _is_location(text, source_dir):
            continue
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            raise DhVenvError(
                f"{path}: line {number}: invalid requirement {text!r}: {next(iter(str(exc).splitlines()), '')}",
                hint="write it as a PEP 508 requirement (name, extras, version, marker), a path or a URL",
            ) from None


def _logical_lines(path: Path) -> list[tuple[int, str]]:
    """(number, text) of each line without its comment, continuation lines (``\\``) joined."""
    found: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(tree.read_text(path).splitlines(), 1):
        start, text = pending if pending is not None else (number, "")
        text += raw
        if text.endswith("\\"):
            pending = (start, text[:-1])
            continue
        pending = None
        found.append((start, _COMMENT.sub("", text).strip()))
    if pending is not None:
        found.append((pending[0], _COMMENT.sub("", pending[1]).strip()))
    return found


def _is_location(text: str, source_dir: Path) -> bool:
    """Whether pip takes the requirement ``text`` for a path or URL."""
    head = _HEAD.split(text, maxsplit=1)[0]
    if any(c in head for c in "/\\:") or head.startswith((".", "~")) or head.lower().endswith(_ARCHIVES):
        return True
    return bool(head) and (source_dir / head).is_dir()


_VCS = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_NAMED_URL = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?)\s*@\s*(?P<url>\S+)$")


@dataclass
class Isolated:
    """What :func:`isolate_local` changed in a requirements file."""

    #: The file to give pip (the original when nothing changed).
    path: Path
    #: Warnings about requirements installed differently than written.
    notes: list[str] = field(default_factory=list)
    #: Special files left out of copied directories.
    skipped: list[Path] = field(default_factory=list)


def isolate_local(
    requirements: Path, source_dir: Path, dest: Path, copies: Path, files: Runner, *, _depth: int = 0
) -> Isolated:
    """Keep pip away from the source tree and out of editable installs.

    pip builds a local directory requirement (``./vendor_dep``) in place,
    leaving ``build/`` and ``*.egg-info`` in the maintainer's tree: such
    directories are copied under ``copies`` and the copy is installed.
    Editable requirements (``-e ./dir``, ``-e git+https://...``) make no
    sense in a package (an editable VCS install ships the checkout with its
    ``.git``): they are installed as regular ones.  Nested ``-r``/``-c``
    files get the same treatment.  Relative paths are taken from
    ``source_dir`` (pip's working directory), nested files from the file
    naming them.
    """
    result = Isolated(requirements)
    out: list[str] = []
    changed = False
    for index, line in enumerate(files.read_text(requirements).splitlines()):
        spec = line.split(" #", 1)[0].strip()
        option, _, value = spec.partition("=") if spec.startswith("--") else spec.partition(" ")
        if option in _NESTED and value.strip() and _depth < 10:
            nested = (requirements.parent / value.strip()).resolve()
            if nested.is_file():
                sub = isolate_local(
                    nested, source_dir, dest.with_name(f"{dest.stem}-{index}.txt"), copies, files, _depth=_depth + 1
                )
                result.notes += sub.notes
                result.skipped += sub.skipped
                if sub.path != nested:
                    out.append(f"{option} {sub.path}")
                    changed = True
                    continue
            out.append(line)
            continue
        editable = option in ("-e", "--editable")
        target = value.strip() if editable else spec
        new = _local_copy(target, source_dir, copies / f"{dest.stem}-{index}", result, files)
        if new is None and editable and target:
            new = target  # a VCS URL or anything else: install it, not in editable mode
        if new is None:
            out.append(line)
            continue
        if editable:
            result.notes.append(
                f"{requirements.name}: {spec!r} is installed as a regular, not an editable, requirement"
            )
        out.append(new)
        changed = True
    if changed:
        files.write_text(dest, "\n".join(out) + "\n")
        result.path = dest
    return result


def local_args(specs: tuple[str, ...], source_dir: Path, copies: Path, files: Runner) -> tuple[list[str], list[Path]]:
    """Requirement arguments with local directories replaced by copies; skipped special files."""
    result = Isolated(copies)
    out = [_local_copy(spec, source_dir, copies / f"arg-{i}", result, files) or spec for i, spec in enumerate(specs)]
    return out, result.skipped


def _local_copy(spec: str, source_dir: Path, copy: Path, result: Isolated, files: Runner) -> str | None:
    """``spec`` pointing at a copy of its local directory, or None if it names none."""
    if not spec or spec.startswith("-") or _VCS.match(spec):
        return None
    spec, semicolon, marker = spec.partition(";")
    spec = spec.strip()
    prefix = ""
    named = _NAMED_URL.match(spec)
    if named:
        prefix, spec = f"{named.group('name')} @ ", named.group("url")
    if spec.startswith("file://"):
        spec = spec[len("file://") :]
    elif spec.startswith("file:"):
        spec = spec[len("file:") :]
    elif named or not spec.startswith((".", "/")):
        return None
    match = _EXTRAS.search(spec)
    path, extras = (spec[: match.start()], match.group(0)) if match else (spec, "")
    directory = Path(source_dir, path).resolve()
    if not directory.is_dir() or directory == copy or directory in copy.parents:
        return None  # copying a directory into itself would never end
    # No byte from outside the source tree (or, for a directory outside it, from outside that directory).
    parts = copy.parts
    root = Path(*parts[: parts.index(".debhelper") - 1]) if ".debhelper" in parts else directory
    links = tree.Links(root if directory.is_relative_to(root) else directory, directory)
    result.skipped += files.copy_tree(directory, copy, lambda _here, names: {n for n in names if n in IGNORED}, links)
    location = f"file://{copy}" if prefix else str(copy)
    return f"{prefix}{location}{extras}" + (f" ;{marker}" if semicolon else "")
