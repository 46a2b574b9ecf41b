"""The CycloneDX 1.6 bill of materials of a venv package, and the license summary beside it.

CycloneDX rather than SPDX: package URLs, file hashes, license
expressions and a dependency graph are first-class fields, every
mainstream scanner reads it (Trivy, Grype, Dependency-Track, OWASP
tools), and PyPA tools write it.  The document is a pure function of its
inputs: components sorted, no random serial number (a UUID derived from
the content instead), the only time ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from dh_venv.record.licenses import License
from dh_venv.record.provenance import Provenance

SPEC_VERSION = "1.6"
_PROPERTY = "dh-venv:"
# A name space for the serial number's UUID (a fixed, random UUID of dh-venv's own).
_NAMESPACE = uuid.UUID("6c1f6c2e-5b7e-4a53-9d0f-1d6b0f1c9a3e")


@dataclass(frozen=True)
class Entry:
    """One distribution of the venv, as the documents show it."""

    name: str
    version: str
    license: License
    #: License files, as paths on the installed system.
    license_files: tuple[str, ...]
    #: None when nothing recorded where it came from (installed after dh_venv, in override_dh_venv).
    provenance: Provenance | None
    #: The application itself (installed from the project), not one of its requirements.
    application: bool = False


@dataclass(frozen=True)
class Package:
    """The Debian binary package that carries the venv."""

    name: str
    version: str
    architecture: str
    #: The vendor in package URLs of Debian packages (``debian``, from /etc/os-release).
    vendor: str
    venv: str


def pypi_purl(name: str, version: str) -> str:
    """``pkg:pypi/<name>@<version>``, the name lower case with ``-`` for ``_`` (purl's rule for PyPI)."""
    return f"pkg:pypi/{quote(name.lower().replace('_', '-'), safe='.-')}@{quote(version, safe='.-_~')}"


def deb_purl(vendor: str, name: str, version: str = "", arch: str = "") -> str:
    at = f"@{quote(version, safe='.-_~+')}" if version else ""
    return f"pkg:deb/{vendor}/{quote(name, safe='.-+')}{at}" + (f"?arch={arch}" if arch else "")


def _licenses(license: License) -> list[dict[str, Any]]:
    if license.expression and " " not in license.expression and not license.expression.startswith("LicenseRef-"):
        # One identifier: consumers that read no expressions still see it.
        return [{"license": {"id": license.expression, "acknowledgement": "declared"}}]
    if license.expression:
        return [{"expression": license.expression, "acknowledgement": "declared"}]
    return [{"license": {"name": n, "acknowledgement": "declared"}} for n in license.names]


def _component(entry: Entry) -> dict[str, Any]:
    purl = pypi_purl(entry.name, entry.version)
    component: dict[str, Any] = {
        "type": "application" if entry.application else "library",
        "bom-ref": purl,
        "name": entry.name,
        "version": entry.version,
        "purl": purl,
    }
    if entry.license.known:
        component["licenses"] = _licenses(entry.license)
    found = entry.provenance
    if found is not None and found.sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": found.sha256.split(":", 1)[1]}]
    properties = [("license-source", entry.license.source or "none"), ("license", str(entry.license))]
    properties += [("license-file", path) for path in entry.license_files]
    if found is not None:
        properties.append(("built-from-source", "true" if found.built_here else "false"))
        if found.file:
            properties.append(("file", found.file))
        if found.hash_from:
            properties.append(("hash-from", found.hash_from))
    component["properties"] = [{"name": _PROPERTY + k, "value": v} for k, v in properties]
    return component


def _debian_component(package: Package, name: str, relation: str, role: str) -> dict[str, Any]:
    purl = deb_purl(package.vendor, name, arch=package.architecture if package.architecture != "all" else "")
    return {
        "type": "application" if role == "interpreter" else "library",
        "bom-ref": purl,
        "name": name,
        "purl": purl,
        "properties": [
            {"name": f"{_PROPERTY}debian-dependency", "value": relation},
            {"name": f"{_PROPERTY}role", "value": role},
        ],
    }


def document(
    package: Package,
    entries: Sequence[Entry],
    debian: Sequence[tuple[str, str, str]],
    tool_version: str,
    epoch: int | None,
) -> dict[str, Any]:
    """The CycloneDX document; ``debian`` lists (package, relation in Depends, role) of the package's Depends."""
    root_ref = deb_purl(package.vendor, package.name, package.version, package.architecture)
    components = sorted((_component(e) for e in entries), key=lambda c: (c["name"].lower(), c["version"]))
    seen: set[str] = set()
    for name, relation, role in sorted(debian):
        if name not in seen:
            seen.add(name)
            components.append(_debian_component(package, name, relation, role))
    metadata: dict[str, Any] = {}
    if epoch is not None:
        metadata["timestamp"] = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata["tools"] = {"components": [{"type": "application", "name": "dh-venv", "version": tool_version}]}
    metadata["component"] = {
        "type": "application",
        "bom-ref": root_ref,
        "name": package.name,
        "version": package.version,
        "purl": root_ref,
        "properties": [{"name": f"{_PROPERTY}venv", "value": package.venv}],
    }
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": [
            {"ref": root_ref, "dependsOn": [c["bom-ref"] for c in components]},
            *({"ref": c["bom-ref"], "dependsOn": []} for c in components),
        ],
    }
    serial = uuid.uuid5(_NAMESPACE, render(bom))
    return {"bomFormat": bom.pop("bomFormat"), "specVersion": bom.pop("specVersion"), "serialNumber": serial.urn, **bom}


def render(bom: dict[str, Any]) -> str:
    return json.dumps(bom, indent=2, ensure_ascii=False) + "\n"


def summary(package: Package, entries: Sequence[Entry]) -> str:
    """One line per distribution: name, version, license, license files."""
    lines = [
        f"Python distributions in {package.venv} (package {package.name} {package.version}),",
        "with the license their metadata declares and their license files.",
        "Format: NAME VERSION | LICENSE | LICENSE FILES",
        "",
    ]
    for entry in sorted(entries, key=lambda e: (e.name.lower(), e.version)):
        files = ", ".join(entry.license_files) or "none"
        lines.append(f"{entry.name} {entry.version} | {entry.license} | {files}")
    return "\n".join(lines) + "\n"
