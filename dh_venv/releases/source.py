"""The source package of a build: its name and version, the orig tarball, the ``.dsc`` sbuild takes.

sbuild builds from a ``.dsc``; ``dpkg-source -b`` makes it from the
unpacked tree.  Format ``3.0 (quilt)`` needs the upstream tarball
``<source>_<upstream>.orig.tar.xz`` beside the tree: it is made from the
tree without ``debian/``, by ``tar`` with sorted names and no owner, so the
same project makes the same tarball.  Both are scratch files, read once
by sbuild: they are compressed fast (gzip -1), not small.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner


@dataclass(frozen=True)
class Source:
    """What ``debian/changelog`` and ``debian/source/format`` say of the tree."""

    name: str
    version: str
    format: str

    @property
    def upstream(self) -> str:
        """The upstream version: no epoch, no Debian revision."""
        version = self.version.split(":", 1)[-1]
        return version.rsplit("-", 1)[0] if "-" in version else version

    @property
    def quilt(self) -> bool:
        return self.format.startswith("3.0 (quilt)")


def read(tree: Path, runner: Runner) -> Source:
    """The source package in ``tree`` (its ``debian/changelog`` read by dpkg-parsechangelog)."""
    changelog = tree / "debian" / "changelog"
    fields = {}
    for field in ("Source", "Version"):
        try:
            out = runner.run(["dpkg-parsechangelog", "-l", changelog, "-S", field], changes_files=False)
        except CommandError as exc:
            raise DhVenvError(
                f"cannot read {changelog}: {exc.output.strip() or exc.message}",
                hint="fix debian/changelog (dch -i writes a valid entry)",
            ) from None
        fields[field] = out.strip()
    path = tree / "debian" / "source" / "format"
    fmt = path.read_text().strip() if path.is_file() else "1.0"
    return Source(fields["Source"], fields["Version"], fmt)


def orig_tarball(tree: Path, source: Source, runner: Runner) -> Path:
    """Make ``<source>_<upstream>.orig.tar.gz`` of ``tree`` without ``debian/``, beside ``tree``."""
    orig = tree.parent / f"{source.name}_{source.upstream}.orig.tar.gz"
    runner.run(
        [
            "tar",
            "--sort=name",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "--mtime=@0",
            f"--exclude={tree.name}/debian",
            "--use-compress-program=gzip -1 -n",
            "-C",
            tree.parent,
            "-cf",
            orig,
            tree.name,
        ]
    )
    return orig


def dsc(tree: Path, runner: Runner) -> Path:
    """Make the source package of ``tree`` (the orig tarball first where the format needs one); return its .dsc.

    ``dh_clean`` runs in ``tree`` first, as ``debian/rules clean`` would for
    a dh package, so that what an earlier build left in ``debian/`` (staging
    trees, ``debian/.debhelper/``, where dh-venv keeps its cache when there
    is no ``HOME``) is no part of the source package.
    """
    source = read(tree, runner)
    try:
        runner.run(["dh_clean"], cwd=tree)
    except CommandError as exc:
        raise DhVenvError(
            f"dh_clean failed in the copy of {source.name}", hint="check debian/control", details=exc.output
        ) from None
    wanted = tree.parent / f"{source.name}-{source.upstream}"
    if tree != wanted:
        tree = tree.rename(wanted)
    if source.quilt and not list(tree.parent.glob(f"{source.name}_{source.upstream}.orig.tar.*")):
        orig_tarball(tree, source, runner)
    try:
        runner.run(["dpkg-source", "-Zgzip", "-z1", "-b", tree.name], cwd=tree.parent)
    except CommandError as exc:
        errors = [line for line in exc.output.splitlines() if "error" in line]
        raise DhVenvError(
            f"dpkg-source could not make the source package of {source.name} {source.version}: "
            + (errors[-1].strip() if errors else f"exit status {exc.returncode}"),
            hint="fix debian/source/format or debian/changelog (a native format takes a version without -N)",
            details=exc.output,
        ) from None
    version = source.version.split(":", 1)[-1]
    return tree.parent / f"{source.name}_{version}.dsc"
