"""``debian/copyright`` in the machine-readable format, with the project's license in Debian's short names.

The license comes from the metadata as an SPDX expression (through
:mod:`dh_venv.record.licenses`); each identifier is named as Debian's
copyright format names it (``MIT`` is ``Expat``, ``GPL-2.0-or-later`` is
``GPL-2+``).  A license Debian ships in ``/usr/share/common-licenses`` is
referred to there; any other gets the project's own license file as its
text.  A header comment says where the licenses of the distributions
bundled in the venv are in the installed package.
"""

from __future__ import annotations

import datetime
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path

from dh_venv.record.steps import SBOM_NAME, SUMMARY_NAME
from dh_venv.scaffold.values import Project

FORMAT = "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
COMMON = Path("/usr/share/common-licenses")

# SPDX identifiers whose Debian short name differs (copyright-format 1.0, "License specification").
_DEBIAN_NAMES = {
    "MIT": "Expat",
    "BSD-2-Clause": "BSD-2-clause",
    "BSD-3-Clause": "BSD-3-clause",
    "BSD-4-Clause": "BSD-4-clause",
    "PSF-2.0": "PSF-2",
    "Python-2.0": "Python",
    "Zlib": "Zlib",
    "Artistic-1.0": "Artistic",
    "GFDL-1.2-only": "GFDL-1.2",
    "GFDL-1.3-only": "GFDL-1.3",
}
_GNU = re.compile(r"^(A?GPL|LGPL|GFDL)-(\d\.\d)-(only|or-later)$")


def debian_name(identifier: str) -> str:
    """Debian's short name for one SPDX identifier (``GPL-3.0-or-later`` -> ``GPL-3+``)."""
    if identifier in _DEBIAN_NAMES:
        return _DEBIAN_NAMES[identifier]
    gnu = _GNU.match(identifier)
    if gnu:
        family, version, scope = gnu.groups()
        # Debian names GPL and AGPL versions without ".0"; LGPL-2.1 keeps its minor version.
        version = version.removesuffix(".0")
        return f"{family}-{version}{'+' if scope == 'or-later' else ''}"
    return identifier


# The first lines of license texts Debian ships in /usr/share/common-licenses: (pattern, SPDX identifier).
_TEXTS = (
    (r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3", "AGPL-3.0-only"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", "LGPL-3.0-only"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1", "LGPL-2.1-only"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 3", "GPL-3.0-only"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 2", "GPL-2.0-only"),
    (r"Apache License\s+Version 2\.0, January 2004", "Apache-2.0"),
    (r"Mozilla Public License,? [Vv]ersion 2\.0", "MPL-2.0"),
)


def recognised(texts: Mapping[str, str]) -> str | None:
    """The SPDX identifier of the one license file, when it is the whole text of a license Debian ships."""
    if len(texts) != 1:
        return None
    head = " ".join(next(iter(texts.values())).split()[:40])
    return next((spdx for pattern, spdx in _TEXTS if re.search(pattern, head, flags=re.IGNORECASE)), None)


def license_field(project: Project) -> tuple[str, list[str]]:
    """(the ``License:`` value, the short names it uses) for the project's license.

    Metadata that names no SPDX license (``GNU-GPL``) is read from the license
    file when that is the complete text of one of Debian's common licenses.
    """
    license = project.license
    expression = license.expression or recognised(project.license_files)
    if expression:
        words = re.findall(r"\(|\)|[^\s()]+", expression)
        out, names = [], []
        for index, word in enumerate(words):
            if word in ("OR", "AND"):
                out.append(word.lower())
            elif word == "WITH":
                out.append("with")
            elif word in "()":
                continue
            elif index and words[index - 1] == "WITH":
                out.append(f"{word} exception")
            else:
                name = debian_name(word)
                out.append(name)
                names.append(name)
        return " ".join(out), list(dict.fromkeys(names))
    if license.names:
        name = re.sub(r"\s+", "-", license.names[0].strip())
        return name, [name]
    return "unknown", ["unknown"]


def copyright(
    package: str, project: Project, *, maintainer: str, source: str | None, environ: Mapping[str, str]
) -> tuple[str, list[str]]:
    """(the text of ``debian/copyright``, warnings for the maintainer)."""
    year = _year(environ)
    field, names = license_field(project)
    holders = _holders(project) or [f"the {project.name} authors"]
    contact = _contact(project)
    header = [f"Format: {FORMAT}", f"Upstream-Name: {project.name}"]
    header += [f"Upstream-Contact: {contact}"] if contact else []
    header += [f"Source: {source}"] if source else []
    site = f"/opt/venvs/{package}"
    comment = (
        f"The package bundles, in the virtual environment under {site}, the Python distributions "
        f"{project.name} needs, each with its own license. /usr/share/doc/{package}/{SUMMARY_NAME} lists every "
        f"one of them with its license, /usr/share/doc/{package}/{SBOM_NAME} is their bill of materials, and "
        f"each keeps its license files in its .dist-info directory under {site}/lib/."
    )
    header.append("Comment: " + "\n ".join(textwrap.wrap(comment, 70, break_on_hyphens=False)))
    files = [
        "Files: *",
        "Copyright: " + "\n           ".join(f"{year} {h}" for h in holders),
        f"License: {field}",
    ]
    debian = ["Files: debian/*", f"Copyright: {year} {maintainer}", f"License: {field}"]
    paragraphs = ["\n".join(header), "\n".join(files), "\n".join(debian)]
    warnings = []
    own = [n for n in names if not _common(n)]
    for name in names:
        text = _license_text(name, project, len(own) == 1)
        if text is None and name == "unknown":
            warnings.append(
                f"debian/copyright: {project.name} declares no license and ships no license file; write its "
                "license in place of 'unknown' (and into the project's metadata)"
            )
        elif text is None:
            warnings.append(
                f"debian/copyright: no text found for the license {name} (not in {COMMON}, and the project "
                "ships no license file): add it under its License: paragraph"
            )
            text = f" The text of the {name} license was not found in the project."
        paragraphs.append(f"License: {name}\n{text}")
    return "\n\n".join(paragraphs) + "\n", warnings


def _common(name: str) -> Path | None:
    """The file of ``/usr/share/common-licenses`` that holds the license ``name``, if any."""
    path = COMMON / name.removesuffix("+")
    return path if name != "BSD" and path.is_file() else None


def _license_text(name: str, project: Project, only: bool) -> str | None:
    """The paragraph text: a pointer into common-licenses, else the project's file for it (its only one)."""
    common = _common(name)
    if common is not None:
        later = " or any later version" if name.endswith("+") else ""
        return (
            f" On Debian systems, the complete text of the {name.removesuffix('+')} license{later}\n"
            f" can be found in {common}."
        )
    files = project.license_files
    spdx = {v: k for k, v in _DEBIAN_NAMES.items()}.get(name, name)
    keys = {re.sub(r"[^a-z0-9]", "", k.lower()) for k in (name, spdx)}
    matching = [t for n, t in files.items() if any(k in re.sub(r"[^a-z0-9]", "", n.lower()) for k in keys)]
    text = matching[0] if matching else next(iter(files.values())) if only and files else None
    if text is None:
        return None
    lines = [line.rstrip() for line in text.strip("\n").expandtabs().splitlines()]
    return "\n".join(f" {line}" if line.strip() else " ." for line in lines)


def _holders(project: Project) -> list[str]:
    """The names among the authors (an address alone counts when no name is given anywhere)."""
    names: list[str] = []
    addresses: list[str] = []
    for author in project.authors:
        for one in re.split(r",\s*(?![^<]*>)", author):
            name = re.sub(r"\s*<[^>]*>", "", one).strip().strip('"')
            kept = addresses if "@" in name or not name else names
            if (name or one.strip()) not in kept:
                kept.append(name or one.strip())
    return names or addresses


def _contact(project: Project) -> str | None:
    """``Name <address>`` of the first author with an address (the name from Author when given apart)."""
    address = next((a for a in project.authors if "@" in a), None)
    if address is None:
        return None
    first = re.split(r",\s*(?![^<]*>)", address)[0].strip()
    if "<" in first:
        return first
    names = _holders(project)
    return f"{names[0]} <{first}>" if names and "@" not in names[0] else first


def _year(environ: Mapping[str, str]) -> int:
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    when = int(epoch) if epoch.isdigit() else None
    if when is None:
        return datetime.datetime.now(datetime.UTC).year
    return datetime.datetime.fromtimestamp(when, datetime.UTC).year
