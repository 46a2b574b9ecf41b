"""debhelper's file conventions: package list, autoscripts, substvars, links.

The files debhelper reads back (substvars, ``*.debhelper`` snippets,
generated triggers, lintian overrides) are written here and nowhere else;
dh_venv's own state and scratch files live under ``debian/.debhelper/dh_venv/``
(the build copy, lock-derived requirements, the set-aside state), and the
venv itself goes into the staging tree through the core.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dh_venv import caches

# Re-exported: the package list is part of debhelper's conventions; its own module keeps the steps' imports small.
from dh_venv.debhelper.packagelist import list_packages as list_packages
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

if TYPE_CHECKING:
    from debian.substvars import Substvars

# Snippets for prerm and postrm are prepended, as debhelper does, so they
# undo what the postinst snippets of later tools did before undoing ours.
_PREPENDED = {"prerm", "postrm"}


def is_documentation(package: str) -> bool:
    """Whether ``package`` is, by Debian's naming convention, documentation only.

    Such packages (``<name>-doc``) get no venv unless ``-p`` names them.
    """
    return package.endswith("-doc")


def interpreter_package(path: Path, runner: Runner, cache: Path | None = None) -> str | None:
    """The Debian package that must be installed for ``path`` to run a venv.

    ``/usr/bin/python3.X`` belongs to ``python3.X-minimal``, which lacks most
    of the standard library; the venv needs the full ``python3.X``.  dpkg's
    answer is kept in ``cache`` until its database changes.
    """
    argv = ["dpkg-query", "-S", str(path)]

    def ask() -> str:
        try:
            return runner.run(argv, env={"PATH": "/usr/bin:/bin"}, changes_files=False)
        except CommandError:
            return ""

    out = caches.answer(cache, [*argv, *caches.dpkg_database()], ask, runner, " ".join(argv))
    owner = out.split(":", 1)[0].strip() if out else ""
    match = re.fullmatch(r"(python3\.\d+)-minimal", owner)
    return match.group(1) if match else owner or None


def _load_substvars(path: Path) -> Substvars:
    """debian/<package>.substvars as python-debian reads it (empty if missing); imported here, when needed."""
    from debian.substvars import Substvars

    return Substvars.load_from_path(str(path)) if path.exists() else Substvars()


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

        def add() -> None:
            substvars = _load_substvars(path)
            substvars.add_dependency("misc:Depends", depends)
            substvars.substvars_path = str(path)
            substvars.save()

        self.runner.apply(f"echo misc:Depends+={depends} >> {path}", add)

    def substvar(self, name: str) -> str:
        """The value of ``name`` in debian/<package>.substvars ("" if unset)."""
        path = self.debian / f"{self.package}.substvars"
        if not path.exists():
            return ""
        return str(_load_substvars(path).get(name, ""))

    def set_substvar(self, name: str, value: str) -> None:
        """Set (or, with an empty value, remove) ``name`` in debian/<package>.substvars."""
        path = self.debian / f"{self.package}.substvars"

        def update() -> None:
            substvars = _load_substvars(path)
            if value:
                substvars[name] = value
            elif name in substvars:
                del substvars[name]
            substvars.substvars_path = str(path)
            substvars.save()

        self.runner.apply(f"set {name}={value} in {path}", update)

    def add_autoscript(self, script: str, snippet: str, replacements: dict[str, str]) -> None:
        """Add a snippet from ``dh_venv/debhelper/autoscripts`` to debian/<package>.<script>.debhelper."""
        from importlib import resources

        text = resources.files("dh_venv.debhelper").joinpath("autoscripts", snippet).read_text()
        # Every value is shell-quoted where it replaces #KEY# (no snippet puts
        # a placeholder inside quotes): no path or name runs in a maintainer script.
        for key, value in replacements.items():
            if "\0" in value or "\n" in value:
                raise DhVenvError(f"{key.lower()} {value!r} holds a NUL or a newline", hint="choose another path")
            text = text.replace(f"#{key}#", shlex.quote(value))
        block = f"# Automatically added by dh_venv/{self.version}\n{text.rstrip()}\n# End automatically added section\n"
        path = self.debian / f"{self.package}.{script}.debhelper"

        def add() -> None:
            old = path.read_text() if path.exists() else ""
            path.write_text(block + old if script in _PREPENDED else old + block)

        self.runner.apply(f"add {snippet} to {path}", add)

    def add_trigger(self, kind: str, target: str) -> None:
        """Add ``kind target`` to the triggers dh_installdeb merges with debian/<package>.triggers."""
        path = self.debian / ".debhelper" / "generated" / self.package / "triggers"
        line = f"{kind} {target}"

        def add() -> None:
            lines = path.read_text().splitlines() if path.exists() else []
            if line in lines:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{x}\n" for x in [*lines, f"# Triggers added by dh_venv/{self.version}", line]))

        self.runner.apply(f"echo {line} >> {path}", add)

    def add_lintian_overrides(self, staging_root: Path, generated: str) -> None:
        """Merge ``generated`` into the package's lintian overrides, keeping the maintainer's.

        The sequence add-on runs dh_lintian before dh_venv, so the
        maintainer's ``debian/<package>.lintian-overrides`` is already in
        the staging tree; without dh, dh_venv copies it there itself.
        """
        path = staging_root / "usr/share/lintian/overrides" / self.package
        own = self.debian / f"{self.package}.lintian-overrides"

        def merge() -> None:
            existing = path.read_text() if path.is_file() else own.read_text() if own.is_file() else ""
            path.parent.mkdir(parents=True, exist_ok=True)
            from dh_venv.debhelper import lintian

            path.write_text(lintian.merge(existing, generated))

        self.runner.apply(f"add dh_venv's lintian overrides to {path}", merge)


def control_field(build_dir: Path, package: str, name: str) -> str:
    """Field ``name`` of binary package ``package`` in debian/control ("" if absent).

    Read as deb822 is (comment lines dropped, continuation lines joined
    by newlines, field names in any case), without loading python-debian:
    the later steps of every build ask for one field.
    """
    try:
        text = (build_dir / "debian" / "control").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    for paragraph in _paragraphs(text):
        if paragraph.get("package") == package:
            return paragraph.get(name.lower(), "")
    return ""


def _paragraphs(text: str) -> Iterator[dict[str, str]]:
    """The paragraphs of a deb822 text, field names lower-cased."""
    paragraph: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if paragraph:
                yield paragraph
            paragraph, last = {}, None
        elif line[0] in " \t":
            if last is not None:
                paragraph[last] += "\n" + line.strip()
        else:
            field, sep, value = line.partition(":")
            if sep:
                last = field.strip().lower()
                paragraph[last] = value.strip()
    if paragraph:
        yield paragraph


def make_links(staging_root: Path, links: dict[PurePosixPath, PurePosixPath], runner: Runner) -> None:
    """Create ``links`` (absolute path -> target) in the staging tree."""
    for link, target in sorted(links.items()):
        path = staging_root / str(link).lstrip("/")
        runner.apply(f"ln -s {target} {path}", functools.partial(_link, path, link, target))


def _link(path: Path, link: PurePosixPath, target: PurePosixPath) -> None:
    if path.is_symlink() and os.readlink(path) == str(target):
        return  # made by an earlier run of dh_venv
    if path.exists() or path.is_symlink():
        raise DhVenvError(
            f"{link} already exists in the package, so the console script cannot be linked there",
            hint="rename the link with --console-script=NAME=OTHER, or leave the file out of debian/*.install",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def maintainer_links(build_dir: Path, package: str) -> dict[PurePosixPath, PurePosixPath]:
    """The links ``debian/<package>.links`` asks dh_link for, as link -> target.

    Each line holds pairs of ``target link`` (dh_link's order), absolute
    or relative to the package root; ``#`` starts a comment.
    """
    path = build_dir / "debian" / f"{package}.links"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {}
    links: dict[PurePosixPath, PurePosixPath] = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        for target, link in zip(words[::2], words[1::2], strict=False):
            links[PurePosixPath("/" + link.lstrip("/"))] = PurePosixPath("/" + target.lstrip("/"))
    return links


def venv_links(build_dir: Path, package: str) -> list[str]:
    """The symlinks ``debian/<package>.venv-links`` allows to point outside the source tree.

    One path per line, relative to the project; ``#`` starts a comment.
    """
    try:
        text = (build_dir / "debian" / f"{package}.venv-links").read_text(errors="replace")
    except OSError:
        return []
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [os.path.normpath(line.removeprefix("./")) for line in lines if line]


# dh-virtualenv's postinst copied /usr/bin/python3.X into the venv when this
# trigger fired; dh_venv's venvs link the interpreter instead.
INCUMBENT_TRIGGER = "dh-virtualenv-interpreter-update"


def incumbent_triggers(build_dir: Path, package: str) -> list[str]:
    """Lines of ``debian/<package>.triggers`` naming dh-virtualenv's trigger."""
    path = build_dir / "debian" / f"{package}.triggers"
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if INCUMBENT_TRIGGER in line.split("#", 1)[0].split()]


def without_token(build_dir: Path, package: str, main_package: str) -> list[str]:
    """The package's own postinst, prerm and postrm that lack ``#DEBHELPER#`` (relative to the tree).

    dh_installdeb puts the snippets there; a script without the token gets
    none of them.  ``debian/<script>`` stands for the first package's.
    """
    missing = []
    for script in ("postinst", "prerm", "postrm"):
        path = build_dir / "debian" / f"{package}.{script}"
        if not path.is_file() and package == main_package:
            path = build_dir / "debian" / script
        if path.is_file() and "#DEBHELPER#" not in path.read_text(errors="replace"):
            missing.append(str(path.relative_to(build_dir)))
    return missing


def generated_incumbent_triggers(build_dir: Path, package: str) -> list[tuple[str, str]]:
    """(file, line) naming dh-virtualenv's trigger in the triggers debhelper generates for ``package``.

    Scripts run from ``override_dh_venv`` append to this file; dh_installdeb
    merges it with ``debian/<package>.triggers`` (which dh_venv checks itself).
    """
    path = build_dir / "debian" / ".debhelper" / "generated" / package / "triggers"
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    shown = str(path.relative_to(build_dir))
    return [(shown, line.strip()) for line in lines if INCUMBENT_TRIGGER in line.split("#", 1)[0].split()]


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
    text = "".join(f"{line}\n" for line in [*kept, *(prefix + n for n in names)])
    runner.apply(f"list {len(names)} files of {prefix} in {listing}", lambda: listing.write_text(text))
    return listing
