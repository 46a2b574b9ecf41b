"""What the project says about itself, read from the wheel its own build backend makes.

Building the wheel (``pip wheel --no-deps``, in pip's isolated build
environment) is the one way that gives the same answer for every backend
and layout: static metadata, dynamic metadata through the backend's
hooks, a version from a VCS tag (setuptools-scm, hatch-vcs), the console
scripts, the license files, and whether the project itself compiles code.
Then the requirement set is resolved for the target interpreter the way
the build will resolve it (the inputs stage: lock, requirements files,
the project's dependencies) and downloaded; any wheel with a platform tag,
or an sdist that builds into one, makes the package ``Architecture: any``.
"""

from __future__ import annotations

import dataclasses
import email.parser
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from dh_venv import interpreter
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs import project as project_files
from dh_venv.inputs.collect import collect
from dh_venv.installers import failures, plan
from dh_venv.installers.backend import build_environment
from dh_venv.installers.pip import PipBackend
from dh_venv.installers.venv import python_of
from dh_venv.record import licenses
from dh_venv.runner import Runner
from dh_venv.scaffold.values import Project
from dh_venv.settings import DEFAULT_PYTHON, Settings

_SDISTS = (".tar.gz", ".zip", ".tar.bz2")


def read(source: Path, environ: Mapping[str, str], runner: Runner, package: str | None = None) -> Project:
    """The project in ``source``, with the compiled distributions of its resolved requirement set."""
    project_files.check_project(source)
    env = build_environment(environ, source)
    with tempfile.TemporaryDirectory(prefix="dh-venv-init-") as scratch:
        tmp = Path(scratch)
        python = interpreter.resolve(DEFAULT_PYTHON, runner)
        fetcher = PipBackend(runner, env, tmp)
        fetcher.create(tmp / "venv", python, system_site_packages=False, extra_args=())
        copy = project_files.prepare_copy(source, tmp / "src", runner)
        wheel = _build(tmp / "venv", copy, tmp / "wheel", env, runner, source)
        found = _from_wheel(wheel)
        settings = Settings(
            package=package or found.name, build_dir=tmp, source_dir=source, staging_root=tmp / "stage", env=env
        )
        wanted = collect(settings, runner, python, copy)
        files = tmp / "files"
        files.mkdir()
        fetcher.download(tmp / "venv", plan.plan(wanted, tmp), files, allow_sdists=True)
        unbuilt = []
        for sdist in sorted(p for p in files.iterdir() if p.name.endswith(_SDISTS)):
            try:
                _build(tmp / "venv", sdist, files, env, runner, sdist)
            except DhVenvError as exc:
                # Most likely a compiler or headers missing here: what --build-depends names for the build.
                why = failures.build_failure(exc.details)
                unbuilt.append(f"{sdist.name} ({why})" if why else sdist.name)
        compiled = [wheel.name] if _compiled(wheel.name) else []
        compiled += sorted(p.name for p in files.glob("*.whl") if _compiled(p.name))
    return dataclasses.replace(found, compiled=tuple(compiled), unbuilt=tuple(unbuilt))


def _build(venv: Path, what: Path, dest: Path, env: Mapping[str, str], runner: Runner, shown: Path) -> Path:
    """Build the wheel of ``what`` (a project directory or an sdist) into ``dest``; return it."""
    dest.mkdir(exist_ok=True)
    before = set(dest.glob("*.whl"))
    argv: list[str | Path] = [python_of(venv), "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", dest, what]
    try:
        runner.run(argv, env=env, stream=False)
    except CommandError as exc:
        raise DhVenvError(
            f"pip could not build {shown} to read its metadata",
            hint="make `pip wheel --no-deps .` work in the project first",
            details=exc.output,
        ) from None
    new = sorted(set(dest.glob("*.whl")) - before) or sorted(dest.glob("*.whl"))
    return new[0]


def _compiled(wheel: str) -> bool:
    """Whether a wheel's file name carries a platform tag (``-none-any`` does not)."""
    return not wheel.removesuffix(".whl").endswith("-any")


def _from_wheel(wheel: Path) -> Project:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        text = z.read(f"{info}/METADATA").decode("utf-8", "replace")
        entry_points = z.read(f"{info}/entry_points.txt").decode() if f"{info}/entry_points.txt" in names else ""
        license_names = [n for n in names if n.startswith(f"{info}/licenses/") and not n.endswith("/")]
        if not license_names:
            license_names = [n for n in names if n.startswith(f"{info}/") and _looks_like_license(n)]
        texts = {n.split("/")[-1]: z.read(n).decode("utf-8", "replace") for n in license_names}
    meta = email.parser.Parser().parsestr(text)
    urls = {"Home-page": str(meta["Home-page"])} if meta.get("Home-page") else {}
    for line in meta.get_all("Project-URL") or []:
        label, _, url = str(line).partition(",")
        urls[label.strip()] = url.strip()
    authors = [str(meta[k]).strip() for k in ("Author", "Author-email", "Maintainer", "Maintainer-email") if meta[k]]
    readme = meta.get_payload()
    return Project(
        name=str(meta["Name"]),
        version=str(meta["Version"]),
        summary=str(meta.get("Summary") or "").strip(),
        readme=str(readme or meta.get("Description") or ""),
        readme_type=str(meta.get("Description-Content-Type") or ""),
        license=licenses.of(meta),
        license_files=texts,
        urls=urls,
        authors=tuple(authors),
        scripts=tuple(_console_scripts(entry_points)),
    )


def _looks_like_license(name: str) -> bool:
    base = name.split("/")[-1].upper()
    return base.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE"))


def _console_scripts(text: str) -> list[str]:
    scripts, section = [], ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section == "console_scripts" and "=" in line:
            scripts.append(line.split("=", 1)[0].strip())
    return sorted(scripts)
