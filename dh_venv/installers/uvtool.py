"""Getting the uv program for the uv backend, never into the package.

uv is ``uv`` on the build's ``PATH`` when its version is in the range dh_venv
is tested with (:data:`USABLE`: the pinned version's minor series, in which uv
keeps its command line); else the pinned :data:`VERSION` (or, when only an
earlier pin of the same range is in the cache, that one)
from the wheelhouse, a ``--find-links`` directory or the index, verified
by its sha256 and unpacked once into dh_venv's cache (:mod:`dh_venv.caches`).
``dh-venv vendor`` puts the same wheel into the wheelhouse
(:func:`vendor_wheel`), so an offline build has uv too.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs.values import Sources
from dh_venv.installers import venv as _venv
from dh_venv.installers.failures import pip_reason
from dh_venv.installers.index import PYPI, expand_url
from dh_venv.runner import Runner, redact
from dh_venv.tree import sha256_of

#: The uv dh_venv fetches when none is on PATH.
VERSION = "0.9.7"
#: The uv versions on PATH dh_venv uses: from, and below (uv changes its command line between minor versions).
USABLE = ((0, 9, 0), (0, 10, 0))
#: sha256 of the uv wheels of :data:`VERSION`, by machine (``platform.machine()``).
WHEELS = {
    "x86_64": "8cf6bc2482d1293cc630f66b862b494c09acda9b7faff7307ef52667a2b3ad49",
    "aarch64": "635e82c2d0d8b001618af82e4f2724350f15814f6462a71b3ebd44adec21f03c",
}


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
        version = version_of(runner, Path(found))
        if usable(version):
            return Path(found)
        low, high = (".".join(map(str, v)) for v in USABLE)
        runner.announce(
            f"ignored {found} (uv {version or 'of unknown version'}): dh_venv uses uv {low} to below {high} "
            f"from PATH; using uv {VERSION}"
        )
    target = cache / "uv-bin" / VERSION / "uv"
    if target.is_file():
        return target
    # Another pin of the same minor series, which an earlier dh_venv unpacked after checking its hash.
    found_here = [p for p in (cache / "uv-bin").glob("*/uv") if usable(p.parent.name) and p.is_file()]
    earlier = sorted(found_here, key=lambda p: tuple(int(n) for n in p.parent.name.split(".")))
    if earlier:
        runner.announce(f"using {earlier[-1]}, unpacked by an earlier build, instead of fetching uv {VERSION}")
        return earlier[-1]
    digest = WHEELS.get(platform.machine())
    if digest is None:
        raise DhVenvError(
            f"no uv on PATH, and dh_venv pins no uv {VERSION} wheel for {platform.machine()}",
            hint="install uv on the build machine (on PATH), or build with --installer=pip",
        )
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

    pinned = digest

    def fetch() -> None:
        with tempfile.TemporaryDirectory(prefix="uv-", dir=_mkdir(cache)) as tmp:
            _unpack(wheel or _download(runner, env, sources, pinned, Path(tmp)), pinned, target)

    runner.apply(f"unpack uv {VERSION} into {target.parent}", fetch)
    return target


def version_of(runner: Runner, uv: Path) -> str:
    """What ``uv --version`` says its version is ("" if it does not run or say)."""
    if uv.parent.name == VERSION and uv.parent.parent.name == "uv-bin":
        return VERSION  # the pinned one, unpacked into the cache after its hash was checked
    try:
        out = runner.run([uv, "--version"], env={"PATH": os.defpath}, changes_files=False)
    except CommandError:
        out = ""
    found = re.match(r"uv (\d+\.\d+\.\d+\S*)", out.strip())
    return found.group(1) if found else ""


def usable(version: str) -> bool:
    """Whether a uv of ``version`` (from PATH) is in :data:`USABLE`."""
    found = re.match(r"(\d+)\.(\d+)\.(\d+)$", version)
    if not found:
        return False
    numbers = tuple(int(n) for n in found.groups())
    return USABLE[0] <= numbers < USABLE[1]


def vendor_wheel(runner: Runner, env: Mapping[str, str], sources: Sources, dest: Path) -> Path | None:
    """Put the pinned uv wheel into the wheelhouse ``dest`` (``dh-venv vendor``), so offline builds have uv.

    ``None`` on a machine dh_venv pins no uv wheel for: there the build needs uv on PATH.
    """
    digest = WHEELS.get(platform.machine())
    if digest is None:
        return None
    for wheel in sorted(dest.glob(f"uv-{VERSION}-*.whl")):
        if sha256_of(wheel) == digest:
            return wheel
    with tempfile.TemporaryDirectory(prefix="uv-", dir=_mkdir(dest.parent)) as tmp:
        wheel = _download(runner, env, sources, digest, Path(tmp))
        if sha256_of(wheel) != digest:
            raise DhVenvError(f"{wheel.name} does not match the sha256 dh_venv pins for uv {VERSION}")
        return Path(shutil.copy2(wheel, dest / wheel.name))


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _wheel_in(directory: Path, digest: str) -> Path | None:
    for wheel in sorted(directory.glob(f"uv-{VERSION}-*.whl")):
        if sha256_of(wheel) == digest:
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


def _unpack(wheel: Path, digest: str, target: Path) -> None:
    """The uv program of ``wheel``, after checking the wheel's hash, into ``target`` (atomically)."""
    if sha256_of(wheel) != digest:
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
