"""The uv installer backend (``--installer=uv``).

virtualenv still creates the venv (so relocation is the same as with pip);
``uv pip install --python <venv>/bin/python`` installs into it, taking the
same arguments the pip backend builds from the same
:class:`~dh_venv.inputs.collect.Inputs`.  uv's own configuration is fixed here:
no user or system config, copies instead of hard links into its cache,
no interpreter downloads, a cache in ``DH_VENV_CACHE_DIR`` or the build tree.

uv itself is ``uv`` on the build's ``PATH``; else the pinned :data:`VERSION`
from the wheelhouse or the index, verified by its sha256 and unpacked once
into the cache directory.  It never goes into the package.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.compiled.steps import build_failure
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.expose import clashes
from dh_venv.inputs.collect import Inputs, Sources
from dh_venv.inputs.locks import PYPI
from dh_venv.installers import venv as _venv
from dh_venv.installers.pip import PipBackend, build_error, expand_url, install_error, pip_reason
from dh_venv.installers.venv import python_of
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner, redact

#: The uv dh_venv fetches when none is on PATH.
VERSION = "0.9.7"
#: sha256 of the uv wheels of :data:`VERSION`, by machine (``platform.machine()``).
WHEELS = {
    "x86_64": "8cf6bc2482d1293cc630f66b862b494c09acda9b7faff7307ef52667a2b3ad49",
    "aarch64": "635e82c2d0d8b001618af82e4f2724350f15814f6462a71b3ebd44adec21f03c",
}
# What uv says when a build from source failed, when a requirement has no distribution, when a hash differs.
_UV_BUILDING = re.compile(r"Failed to build|build backend returned an error|Failed to download and build")
_UV_NOT_FOUND = re.compile(
    r"Because (\S+) was not found in the|Because there is no version of (\S+?)(?: and|,|$)", re.M
)
_UV_HASH = re.compile(r"Hash mismatch for `([^`]+)`")
_UV_UNKNOWN_OPTION = re.compile(r"unexpected argument '([^']+)' found")
_UV_RESERVED = re.compile(
    r"Failed to install: (?P<dist>[^-\s]+)-(?P<version>[^-\s]+)-\S+\.whl.*\n.*"
    r"Scripts must not use the reserved name (?P<name>\S+)"
)
# Transport settings of the machine are kept; everything else uv would read is dropped.
_UV_ENV_KEPT = {"UV_HTTP_TIMEOUT", "UV_NATIVE_TLS", "UV_CONCURRENT_DOWNLOADS", "UV_REQUEST_TIMEOUT"}


def cache_root(env: Mapping[str, str], work_dir: Path) -> Path:
    """``DH_VENV_CACHE_DIR``, else the cache of the build tree beside ``work_dir``."""
    if env.get("DH_VENV_CACHE_DIR"):
        return Path(env["DH_VENV_CACHE_DIR"])
    return work_dir.parent / "cache"


def environment(env: Mapping[str, str], cache: Path) -> dict[str, str]:
    """``env`` without the machine's uv settings, plus the ones dh_venv fixes."""
    out = {k: v for k, v in env.items() if not k.startswith("UV_") or k in _UV_ENV_KEPT}
    out.update(
        UV_NO_CONFIG="1",
        UV_LINK_MODE="copy",
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
        UV_NO_WRAP="1",  # whole lines: the compiler's complaint is found in them (dh_venv.compiled.steps)
        UV_CACHE_DIR=str(cache / "uv"),
        NO_COLOR="1",
    )
    return out


class UvBackend(PipBackend):
    """virtualenv creates the venv; uv installs into it.

    Downloading (``dh-venv vendor``) stays with the venv's pip, which has
    ``pip download``; uv has no equivalent.  With ``fallback`` (``--installer=auto``),
    a uv that cannot be had makes it the pip backend, after a one-line notice.
    """

    name = "uv"

    def __init__(
        self,
        runner: Runner,
        env: Mapping[str, str],
        work_dir: Path,
        *,
        extra_args: Sequence[str] = (),
        extra_env: Mapping[str, str] | None = None,
        fallback: bool = False,
    ) -> None:
        super().__init__(runner, env, work_dir, extra_args=extra_args, extra_env=extra_env)
        self.cache = cache_root(self.env, work_dir)
        self.uv_env = environment(self.env, self.cache)
        self.fallback = fallback
        self._uv: Path | None = None

    def prepare(self, inputs: Inputs) -> None:
        """Find uv before the venv exists; with ``fallback``, become the pip backend if there is none.

        The installer options of the user (``--extra-pip-arg``, ``DH_VENV_PIP_ARGS``) must be
        ones ``uv pip install`` takes too; a pip-only option counts as no uv.
        """
        if self._uv is not None or self.name == "pip" or self.runner.no_act:
            return
        own_args = [*self.extra_args, *inputs.extra_args]
        try:
            uv = self.uv(inputs.sources, own_args)
            foreign = self._foreign_option(uv, own_args)
            if foreign:
                self._uv = None
                raise DhVenvError(
                    f"--installer=uv: uv pip install does not take the pip option {foreign} "
                    "(from --extra-pip-arg or DH_VENV_PIP_ARGS)",
                    hint="drop the option, or build with --installer=pip",
                )
        except DhVenvError as exc:
            if not self.fallback:
                raise
            reason = exc.message.removeprefix("--installer=uv: ")
            self.runner.log(f"dh_venv: notice: --installer=auto: {reason}; installing with pip")
            self.name = "pip"

    def _foreign_option(self, uv: Path, args: Sequence[str]) -> str | None:
        """The first of ``args`` that ``uv pip install`` rejects as an unknown option, if any."""
        if not any(a.startswith("-") for a in args):
            return None
        try:
            self.runner.run([uv, "pip", "install", "--dry-run", *args], env=self.uv_env, changes_files=False)
        except CommandError as exc:
            unknown = _UV_UNKNOWN_OPTION.search(exc.output)
            return unknown.group(1) if unknown else None
        return None

    def create(
        self,
        venv: Path,
        python: Interpreter,
        *,
        system_site_packages: bool,
        extra_args: Sequence[str],
        seed: Sources | None = None,
        lean: bool = False,
    ) -> None:
        if self.name == "pip" or not lean:
            super().create(
                venv, python, system_site_packages=system_site_packages, extra_args=extra_args, seed=seed, lean=lean
            )
            return
        # uv needs no pip in the venv: it gets only what is asked for or required.
        self.seeded = False
        _venv.create(
            venv,
            python,
            self.runner,
            env=self.env,
            system_site_packages=system_site_packages,
            extra_args=(*extra_args, "--no-seed"),
        )

    def install(self, venv: Path, inputs: Inputs, *, report: Path | None = None) -> list[Path]:
        self.prepare(inputs)
        if self.name == "pip":
            return super().install(venv, inputs, report=report)
        # uv writes no report: the wheel tags tell prebuilt from built here (dh_venv.compiled.prebuilt).
        try:
            for args, what, hashed in self._steps(inputs):
                self._pip(venv, ["install"], args, inputs, what=what, hashed=hashed)
        finally:
            _drop_lock(venv)
        return []

    def check(self, venv: Path) -> None:
        if self.name == "pip":
            super().check(venv)
            return
        try:
            self.runner.run([self.uv(None), "pip", "check", "--python", python_of(venv)], env=self.uv_env)
        except CommandError as exc:
            raise DhVenvError(
                "installed distributions have missing or conflicting dependencies (uv pip check)",
                hint="fix the requirements, or build with DEB_BUILD_OPTIONS=nocheck to ship it anyway",
                details=redact(exc.output.strip()),
            ) from None
        finally:
            _drop_lock(venv)

    def uv(self, sources: Sources | None, args: Sequence[str] = ()) -> Path:
        """The uv program: on PATH, in the cache, or fetched into the cache.

        ``args`` are the user's installer arguments: their local ``--find-links``
        directories are searched for the uv wheel too, and with ``--no-index`` no index is asked.
        """
        if self._uv is None:
            dirs, no_index = local_find_links(args)
            self._uv = find_or_fetch(self.runner, self.uv_env, self.cache, sources, find_links=dirs, no_index=no_index)
        return self._uv

    def _command(
        self, venv: Path, command: list[str], args: list[str], inputs: Inputs
    ) -> tuple[str, list[str | Path], dict[str, str]]:
        if command[0] != "install" or self.name == "pip":
            return super()._command(venv, command, args, inputs)
        own_args = [*self.extra_args, *inputs.extra_args]
        uv = self.uv(inputs.sources, own_args) if not self.runner.no_act else Path("uv")
        return "uv", uv_install_argv(uv, python_of(venv), args), self.uv_env

    def _failure(self, tool: str, output: str, what: str, inputs: Inputs, hashed: bool) -> DhVenvError:
        if tool != "uv":
            return super()._failure(tool, output, what, inputs, hashed)
        reserved = _UV_RESERVED.search(output)
        if reserved:
            # uv refuses what pip would install and dh_venv then refuse (dh_venv.expose.clashes): the same error.
            return clashes.replaced_script(f"{reserved['dist']} {reserved['version']}", reserved["name"])
        details = redact(uv_reason(output))
        # A resolver error names no compiler; only a failed build is searched for the compiler's complaint.
        complaint = build_failure(output) if _UV_BUILDING.search(output) else None
        if complaint:
            return build_error("uv", what, complaint, details)
        missing = _UV_NOT_FOUND.search(output)
        mismatch = _UV_HASH.search(output)
        return install_error(
            "uv",
            what,
            inputs,
            hashed,
            details,
            missing=next(g for g in missing.groups() if g) if missing else None,
            mismatch=mismatch.group(1) if mismatch else None,
        )


def _drop_lock(venv: Path) -> None:
    """uv locks the venv with a ``.lock`` file at its top, which must not go into the package."""
    (venv / ".lock").unlink(missing_ok=True)


def uv_install_argv(uv: Path, python: Path, args: Sequence[str]) -> list[str | Path]:
    """``uv pip install`` with pip's arguments, choosing among indexes as pip does."""
    argv: list[str | Path] = [uv, "pip", "install", "--python", python]
    if any(a == "--extra-index-url" or a.startswith("--extra-index-url=") for a in args):
        # pip takes the best version from all indexes; uv's default stops at the first that has the name.
        argv += ["--index-strategy", "unsafe-best-match"]
    return [*argv, *args]


def uv_reason(output: str, tail: int = 20) -> str:
    """The end of uv's output, where it says why it failed."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    return "\n".join(lines[-tail:])


def local_find_links(args: Sequence[str]) -> tuple[list[Path], bool]:
    """The local directories of ``--find-links``/``-f`` in ``args``, and whether ``--no-index`` is among them."""
    dirs: list[Path] = []
    for i, arg in enumerate(args):
        value = None
        if arg in ("--find-links", "-f") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--find-links="):
            value = arg.split("=", 1)[1]
        if value is not None:
            path = Path(value.removeprefix("file://"))
            if path.is_absolute() and path.is_dir():
                dirs.append(path)
    return dirs, "--no-index" in args


def find_or_fetch(
    runner: Runner,
    env: Mapping[str, str],
    cache: Path,
    sources: Sources | None,
    *,
    find_links: Sequence[Path] = (),
    no_index: bool = False,
) -> Path:
    """uv on the build's PATH, else the pinned version unpacked in ``cache``, fetched there if missing.

    The wheel is looked for in the wheelhouse and ``find_links``; it is downloaded only
    when the build may use an index (no wheelhouse, no ``--no-index``).
    """
    found = shutil.which("uv", path=env.get("PATH", os.defpath))
    if found:
        return Path(found)
    target = cache / "uv-bin" / VERSION / "uv"
    if target.is_file():
        return target
    digest = WHEELS.get(platform.machine())
    if digest is None:
        raise DhVenvError(
            f"no uv on PATH, and dh_venv pins no uv {VERSION} wheel for {platform.machine()}",
            hint="install uv on the build machine (on PATH), or build with --installer=pip",
        )
    with tempfile.TemporaryDirectory(prefix="uv-", dir=_mkdir(cache)) as tmp:
        dirs = [sources.wheelhouse] if sources is not None and sources.wheelhouse is not None else []
        dirs += list(find_links)
        wheel = next((w for d in dirs if (w := _wheel_in(d, digest)) is not None), None)
        if wheel is None:
            if sources is not None and sources.offline:
                raise DhVenvError(
                    f"--installer=uv: no uv on PATH and no uv {VERSION} wheel in the wheelhouse {sources.wheelhouse}",
                    hint=f"install uv on the build machine, put uv=={VERSION} into the wheelhouse, "
                    "or build with --installer=pip",
                )
            if no_index:
                where = ", ".join(str(d) for d in dirs) or "no --find-links directory"
                raise DhVenvError(
                    f"--installer=uv: no uv on PATH, --no-index, and no uv {VERSION} wheel in {where}",
                    hint=f"install uv on the build machine, put uv=={VERSION} into the wheelhouse, "
                    "or build with --installer=pip",
                )
            wheel = _download(runner, env, sources, digest, Path(tmp))
        _unpack(wheel, digest, target)
    runner.announce(f"unpacked uv {VERSION} into {target.parent}")
    return target


def vendor_wheel(runner: Runner, env: Mapping[str, str], sources: Sources, dest: Path) -> Path | None:
    """Put the pinned uv wheel into the wheelhouse ``dest`` (``dh-venv vendor``), so offline builds have uv.

    ``None`` on a machine dh_venv pins no uv wheel for: there the build needs uv on PATH.
    """
    digest = WHEELS.get(platform.machine())
    if digest is None:
        return None
    for wheel in sorted(dest.glob(f"uv-{VERSION}-*.whl")):
        if _sha256(wheel) == digest:
            return wheel
    with tempfile.TemporaryDirectory(prefix="uv-", dir=_mkdir(dest.parent)) as tmp:
        wheel = _download(runner, env, sources, digest, Path(tmp))
        if _sha256(wheel) != digest:
            raise DhVenvError(f"{wheel.name} does not match the sha256 dh_venv pins for uv {VERSION}")
        return Path(shutil.copy2(wheel, dest / wheel.name))


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wheel_in(directory: Path, digest: str) -> Path | None:
    for wheel in sorted(directory.glob(f"uv-{VERSION}-*.whl")):
        if _sha256(wheel) == digest:
            return wheel
    return None


def _download(runner: Runner, env: Mapping[str, str], sources: Sources | None, digest: str, dest: Path) -> Path:
    pins = dest / "uv-requirement.txt"
    pins.write_text(f"uv=={VERSION} --hash=sha256:{digest}\n")
    index = sources.index_url if sources is not None and sources.index_url else PYPI
    # Before the venv exists: the pip that virtualenv would seed, run from its wheel.
    argv: list[str | Path] = [*_venv.outside_pip(), "download", "--no-deps", "--only-binary=:all:"]
    argv += ["--require-hashes", "--index-url", expand_url(index, env), "-d", dest, "-r", pins]
    try:
        runner.run(argv, env=env, stream=False)
    except CommandError as exc:
        raise DhVenvError(
            f"--installer=uv: no uv on PATH, and uv {VERSION} could not be fetched from {redact(index)}",
            hint=f"install uv on the build machine, put uv=={VERSION} into the wheelhouse (dh-venv vendor), "
            "or build with --installer=pip",
            details=redact(pip_reason(exc.output)),
        ) from None
    wheels = sorted(dest.glob(f"uv-{VERSION}-*.whl"))
    if not wheels:
        raise DhVenvError(f"--installer=uv: pip fetched no uv {VERSION} wheel", hint="build with --installer=pip")
    return wheels[0]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _unpack(wheel: Path, digest: str, target: Path) -> None:
    """The uv program of ``wheel``, after checking the wheel's hash, into ``target`` (atomically)."""
    if _sha256(wheel) != digest:
        raise DhVenvError(
            f"{wheel} does not match the sha256 dh_venv pins for uv {VERSION}",
            hint="remove the file and get the genuine wheel, or put uv on PATH",
        )
    member = f"uv-{VERSION}.data/scripts/uv"
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".uv.{os.getpid()}")
    with zipfile.ZipFile(wheel) as zf, zf.open(member) as src, part.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    part.chmod(0o755)
    part.replace(target)
