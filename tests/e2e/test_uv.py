"""--installer=uv: the same venv as pip's, built faster, with nothing of uv's cache in the package.

uv is not on this machine's PATH: a build fetches the pinned uv wheel from PyPI
(verified by its sha256) into DH_VENV_CACHE_DIR, hence the network mark on the
tests that need uv; the one without uv is hermetic.
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from dh_venv.installers import uvtool as uv

from .conftest import (
    PACKAGES,
    assert_purged,
    dpkg_buildpackage,
    extract,
    files_containing,
    installed,
    run_clean,
    tool_env,
)


def dist_infos(deb: Path) -> set[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], check=True, capture_output=True, text=True).stdout
    return {
        Path(line.split()[-1].rstrip("/")).name
        for line in listing.splitlines()
        if line.split()[-1].rstrip("/").endswith(".dist-info")
    }


_CA_VARIABLES = {"SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT", "UV_NATIVE_TLS"}


def cached_wheels(cache: Path) -> set[str]:
    return {str(p.relative_to(cache)) for p in (cache / "uv").glob("wheels-*/**/*") if "uvb" not in str(p)}


@pytest.mark.network
def test_uv_backend_same_dists_as_pip_no_hard_links_warm_cache(  # type: ignore[no-untyped-def]
    tmp_path: Path, build_package, wheelhouse: Path, uv_wheel: Path
) -> None:
    # --no-index: the uv wheel is found in a --find-links directory, as a CI's DH_VENV_PIP_ARGS would give it.
    uv_args = f"--no-index --find-links={wheelhouse} --find-links={uv_wheel.parent}"
    pip = build_package("uvb-app", source=_copy(tmp_path / "pip"), args="--installer=pip")
    assert pip.returncode == 0, pip.output[-4000:]

    cache = tmp_path / "cache"
    start = time.monotonic()
    cold = build_package(
        "uvb-app",
        source=_copy(tmp_path / "cold"),
        args="--installer=uv",
        DH_VENV_CACHE_DIR=str(cache),
        DH_VENV_PIP_ARGS=uv_args,
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
    # ... and none of the staged files shares its inode with uv's cache (hard links out of the tree).
    staged = cold.source / "debian" / "uvb-app" / "opt" / "venvs" / "uvb-app"
    linked = [p for p in staged.rglob("*") if p.is_file() and not p.is_symlink() and p.stat().st_nlink > 1]
    assert staged.is_dir() and linked == []
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
        "uvb-app",
        source=_copy(tmp_path / "warm"),
        args="--installer=uv",
        DH_VENV_CACHE_DIR=str(cache),
        DH_VENV_PIP_ARGS=uv_args,
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


@pytest.mark.network
def test_uv_offline_wheelhouse_with_hashed_requirements(
    tmp_path: Path, build_package, wheelhouse: Path, uv_wheel: Path
) -> None:  # type: ignore[no-untyped-def]
    # debian/wheelhouse: the fixture wheels and the uv wheel; no index, no uv on PATH; hashes required.
    hashes = "".join(
        f"{name}==1.0 --hash=sha256:{_sha256(next(wheelhouse.glob(f'{name}-1.0-*.whl')))}\n"
        for name in ("tinydep", "extradep")
    )
    debs = {}
    for installer in ("pip", "uv"):
        source = _copy(tmp_path / installer)
        shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
        if installer == "uv":
            shutil.copy(uv_wheel, source / "debian" / "wheelhouse")
        (source / "requirements-hashed.txt").write_text(hashes)
        cache = tmp_path / f"cache-{installer}"
        build = build_package(
            "uvb-app",
            source=source,
            args=f"--installer={installer} --requirements=requirements-hashed.txt",
            DH_VENV_PIP_ARGS="",
            DH_VENV_CACHE_DIR=str(cache),
        )
        assert build.returncode == 0, build.output[-4000:]
        debs[installer] = build.deb("uvb-app")
    assert dist_infos(debs["uv"]) == dist_infos(debs["pip"])
    assert {"tinydep-1.0.dist-info", "extradep-1.0.dist-info"} <= dist_infos(debs["uv"])
    if shutil.which("uv") is None:
        assert (tmp_path / "cache-uv" / "uv-bin" / uv.VERSION / "uv").is_file()


def test_uv_offline_without_uv_fails_clearly(tmp_path: Path, build_package, wheelhouse: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("uv") is not None:
        pytest.skip("uv is on PATH")
    source = _copy(tmp_path)
    shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    # A cache of its own: the session's shared one holds the uv other builds unpacked.
    fresh = {"DH_VENV_PIP_ARGS": "", "DH_VENV_CACHE_DIR": str(tmp_path / "cache")}
    build = build_package("uvb-app", source=source, args="--installer=uv", **fresh)
    assert build.returncode != 0
    assert (
        f"dh_venv: error: uvb-app: --installer=uv: no uv on PATH and no uv {uv.VERSION} wheel in the wheelhouse"
        in build.output
    ), build.output[-3000:]
    assert "Traceback" not in build.output
    # The default, --installer=auto, builds the same source with pip instead, saying so in one line.
    source = _copy(tmp_path / "auto")
    shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    auto = build_package("uvb-app", source=source, **fresh)
    assert auto.returncode == 0, auto.output[-4000:]
    notices = [line for line in auto.output.splitlines() if line.startswith("dh_venv: notice: --installer=auto: ")]
    assert len(notices) == 1 and notices[0].endswith("; installing with pip"), notices
    assert {"uvb_app-1.0.dist-info", "tinydep-1.0.dist-info", "extradep-1.0.dist-info"} <= dist_infos(
        auto.deb("uvb-app")
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.network
def test_uv_lock_installs_the_same_pins_as_pip(tmp_path: Path) -> None:
    # tests/packages/inp-uvapp: a uv.lock with older pins, markers, an extra and a group, from PyPI.
    debs = {}
    for installer in ("pip", "uv"):
        source = tmp_path / installer / "inp-uvapp-0.3.0"
        shutil.copytree(PACKAGES / "inp-uvapp", source, symlinks=True, ignore=shutil.ignore_patterns("alt"))
        with (source / "debian" / "rules").open("a") as rules:
            rules.write(f"\noverride_dh_venv:\n\tdh_venv --installer={installer}\n")
        env = tool_env(DH_VENV_PIP_ARGS="", DH_VENV_CACHE_DIR=str(tmp_path / "cache"))
        if installer == "uv":
            # As debuild or sudo leave the environment: no CA bundle named, the system's trust store only
            # (behind a TLS proxy whose CA only the system trusts, uv's own roots would fail).
            env = {k: v for k, v in env.items() if k not in _CA_VARIABLES}
        build = dpkg_buildpackage(source, env)
        assert build.returncode == 0, build.output[-4000:]
        (debs[installer],) = build.debs.values()
    assert dist_infos(debs["uv"]) == dist_infos(debs["pip"])
    assert any(d.startswith("six-") for d in dist_infos(debs["uv"]))
    assert (tmp_path / "cache" / "uv").is_dir()  # uv did install (pip's cache is cache/pip)


@pytest.mark.network
def test_vendor_puts_uv_in_the_wheelhouse_for_an_offline_build(tmp_path: Path, wheelhouse: Path) -> None:
    source = _copy(tmp_path)
    rules = source / "debian" / "rules"
    rules.write_text(rules.read_text().replace("$(DH_VENV_TEST_ARGS)", "--installer=uv"))
    vendor = subprocess.run(
        ["dh-venv", "vendor", "--extras=fancy", "--installer=uv"],
        cwd=source,
        env=tool_env(DH_VENV_PIP_ARGS=f"--find-links={wheelhouse}"),
        capture_output=True,
        text=True,
    )
    assert vendor.returncode == 0, vendor.stderr[-3000:]
    (wheel,) = (source / "debian" / "wheelhouse").glob(f"uv-{uv.VERSION}-*.whl")
    assert _sha256(wheel) == uv.WHEELS[platform.machine()]
    # No network, no HOME, no uv on PATH: uv comes from the wheelhouse.
    env = ["env", "-i", f"PATH={tool_env()['PATH'].split(':')[0]}:/usr/bin:/bin", "HOME=/nonexistent"]
    env += [f"PERL5LIB={tool_env()['PERL5LIB']}"] if "PERL5LIB" in tool_env() else []
    build = subprocess.run(
        ["unshare", "-n", "--", *env, "dpkg-buildpackage", "-us", "-uc", "-b", "-d"],
        cwd=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-4000:]
    if shutil.which("uv", path="/usr/bin:/bin") is None:
        assert (source / "debian" / ".debhelper" / "dh_venv" / "cache" / "uv-bin" / uv.VERSION / "uv").is_file()
    (deb,) = source.parent.glob("uvb-app_*.deb")
    assert {"uvb_app-1.0.dist-info", "tinydep-1.0.dist-info", "extradep-1.0.dist-info"} <= dist_infos(deb)


def test_a_pip_only_option_means_pip_by_default_and_an_error_with_uv(tmp_path: Path, build_package) -> None:  # type: ignore[no-untyped-def]
    # A dh-virtualenv package's --extra-pip-arg that only pip knows (uv has --no-progress instead).
    build = build_package("uvb-app", source=_copy(tmp_path / "auto"), args="--extra-pip-arg=--progress-bar=off")
    assert build.returncode == 0, build.output[-4000:]
    notices = [line for line in build.output.splitlines() if line.startswith("dh_venv: notice: ")]
    assert notices == [
        "dh_venv: notice: --installer=auto: uv pip install does not take the pip option --progress-bar "
        "(from --extra-pip-arg or DH_VENV_PIP_ARGS); installing with pip"
    ]
    assert {"uvb_app-1.0.dist-info", "tinydep-1.0.dist-info", "extradep-1.0.dist-info"} <= dist_infos(
        build.deb("uvb-app")
    )
    strict = build_package(
        "uvb-app", source=_copy(tmp_path / "uv"), args="--installer=uv --extra-pip-arg=--progress-bar=off"
    )
    assert strict.returncode != 0
    errors = [line for line in strict.output.splitlines() if line.startswith("dh_venv: error: ")]
    assert errors == [
        "dh_venv: error: uvb-app: --installer=uv: uv pip install does not take the pip option --progress-bar "
        "(from --extra-pip-arg or DH_VENV_PIP_ARGS); drop the option, or build with --installer=pip"
    ], strict.output[-3000:]
