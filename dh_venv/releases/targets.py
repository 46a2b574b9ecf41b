"""The Debian releases dh-venv builds for, and the release a ``.deb`` targets.

The supported releases come from distro-info-data (``debian.csv``): every
numbered release from :data:`OLDEST` on that is released and not past its
end of life (its LTS end where it has one).  Nothing here names an
interpreter: a release's interpreter is where ``/usr/bin/python3`` points,
on this machine for its own release, else in that release's chroot tarball
(:mod:`dh_venv.releases.chroots`).  A ``.deb`` built by dh_venv depends on
its interpreter package (``python3.X``), which names its release.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.releases import chroots
from dh_venv.runner import Runner

DISTRO_INFO = Path("/usr/share/distro-info/debian.csv")
OS_RELEASE = Path("/etc/os-release")
PYTHON3 = Path("/usr/bin/python3")
#: The oldest Debian version dh-venv supports (a project decision: Debian 12); later ones follow distro-info-data.
OLDEST = 12
_INTERPRETER = re.compile(r"python3\.\d+")


@dataclass(frozen=True)
class Release:
    """One Debian release as distro-info-data describes it."""

    codename: str
    version: int
    released: datetime.date
    #: The end of its (LTS) support, None while not announced.
    end: datetime.date | None


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def supported(today: datetime.date | None = None, data: Path = DISTRO_INFO) -> list[Release]:
    """The releases dh-venv builds for on ``today`` (default: the machine's date), oldest first."""
    today = today or datetime.date.today()
    try:
        with data.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DhVenvError(
            f"cannot read {data}, the list of Debian releases ({exc.strerror or exc})",
            hint="apt-get install distro-info-data",
        ) from None
    found = []
    for row in rows:
        version, released = row.get("version") or "", _date(row.get("release"))
        if not version.isdigit() or int(version) < OLDEST or released is None or released > today:
            continue
        end = _date(row.get("eol-lts")) or _date(row.get("eol"))
        if end is None or end >= today:
            found.append(Release(row["series"], int(version), released, end))
    if not found:
        raise DhVenvError(
            f"{data} lists no supported Debian release (Debian {OLDEST} or later, released, supported on {today})",
            hint="update distro-info-data (apt-get install distro-info-data)",
        )
    return found


def names(releases: Sequence[Release]) -> str:
    """``bookworm, trixie``: how messages list releases."""
    return ", ".join(r.codename for r in releases)


def release_named(name: str, today: datetime.date | None = None, data: Path = DISTRO_INFO) -> Release:
    """The supported release called ``name`` (a codename), or an error listing the supported ones."""
    releases = supported(today, data)
    for release in releases:
        if release.codename == name:
            return release
    raise DhVenvError(
        f"{name!r} is not a supported Debian release",
        hint=f"give one of: {names(releases)} (from {data})",
    )


def host_release(os_release: Path = OS_RELEASE) -> str | None:
    """This machine's Debian codename (``/etc/os-release``), None when it is not Debian or has none."""
    try:
        lines = os_release.read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    if fields.get("ID", "").strip("\"'") != "debian":
        return None
    return fields.get("VERSION_CODENAME", "").strip("\"'") or None


def interpreter(
    release: str,
    runner: Runner,
    environ: Mapping[str, str],
    *,
    os_release: Path = OS_RELEASE,
    python3: Path = PYTHON3,
) -> str:
    """``python3.X``, the interpreter package of ``release``.

    This machine's own release answers from its ``/usr/bin/python3``; any
    other from its smoke chroot tarball, made (once) when missing.
    """
    if release == host_release(os_release) and python3.exists():
        return os.path.basename(os.path.realpath(python3))
    tarball = chroots.tarball(release, "smoke", runner, environ)
    found = chroots.interpreter(tarball)
    if found is None:
        raise DhVenvError(
            f"the {release} chroot {tarball} has no /usr/bin/python3",
            hint=f"remove {tarball} so that it is made again",
        )
    return found


def deb_interpreters(deb: Path, runner: Runner) -> set[str]:
    """The ``python3.X`` packages ``deb`` depends on (dh_venv puts its interpreter there)."""
    try:
        depends = runner.run(["dpkg-deb", "--field", deb, "Depends"], changes_files=False, stdout_only=True)
    except CommandError as exc:
        raise DhVenvError(f"{deb} is not a Debian package that dpkg-deb can read", details=exc.output) from None
    found = set()
    for alternative in re.split(r"[,|]", depends):
        name = alternative.strip().split(" ")[0].split(":")[0].split("(")[0]
        if _INTERPRETER.fullmatch(name):
            found.add(name)
    return found


def target_of(
    debs: Sequence[Path],
    runner: Runner,
    environ: Mapping[str, str],
    *,
    release: str | None = None,
    os_release: Path = OS_RELEASE,
    python3: Path = PYTHON3,
) -> str:
    """The release ``debs`` are for: ``release`` when given, else the one whose interpreter they depend on."""
    if release is not None:
        return release_named(release).codename
    wanted: dict[str, list[str]] = {}
    for deb in debs:
        for name in deb_interpreters(deb, runner):
            wanted.setdefault(name, []).append(deb.name)
    if not wanted:
        shown = ", ".join(d.name for d in debs)
        raise DhVenvError(
            f"{shown} depend on no python3.X interpreter, so their Debian release is unknown",
            hint="say which release they are for with --release",
        )
    if len(wanted) > 1:
        shown = "; ".join(f"{', '.join(d)} on {name}" for name, d in sorted(wanted.items()))
        raise DhVenvError(f"the packages are for different releases: {shown}", hint="give the packages of one release")
    (name,) = wanted
    releases = supported()
    host = host_release(os_release)
    # This machine's release first: it needs no chroot to answer.
    ordered = sorted(releases, key=lambda r: r.codename != host)
    seen = []
    for candidate in ordered:
        found = interpreter(candidate.codename, runner, environ, os_release=os_release, python3=python3)
        if found == name:
            return candidate.codename
        seen.append(f"{candidate.codename}: {found}")
    raise DhVenvError(
        f"{', '.join(wanted[name])} depend on {name}, the interpreter of no supported release ({'; '.join(seen)})",
        hint="build the package on (or for) a supported release, or give --release",
    )
