"""The wheelhouse: ``debian/wheelhouse/`` and the manifest that pins its files.

``dh-venv vendor`` fills the wheelhouse and writes ``manifest.json``: the
sha256 of every file and the versions the venv is seeded with.  A build
from the wheelhouse uses no index at all, and refuses a file that differs
from its manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from dh_venv.errors import DhVenvError

WHEELHOUSE = Path("debian") / "wheelhouse"
MANIFEST = "manifest.json"


def wheelhouse_for(build_dir: Path, requested: str | None) -> Path | None:
    """The wheelhouse to build from: the requested one, else ``debian/wheelhouse`` if it exists."""
    if requested:
        path = Path(requested)
        path = path if path.is_absolute() else build_dir / path
        if not path.is_dir():
            raise DhVenvError(
                f"wheelhouse {path} does not exist",
                hint="fix --wheelhouse or DH_VENV_WHEELHOUSE, or fill it with dh-venv vendor",
            )
        return path
    default = build_dir / WHEELHOUSE
    return default if default.is_dir() else None


def check_manifest(wheelhouse: Path) -> tuple[tuple[str, str], ...]:
    """Fail if a file of the wheelhouse differs from its manifest; return the recorded seed."""
    manifest = wheelhouse / MANIFEST
    if not manifest.is_file():
        return ()
    try:
        data = json.loads(manifest.read_text())
        recorded: dict[str, str] = data["files"]
        seed = tuple((str(k), str(v)) for k, v in sorted(data.get("seed", {}).items()))
        files = sorted(recorded.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DhVenvError(f"{manifest} is damaged ({exc})", hint="run dh-venv vendor again") from None
    for name, digest in files:
        path = wheelhouse / str(name)
        if not path.is_file():
            raise DhVenvError(f"{path} is listed in {manifest} but missing", hint="run dh-venv vendor again")
        actual = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise DhVenvError(
                f"{path} does not match its hash in {manifest} (expected {digest}, got {actual})",
                hint="the file was changed after dh-venv vendor; restore it or run dh-venv vendor again",
            )
    return seed


def write_manifest(wheelhouse: Path, python: str, seed: Mapping[str, str] | None = None) -> Path:
    """Record the sha256 of every file of the wheelhouse, and the versions the venv is seeded with."""
    files = {
        p.name: "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(wheelhouse.iterdir())
        if p.is_file() and p.name != MANIFEST
    }
    manifest = wheelhouse / MANIFEST
    data = {"version": 1, "python": python, "seed": dict(seed or {}), "files": files}
    manifest.write_text(json.dumps(data, indent=1) + "\n")
    return manifest
