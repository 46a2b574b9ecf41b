"""debhelper's file conventions: package list, autoscripts, substvars, links.

Nothing else in dh_venv writes under ``debian/`` (the venv itself goes
into the staging tree through the core).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path, PurePosixPath

from debian.substvars import Substvars

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

# Snippets for prerm and postrm are prepended, as debhelper does, so they
# undo what the postinst snippets of later tools did before undoing ours.
_PREPENDED = {"prerm", "postrm"}


def list_packages(selection: Sequence[str], runner: Runner, env: dict[str, str]) -> list[str]:
    """The binary packages to act on, as ``dh_listpackages`` decides.

    ``selection`` carries the shared -p/-N/-a/-i options; DH_OPTIONS and
    DH_INTERNAL_OPTIONS are already folded into it, so they are not passed
    on (dh_listpackages would warn about our own options in them).
    """
    clean = {k: v for k, v in env.items() if k not in ("DH_OPTIONS", "DH_INTERNAL_OPTIONS")}
    try:
        out = runner.run(["dh_listpackages", *selection], env=clean, changes_files=False)
    except CommandError as exc:
        raise DhVenvError(
            "dh_listpackages could not list the packages to act on",
            hint="check debian/control and the -p/-N options",
            details=exc.output,
        ) from None
    return out.split()


def interpreter_package(path: Path, runner: Runner) -> str | None:
    """The Debian package that must be installed for ``path`` to run a venv.

    ``/usr/bin/python3.X`` belongs to ``python3.X-minimal``, which lacks most
    of the standard library; the venv needs the full ``python3.X``.
    """
    try:
        out = runner.run(["dpkg-query", "-S", str(path)], env={"PATH": "/usr/bin:/bin"}, changes_files=False)
    except CommandError:
        return None
    owner = out.split(":", 1)[0].strip()
    match = re.fullmatch(r"(python3\.\d+)-minimal", owner)
    return match.group(1) if match else owner or None


class PackageFiles:
    """debian/<package>.* files for one binary package."""

    def __init__(self, build_dir: Path, package: str, runner: Runner, version: str) -> None:
        self.debian = build_dir / "debian"
        self.package = package
        self.runner = runner
        self.version = version

    def add_depends(self, depends: str) -> None:
        """Add ``depends`` to ``${misc:Depends}`` in debian/<package>.substvars."""
        path = self.debian / f"{self.package}.substvars"
        self.runner.announce(f"echo misc:Depends+={depends} >> {path}")
        if self.runner.no_act:
            return
        substvars = Substvars.load_from_path(str(path)) if path.exists() else Substvars()
        substvars.add_dependency("misc:Depends", depends)
        substvars.substvars_path = str(path)
        substvars.save()

    def add_autoscript(self, script: str, snippet: str, replacements: dict[str, str]) -> None:
        """Add a snippet from ``dh_venv/autoscripts`` to debian/<package>.<script>.debhelper."""
        text = resources.files("dh_venv").joinpath("autoscripts", snippet).read_text()
        for key, value in replacements.items():
            text = text.replace(f"#{key}#", value)
        block = f"# Automatically added by dh_venv/{self.version}\n{text.rstrip()}\n# End automatically added section\n"
        path = self.debian / f"{self.package}.{script}.debhelper"
        self.runner.announce(f"add {snippet} to {path}")
        if self.runner.no_act:
            return
        old = path.read_text() if path.exists() else ""
        path.write_text(block + old if script in _PREPENDED else old + block)


def make_links(staging_root: Path, links: dict[PurePosixPath, PurePosixPath], runner: Runner) -> None:
    """Create ``links`` (absolute path -> target) in the staging tree."""
    for link, target in sorted(links.items()):
        path = staging_root / str(link).lstrip("/")
        runner.announce(f"ln -s {target} {path}")
        if runner.no_act:
            continue
        if path.is_symlink() and os.readlink(path) == str(target):
            continue  # made by an earlier run of dh_venv
        if path.exists() or path.is_symlink():
            raise DhVenvError(
                f"{link} already exists in the package, so the console script cannot be linked there",
                hint="rename the link with --console-script=NAME=OTHER, or leave the file out of debian/*.install",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)


def include_binaries(build_dir: Path, directory: Path, names: list[str], runner: Runner) -> Path | None:
    """List the files of ``directory`` (under debian/) in debian/source/include-binaries.

    dpkg-source refuses binary files in debian/ of a ``3.0 (quilt)``
    source unless listed there; entries for files of ``directory`` that
    are gone are dropped.  Returns the file, or None when not needed.
    """
    fmt = build_dir / "debian" / "source" / "format"
    if not fmt.is_file() or "quilt" not in fmt.read_text() or not directory.is_relative_to(build_dir / "debian"):
        return None
    listing = build_dir / "debian" / "source" / "include-binaries"
    prefix = f"{directory.relative_to(build_dir)}/"
    old = listing.read_text().splitlines() if listing.is_file() else []
    kept = [line for line in old if not line.startswith(prefix)]
    runner.announce(f"list {len(names)} files of {prefix} in {listing}")
    if not runner.no_act:
        listing.write_text("".join(f"{line}\n" for line in [*kept, *(prefix + n for n in names)]))
    return listing
