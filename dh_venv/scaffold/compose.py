"""``compose``: a complete ``debian/`` for a Python project; ``write``: put it into the project."""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Mapping, Sequence
from pathlib import Path

import dh_venv.scaffold.control as control
import dh_venv.scaffold.metadata as metadata
import dh_venv.scaffold.names as names
import dh_venv.scaffold.service as service
from dh_venv.errors import DhVenvError
from dh_venv.inputs.pyproject import read_pyproject
from dh_venv.runner import Runner
from dh_venv.scaffold.copyright import copyright
from dh_venv.scaffold.values import Project, Request, Scaffold

RULES = "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python-venv\n"
SOURCE_FORMAT = "3.0 (quilt)\n"
_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")


def compose(project: Path, request: Request, environ: Mapping[str, str], runner: Runner) -> Scaffold:
    """What ``dh-venv init`` writes for the project in ``project``, read from its metadata and this machine."""
    if not any((project / m).is_file() for m in _MARKERS):
        raise DhVenvError(
            f"no Python project in {project}: none of {', '.join(_MARKERS)} found",
            hint="run dh-venv init at the top of the project, or give its directory: dh-venv init DIR",
        )
    static = read_pyproject(project).get("name")
    if isinstance(static, str) and static:
        names.package_name(static, request.package)  # a name that cannot be Debian's fails before any build
    who = names.maintainer(environ, project, runner)
    distribution = names.release(request.release)
    found = metadata.read(project, environ, runner, request.package)
    return from_project(found, request, who, distribution, environ)


def from_project(
    found: Project, request: Request, maintainer: str, distribution: str, environ: Mapping[str, str]
) -> Scaffold:
    """The files, from what was read (no program runs here)."""
    package = names.package_name(found.name, request.package)
    version = f"{names.debian_version(found.version)}-1"
    architecture = "any" if found.compiled or found.unbuilt else "all"
    depends = list(service.DEPENDS) if request.service else []
    homepage, _ = control.urls(found.urls)
    text, warnings = copyright(package, found, maintainer=maintainer, source=homepage, environ=environ)
    notes = []
    files = {
        "debian/control": control.control(
            package,
            found,
            maintainer=maintainer,
            architecture=architecture,
            build_depends=request.build_depends,
            depends=depends,
            standards=names.standards_version(),
        ),
        "debian/changelog": changelog(package, version, distribution, maintainer, environ),
        "debian/copyright": text,
        "debian/rules": RULES,
        "debian/source/format": SOURCE_FORMAT,
        "debian/tests/control": tests_control(found.scripts),
        f"debian/{package}.lintian-overrides": lintian_overrides(found.scripts),
    }
    if request.service:
        synopsis = control.synopsis_of(package, found)
        files[f"debian/{package}.service"] = service.unit(package, synopsis, request.service, found.scripts)
        files[f"debian/{package}.postinst"] = service.postinst(package)
        files[f"debian/{package}.postrm"] = service.postrm(package)
    if found.compiled:
        shown = ", ".join(" ".join(w.split("-")[:2]) for w in found.compiled)
        notes.append(f"Architecture: any: the requirement set holds compiled distributions ({shown})")
    if found.unbuilt:
        notes.append(
            f"Architecture: any: could not build {', '.join(found.unbuilt)} here to tell whether it compiles code; "
            "name what it needs to build with --build-depends"
        )
    if not found.scripts:
        warnings.append(f"{found.name} declares no console script: nothing will be on PATH, and no command is tested")
    executable = frozenset(p for p in files if p == "debian/rules" or p.endswith((".postinst", ".postrm")))
    return Scaffold(package, version, files, executable, tuple(notes), tuple(warnings))


def changelog(package: str, version: str, distribution: str, maintainer: str, environ: Mapping[str, str]) -> str:
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch.isdigit()
        else datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    )
    return (
        f"{package} ({version}) {distribution}; urgency=medium\n\n"
        "  * Initial release, written by dh-venv init.\n\n"
        f" -- {maintainer}  {email.utils.format_datetime(when)}\n"
    )


def tests_control(scripts: tuple[str, ...]) -> str:
    """An autopkgtest running each command with ``--version`` (or ``--help`` when it has none)."""
    if not scripts:
        return "Test-Command: true\nDepends: @\nRestrictions: superficial\n"
    paragraphs = [
        f"Test-Command: {s} --version 2>/dev/null || {s} --help\nDepends: @\nRestrictions: superficial\n"
        f"Features: test-name={s}"
        for s in scripts
    ]
    return "\n\n".join(paragraphs) + "\n"


#: The files every scaffold has (a service adds three named after the package).
ALWAYS = (
    "debian/changelog",
    "debian/control",
    "debian/copyright",
    "debian/rules",
    "debian/source/format",
    "debian/tests/control",
)


def check_free(project: Path, names: Sequence[str] = ALWAYS) -> None:
    """Refuse, naming them, files of ``names`` that exist in ``project`` (``--force`` skips this)."""
    existing = [n for n in names if (project / n).exists() or (project / n).is_symlink()]
    if existing:
        raise DhVenvError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''} in {project}; nothing was written",
            hint="dh-venv init --force overwrites them",
        )


def lintian_overrides(scripts: Sequence[str]) -> str:
    """What lintian says of every package made this way that is a choice, not a defect (each line says why)."""
    text = (
        "# A package for one's own machines, not an upload to Debian: there is no ITP bug to close.\n"
        "initial-upload-closes-no-bugs\n"
    )
    if scripts:
        text += "# The commands document themselves with --help; drop a line when you ship a manual page.\n"
        text += "".join(f"no-manual-page [usr/bin/{s}]\n" for s in scripts)
    return text


def write(scaffold: Scaffold, project: Path, *, force: bool, runner: Runner) -> list[Path]:
    """Write the files into ``project``; refuse, naming them, to overwrite any without ``force``."""
    paths = [project / name for name in sorted(scaffold.files)]
    if not force:
        check_free(project, sorted(scaffold.files))
    for path in paths:
        if path.is_symlink():
            runner.apply(f"rm {path}", path.unlink)
        runner.write_text(path, scaffold.files[str(path.relative_to(project))])
        if str(path.relative_to(project)) in scaffold.executable:
            runner.apply(f"chmod 0755 {path}", lambda p=path: p.chmod(0o755))  # type: ignore[misc]
    return paths
