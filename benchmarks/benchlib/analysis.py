"""Looking at what a build made: the .deb, the floor, the install and first run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from .inputs import BenchError, InputSpec
from .running import Build, run

INSTALL_ROOT = "opt/venvs"
APT = ("apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=900", "-o", "Dpkg::Use-Pty=0")


def the_deb(spec: InputSpec, b: Build) -> Path:
    debs = sorted(b.src.parent.glob(f"{spec.package}_*.deb"))
    if len(debs) != 1:
        raise BenchError(f"expected one {spec.package}_*.deb in {b.src.parent}, found {[d.name for d in debs]}")
    return debs[0]


def leak_kind(rel: str) -> str:
    base = os.path.basename(rel)
    if base.endswith(".pyc"):
        return ".pyc"
    if base in {"RECORD", "direct_url.json", "pyvenv.cfg", "INSTALLER", "entry_points.txt"}:
        return base
    if "/bin/" in rel:
        return "venv bin/ script"
    if base.endswith(".pth"):
        return ".pth"
    if rel.startswith("DEBIAN/"):
        return "DEBIAN/" + base
    suffix = os.path.splitext(base)[1]
    return suffix or base


def analyse(spec: InputSpec, b: Build) -> dict[str, Any]:
    deb = the_deb(spec, b)
    dbgsym = sorted(b.src.parent.glob(f"{spec.package}-dbgsym_*.deb"))
    members = run(["ar", "t", str(deb)]).split()
    result: dict[str, Any] = {
        "deb": deb.name,
        "deb_bytes": deb.stat().st_size,
        "dbgsym_bytes": dbgsym[0].stat().st_size if dbgsym else 0,
        "data_member": next((m for m in members if m.startswith("data.tar")), "?"),
    }
    fields = {}
    for line in run(["dpkg-deb", "-f", str(deb), "Depends", "Installed-Size"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    result["depends"] = fields.get("Depends", "")
    result["installed_size_kib"] = int(fields.get("Installed-Size", "0") or 0)
    result["depends_python3_11"] = bool(re.search(r"(^|[\s,|])python3\.11([\s(,]|$)", result["depends"]))

    regular = symlinks = pyc = 0
    usr_bin = []
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for member in tar:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isfile():
                regular += 1
                pyc += name.endswith(".pyc")
            elif member.issym() or member.islnk():
                symlinks += 1
            if name.startswith("usr/bin/") and not member.isdir():
                usr_bin.append(name[len("usr/bin/") :])
    if proc.wait() != 0:
        raise BenchError(f"dpkg-deb --fsys-tarfile {deb} failed")
    result.update(files=regular, symlinks=symlinks, pyc_files=pyc, usr_bin=sorted(usr_bin))
    result["console_script_on_path"] = spec.script in usr_bin

    extracted = b.run_dir / "extracted"
    run(["dpkg-deb", "-R", str(deb), str(extracted)])
    needles = sorted({str(b.src), os.path.realpath(b.src)})
    grep = ["grep", "-rlsF"]
    for needle in needles:
        grep += ["-e", needle]
    found = subprocess.run([*grep, str(extracted)], capture_output=True, text=True)
    if found.returncode not in (0, 1):
        raise BenchError(f"grep failed on {extracted}: {found.stderr.strip()}")
    leaks = [os.path.relpath(p, extracted) for p in found.stdout.splitlines() if p]
    kinds: dict[str, int] = {}
    for rel in leaks:
        kinds[leak_kind(rel)] = kinds.get(leak_kind(rel), 0) + 1
    result.update(
        build_path_files=len(leaks), build_path_kinds=dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    )
    venv = extracted / INSTALL_ROOT / spec.package
    site = "lib/python3*/site-packages/"
    dists = sorted(re.sub(r"\.dist-info$", "", p.name) for p in venv.glob(site + "*.dist-info"))
    eggs = sorted(re.sub(r"(-py\d+\.\d+)?\.egg-info$", "", p.name) for p in venv.glob(site + "*.egg-info"))
    result["distributions"] = sorted(dists + eggs)
    seeds = {"pip", "setuptools", "wheel"}
    result["seed_packages"] = sorted(d for d in dists if d.split("-")[0].lower() in seeds)
    result["seeds_shipped"] = bool(result["seed_packages"])
    shutil.rmtree(extracted)
    return result


def floor(spec: InputSpec, b: Build, analysis: dict[str, Any], compressor_env: dict[str, str]) -> dict[str, Any]:
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
    members = {"data.tar.xz": "xz", "data.tar.zst": "zstd", "data.tar.gz": "gzip", "data.tar": "none"}
    compressor = members.get(analysis["data_member"], "xz")
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
    level = compressor_env.get("DPKG_DEB_COMPRESSOR_LEVEL")
    return {"seconds": seconds, "compressor": compressor, "level": level, "deb_bytes": size}


def install_and_run(spec: InputSpec, b: Build) -> dict[str, Any]:
    """apt install the package, run its command once, purge it; time the first two."""
    deb = the_deb(spec, b)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    start = time.monotonic()
    argv = [*APT, "install", "--no-install-recommends", str(deb)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    installed = time.monotonic() - start
    try:
        if proc.returncode != 0:
            raise BenchError(f"apt-get install {deb} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        start = time.monotonic()
        # By its path in the venv: dh-virtualenv links nothing into /usr/bin.
        script = f"/{INSTALL_ROOT}/{spec.package}/bin/{spec.script}"
        first = subprocess.run(
            ["env", "-i", "PATH=/usr/bin:/bin", script, *spec.script_args], capture_output=True, text=True
        )
        first_run = time.monotonic() - start
        if first.returncode != 0:
            raise BenchError(f"{script} failed after installing {deb.name}:\n{first.stderr[-2000:]}")
    finally:
        subprocess.run([*APT, "purge", spec.package], capture_output=True, env=env)
    return {"apt_install_s": installed, "first_run_s": first_run}


def cache_contents(directory: Path) -> tuple[int, int]:
    """Number of files and bytes under directory."""
    files = size = 0
    for root, _dirs, names in os.walk(directory):
        for n in names:
            try:
                size += os.lstat(os.path.join(root, n)).st_size
            except OSError:
                continue
            files += 1
    return files, size
