"""The system libraries that a venv's prebuilt ELF files need.

``dpkg-shlibdeps`` does the mapping from sonames to Debian packages and
versions (shlibs and symbols files), as for any compiled package.  It is
given every directory of the venv that holds a shared library, so a
library the venv bundles (``<dist>.libs/``, ``<package>/.libs``, ...)
resolves inside the package being built and never becomes a dependency,
whether or not the bundled libraries carry an RPATH of their own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from dh_venv import elf
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

_NOT_FOUND = re.compile(r"cannot find library (\S+) needed by (\S+)")


def shared_libraries(staging_root: Path, venvs: Iterable[Path]) -> list[PurePosixPath]:
    """Installed paths of the venvs' shared libraries (what ``-l`` lets dpkg-shlibdeps find in the package)."""
    found = set()
    for venv in venvs:
        for dirpath, _, filenames in os.walk(venv):
            # By name first: reading every file of a large venv to find its few libraries costs.
            for path in (Path(dirpath, n) for n in filenames if ".so" in n):
                if elf.is_elf(path) and (".so." in path.name or elf.read_dynamic(path).soname):
                    found.add(PurePosixPath("/", path.relative_to(staging_root)))
    return sorted(found)


def library_dirs(staging_root: Path, venvs: Iterable[Path]) -> list[PurePosixPath]:
    """Installed paths of the venv directories that hold shared libraries."""
    return sorted({p.parent for p in shared_libraries(staging_root, venvs)})


def depends(
    package: str,
    files: Sequence[Path],
    lib_dirs: Sequence[PurePosixPath],
    runner: Runner,
    build_dir: Path,
) -> str:
    """The ``Depends`` clause for the system libraries ``files`` need."""
    if not files:
        return ""
    argv: list[str | Path] = ["dpkg-shlibdeps", "-O", "--warnings=0"]
    argv += [f"-l{d}" for d in lib_dirs]
    argv += [f"-e{f.relative_to(build_dir) if f.is_relative_to(build_dir) else f}" for f in files]
    try:
        out = runner.run(argv, cwd=build_dir, changes_files=False)
    except CommandError as exc:
        missing = sorted({m.group(1) for m in _NOT_FOUND.finditer(exc.output)})
        if missing:
            raise DhVenvError(
                f"prebuilt files of the venv need libraries that are neither in the venv nor installed: "
                f"{', '.join(missing)}",
                package=package,
                hint="add the Debian packages that provide them to Build-Depends (and they become Depends)",
                details=exc.output,
            ) from None
        raise DhVenvError(
            "dpkg-shlibdeps could not compute the dependencies of the prebuilt files",
            package=package,
            hint="see its output below",
            details=exc.output,
        ) from None
    for line in out.splitlines():
        if line.startswith("shlibs:Depends="):
            return line.split("=", 1)[1].strip()
    return ""


def split(clause: str) -> list[str]:
    """The items of a dependency field."""
    return [item.strip() for item in clause.split(",") if item.strip()]


def names(item: str) -> set[str]:
    """Package names of one item (``a (>= 1) | b`` -> ``{a, b}``)."""
    return {re.split(r"[\s(:\[]", alt.strip(), maxsplit=1)[0] for alt in item.split("|")}


def arrange(
    current: str, added: str, recommends: Iterable[str], ignore: Iterable[str]
) -> tuple[str, list[str], list[str]]:
    """New ``shlibs:Depends`` and the items moved to Recommends or dropped.

    ``current`` is what dh_shlibdeps wrote; ``added`` what the prebuilt
    files need.  Returns (depends, recommended items, names never seen).
    """
    wanted_rec, wanted_ign = set(recommends), set(ignore)
    kept: list[str] = []
    moved: list[str] = []
    seen: set[str] = set()
    for item in split(current) + split(added):
        found = names(item)
        seen |= found
        if found & wanted_ign:
            continue
        target = moved if found & wanted_rec else kept
        if item not in target:
            target.append(item)
    unused = sorted((wanted_rec | wanted_ign) - seen)
    return ", ".join(kept), moved, unused
