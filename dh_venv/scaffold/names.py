"""Debian's names for a Python project: the package name, the version, the maintainer, the release."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.releases import targets
from dh_venv.runner import Runner

# Debian Policy 5.6.7: lower case letters, digits, + - . ; at least two characters; alphanumeric first.
_DEBIAN_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")
_NAME_RULE = "lower-case letters, digits, '+', '-' and '.', at least two characters, starting with a letter or digit"
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
    """The changelog's distribution: the target release (a supported one), else this machine's codename."""
    if given:
        supported = targets.supported()
        if given not in [r.codename for r in supported]:
            raise DhVenvError(
                f"--release {given!r} is not a Debian release dh-venv builds for ({targets.names(supported)})",
                hint="give one of those",
            )
        return given
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"') or "unstable"
    except OSError:
        pass
    return "unstable"


def standards_version() -> str | None:
    """The newest Debian Policy version this machine's lintian knows, or None (the field is then left out)."""
    try:
        releases = json.loads(_POLICY_RELEASES.read_text())["releases"]
        newest = max((r["version"] for r in releases), key=lambda v: tuple(int(p) for p in v.split(".")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return ".".join(str(newest).split(".")[:3])
