"""Chroot tarballs of a Debian release: made once with mmdebstrap, cached, remade when stale.

Two variants: ``buildd``, what sbuild's unshare mode unpacks for a build
(``mmdebstrap --variant=buildd``), and ``smoke``, a minimal installable
system (apt, and the release's ``python3``) that ``dh-venv smoke`` unpacks
afresh for every test.  A tarball is keyed by release, variant, extra
packages, mirror, architecture and CA bundle, so another key never reuses
it.  It lives in the chroot cache (:func:`cache_dir`), outside any project:

1. ``$DH_VENV_CHROOT_CACHE`` when set;
2. else ``$XDG_CACHE_HOME/dh-venv/chroots`` or ``~/.cache/dh-venv/chroots``
   when ``HOME`` is a writable directory;
3. else, for root (CI runners without ``HOME``), ``/var/cache/dh-venv/chroots``.

A tarball is written under a temporary name and renamed into place, then
its manifest (``NAME.tar.json``: what it was made from, its size, when, the
interpreter) beside it; one without a valid manifest, of another size, or
older than :data:`MAX_AGE` is made again.  With ``host_ca`` the chroot gets
this machine's CA bundle (``SSL_CERT_FILE`` or the system's), so that pip
reaches the package index through the same TLS proxy; that tarball stays on
this machine.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError, doing
from dh_venv.runner import Runner

VARIABLE = "DH_VENV_CHROOT_CACHE"
MIRROR_VARIABLE = "DH_VENV_MIRROR"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
_SECURITY = "http://deb.debian.org/debian-security"
ROOT_CACHE = Path("/var/cache/dh-venv/chroots")
MAX_AGE = datetime.timedelta(days=7)
SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"
_FORMAT = 1
_NO_NETWORK = (
    "Temporary failure resolving",
    "Could not resolve",
    "Could not connect",
    "Network is unreachable",
    "Connection timed out",
    "Connection refused",
)


@dataclass(frozen=True)
class Variant:
    """How mmdebstrap makes one kind of chroot."""

    #: mmdebstrap's --variant.
    mmdebstrap: str
    include: tuple[str, ...]
    aptopts: tuple[str, ...]
    #: mmdebstrap's --skip.
    skip: tuple[str, ...] = ()


VARIANTS = {
    # What sbuild --chroot-mode=unshare expects (sbuild installs recommends only when asked).
    "buildd": Variant("buildd", (), ('APT::Install-Recommends "false"',)),
    # A minimal system a user would install the package on; apt there behaves as on the user's machine.
    # No device nodes: every run unpacks it into a system whose /dev mmdebstrap made (so also without root).
    "smoke": Variant("apt", ("python3",), (), ("output/dev",)),
}


def cache_dir(environ: Mapping[str, str]) -> Path:
    """Where chroot tarballs are kept (see the module's docstring)."""
    chosen = environ.get(VARIABLE, "")
    if chosen:
        return Path(chosen).absolute()
    home = environ.get("HOME", "")
    if home and os.path.isdir(home) and os.access(home, os.W_OK | os.X_OK):
        base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        if os.path.isabs(base):
            return Path(base) / "dh-venv" / "chroots"
    if os.geteuid() == 0:
        return ROOT_CACHE
    raise DhVenvError(
        "no place for the chroot cache: HOME is not set or not a writable directory",
        hint=f"set {VARIABLE} to a directory this user may write",
    )


def mirror_of(environ: Mapping[str, str], mirror: str | None = None) -> str:
    """The Debian mirror chroots come from: ``mirror``, ``$DH_VENV_MIRROR`` or deb.debian.org."""
    return (mirror or environ.get(MIRROR_VARIABLE) or DEFAULT_MIRROR).rstrip("/")


def _sources(release: str, mirror: str) -> list[str]:
    sources = [f"deb {mirror} {release} main", f"deb {mirror} {release}-updates main"]
    if mirror == DEFAULT_MIRROR:
        sources.append(f"deb {_SECURITY} {release}-security main")
    return sources


def _architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def _inputs(release: str, variant: str, extra: Sequence[str], mirror: str, ca: Path | None) -> dict[str, object]:
    """What a tarball is made from: its key."""
    ca_hash = hashlib.sha256(ca.read_bytes()).hexdigest() if ca is not None else None
    return {
        "format": _FORMAT,
        "release": release,
        "variant": variant,
        "skip": list(VARIANTS[variant].skip),
        "include": sorted({*VARIANTS[variant].include, *extra, *(["ca-certificates"] if ca else [])}),
        "sources": _sources(release, mirror),
        "architecture": _architecture(),
        "ca": ca_hash,
    }


def _manifest(path: Path) -> dict[str, object] | None:
    try:
        loaded = json.loads(Path(f"{path}.json").read_text())
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _usable(path: Path, inputs: dict[str, object], max_age: datetime.timedelta, now: float) -> bool:
    """A cached tarball made from ``inputs``, whole, and not older than ``max_age``."""
    manifest = _manifest(path)
    if manifest is None or manifest.get("inputs") != inputs:
        return False
    try:
        whole = path.stat().st_size == manifest.get("size")
    except OSError:
        return False
    made = manifest.get("made")
    return whole and isinstance(made, int | float) and now - made <= max_age.total_seconds()


def _check_reachable(mirror: str, release: str, cache: Path) -> None:
    """Fail early, and clearly, when the mirror cannot be reached while a chroot must be made."""
    url = f"{mirror}/dists/{release}/Release"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=20):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise DhVenvError(
                f"the Debian mirror {mirror} has no release {release} ({url}: 404)",
                hint=f"give a mirror that carries {release} in {MIRROR_VARIABLE}",
            ) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DhVenvError(
            f"no network: cannot reach the Debian mirror {mirror} to make the {release} chroot ({reason})",
            hint=f"connect to the network (or set {MIRROR_VARIABLE} to a reachable mirror) and run again; "
            f"once made, the chroot is kept in {cache}",
        ) from None


def mmdebstrap(environ: Mapping[str, str], why: str) -> str:
    """The mmdebstrap program on ``environ``'s PATH, or an error saying ``why`` it is needed and how to get it."""
    found = shutil.which("mmdebstrap", path=environ.get("PATH", os.defpath))
    if found is None:
        raise DhVenvError(f"mmdebstrap is not installed; {why}", hint="apt-get install mmdebstrap")
    return found


def _make(argv: list[str], env: Mapping[str, str], runner: Runner, release: str, mirror: str) -> None:
    try:
        runner.run(argv, env=env, stream=False)
    except CommandError as exc:
        if any(words in exc.output for words in _NO_NETWORK):
            raise DhVenvError(
                f"no network: mmdebstrap could not download {release} from the Debian mirror {mirror}",
                hint="connect to the network (or set DH_VENV_MIRROR to a reachable mirror) and run again",
                details=exc.output[-3000:],
            ) from None
        hint = "see mmdebstrap's output below"
        if os.geteuid() != 0:
            hint += "; as a user other than root it needs uidmap and an /etc/subuid entry (docs/smoke.rst)"
        raise DhVenvError(
            f"mmdebstrap could not make the {release} chroot", hint=hint, details=exc.output[-3000:]
        ) from None


def tarball(
    release: str,
    variant: str,
    runner: Runner,
    environ: Mapping[str, str],
    *,
    extra: Sequence[str] = (),
    mirror: str | None = None,
    host_ca: bool = False,
    max_age: datetime.timedelta = MAX_AGE,
) -> Path:
    """The cached chroot tarball of ``release`` in ``variant`` with ``extra`` packages; made when missing or stale."""
    if variant not in VARIANTS:
        raise DhVenvError(f"unknown chroot variant {variant!r}", hint=f"use one of: {', '.join(VARIANTS)}")
    mirror = mirror_of(environ, mirror)
    ca = Path(environ.get("SSL_CERT_FILE") or SYSTEM_CA) if host_ca else None
    inputs = _inputs(release, variant, extra, mirror, ca)
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:12]
    cache = cache_dir(environ)
    path = cache / f"{release}-{variant}-{inputs['architecture']}-{key}.tar"
    if _usable(path, inputs, max_age, time.time()):
        return path
    program = mmdebstrap(environ, f"it makes the {release} chroot")
    _check_reachable(mirror, release, cache)
    with doing("create the chroot cache", cache):
        cache.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(cache, path.name)
    partial = cache / f".{path.name}.{os.getpid()}.partial.tar"
    spec = VARIANTS[variant]
    argv = [program, f"--variant={spec.mmdebstrap}", "--format=tar"]
    if os.geteuid() != 0:
        # Not mmdebstrap's fakechroot fallback: its tarballs do not work with sbuild or dh-venv smoke.
        argv.insert(1, "--mode=unshare")
    argv += [f"--aptopt={opt}" for opt in spec.aptopts]
    argv += [f"--skip={skip}" for skip in spec.skip]
    include = inputs["include"]
    assert isinstance(include, list)
    if include:
        argv.append(f"--include={','.join(include)}")
    if ca is not None:
        argv.append(f"--customize-hook=upload {ca} /etc/ssl/certs/ca-certificates.crt")
    argv += [release, str(partial), *_sources(release, mirror)]
    runner.report.info(f"making the {release} {variant} chroot with mmdebstrap (once; kept in {cache})")
    started = time.monotonic()
    try:
        _make(argv, {k: v for k, v in environ.items() if k != "TMPDIR"}, runner, release, mirror)
        if runner.no_act:
            return path
        with doing("keep the chroot tarball", path):
            os.replace(partial, path)
            manifest = {"inputs": inputs, "size": path.stat().st_size, "made": time.time()}
            manifest["interpreter"] = _scan_interpreter(path)
            temporary = cache / f".{path.name}.{os.getpid()}.json"
            temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            os.replace(temporary, f"{path}.json")
    finally:
        partial.unlink(missing_ok=True)
    runner.report.info(f"made {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s")
    return path


def _remove_abandoned(cache: Path, name: str) -> None:
    """Partial tarballs of ``name`` that a killed run left, a day old or more (a running one writes its own)."""
    for partial in cache.glob(f".{name}.*.partial.tar"):
        try:
            if time.time() - partial.stat().st_mtime > 86400:
                partial.unlink()
        except FileNotFoundError:
            pass


def _scan_interpreter(path: Path) -> str | None:
    """Where ``/usr/bin/python3`` points in the tarball ``path`` (``python3.X``), None without one."""
    with doing("read the chroot tarball", path), tarfile.open(path) as tar:
        for member in tar:
            if member.name.removeprefix("./") == "usr/bin/python3":
                return os.path.basename(member.linkname) if member.issym() else None
    return None


def interpreter(path: Path) -> str | None:
    """The interpreter package (``python3.X``) of the chroot tarball ``path``: from its manifest, else read."""
    manifest = _manifest(path) or {}
    found = manifest.get("interpreter")
    return found if isinstance(found, str) else _scan_interpreter(path)
