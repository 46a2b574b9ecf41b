"""One model of an installed venv: its distributions, as their ``*.dist-info`` directories say.

Every stage that looks into a built venv (the prebuilt files, the bill of
materials) reads it through :func:`distributions`, so site-packages is
found, names are normalised and ``METADATA`` and ``RECORD`` are parsed in
one place.
"""

from __future__ import annotations

import base64
import configparser
import csv
import email.message
import email.parser
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dh_venv.errors import DhVenvError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

#: site-packages of a venv, relative to the venv (``lib64`` too, and any Python 3.X).
SITE_PACKAGES = "lib*/python*/site-packages"

# Files wheels ship beside METADATA without listing them as License-File
# (older setuptools, flit, poetry): license texts by their usual names.
_LICENSE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT)([-._].*)?", re.IGNORECASE)


# Where License-File entries live: core metadata 2.4's place, and maturin's before it.
_LICENSE_DIRS = ("licenses", "license_files")


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Distribution:
    """One ``*.dist-info`` directory of a venv."""

    #: The normalised name, from the directory name.
    name: str
    dist_info: Path

    @property
    def site_packages(self) -> Path:
        return self.dist_info.parent

    @cached_property
    def metadata(self) -> email.message.Message:
        """The headers of ``METADATA`` (empty if it is missing or unreadable)."""
        try:
            text = (self.dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        return email.parser.HeaderParser().parsestr(text)

    @property
    def display_name(self) -> str:
        """The name as the distribution spells it (``METADATA``'s ``Name``)."""
        return str(self.metadata.get("Name") or self.name)

    @property
    def version(self) -> str:
        """``METADATA``'s ``Version``, else the one in the directory name."""
        found = self.metadata.get("Version")
        if found:
            return str(found).strip()
        stem = self.dist_info.name[: -len(".dist-info")]
        return stem.rsplit("-", 1)[1] if "-" in stem else ""

    def requires(self) -> list[Requirement]:
        """``Requires-Dist`` of ``METADATA``; a line that is not PEP 508 is left out (installers did too)."""
        # Imported here: the later sequence steps read the venv without packaging's parser (its import costs).
        from packaging.requirements import InvalidRequirement, Requirement

        found = []
        for text in self.metadata.get_all("Requires-Dist") or []:
            try:
                found.append(Requirement(text))
            except InvalidRequirement:
                continue
        return found

    def script_names(self, *, strict: bool = False) -> list[str]:
        """Names of the console and GUI scripts declared in ``entry_points.txt``.

        A file that cannot be read as one is an error naming it with ``strict``
        (the application's own: its commands cannot be known), else no scripts.
        """
        path = self.dist_info / "entry_points.txt"
        if not path.is_file():
            return []
        try:
            return [name for _, name in entry_point_scripts(path.read_text(errors="replace"), str(path))]
        except (OSError, configparser.Error) as exc:
            if not strict:
                return []
            raise DhVenvError(
                f"{path} is not a valid entry_points.txt ({str(exc).splitlines()[0]}), "
                "so the application's commands are unknown",
                hint="fix the [project.scripts] (or entry_points) of the project, or name the commands "
                "with --console-script",
            ) from None

    def direct_url(self) -> str | None:
        """The ``url`` of ``direct_url.json`` (PEP 610), if there is one of that shape."""
        try:
            data = json.loads((self.dist_info / "direct_url.json").read_text())
        except (ValueError, OSError):
            return None
        url = data.get("url") if isinstance(data, dict) else None
        return url if isinstance(url, str) else None

    def wheel_tags(self) -> list[str]:
        try:
            text = (self.dist_info / "WHEEL").read_text()
        except OSError:
            return []
        return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]

    def record_rows(self) -> list[list[str]]:
        """The rows of ``RECORD`` (none if it is missing)."""
        return [row for row in read_record(self.dist_info / "RECORD") or [] if row]

    def hashed_files(self) -> Iterator[tuple[Path, str]]:
        """(path, ``sha256=...``) for every file RECORD gives a hash for."""
        for row in self.record_rows():
            if len(row) >= 2 and row[1].startswith("sha256="):
                yield Path(os.path.normpath(self.site_packages / row[0])), row[1]

    def license_files(self) -> list[Path]:
        """The license files the distribution ships in its dist-info, sorted.

        ``License-File`` entries (core metadata 2.4 puts them under
        ``licenses/``, maturin under ``license_files/``, older setuptools
        beside METADATA), and files with a
        license's usual name that older tools put there without saying so.
        """
        found = {p for d in _LICENSE_DIRS for p in (self.dist_info / d).rglob("*") if p.is_file()}
        for entry in self.metadata.get_all("License-File") or []:
            for place in (*(self.dist_info / d / entry for d in _LICENSE_DIRS), self.dist_info / entry):
                if place.is_file():
                    found.add(place)
                    break
        for row in self.record_rows():
            path = Path(os.path.normpath(self.site_packages / row[0]))
            if path.parent == self.dist_info and _LICENSE_NAME.fullmatch(path.name) and path.is_file():
                found.add(path)
        return sorted(found)


def entry_point_scripts(text: str, source: str = "<entry_points.txt>") -> list[tuple[str, str]]:
    """(group, name) of every console and GUI script an ``entry_points.txt`` text declares.

    Not strict: a name declared twice is one script, as installers take it;
    a text that is no INI file raises :class:`configparser.Error`.
    """
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read_string(text, source=source)
    groups = ("console_scripts", "gui_scripts")
    return [(group, name.strip()) for group in groups if parser.has_section(group) for name in parser.options(group)]


def record_digest(sha256: bytes) -> str:
    """RECORD's form of a sha256 digest: ``sha256=`` and its URL-safe base64, unpadded."""
    return "sha256=" + base64.urlsafe_b64encode(sha256).rstrip(b"=").decode()


def read_record(record: Path, *, partial: bool = False) -> list[list[str]] | None:
    """The rows of a ``RECORD`` file, or None if there is none.

    Bytes that are not UTF-8 (a file name in another encoding) survive as
    they are, so a rewritten RECORD keeps them.  A file that is not CSV is an
    error naming it, or, with ``partial``, ends at the first bad row.
    """
    try:
        text = record.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(text.splitlines()))
    except csv.Error as exc:
        if partial:
            return rows
        raise DhVenvError(
            f"{record} is not a valid RECORD (CSV) file: {exc}",
            hint="fix what wrote it (a command in override_dh_venv?), or reinstall that distribution",
        ) from None
    return rows


def write_record(record: Path, rows: list[list[str]]) -> None:
    """Write ``rows`` as a ``RECORD`` file, bytes that are not UTF-8 as :func:`read_record` kept them."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    record.write_text(out.getvalue(), encoding="utf-8", errors="surrogateescape")


def at(dist_info: Path) -> Distribution:
    """The distribution of one ``*.dist-info`` directory."""
    return Distribution(normalize(dist_info.name[: -len(".dist-info")].rsplit("-", 1)[0]), dist_info)


def distributions(venv: Path) -> list[Distribution]:
    """The distributions installed in ``venv``, sorted by directory."""
    found = []
    seen: set[str] = set()
    for dist_info in sorted(venv.glob(f"{SITE_PACKAGES}/*.dist-info")):
        real = os.path.realpath(dist_info)
        if real in seen:
            continue  # lib64 -> lib
        seen.add(real)
        found.append(at(dist_info))
    return found
