"""Refusing console scripts that would break the target system or the venv.

Three kinds of clash, each checked on plain paths so they apply to any
directory the links go to:

* a link whose path (or its twin across merged ``/usr``: ``/usr/bin/X``
  and ``/bin/X``), or the same command name in another directory of
  ``PATH``, belongs to another Debian package on the build machine
  (dpkg's database), is managed by ``update-alternatives``, or is a
  command the system cannot live without;
* a link inside the venv itself;
* a console script of a distribution that replaced a file the venv needs
  (its ``python``, ``python3``, ``python3.X``, ``activate*``, the seed
  packages' ``pip*`` and ``wheel*``).

The first two need no venv and run before any venv is built when the
link names are known from the options; the third runs right after the
installer, before anything executes the venv's interpreter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dh_venv import caches, site
from dh_venv.errors import CommandError, DhVenvError, replaced_script
from dh_venv.runner import Runner

# Directories searched for commands; a name in one shadows or is shadowed
# by the same name in another.
PATH_DIRS = tuple(
    PurePosixPath(d)
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/games")
)
# Top-level directories that merged /usr turns into symlinks to /usr/<dir>.
_MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
# Commands that must never be replaced, whether or not the build machine
# has them installed.
ESSENTIAL = frozenset(
    {
        "sh", "bash", "dash", "env", "python", "python3", "perl", "sudo", "su", "login", "dpkg", "apt",
        "apt-get", "systemctl", "init", "mount", "umount", "ls", "cp", "mv", "rm", "ln", "cat", "chmod",
        "chown", "mkdir", "hostname", "ssh", "passwd", "kill", "ps", "id", "tar", "gzip", "sed", "grep",
        "find", "which", "true", "false", "test",
    }
)  # fmt: skip
# What virtualenv puts into bin/ for the interpreter and activation.
_VENV_OWN = re.compile(r"python(3(\.\d+)?)?|activate(\..*|_this\.py)?|deactivate(\..*)?")


@dataclass(frozen=True)
class Seed:
    """What the freshly created venv holds before anything is installed."""

    #: Names in ``bin/``.
    bin_names: frozenset[str]
    #: Normalised names of the distributions already installed (pip, ...).
    dists: frozenset[str]


def seed(venv: Path) -> Seed:
    """Record what the venv holds right after it was created."""
    bin_dir = venv / "bin"
    names = frozenset(os.listdir(bin_dir)) if bin_dir.is_dir() else frozenset()
    return Seed(names, frozenset(d.name for d in site.distributions(venv)))


def check_venv_scripts(venv: Path, before: Seed) -> None:
    """Fail if an installed distribution's script replaced a file the venv needs."""
    for dist in site.distributions(venv):
        if dist.name in before.dists:
            continue  # pip, setuptools, wheel own their scripts
        for name in dist.script_names():
            if _VENV_OWN.fullmatch(name) or name in before.bin_names:
                raise replaced_script(dist.dist_info.name[: -len(".dist-info")].replace("-", " ", 1), name)


def _twins(link: PurePosixPath) -> list[PurePosixPath]:
    """``link`` and the paths that name the same command on a merged-/usr system or on PATH."""
    paths = [link]
    parts = link.parts
    if len(parts) >= 3 and parts[1] == "usr" and parts[2] in _MERGED:
        paths.append(PurePosixPath("/", *parts[2:]))
    elif len(parts) >= 2 and parts[1] in _MERGED:
        paths.append(PurePosixPath("/usr", *parts[1:]))
    if link.parent in PATH_DIRS:
        paths += [d / link.name for d in PATH_DIRS]
    return list(dict.fromkeys(paths))


def _merged(path: PurePosixPath) -> PurePosixPath:
    """``path`` as merged /usr spells it."""
    parts = path.parts
    return PurePosixPath("/usr", *parts[1:]) if len(parts) >= 2 and parts[1] in _MERGED else path


def owners(paths: Iterable[PurePosixPath], runner: Runner, cache: Path | None = None) -> dict[PurePosixPath, list[str]]:
    """Which installed Debian packages own each of ``paths`` (dpkg's database).

    The answer is kept in ``cache`` until dpkg's database changes (:func:`dh_venv.caches.dpkg_database`).
    """
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    argv = ["dpkg-query", "-S", *map(str, wanted)]

    def ask() -> str:
        try:
            return runner.run(argv, env={"PATH": "/usr/bin:/bin"}, changes_files=False)
        except CommandError as exc:
            return exc.output  # status 1 when some path has no owner

    key = [*argv, *caches.dpkg_database()]
    out = caches.answer(cache, key, ask, runner, " ".join(argv))
    found: dict[PurePosixPath, list[str]] = {}
    for line in out.splitlines():
        if line.startswith(("diversion by", "dpkg-query:")) or ": /" not in line:
            continue
        pkgs, _, path = line.partition(": ")
        found[PurePosixPath(path.strip())] = [p.strip().split(":")[0] for p in pkgs.split(",") if p.strip()]
    return found


def check_links(
    links: Mapping[PurePosixPath, PurePosixPath],
    final_venv: PurePosixPath,
    runner: Runner,
    own_packages: Iterable[str] = (),
    cache: Path | None = None,
) -> None:
    """Fail if a planned link (path -> target in the venv) would break the system.

    ``own_packages`` (the binary packages of this source) may own the
    paths already: a rebuild on a machine that has them installed.
    """
    mine = set(own_packages)
    twins = {link: _twins(link) for link in links}
    owned = owners([p for ps in twins.values() for p in ps], runner, cache)
    for link, target in sorted(links.items()):
        script = target.name
        rename = f"rename the link with --console-script={script}=OTHER-NAME, or do not expose it"
        if link == final_venv or final_venv in link.parents:
            raise DhVenvError(
                f"console script {script} would be linked as {link}, inside the venv itself",
                hint="link it into a directory outside the venv",
            )
        for path in twins[link]:
            others = [p for p in owned.get(path, []) if p not in mine]
            if others:
                if path == link:
                    where = ""
                elif (
                    path.name == link.name
                    and path.parent in PATH_DIRS
                    and link.parent in PATH_DIRS
                    and (_merged(path) != _merged(link))
                ):
                    where = " (a command of the same name on PATH)"
                else:
                    where = " (the same file on a merged-/usr system)"
                essential = " (essential)" if _essential(others, runner) else ""
                raise DhVenvError(
                    f"console script {script} would be linked as {link}, but {path}{where} belongs to "
                    f"package {', '.join(others)}{essential} on this build machine; installing both would "
                    "replace or shadow that command",
                    hint=rename,
                )
        if link.name in ESSENTIAL and link.parent in PATH_DIRS:
            raise DhVenvError(
                f"console script {script} would be linked as {link}, replacing or shadowing the command "
                f"{link.name} that every Debian system relies on",
                hint=rename,
            )
        for path in twins[link]:
            real = Path(path)
            if real.is_symlink() and os.readlink(real).startswith("/etc/alternatives/"):
                raise DhVenvError(
                    f"console script {script} would be linked as {link}, but {path} is managed by "
                    "update-alternatives on this build machine",
                    hint=rename,
                )


def _essential(packages: list[str], runner: Runner) -> bool:
    try:
        out = runner.run(
            ["dpkg-query", "-W", "-f=${Essential}\\n", *packages], env={"PATH": "/usr/bin:/bin"}, changes_files=False
        )
    except CommandError:
        return False
    return "yes" in out.split()


def duplicate_links(planned: Mapping[str, Iterable[PurePosixPath]]) -> None:
    """Fail if two packages would ship the same link (package -> its links)."""
    seen: dict[PurePosixPath, str] = {}
    for package, links in planned.items():
        for link in links:
            if link in seen and seen[link] != package:
                raise DhVenvError(
                    f"{link} would be linked by both {seen[link]} and {package}",
                    package=package,
                    hint="expose it from one package only (--console-script, --no-console-scripts)",
                )
            seen[link] = package
