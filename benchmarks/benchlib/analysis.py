"""What a build made: the figures of its .deb, read from the archive and its extracted tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .builds import Build, the_deb
from .commands import run
from .inputs import BenchError, InputSpec

INSTALL_ROOT = "opt/venvs"
SEEDS = {"pip", "setuptools", "wheel"}
#: The interpreter dh-venv's packages depend on: /usr/bin/python3 resolved (python3.11 on bookworm, 3.13 on trixie).
INTERPRETER = Path(os.path.realpath("/usr/bin/python3")).name


@dataclass(frozen=True)
class Analysis:
    """The figures of one .deb (the field order is the JSON file's)."""

    deb: str
    deb_bytes: int
    dbgsym_bytes: int
    data_member: str
    depends: str
    installed_size_kib: int
    depends_interpreter: bool
    files: int
    symlinks: int
    pyc_files: int
    usr_bin: tuple[str, ...]
    console_script_on_path: bool
    build_path_files: int
    build_path_kinds: dict[str, int]  # most frequent first
    distributions: tuple[str, ...]
    seed_packages: tuple[str, ...]
    seeds_shipped: bool

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Members:
    """Counts over the members of the package's data archive."""

    files: int
    symlinks: int
    pyc_files: int
    usr_bin: tuple[str, ...]


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


def _control_fields(deb: Path) -> dict[str, str]:
    fields = {}
    for line in run(["dpkg-deb", "-f", str(deb), "Depends", "Installed-Size"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def _members(deb: Path) -> _Members:
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
    return _Members(regular, symlinks, pyc, tuple(sorted(usr_bin)))


def _leaks(b: Build, extracted: Path) -> list[str]:
    """The files of the extracted package that name the build directory."""
    needles = sorted({str(b.src), os.path.realpath(b.src)})
    grep = ["grep", "-rlsF"]
    for needle in needles:
        grep += ["-e", needle]
    found = subprocess.run([*grep, str(extracted)], capture_output=True, text=True)
    if found.returncode not in (0, 1):
        raise BenchError(f"grep failed on {extracted}: {found.stderr.strip()}")
    return [os.path.relpath(p, extracted) for p in found.stdout.splitlines() if p]


def _kinds(leaks: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for rel in leaks:
        kinds[leak_kind(rel)] = kinds.get(leak_kind(rel), 0) + 1
    return dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))


def _distributions(venv: Path) -> tuple[list[str], list[str]]:
    """The venv's distributions (name-version) as dist-info and as egg-info."""
    site = "lib/python3*/site-packages/"
    dists = sorted(re.sub(r"\.dist-info$", "", p.name) for p in venv.glob(site + "*.dist-info"))
    eggs = sorted(re.sub(r"(-py\d+\.\d+)?\.egg-info$", "", p.name) for p in venv.glob(site + "*.egg-info"))
    return dists, eggs


def analyse(spec: InputSpec, b: Build) -> Analysis:
    deb = the_deb(spec, b)
    dbgsym = sorted(b.src.parent.glob(f"{spec.package}-dbgsym_*.deb"))
    members = run(["ar", "t", str(deb)]).split()
    fields = _control_fields(deb)
    depends = fields.get("Depends", "")
    counts = _members(deb)
    extracted = b.run_dir / "extracted"
    run(["dpkg-deb", "-R", str(deb), str(extracted)])
    leaks = _leaks(b, extracted)
    dists, eggs = _distributions(extracted / INSTALL_ROOT / spec.package)
    seeds = tuple(sorted(d for d in dists if d.split("-")[0].lower() in SEEDS))
    shutil.rmtree(extracted)
    return Analysis(
        deb=deb.name,
        deb_bytes=deb.stat().st_size,
        dbgsym_bytes=dbgsym[0].stat().st_size if dbgsym else 0,
        data_member=next((m for m in members if m.startswith("data.tar")), "?"),
        depends=depends,
        installed_size_kib=int(fields.get("Installed-Size", "0") or 0),
        depends_interpreter=bool(re.search(rf"(^|[\s,|]){re.escape(INTERPRETER)}([\s(,]|$)", depends)),
        files=counts.files,
        symlinks=counts.symlinks,
        pyc_files=counts.pyc_files,
        usr_bin=counts.usr_bin,
        console_script_on_path=spec.script in counts.usr_bin,
        build_path_files=len(leaks),
        build_path_kinds=_kinds(leaks),
        distributions=tuple(sorted(dists + eggs)),
        seed_packages=seeds,
        seeds_shipped=bool(seeds),
    )
