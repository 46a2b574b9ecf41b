"""The binary packages to act on, as ``dh_listpackages`` decides, asked once per build.

``dh_venv`` and each of the later steps need the list; ``dh_listpackages``
(perl) costs about 0.1 s a call.  Its answer is kept in
``debian/.debhelper/dh_venv/dh_listpackages.json`` (dh_clean removes it;
no package name has an ``_``), keyed by everything the answer depends on:
the selection options, ``debian/control`` and ``debian/compat`` (content),
the ``DEB_*``, ``DH_*`` and ``DPKG_*`` variables (the build profiles and
options, the host architecture), ``PATH``, ``PERL5LIB`` and ``PERLLIB``
(which dh_listpackages runs and which debhelper it loads), and the
installed debhelper, dpkg and libdpkg-perl (dpkg's list of each one's
files, which every upgrade rewrites).  Anything else is asked again.
dh_clean removes that file, so the answer is also kept in dh-venv's cache
(:func:`dh_venv.caches.answer`, with the machine's architecture in the
key), where the next build of the same tree finds it; ``DH_VENV_NO_REUSE=1``
asks again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv import caches, tree
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner

#: Under debian/.debhelper, which dh_clean removes with everything else of the build.
CACHE = Path("debian/.debhelper/dh_venv/dh_listpackages.json")
#: dpkg rewrites a package's list of files on every upgrade or reinstall.
_INSTALLED = ("debhelper", "dpkg", "libdpkg-perl")
#: Variables that change what dh_listpackages prints but not the answer.
_QUIET = ("DH_VERBOSE", "DH_QUIET", "DH_OPTIONS", "DH_INTERNAL_OPTIONS")
#: How many selections one build may ask about before the oldest answer goes.
_KEEP = 16


def list_packages(
    selection: Sequence[str],
    runner: Runner,
    env: dict[str, str],
    internal: Sequence[str] = (),
    remember: bool = False,
) -> list[str]:
    """The binary packages to act on, as ``dh_listpackages`` decides.

    ``selection`` carries the shared -p/-N/-a/-i options of the command
    line and DH_OPTIONS (already parsed, so DH_OPTIONS is not passed on:
    dh_listpackages would warn about our own options in it).  ``internal``
    is the selection dh passed to an override target in
    DH_INTERNAL_OPTIONS; dh_listpackages gets it there, so that it limits
    ``selection`` exactly as it does for every other debhelper command.
    With ``remember`` (the commands of the sequence), an earlier answer to
    the same question in this build is reused.
    """
    clean = {k: v for k, v in env.items() if k not in ("DH_OPTIONS", "DH_INTERNAL_OPTIONS")}
    if internal:
        clean["DH_INTERNAL_OPTIONS"] = "\x1e".join(internal)
    digest = key(selection, internal, env, Path.cwd()) if remember else None
    known = _answers(Path.cwd() / CACHE) if digest is not None else {}
    if digest is not None and digest in known:
        return list(known[digest])

    def ask() -> str:
        try:
            # stdout only: perl warns on stderr about a locale that is not installed.
            return runner.run(["dh_listpackages", *selection], env=clean, changes_files=False, stdout_only=True)
        except CommandError as exc:
            raise DhVenvError(
                "dh_listpackages could not list the packages to act on",
                hint="check debian/control and the -p/-N options",
                details=exc.output,
            ) from None

    # dh_clean removes the build's own answers: the same question in a later build is answered by the cache.
    cache = caches.reuse_root(env, Path.cwd()) if digest is not None else None
    what = f"the packages to act on ({' '.join(['dh_listpackages', *selection])})"
    packages = caches.answer(cache, ["dh_listpackages", digest, os.uname().machine], ask, runner, what).split()
    if digest is not None:
        _remember(Path.cwd() / CACHE, known, digest, packages, runner)
    return packages


def key(selection: Sequence[str], internal: Sequence[str], env: Mapping[str, str], build_dir: Path) -> str | None:
    """The sha256 of what ``dh_listpackages`` reads; None if debian/control cannot be read."""
    try:
        control = hashlib.sha256((build_dir / "debian" / "control").read_bytes()).hexdigest()
    except OSError:
        return None  # dh_listpackages says what is wrong
    try:
        compat = (build_dir / "debian" / "compat").read_text(errors="replace")
    except OSError:
        compat = None
    variables = {k: v for k, v in env.items() if k.startswith(("DEB_", "DH_", "DPKG_")) and k not in _QUIET} | {
        k: env.get(k) for k in ("PATH", "PERL5LIB", "PERLLIB")
    }
    program = shutil.which("dh_listpackages", path=env.get("PATH", os.defpath))
    files = [program, *(f"/var/lib/dpkg/info/{name}.list" for name in _INSTALLED)]
    facts = {
        "selection": list(selection),
        "internal": list(internal),
        "control": control,
        "compat": compat,
        "env": sorted(variables.items(), key=lambda item: item[0]),
        "installed": [[f, *_signature(f)] for f in files],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _signature(path: str | None) -> list[int]:
    """Inode, size and modification time of ``path`` ([] if it is missing)."""
    try:
        st = os.stat(path) if path else None
    except OSError:
        st = None
    return [st.st_ino, st.st_size, st.st_mtime_ns] if st else []


def _answers(path: Path) -> dict[str, list[str]]:
    """The answers kept in ``path``: {key: packages}; nothing if missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list) and all(isinstance(p, str) for p in v)}


def _remember(path: Path, known: dict[str, list[str]], digest: str, packages: list[str], runner: Runner) -> None:
    kept = dict(list(known.items())[-(_KEEP - 1) :]) | {digest: packages}

    text = json.dumps(kept, indent=1) + "\n"

    def write() -> None:
        # Only a saving: a full or read-only disk is met (and named) by the build's own writes.
        with contextlib.suppress(OSError):
            tree.write_atomic(path, text)

    runner.apply(f"remember what dh_listpackages said in {path}", write)
