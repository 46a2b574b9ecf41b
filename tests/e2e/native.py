"""Build compiled fixtures: auditwheel-style wheels with bundled libraries, and sdists.

The wheels are made the way auditwheel repairs them: the bundled libraries
get a hashed file name and SONAME (patchelf ``--set-soname``), the
references to them are rewritten (``--replace-needed``), the extension
module finds them through an ``$ORIGIN`` RPATH, and the libraries
themselves carry no RPATH (older auditwheel) or ``$ORIGIN`` (newer).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

NATIVE = Path(__file__).resolve().parents[1] / "native"
PY_TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"
PLATFORM = f"manylinux_2_17_{platform.machine()}"


def _run(*argv: str, cwd: Path) -> None:
    subprocess.run(list(argv), cwd=cwd, check=True, capture_output=True, text=True)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def bundled_wheel(out: Path, work: Path, name: str, libs_dir: str, *, libs_rpath: bool, offset: int) -> Path:
    """A wheel ``name`` whose extension ``name._core`` needs libcwa, which needs libcwb.

    ``libs_dir`` is where the libraries go, relative to site-packages
    (``<name>.libs`` or ``<name>/.libs``); ``libs_rpath`` gives libcwa an
    ``$ORIGIN`` RPATH of its own.  Everything is built with ``-g``, so a
    strip by any debhelper command would show.
    """
    work.mkdir(parents=True)
    # auditwheel hashes the content; the wheel name does here, so the two
    # wheels' copies get different SONAMEs, as they would in real life.
    tag = hashlib.sha256(name.encode()).hexdigest()[:8]
    LIBCWA, LIBCWB = f"libcwa-{tag}.so.1.0", f"libcwb-{tag}.so.1.0"
    src = NATIVE / "bundled"
    include = sysconfig.get_paths()["include"]
    ext = f"_core{sysconfig.get_config_var('EXT_SUFFIX')}"
    _run(
        "g++",
        "-shared",
        "-fPIC",
        "-g",
        "-O2",
        "-Wl,-soname,libcwb.so",
        "-o",
        "libcwb.so",
        str(src / "cwb.cc"),
        cwd=work,
    )
    _run(
        "gcc", "-shared", "-fPIC", "-g", "-O2", f"-DOFFSET={offset}", "-Wl,-soname,libcwa.so", "-o", "libcwa.so",
        str(src / "cwa.c"), "-L.", "-lcwb", cwd=work,
    )  # fmt: skip
    _run(
        "gcc", "-shared", "-fPIC", "-g", "-O2", f"-I{include}", "-o", ext, str(src / "core.c"), "-L.", "-lcwa", cwd=work
    )
    shutil.move(work / "libcwb.so", work / LIBCWB)
    shutil.move(work / "libcwa.so", work / LIBCWA)
    _run("patchelf", "--set-soname", LIBCWB, LIBCWB, cwd=work)
    # One change per call: patchelf 0.14 mixes up combined ones.
    _run("patchelf", "--set-soname", LIBCWA, LIBCWA, cwd=work)
    _run("patchelf", "--replace-needed", "libcwb.so", LIBCWB, LIBCWA, cwd=work)
    if libs_rpath:
        _run("patchelf", "--force-rpath", "--set-rpath", "$ORIGIN", LIBCWA, cwd=work)
    depth = "/".join(".." for _ in Path(name).parts)
    rel = Path(libs_dir).relative_to(name) if libs_dir.startswith(f"{name}/") else Path(depth, libs_dir)
    _run("patchelf", "--replace-needed", "libcwa.so", LIBCWA, ext, cwd=work)
    _run("patchelf", "--force-rpath", "--set-rpath", f"$ORIGIN/{rel}", ext, cwd=work)

    files = {
        f"{name}/__init__.py": f"from {name}._core import value\n\n__all__ = ['value']\n".encode(),
        f"{name}/{ext}": (work / ext).read_bytes(),
        f"{libs_dir}/{LIBCWA}": (work / LIBCWA).read_bytes(),
        f"{libs_dir}/{LIBCWB}": (work / LIBCWB).read_bytes(),
    }
    return _wheel(out, name, files)


def plain_wheel(out: Path, work: Path, name: str) -> Path:
    """A wheel ``name`` whose extension ``name._plain`` needs only libc, built with ``-g``: no RPATH, no .libs."""
    work.mkdir(parents=True)
    ext = f"_plain{sysconfig.get_config_var('EXT_SUFFIX')}"
    include = sysconfig.get_paths()["include"]
    _run("gcc", "-shared", "-fPIC", "-g", "-O2", f"-I{include}", "-o", ext, str(NATIVE / "plain" / "plain.c"), cwd=work)
    files = {
        f"{name}/__init__.py": f"from {name}._plain import value\n\n__all__ = ['value']\n".encode(),
        f"{name}/{ext}": (work / ext).read_bytes(),
    }
    return _wheel(out, name, files)


def _wheel(out: Path, name: str, files: dict[str, bytes]) -> Path:
    """A ``manylinux`` wheel of ``name`` 1.0 holding ``files``, with its METADATA, WHEEL and RECORD."""
    dist_info = f"{name}-1.0.dist-info"
    files[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: dh-venv-tests\nRoot-Is-Purelib: false\nTag: {PY_TAG}-{PY_TAG}-{PLATFORM}\n"
    ).encode()
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        writer.writerow([path, _record_hash(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()

    wheel = out / f"{name}-1.0-{PY_TAG}-{PY_TAG}-{PLATFORM}.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return wheel


def sdist(out: Path, name: str) -> Path:
    """``tests/native/<name>`` as ``<name>-1.0.tar.gz``, for pip to compile during the package build."""
    target = out / f"{name}-1.0.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(NATIVE / name, arcname=f"{name}-1.0")
        info = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()
        member = tarfile.TarInfo(f"{name}-1.0/PKG-INFO")
        member.size = len(info)
        tar.addfile(member, io.BytesIO(info))
    return target


def build_all(out: Path, work: Path) -> dict[str, Path]:
    """The prebuilt wheels (three layouts) and both sdists, into the wheelhouse ``out``."""
    return {
        "cwbundled": bundled_wheel(out, work / "b", "cwbundled", "cwbundled.libs", libs_rpath=False, offset=1),
        "cworigin": bundled_wheel(out, work / "o", "cworigin", "cworigin/.libs", libs_rpath=True, offset=2),
        # psycopg2-binary's layout: <dist>_<suffix>.libs
        "cwsuffix": bundled_wheel(out, work / "s", "cwsuffix", "cwsuffix_binary.libs", libs_rpath=False, offset=3),
        # No bundled library, no RPATH: dh_venv drops its debug sections (strip --strip-debug).
        "cwplain": plain_wheel(out, work / "p", "cwplain"),
        "cwnative": sdist(out, "cwnative"),
        "cwbroken": sdist(out, "cwbroken"),
    }


def record_mismatches(dist_info: Path) -> list[str]:
    """Files a ``RECORD`` lists with a hash that are missing or differ from it."""
    bad = []
    rows = csv.reader(dist_info.joinpath("RECORD").read_text().splitlines())
    for row in rows:
        if len(row) < 2 or not row[1]:
            continue
        path = dist_info.parent / row[0]
        if not path.is_file() or _record_hash(path.read_bytes()) != row[1]:
            bad.append(row[0])
    return bad
