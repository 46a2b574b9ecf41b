"""The dependencies of a set of prebuilt ELF files, remembered between builds.

``dpkg-shlibdeps`` over the prebuilt files of a venv takes seconds (9 s
for the heavy benchmark input), and warm builds give it the very same
bytes every time.  Its answer depends on nothing else than:

- the files given to it: each one's path in the package and its sha256
  (the hash ``dh_venv_restore`` has just checked against ``RECORD``);
- the ``-l`` directories and the shared libraries the package itself
  holds there (a library the venv bundles is no dependency);
- the system's data: the ``shlibs`` and ``symbols`` files of installed
  packages (``/var/lib/dpkg/info``), ``/etc/dpkg/shlibs.*``, the
  dynamic linker's cache and configuration, ``debian/shlibs.local`` and
  the ``DEBIAN/shlibs`` and ``DEBIAN/symbols`` of the packages being
  built, dpkg-dev itself (its file list, rewritten by every upgrade),
  the host architecture and ``LD_LIBRARY_PATH``.

All of it goes into one key.  The set is cached as a whole rather than
each file on its own: one ``dpkg-shlibdeps`` run over 113 files took
6.5 s where 113 runs of one file took 34 s, so a changed file
recomputes the set in one run.  Installed packages' data enters by size
and modification time (an upgrade or a new library rewrites them);
files of the build tree by content.

Entries are small JSON files in ``<cache>/shlibdeps/``, written through a
temporary file and a rename; one that cannot be read is removed with a
notice and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

#: Version of the key's layout: entries of another layout are never read.
_LAYOUT = "1"
_DPKG_INFO = Path("/var/lib/dpkg/info")
_SYSTEM_FILES = (
    "/etc/dpkg/shlibs.override",
    "/etc/dpkg/shlibs.default",
    "/etc/ld.so.conf",
    "/etc/ld.so.cache",
    "/usr/bin/dpkg-shlibdeps",
    "/var/lib/dpkg/info/dpkg-dev.list",
)
_ENVIRONMENT = ("DEB_HOST_ARCH", "DEB_HOST_MULTIARCH", "LD_LIBRARY_PATH")


def _stat(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [path.name, None]
    return [path.name, st.st_size, st.st_mtime_ns]


def _content(path: Path, build_dir: Path) -> list[object]:
    """A file of the build tree: by its path in the tree (a copy of the tree elsewhere finds it) and content."""
    name = str(path.relative_to(build_dir))
    try:
        return [name, hashlib.sha256(path.read_bytes()).hexdigest()]
    except OSError:
        return [name, None]


def _library_dirs() -> list[Path]:
    """The dynamic linker's directories: a library added to or removed from one changes its time."""
    dirs = [Path("/lib"), Path("/usr/lib")]
    conf_d = Path("/etc/ld.so.conf.d")
    for conf in sorted(conf_d.glob("*.conf")) if conf_d.is_dir() else []:
        dirs.append(conf)
        try:
            lines = conf.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        dirs += [Path(line.strip()) for line in lines if line.strip().startswith("/")]
    return dirs


def system_data(build_dir: Path, environ: Mapping[str, str]) -> list[object]:
    """What of the machine and the build tree ``dpkg-shlibdeps``' answer depends on (see the module)."""
    try:
        names = sorted(n for n in os.listdir(_DPKG_INFO) if n.endswith((".shlibs", ".symbols")))
    except OSError:
        names = []
    data: list[object] = [_stat(_DPKG_INFO / n) for n in names]
    data += [[f, *_stat(Path(f))[1:]] for f in _SYSTEM_FILES]
    data += [[str(d), *_stat(d)[1:]] for d in _library_dirs()]
    debian = build_dir / "debian"
    local = [debian / "shlibs.local", *sorted(debian.glob("*/DEBIAN/shlibs")), *sorted(debian.glob("*/DEBIAN/symbols"))]
    data += [_content(p, build_dir) for p in local if p.is_file()]
    data += [[v, environ.get(v)] for v in _ENVIRONMENT]
    return data


def key(
    files: Iterable[tuple[PurePosixPath, str]],
    lib_dirs: Sequence[PurePosixPath],
    package_libs: Iterable[PurePosixPath],
    system: Sequence[object],
) -> str:
    """The cache key of one ``dpkg-shlibdeps`` run: files (path, sha256), ``-l`` dirs, their libraries, system."""
    text = json.dumps(
        [
            _LAYOUT,
            sorted([str(p), h] for p, h in files),
            [str(d) for d in lib_dirs],
            sorted(str(p) for p in package_libs),
            list(system),
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def entry_path(root: Path, digest: str) -> Path:
    return root / "shlibdeps" / digest[:2] / f"{digest}.json"


def lookup(root: Path, digest: str, notes: list[str]) -> str | None:
    """The ``Depends`` clause cached under ``digest``; None if none (a corrupt entry is removed, noted)."""
    path = entry_path(root, digest)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        notes.append(f"cannot read the cached dependencies {path} ({exc.strerror}); computing them again")
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not (isinstance(data, dict) and data.get("key") == digest and isinstance(data.get("depends"), str)):
        notes.append(f"the cached dependencies {path} are corrupt (an interrupted write?); discarded them")
        path.unlink(missing_ok=True)
        return None
    depends: str = data["depends"]
    return depends


def store(root: Path, digest: str, depends: str) -> Path:
    """Remember ``depends`` under ``digest`` (atomically); return the entry's path."""
    path = entry_path(root, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two builds may store the same entry at once.
    fd, temporary = tempfile.mkstemp(prefix=f".{digest[:16]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": digest, "depends": depends}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path
