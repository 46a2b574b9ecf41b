"""Where each distribution of a freshly installed venv came from: its file's hash, and whether it was built here.

Read right after the installer ran, before the tree is finalized (which
drops uv's build records and local ``direct_url.json`` files).  A hash
is recorded only where it is certain which file was installed: pip's
``--report`` says so; otherwise a file the lock or the wheelhouse lists
whose name matches the installed distribution exactly (name, version and
wheel tags; an sdist for what was built here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from dh_venv.site import Distribution, distributions, normalize
from dh_venv.tree import sha256_of

if TYPE_CHECKING:
    from packaging.version import Version

#: File name -> (``sha256:<hex>``, what listed it: ``lock`` or ``wheelhouse``).
Known = Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Provenance:
    """Where one installed distribution came from."""

    #: The file it was installed from (a wheel, or the sdist it was built from), if known.
    file: str = ""
    #: ``sha256:<hex>`` of that file, if known.
    sha256: str = ""
    #: What told the hash: ``installer report``, ``lock``, ``wheelhouse``.
    hash_from: str = ""
    #: Built from source in this build (an sdist, a local project) rather than installed from a wheel.
    built_here: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Provenance:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def known_files(pins: Iterable[Any], wheelhouse: Path | None) -> dict[str, tuple[str, str]]:
    """File name -> (``sha256:<hex>``, source) for the files a lock's pins and the wheelhouse list."""
    known: dict[str, tuple[str, str]] = {}
    if wheelhouse is not None:
        try:
            listed = json.loads((wheelhouse / "manifest.json").read_text()).get("files", {})
        except (OSError, ValueError, AttributeError):
            # No manifest: the wheelhouse is the only source, so its files are what was installed.
            listed = {p.name: _sha256(p) for p in sorted(wheelhouse.iterdir()) if p.is_file()}
        for name, digest in listed.items():
            if isinstance(digest, str) and digest.startswith("sha256:"):
                known[name] = (digest, "wheelhouse")
    for pin in pins:
        for name, digest in pin.files:
            known.setdefault(name, (digest, "lock"))
    return known


def _sha256(path: Path) -> str:
    return f"sha256:{sha256_of(path)}"


def collect(venv: Path, reports: Iterable[Path], known: Known, app: Path | None) -> dict[str, Provenance]:
    """The provenance of every distribution in ``venv``, by normalised name."""
    reported = _from_reports(reports)
    index = _index(known)
    found: dict[str, Provenance] = {}
    for dist in distributions(venv):
        built = dist.name in reported and reported[dist.name].built_here
        built = built or (dist.dist_info / "uv_build.json").is_file() or _local_build(dist)
        built = built or (app is not None and dist.dist_info == app)
        if dist.name in reported and reported[dist.name].sha256:
            report = reported[dist.name]
            listed = known.get(report.file)
            # The lock or the wheelhouse names the same file: say so, as uv's builds do.
            found[dist.name] = replace(report, hash_from=listed[1]) if listed and listed[0] == report.sha256 else report
            continue
        match = _matching_file(dist, index, built)
        if match:
            name, _, _, (digest, source) = match
            found[dist.name] = Provenance(name, digest, source, built)
        else:
            found[dist.name] = Provenance(built_here=built)
    return found


def _from_reports(paths: Iterable[Path]) -> dict[str, Provenance]:
    """What pip's ``--report`` files say about each distribution installed."""
    found: dict[str, Provenance] = {}
    for path in paths:
        try:
            items = json.loads(path.read_text()).get("install", [])
        except (OSError, ValueError, AttributeError):
            continue
        for item in items:
            name = normalize(str(item.get("metadata", {}).get("name", "")))
            info = item.get("download_info", {})
            url = str(info.get("url", ""))
            archive = info.get("archive_info")
            digest = ""
            if isinstance(archive, dict):
                hashes = archive.get("hashes") or {}
                legacy = str(archive.get("hash", ""))
                digest = f"sha256:{hashes['sha256']}" if "sha256" in hashes else ""
                digest = digest or ("sha256:" + legacy.split("=", 1)[1] if legacy.startswith("sha256=") else "")
            filename = unquote(urlparse(url).path).rsplit("/", 1)[-1] if isinstance(archive, dict) else ""
            built = not url.endswith(".whl")
            if name:
                found[name] = Provenance(filename, digest, "installer report" if digest else "", built)
    return found


def _local_build(dist: Distribution) -> bool:
    """Installed from a local directory (``direct_url.json`` with ``dir_info``): built here."""
    try:
        data = json.loads((dist.dist_info / "direct_url.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "dir_info" in data


# A known file, parsed once: (file name, version, wheel tags or None for an sdist, (hash, source)).
_Parsed = tuple[str, "Version", frozenset[Any] | None, tuple[str, str]]


def _index(known: Known) -> dict[str, list[_Parsed]]:
    """The known files by normalised distribution name."""
    # packaging only here and in _matching_file: dh_venv_restore reads the provenance, and starts on every build.
    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
    from packaging.version import InvalidVersion

    index: dict[str, list[_Parsed]] = {}
    for name, value in sorted(known.items()):
        try:
            if name.endswith(".whl"):
                dist, version, _, tags = parse_wheel_filename(name)
                index.setdefault(normalize(dist), []).append((name, version, frozenset(tags), value))
            else:
                dist, version = parse_sdist_filename(name)
                index.setdefault(normalize(dist), []).append((name, version, None, value))
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
    return index


def _matching_file(dist: Distribution, index: Mapping[str, list[_Parsed]], built: bool) -> _Parsed | None:
    """The known file ``dist`` was installed from: its wheel, or for what was built here its sdist."""
    from packaging.tags import parse_tag
    from packaging.version import InvalidVersion, Version

    try:
        version = Version(dist.version)
    except InvalidVersion:
        return None
    tags = frozenset(t for tag in dist.wheel_tags() for t in parse_tag(tag))
    for candidate in index.get(dist.name, []):
        _, candidate_version, candidate_tags, _ = candidate
        if candidate_version != version:
            continue
        if (built and candidate_tags is None) or (not built and candidate_tags == tags):
            return candidate
    return None
