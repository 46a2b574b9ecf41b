"""``debian/control`` from the project's metadata: names, fields and the description from the readme."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence

from dh_venv.scaffold.values import Project

_SYNOPSIS_MAX = 80
_LONG_MAX = 900
_WIDTH = 72
# Project-URL labels, normalised (lower case, letters only), by what they point at.
_HOME = ("homepage", "home", "homepageurl", "documentation", "docs")
_SOURCE = ("source", "sourcecode", "repository", "repo", "code", "github", "gitlab")
_HOSTS = re.compile(r"^https://(github\.com|gitlab\.[^/]+|codeberg\.org|salsa\.debian\.org|bitbucket\.org)/[^/]+/[^/]+")


def control(
    package: str,
    project: Project,
    *,
    maintainer: str,
    architecture: str,
    build_depends: Sequence[str],
    depends: Sequence[str],
    standards: str | None,
) -> str:
    """The text of ``debian/control``: one source package, one binary package."""
    homepage, vcs = urls(project.urls)
    source = [
        ("Source", package),
        ("Section", "misc"),
        ("Priority", "optional"),
        ("Maintainer", maintainer),
        ("Build-Depends", ",\n ".join(["debhelper-compat (= 13)", "dh-sequence-python-venv", *build_depends])),
        ("Standards-Version", standards or ""),
        ("Rules-Requires-Root", "no"),
        ("Homepage", homepage or ""),
        ("Vcs-Browser", vcs or ""),
        ("Vcs-Git", f"{vcs}.git" if vcs and not vcs.endswith(".git") else vcs or ""),
    ]
    binary_depends = [*depends, "${misc:Depends}", *(["${shlibs:Depends}"] if architecture == "any" else [])]
    binary = [
        ("Package", package),
        ("Architecture", architecture),
        ("Depends", ",\n ".join(binary_depends)),
        ("Description", description(package, project)),
    ]
    return "\n\n".join("\n".join(f"{k}: {v}" for k, v in para if v) for para in (source, binary)) + "\n"


def urls(project_urls: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(Homepage, the repository for Vcs-*) from the project's URLs."""
    by_label = {re.sub(r"[^a-z]", "", label.lower()): url for label, url in project_urls.items() if _usable(url)}
    home = next((by_label[k] for k in _HOME if k in by_label), None) or by_label.get("homepage")
    source = next((by_label[k] for k in _SOURCE if k in by_label), None)
    hosted = [m.group(0) for url in project_urls.values() if (m := _HOSTS.match(url))]
    own = _HOSTS.match(source) if source else None
    vcs = own.group(0) if own else hosted[0] if hosted else None
    return home or source or vcs, vcs.removesuffix("/") if vcs else None


def _usable(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not re.search(r"\s", url)


def description(package: str, project: Project) -> str:
    """``synopsis\\n long description`` (deb822 continuation lines) from the summary and the readme."""
    synopsis = synopsis_of(package, project)
    paragraphs = readme_paragraphs(project.readme, project.readme_type)
    kept: list[str] = []
    for para in paragraphs:
        if sum(map(len, kept)) + len(para) > _LONG_MAX and kept:
            break
        if para.rstrip(".").lower() != synopsis.lower():
            kept.append(para)
    kept.append(
        f"This package ships {project.name} with every Python distribution it needs in its own "
        f"virtual environment under /opt/venvs/{package}."
    )
    lines = [synopsis]
    for index, para in enumerate(kept):
        if index:
            lines.append(" .")
        lines += [f" {line}" for line in textwrap.wrap(para, _WIDTH, break_on_hyphens=False)]
    return "\n".join(lines)


def synopsis_of(package: str, project: Project) -> str:
    """The summary as Debian wants a synopsis: one line, no final full stop, not starting with the name."""
    text = " ".join(project.summary.split()).rstrip(".") or f"Python application {project.name}"
    if text.lower().startswith((package, project.name.lower())):
        text = re.sub(r"^\S+\s*[:,-]*\s*", "", text) or f"Python application {project.name}"
    text = re.sub(r"^(an?|the)\s+(?=\S)", "", text, flags=re.IGNORECASE)  # lintian: no leading article
    if len(text) > _SYNOPSIS_MAX:
        text = text[: _SYNOPSIS_MAX - 3].rsplit(" ", 1)[0] + "..."
    return text[0].upper() + text[1:] if text[0].islower() and text.split()[0].isalpha() else text


def readme_paragraphs(readme: str, content_type: str) -> list[str]:
    """The introduction of a Markdown, reST or plain readme: its prose paragraphs before the second heading.

    Headings, badges, code, lists, tables and HTML are left out, and so are
    paragraphs that introduce an example (ending with a colon).
    """
    paragraphs: list[str] = []
    fenced = False
    for block in re.split(r"\n\s*\n", readme.replace("\r\n", "\n")):
        lines = block.splitlines()
        fences = sum(line.lstrip().startswith(("```", "~~~")) for line in lines)
        if fences:
            fenced = fenced != bool(fences % 2)
            continue
        if fenced or not lines:
            continue
        if _heading(lines):
            if paragraphs:
                break
            continue
        if _not_prose(lines):
            continue
        text = " ".join(line.strip() for line in lines)
        text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # Markdown links and images
        text = re.sub(r"`([^`<]*?)\s*<[^>]*>`_+", r"\1", text)  # reST links
        text = re.sub(r"(?<=\w)__?(?=[\s.,;)]|$)", "", text)  # reST references: name_
        text = re.sub(r"[`*]+|\s_(?=\w)", lambda m: " " if m.group(0).startswith(" ") else "", text).strip()
        if len(text) > 20 and not text.endswith(":") and " " in text:
            paragraphs.append(text)
    return paragraphs


_UNDERLINE = re.compile(r"[=\-~^\"'`#*+]{3,}")


def _heading(lines: list[str]) -> bool:
    """A Markdown heading, or a reST title (underlined, maybe overlined)."""
    first = lines[0].strip()
    return (
        re.match(r"#{1,6}\s", first) is not None
        or _UNDERLINE.fullmatch(first) is not None
        or (len(lines) >= 2 and _UNDERLINE.fullmatch(lines[1].strip()) is not None)
    )


def _not_prose(lines: list[str]) -> bool:
    first = lines[0].strip()
    return (
        first.startswith(("<", "[!", "![", ".. ", "|", ">", "- ", "* ", "+ ", "::", ":"))
        or lines[0][:1].isspace()
        or re.match(r"\d+\.\s", first) is not None
        or (not first[:1].isalnum() and not first.startswith(("(", '"')))
    )
