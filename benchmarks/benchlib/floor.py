"""The floor: the least any tool must spend on a package, copying its tree into place and packing it."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from .analysis import Analysis
from .builds import Build, the_deb
from .commands import run
from .inputs import InputSpec

# The compressor of a .deb, by the name of its data member.
MEMBER_COMPRESSORS = {"data.tar.xz": "xz", "data.tar.zst": "zstd", "data.tar.gz": "gzip", "data.tar": "none"}


@dataclass(frozen=True)
class Floor:
    """One floor measurement (the field order is the JSON file's)."""

    seconds: float
    compressor: str
    level: str | None  # DPKG_DEB_COMPRESSOR_LEVEL, None for dpkg-deb's default
    deb_bytes: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def floor(spec: InputSpec, b: Build, analysis: Analysis, compressor_env: Mapping[str, str]) -> Floor:
    """The least any tool must spend: copy the final tree into place and pack it.

    The package's tree (as dpkg-deb -R gives it) is copied with cp -a and
    packed with dpkg-deb --build using the compressor of the built package,
    at the level --compressor gave (compressor_env, the builds' dpkg-deb
    variables) or else dpkg-deb's default level.
    """
    deb = the_deb(spec, b)
    tree = b.run_dir / "floor-tree"
    copy = b.run_dir / "floor-copy"
    run(["dpkg-deb", "-R", str(deb), str(tree)])
    compressor = MEMBER_COMPRESSORS.get(analysis.data_member, "xz")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DPKG_DEB_COMPRESSOR_")}
    env.update(compressor_env)
    floor_deb = b.run_dir / "floor.deb"
    start = time.monotonic()
    run(["cp", "-a", str(tree), str(copy)])
    run(["dpkg-deb", "--root-owner-group", f"-Z{compressor}", "--build", str(copy), str(floor_deb)], env=env)
    seconds = time.monotonic() - start
    size = floor_deb.stat().st_size
    for path in (tree, copy, floor_deb):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return Floor(seconds, compressor, compressor_env.get("DPKG_DEB_COMPRESSOR_LEVEL"), size)
