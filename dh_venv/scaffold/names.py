"""Debian's names for a Python project: the package name, the version, the maintainer, the release."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

# Debian Policy 5.6.7: lower case letters, digits, + - . ; at least two characters; alphanumeric first.
_DEBIAN_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")
_NAME_RULE = "lower-case letters, digits, '+', '-' and '.', at least two characters, starting with a letter or digit"
_DISTRO_INFO = Path("/usr/share/distro-info/debian.csv")
_POLICY_RELEASES = Path("/usr/share/lintian/data/debian-policy/releases.json")


def package_name(project: str, given: str | None = None) -> str:
    """The Debian package name: ``given`` (``--package``), else the project name normalised (PEP 503)."""
    if given is not None:
        if not _DEBIAN_NAME.fullmatch(given):
            raise DhVenvError(f"--package {given!r} is not a Debian package name", hint=f"use {_NAME_RULE}")
        return given
    name = re.sub(r"[-_.]+", "-", project.strip()).lower()
    if not _DEBIAN_NAME.fullmatch(name):
        raise DhVenvError(
            f"the project name {project!r} cannot become a Debian package name ({_NAME_RULE})",
            hint="give one with dh-venv init --package NAME",
        )
    return name


def debian_version(version: str) -> str:
    """A PEP 440 version as a Debian upstream version that sorts the same (``1.0rc1`` -> ``1.0~rc1``)."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        raise DhVenvError(
            f"the project's version {version!r} is not a PEP 440 version",
            hint="fix the version in the project's metadata",
        ) from None
    text = f"{parsed.epoch}:" if parsed.epoch else ""
    text += ".".join(str(n) for n in parsed.release)
    if parsed.pre:
        text += f"~{parsed.pre[0]}{parsed.pre[1]}"
    if parsed.post is not None:
        text += f".post{parsed.post}"
    if parsed.dev is not None:
        text += f"~dev{parsed.dev}"
    if parsed.local:
        text += f"+{parsed.local}"
    return text


def maintainer(environ: Mapping[str, str], project: Path, runner: Runner) -> str:
    """``Name <email>`` from DEBFULLNAME and DEBEMAIL (or EMAIL), else git config, else an error."""
    email = environ.get("DEBEMAIL", "").strip() or environ.get("EMAIL", "").strip()
    name = environ.get("DEBFULLNAME", "").strip()
    both = re.fullmatch(r"(.+?)\s*<([^<>\s]+@[^<>\s]+)>", email)
    if both:
        name, email = name or both.group(1), both.group(2)
    name = name or _git_config("user.name", project, environ, runner)
    email = email or _git_config("user.email", project, environ, runner)
    if not name or not email:
        missing = " and ".join(
            what for what, value in (("DEBFULLNAME (or git config user.name)", name), ("DEBEMAIL", email)) if not value
        )
        raise DhVenvError(
            f"no maintainer known for debian/control and debian/changelog: {missing} not set",
            hint="export DEBFULLNAME='Your Name' DEBEMAIL=you@example.org, "
            "or set git config user.name and user.email, and run dh-venv init again",
        )
    return f"{name} <{email}>"


def _git_config(key: str, project: Path, environ: Mapping[str, str], runner: Runner) -> str:
    env = {k: v for k, v in environ.items() if k in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL")}
    env["PATH"] = "/usr/bin:/bin"
    try:
        return runner.run(["git", "config", "--get", key], env=env, cwd=project, changes_files=False).strip()
    except (CommandError, OSError):
        return ""


def release(given: str | None) -> str:
    """The changelog's distribution: the target release, else this machine's codename, else unstable."""
    if given:
        known = _known_releases()
        if not re.fullmatch(r"[a-z][a-z0-9-]*", given) or (known and given not in known):
            shown = f" ({', '.join(known)})" if known else ""
            raise DhVenvError(
                f"--release {given!r} is not a Debian release that this machine knows{shown}",
                hint="give a release codename, such as the one of the machines the package is for",
            )
        return given
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"') or "unstable"
    except OSError:
        pass
    return "unstable"


def _known_releases() -> list[str]:
    """Debian's codenames still supported, then unstable's names, from distro-info-data (none if absent)."""
    try:
        rows = [line.split(",") for line in _DISTRO_INFO.read_text().splitlines()[1:]]
    except OSError:
        return []
    today = datetime.date.today().isoformat()
    # Supported: made already, and with no end-of-life date yet, or one (eol, eol-lts, eol-elts) to come.
    current = [
        r[2] for r in rows if len(r) > 3 and r[0] and r[3] <= today and (len(r) < 6 or not r[5] or max(r[5:8]) >= today)
    ]
    return [*current, "sid", "unstable", "experimental"]


def standards_version() -> str | None:
    """The newest Debian Policy version this machine's lintian knows, or None (the field is then left out)."""
    try:
        releases = json.loads(_POLICY_RELEASES.read_text())["releases"]
        newest = max((r["version"] for r in releases), key=lambda v: tuple(int(p) for p in v.split(".")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return ".".join(str(newest).split(".")[:3])
