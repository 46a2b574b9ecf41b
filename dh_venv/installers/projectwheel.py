"""The project's own wheel: built once, reused while nothing it is built from changed.

Installing a local project means building it (a fresh isolated build
environment, the backend's ``build_wheel``) on every build.  Instead the
backend builds it once into dh_venv's cache (:mod:`dh_venv.caches`,
``project-wheels/``) and installs that wheel; the next build whose
:func:`wheel_key` is the same installs the same wheel without building.

The key is a sha256 over everything the wheel is made from: every file of
the project's build copy (names, contents, executable bits, symlink
targets; the git refs but not the rest of ``.git``), the interpreter (its
real path, size and modification time, and the venv's ``version_info``),
the variables the build reads (:func:`read_variables`: ``CFLAGS`` and the
other flags, the compilers and dh_venv's wrappers of them, ``PATH``,
``SOURCE_DATE_EPOCH``, ``SETUPTOOLS_SCM_PRETEND_VERSION``, whole families
such as ``PYTHON*`` and ``CMAKE_*``, and any variable the project's build
files name; the package's scratch directory and the build directory
written as placeholders), the index options and the installer with its
version.  The versions of unpinned build requirements an index offers
are not in it: ``DH_VENV_NO_REUSE=1`` builds the project in the install, as
without the cache, and installs a pinned set online.

An entry is a directory ``project-wheels/<key>/`` holding the wheel and
``entry.json`` (its name, sha256 and key), written
under a temporary name and renamed, so a reader sees all of it or nothing.
An entry whose wheel is missing or does not match its sha256 is removed
with a notice and the project built again.  A wheel that names the build
directory is never stored (another build directory would not catch it).
After the install, the project's ``direct_url.json`` says what installing
the directory would have said, so nothing downstream can tell the
difference and nothing names the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlparse

from dh_venv.errors import DhVenvError
from dh_venv.installers.plan import Plan, Step, with_extras
from dh_venv.installers.venv import python_of
from dh_venv.runner import Runner
from dh_venv.site import record_digest
from dh_venv.tree import sha256_of

#: The cache's subdirectory for project wheels.
DIRECTORY = "project-wheels"
#: Set to ``1``: the project built by the install and the requirements resolved online, as without this cache.
NO_REUSE = "DH_VENV_NO_REUSE"
#: Bump when what goes into the key changes meaning.
_FORMAT = "1"
#: Variables the build of a wheel reads: compilers, tools and their flags, the locale, the epoch, the path.
READ_VARIABLES = frozenset({
    "CC", "CXX", "CPP", "LD", "AR", "RANLIB", "NM", "OBJCOPY", "LDSHARED", "CFLAGS", "CXXFLAGS", "CPPFLAGS",
    "LDFLAGS", "FFLAGS", "FCFLAGS", "OBJCFLAGS", "OBJCXXFLAGS", "ARFLAGS", "RUSTFLAGS", "SOURCE_DATE_EPOCH",
    "PATH", "LANG", "LANGUAGE", "TZ", "MAX_JOBS", "NPY_NUM_BUILD_JOBS",
})  # fmt: skip
#: ... and every variable of these families (build backends', build systems', Python's, the locale's, Debian's).
READ_PREFIXES = (
    "SETUPTOOLS_", "DISTUTILS_", "_PYTHON_", "PYTHON", "PBR_", "HATCH_", "PDM_", "FLIT_", "POETRY_", "MATURIN_",
    "SKBUILD_", "CMAKE_", "MESON", "PKG_CONFIG", "CARGO_", "PYO3_", "CYTHON", "NPY_", "LC_", "DEB_HOST_",
    "DEB_BUILD_ARCH", "DEB_TARGET_",
)  # fmt: skip
# Files of the project that say which other variables its build reads.
_BUILD_FILES = (
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "build.py",
    "hatch_build.py",
    "meson.build",
    "CMakeLists.txt",
)
#: Builds a wheel of the project into the directory given; returns whether it could.
Builder = Callable[[Path], bool]


def reuse_or_build(
    runner: Runner, plan: Plan, venv: Path, env: Mapping[str, str], installer: str, cache: Path, build: Builder
) -> Path | None:
    """The project's wheel from the cache, else built into it; None: install the directory as before."""
    work_dir = plan.work_dir
    if plan.project is None or work_dir is None:
        return None
    if env.get(NO_REUSE) == "1":
        runner.announce(f"{NO_REUSE}=1: the project is built by the install, the cache is not used")
        return None
    if runner.no_act:
        # The key is made from the project's copy, which --no-act does not make.
        runner.announce(
            f"the project's wheel: reused from {cache / DIRECTORY} if the same inputs built one, "
            f"else built into it; installed instead of {plan.project}"
        )
        return None
    if not interpreter_identity(venv):
        return None
    key = wheel_key(plan.project, venv, env, plan, installer, work_dir)
    wheel = lookup(runner, cache, key)
    if wheel is not None:
        runner.announce(f"reused the project's wheel from the cache (key {key[:16]}): {wheel.name}")
        return wheel
    (work_dir / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wheel-", dir=work_dir / "tmp") as tmp:
        if not build(Path(tmp)) or len(list(Path(tmp).glob("*.whl"))) != 1:
            runner.announce("the project's wheel could not be built alone: installing the project directory")
            return None
        stored = store(cache, key, Path(tmp), build_dir_of(work_dir))
    if stored is None:
        runner.announce("the project's wheel names the build directory: not cached, installing the directory")
        return None
    runner.announce(f"built the project's wheel into the cache (key {key[:16]}): {stored.name}")
    return stored


def build_dir_of(work_dir: Path) -> Path | None:
    """The build directory of a package's ``work_dir`` (``<build>/debian/.debhelper/dh_venv/<pkg>``)."""
    if work_dir.parent.name == "dh_venv" and work_dir.parent.parent.name == ".debhelper":
        return work_dir.parents[3]
    return None


def wheel_key(project: Path, venv: Path, env: Mapping[str, str], plan: Plan, installer: str, work_dir: Path) -> str:
    """The cache key of the wheel of ``project`` built for ``venv`` (see the module's docstring)."""
    build = build_dir_of(work_dir)

    def norm(text: str) -> str:
        # The package's scratch directory first: two packages of one source share the wheel.
        text = text.replace(str(work_dir), "<work>")
        return text.replace(str(build), "<build>") if build is not None else text

    h = hashlib.sha256()

    def feed(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogateescape")
            h.update(len(data).to_bytes(8, "big") + data)

    feed("format", _FORMAT, "installer", installer)
    tree_digest(project, feed)
    feed("python", *interpreter_identity(venv))
    for name in sorted(read_variables(project, env)):
        value = env[name]
        feed("env", name, norm(value))
        if value.startswith(str(work_dir)) and os.path.isfile(value):
            feed("file", norm(Path(value).read_text(errors="surrogateescape")))
    feed("sources", norm(repr(plan.sources)), "args", *(norm(a) for a in plan.extra_args), "extras", *plan.extras)
    return h.hexdigest()


def read_variables(project: Path, env: Mapping[str, str]) -> set[str]:
    """The variables of ``env`` the project's build reads: :data:`READ_VARIABLES`, :data:`READ_PREFIXES`,
    and any other its build files (``setup.py``, ``pyproject.toml``, ...) name."""
    text = ""
    for name in _BUILD_FILES:
        with contextlib.suppress(OSError):
            text += (project / name).read_text(errors="replace")
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return {n for n in env if n in READ_VARIABLES or n.startswith(READ_PREFIXES) or n in named}


def tree_digest(root: Path, feed: Callable[..., None]) -> None:
    """Feed every file of ``root`` (relative name, kind, content) to ``feed``, in a fixed order."""
    for here, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(here, root)
        if ".git" in dirs:
            dirs.remove(".git")
            _git_refs(Path(here) / ".git", feed)
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(here, d))]):
            path = os.path.join(here, name)
            if name == ".git" and not os.path.islink(path):
                feed("gitfile", rel, Path(path).read_bytes())
                continue
            if os.path.islink(path):
                feed("link", rel, name, os.readlink(path))
            elif os.path.isfile(path):
                feed("file", rel, name, os.stat(path).st_mode & 0o111, sha256_of(Path(path)))


def _git_refs(git: Path, feed: Callable[..., None]) -> None:
    """What ``git describe`` reads: HEAD, the refs and the packed refs (not the objects or the index)."""
    for name in ("HEAD", "packed-refs"):
        if (git / name).is_file():
            feed("git", name, (git / name).read_bytes())
    for here, dirs, files in os.walk(git / "refs"):
        dirs.sort()
        for name in sorted(files):
            path = Path(here) / name
            feed("git", path.relative_to(git), path.read_bytes())


def interpreter_identity(venv: Path) -> tuple[str, ...]:
    """The venv's interpreter: real path, size, modification time, pyvenv.cfg's version (empty if there is none)."""
    real = os.path.realpath(python_of(venv))
    try:
        st = os.stat(real)
    except OSError:
        return ()
    return (real, str(st.st_size), str(st.st_mtime_ns), _version_info(venv))


def _version_info(venv: Path) -> str:
    try:
        lines = (venv / "pyvenv.cfg").read_text().splitlines()
    except OSError:
        return ""
    return next((line for line in lines if line.replace(" ", "").startswith(("version_info=", "version="))), "")


def lookup(runner: Runner, cache: Path, key: str, package: str | None = None) -> Path | None:
    """The cached wheel for ``key``; a damaged entry is removed with a notice."""
    entry = cache / DIRECTORY / key
    if not entry.is_dir():
        return None
    try:
        meta = json.loads((entry / "entry.json").read_text())
        wheel: Path = entry / str(meta["wheel"])
        if sha256_of(wheel) == meta["sha256"]:
            return wheel
        reason = f"{wheel.name} does not match its recorded sha256"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = f"it cannot be read ({exc})"
    runner.report.notice(f"discarded the damaged cache entry {entry}: {reason}; building the project anew", package)
    shutil.rmtree(entry, ignore_errors=True)
    return None


def store(cache: Path, key: str, built: Path, build_dir: Path | None) -> Path | None:
    """Put the one wheel in ``built`` into the cache under ``key``; None when it names ``build_dir``."""
    wheels = sorted(built.glob("*.whl"))[:1]
    if build_dir is not None and _names(wheels[0], os.fsencode(build_dir)):
        return None
    parent = cache / DIRECTORY
    parent.mkdir(parents=True, exist_ok=True)
    part = Path(tempfile.mkdtemp(prefix=".part-", dir=parent))
    shutil.copy2(wheels[0], part / wheels[0].name)
    meta = {"wheel": wheels[0].name, "sha256": sha256_of(wheels[0]), "key": key}
    (part / "entry.json").write_text(json.dumps(meta, indent=1) + "\n")
    try:
        part.rename(parent / key)
    except OSError:
        shutil.rmtree(part, ignore_errors=True)  # another build stored it first
    return parent / key / wheels[0].name


def _names(wheel: Path, needle: bytes) -> bool:
    with zipfile.ZipFile(wheel) as zf:
        return any(needle in zf.read(info) for info in zf.infolist() if not info.is_dir())


def with_wheel(plan: Plan, wheel: Path) -> Plan:
    """``plan`` with the project's wheel where its directory was."""
    assert plan.project is not None
    old, new = with_extras(plan.project, plan.extras), with_extras(wheel, plan.extras)

    def swap(step: Step) -> Step:
        return replace(step, requirements=tuple(new if r == old else r for r in step.requirements))

    return replace(plan, steps=tuple(swap(s) for s in plan.steps))


def as_built_from(venv: Path, wheel: Path, project: Path) -> None:
    """Make the project's ``direct_url.json`` say it was installed from ``project``, as without the cache."""
    for direct in venv.glob("lib*/python*/site-packages/*.dist-info/direct_url.json"):
        try:
            data = json.loads(direct.read_text())
        except (OSError, ValueError):
            continue
        url = urlparse(str(data.get("url", ""))) if isinstance(data, dict) else None
        if url is None or url.scheme != "file" or Path(unquote(url.path)) != wheel:
            continue
        text = json.dumps({"url": project.as_uri(), "dir_info": {}}, separators=(",", ":"))
        direct.write_text(text)
        _fix_record_row(direct, text.encode())
        return
    raise DhVenvError(
        f"the venv holds no distribution installed from the project's wheel {wheel} (no direct_url.json names it)",
        hint=f"build with {NO_REUSE}=1 to install the project's directory, and report this",
    )


def _fix_record_row(path: Path, data: bytes) -> None:
    record = path.parent / "RECORD"
    digest = record_digest(hashlib.sha256(data).digest())
    name = f"{path.parent.name}/{path.name}"
    rows = record.read_text().splitlines()
    fixed = [f"{name},{digest},{len(data)}" if row.split(",", 1)[0] == name else row for row in rows]
    record.write_text("\n".join(fixed) + "\n")
