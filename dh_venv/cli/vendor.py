"""Filling a wheelhouse for offline builds (``dh-venv vendor``).

Downloads, for the target interpreter, everything the build of one
package needs: what the inputs stage selects (the locked set, the hashed
or plain requirements and what they resolve to), the build backends of
the project and of any sdist, then proves the result by installing from
it into a scratch venv with no index at all.  The wheels the venv is
seeded with (pip, setuptools, wheel, as virtualenv bundles them) are
vendored too and named in the manifest, so a build from the wheelhouse
seeds the same versions whatever the build machine's virtualenv has.
"""

from __future__ import annotations

import dataclasses
import importlib
import shutil
import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path

from dh_venv import interpreter
from dh_venv.errors import DhVenvError
from dh_venv.inputs import Inputs, Sources, project, wheelhouse
from dh_venv.inputs.collect import collect
from dh_venv.installers import lean, plan, uvtool, venv
from dh_venv.installers.choose import choose
from dh_venv.installers.pip import PipBackend
from dh_venv.runner import Runner
from dh_venv.settings import Settings

_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tar.bz2")
_SEED = ("pip", "setuptools", "wheel")
# What pip assumes for a project or sdist without [build-system].
_LEGACY_BACKEND = ("setuptools>=40.8.0", "wheel")


@dataclasses.dataclass(frozen=True)
class Result:
    """What ``vendor`` put where."""

    directory: Path
    files: tuple[str, ...]
    size: int


def vendor(
    packages: Sequence[Settings],
    runner: Runner,
    dest: Path,
    *,
    allow_sdists: bool,
    add: bool = False,
    python_versions: Sequence[str] = (),
) -> Result:
    """Fill ``dest`` with every file the builds of ``packages`` need, plus a manifest.

    Files an earlier run left in ``dest`` are replaced (kept with ``add``)
    only once every package has been proven buildable from the new set.
    ``python_versions`` (``X.Y``) adds the wheels the same requirements
    take on those CPython versions (another release's interpreter); only
    the local interpreter's set can be proven here.
    """
    seed: dict[str, str] = {}
    pythons: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dh-venv-vendor-") as scratch:
        files = Path(scratch) / "files"
        files.mkdir()
        if add and dest.is_dir():
            for old in dest.iterdir():
                if old.is_file() and old.name.endswith(_ARCHIVES):
                    shutil.copy2(old, files / old.name)
            seed.update(dict(wheelhouse.check_manifest(dest)))
        for index, settings in enumerate(packages):
            try:
                python, package_seed = _fill(
                    settings,
                    runner,
                    Path(scratch) / str(index),
                    files,
                    allow_sdists=allow_sdists,
                    others=python_versions,
                )
            except DhVenvError as exc:
                raise exc.for_package(settings.package) from None
            seed.update(package_seed)
            for version in (python, *python_versions):
                if version not in pythons:
                    pythons.append(version)
        dest.mkdir(parents=True, exist_ok=True)
        for old in dest.iterdir():
            if old.is_file() and (old.name.endswith(_ARCHIVES) or old.name == wheelhouse.MANIFEST):
                old.unlink()
        names = []
        for f in sorted(files.iterdir()):
            shutil.copy2(f, dest / f.name)
            names.append(f.name)
    wheelhouse.write_manifest(dest, " ".join(pythons), seed)
    size = sum((dest / n).stat().st_size for n in names)
    return Result(dest, tuple(names), size)


def _fill(
    settings: Settings, runner: Runner, tmp: Path, files: Path, *, allow_sdists: bool, others: Sequence[str] = ()
) -> tuple[str, dict[str, str]]:
    """Download what one package needs into ``files`` and prove it; return the Python version and the seed."""
    if not settings.skip_install:
        project.check_project(settings.source_dir)
    online = dataclasses.replace(settings, wheelhouse=None)
    python = interpreter.resolve(settings.python, runner)
    tmp.mkdir()
    # pip downloads, whichever installer the build uses: uv has no download.
    fetcher = PipBackend(runner, settings.env, tmp)
    fetcher.create(tmp / "venv", python, system_site_packages=False, extra_args=settings.extra_virtualenv_args)
    copy = None if settings.skip_install else project.prepare_copy(settings.source_dir, tmp / "src", runner)
    wanted = collect(online, runner, python, copy)
    fetcher.download(tmp / "venv", plan.plan(wanted, tmp), files, allow_sdists=allow_sdists)
    for version in others:
        if version != python.version:
            fetcher.download(tmp / "venv", plan.plan(wanted, tmp), files, allow_sdists=False, python_version=version)

    # Build backends: of the project, then of every sdist, until nothing new appears.
    done: set[str] = set()
    requires = set(_build_requires_of_project(copy)) if copy else set()
    while True:
        requires |= {r for sdist in _sdists(files) - done for r in _build_requires_of_sdist(sdist)}
        done |= _sdists(files)
        new = sorted(requires - done)
        if not new:
            break
        done |= set(new)
        just_these = Inputs(sources=wanted.sources, preinstall=tuple(new), extra_args=wanted.extra_args)
        fetcher.download(tmp / "venv", plan.plan(just_these, tmp), files, allow_sdists=allow_sdists)
        done |= _sdists(files)

    seed = _vendor_seed(tmp / "venv", files, runner, fetcher, wanted)
    if settings.keep_seed:
        # What this release's virtualenv does not seed (setuptools and wheel on trixie), for --keep-seed.
        extra = lean.missing_seed(tmp / "venv", wanted.sources, Path(venv.WHEELS))
        if extra:
            seed_only = Inputs(sources=wanted.sources, seed=extra, extra_args=wanted.extra_args)
            fetcher.download(tmp / "venv", plan.plan(seed_only, tmp), files, allow_sdists=False)
    if settings.installer in ("uv", "auto"):
        # The build from this wheelhouse finds uv in it when the build machine has none.
        uvtool.vendor_wheel(runner, settings.env, wanted.sources, files)

    # Proof: the same venv and install the build does, from the files alone.
    offline = dataclasses.replace(wanted, sources=Sources(wheelhouse=files, seed=tuple(sorted(seed.items()))))
    to_install = plan.plan(offline, tmp)
    backend = choose(settings.installer, runner, settings.env, tmp, to_install)
    backend.create(
        tmp / "proof",
        python,
        system_site_packages=False,
        extra_args=settings.extra_virtualenv_args,
        seed=offline.sources,
    )
    if settings.keep_seed:
        lean.complete_seed(backend, tmp / "proof", offline, tmp)
    backend.install(tmp / "proof", to_install)
    return python.version, seed


def _vendor_seed(venv: Path, files: Path, runner: Runner, fetcher: PipBackend, wanted: Inputs) -> dict[str, str]:
    """Put the wheels the venv was seeded with into ``files``; return {name: version}."""
    seed: dict[str, str] = {}
    for dist_info in sorted(venv.glob("lib/python3*/site-packages/*.dist-info")):
        name, _, version = dist_info.name[: -len(".dist-info")].partition("-")
        if name in _SEED:
            seed[name] = version
    missing = []
    for name, version in seed.items():
        found = [w for d in _seed_dirs() for w in sorted(d.glob(f"{name}-{version}-*.whl"))]
        if found:
            runner.announce(f"cp {found[0]} {files}")
            shutil.copy2(found[0], files / found[0].name)
        else:
            missing.append(f"{name}=={version}")
    if missing:
        just_these = Inputs(sources=wanted.sources, preinstall=tuple(missing))
        fetcher.download(venv, plan.plan(just_these, venv.parent), files, allow_sdists=False)
    return seed


def _seed_dirs() -> list[Path]:
    """Where virtualenv keeps the wheels it seeds with (Debian: /usr/share/python-wheels)."""
    dirs = [Path("/usr/share/python-wheels")]
    try:
        # Imported by name: virtualenv has type information on some releases only.
        embed = importlib.import_module("virtualenv.seed.wheels.embed")
        dirs.insert(0, Path(embed.BUNDLE_FOLDER))
    except (ImportError, AttributeError):
        pass
    return [d for d in dirs if d.is_dir()]


def _sdists(directory: Path) -> set[str]:
    return {str(p) for p in directory.iterdir() if p.name.endswith(_ARCHIVES) and not p.name.endswith(".whl")}


def _build_requires_of_project(copy: Path) -> list[str]:
    path = copy / "pyproject.toml"
    if not path.is_file():
        return list(_LEGACY_BACKEND)
    try:
        data = tomllib.loads(path.read_bytes().decode())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DhVenvError(f"{path} is not valid TOML: {exc}", hint="fix pyproject.toml") from None
    return _requires(data, str(path))


def _build_requires_of_sdist(sdist: str) -> list[str]:
    """``[build-system].requires`` of an sdist's top-level pyproject.toml."""
    text = None
    try:
        if sdist.endswith(".zip"):
            with zipfile.ZipFile(sdist) as z:
                names = [n for n in z.namelist() if n.count("/") == 1 and n.endswith("/pyproject.toml")]
                text = z.read(names[0]) if names else None
        else:
            with tarfile.open(sdist) as t:
                members = [m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml")]
                extracted = t.extractfile(members[0]) if members else None
                text = extracted.read() if extracted else None
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise DhVenvError(f"cannot read the sdist {sdist}: {exc}", hint="remove it and vendor again") from None
    if text is None:
        return list(_LEGACY_BACKEND)
    try:
        data = tomllib.loads(text.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DhVenvError(
            f"the sdist {sdist} has a pyproject.toml that is not valid TOML: {exc}",
            hint="the sdist cannot be built: pin another version of it, or vendor its wheel instead",
        ) from None
    return _requires(data, sdist)


def _requires(data: dict[str, object], where: str) -> list[str]:
    system = data.get("build-system")
    if not isinstance(system, dict) or "requires" not in system:
        return list(_LEGACY_BACKEND)
    if not isinstance(system["requires"], list):
        raise DhVenvError(
            f"{where}: [build-system] requires must be an array of strings, not {system['requires']!r}",
            hint="fix pyproject.toml" if where.endswith("pyproject.toml") else "pin another version of it",
        )
    requires = [str(r) for r in system["requires"]]
    if str(system.get("build-backend", "setuptools.build_meta")).startswith("setuptools"):
        # setuptools asks for wheel dynamically in older releases.
        requires.append("wheel")
    return requires
