"""--installer=uv: the same venv as pip's, built faster, with nothing of uv's cache in the package.

uv is not on this machine's PATH: the first build fetches the pinned uv wheel
from PyPI (verified by its sha256) into DH_VENV_CACHE_DIR, hence the mark.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import PACKAGES, assert_purged, extract, files_containing, installed, run_clean

pytestmark = pytest.mark.network


def dist_infos(deb: Path) -> set[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return {
        Path(line.split()[-1].rstrip("/")).name
        for line in listing.splitlines()
        if line.split()[-1].rstrip("/").endswith(".dist-info")
    }


def cached_wheels(cache: Path) -> set[str]:
    return {str(p.relative_to(cache)) for p in (cache / "uv").glob("wheels-*/**/*") if "uvb" not in str(p)}


def test_uv_backend_same_dists_as_pip_no_hard_links_warm_cache(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    pip = build_package("uvb-app", source=_copy(tmp_path / "pip"), args="--installer=pip")
    assert pip.returncode == 0, pip.output[-4000:]

    cache = tmp_path / "cache"
    start = time.monotonic()
    cold = build_package(
        "uvb-app", source=_copy(tmp_path / "cold"), args="--installer=uv", DH_VENV_CACHE_DIR=str(cache)
    )
    cold_time = time.monotonic() - start
    assert cold.returncode == 0, cold.output[-4000:]
    deb = cold.deb("uvb-app")

    # The same distributions at the same versions as pip's build: the app, its extra, the seed.
    assert dist_infos(deb) == dist_infos(pip.deb("uvb-app"))
    assert {"uvb_app-1.0.dist-info", "tinydep-1.0.dist-info", "extradep-1.0.dist-info"} <= dist_infos(deb)
    # uv copied files (UV_LINK_MODE=copy): no hard link, in the package or into the cache.
    listing = subprocess.run(
        f"dpkg-deb --fsys-tarfile {deb} | tar tv", shell=True, check=True, capture_output=True, text=True
    ).stdout
    assert " link to " not in listing
    tree = extract(deb, tmp_path / "tree")
    assert files_containing(tree, str(tmp_path)) == []
    # Neither uv nor its cache went into the package.
    assert not [line for line in listing.splitlines() if line.endswith(("/bin/uv", "/bin/uvx"))]
    assert (cache / "uv-bin").is_dir() and (cache / "uv").is_dir()
    wheels = cached_wheels(cache)
    assert any("tinydep" in w for w in wheels), sorted(wheels)[:20]

    # Warm: the cache serves the dependencies; nothing new is fetched or built for them.
    start = time.monotonic()
    warm = build_package(
        "uvb-app", source=_copy(tmp_path / "warm"), args="--installer=uv", DH_VENV_CACHE_DIR=str(cache)
    )
    warm_time = time.monotonic() - start
    assert warm.returncode == 0, warm.output[-4000:]
    assert cached_wheels(cache) == wheels
    assert dist_infos(warm.deb("uvb-app")) == dist_infos(deb)
    print(f"uvb-app whole build: cold {cold_time:.1f} s, warm {warm_time:.1f} s")

    with installed(deb):
        result = run_clean("uvb-app")
        assert (result.returncode, result.stdout.split()[:2]) == (0, ["UVB!", extradep_flavour()]), result
        assert result.stdout.split()[2] == "/opt/venvs/uvb-app"
    assert_purged("uvb-app", "/opt/venvs/uvb-app", ["uvb-app"])


def extradep_flavour() -> str:
    text = (PACKAGES.parent / "wheels" / "extradep" / "extradep" / "__init__.py").read_text()
    return text.split("FLAVOUR = ")[1].split()[0].strip("\"'")


def _copy(where: Path) -> Path:
    source = where / "uvb-app-1.0"
    shutil.copytree(PACKAGES / "uvb-app", source, symlinks=True)
    return source
