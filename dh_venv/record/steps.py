"""The record steps: what ``dh_venv`` notes about the venv, and what ``dh_venv_restore`` writes from it.

``dh_venv`` calls :func:`capture` after installing, while it still knows
where each distribution came from; it warns about distributions without
license information and enforces ``--license-allow``.  ``dh_venv_restore``
runs after ``dh_shlibdeps`` (so the libraries the venv links against are
known) and after ``dh_compress`` (so the files keep the names scanners
look for) and calls :func:`write`, which covers distributions a
maintainer installed in ``override_dh_venv`` too.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dh_venv import caches, tree
from dh_venv.debhelper import files as debhelper
from dh_venv.errors import DhVenvError
from dh_venv.record import licenses, provenance, sbom
from dh_venv.runner import Runner
from dh_venv.settings import Settings
from dh_venv.site import Distribution, distributions, normalize

STATE = "record.json"
#: The shipped file names, in /usr/share/doc/<package>/.
SBOM_NAME = "sbom.cdx.json"
SUMMARY_NAME = "venv-licenses.txt"


def capture(
    settings: Settings,
    runner: Runner,
    python: Path,
    reports: Iterable[Path | None],
    known: provenance.Known,
    app: Path | None,
) -> None:
    """Note where each distribution came from; check the licenses; leave the state for :func:`write`."""
    staging = settings.staging_venv
    found = provenance.collect(staging, [r for r in reports if r is not None], known, app)
    allow = list(settings.license_allow) if settings.license_allow is not None else None
    license_of = functools.partial(_license, caches.reuse_root(settings.env, settings.build_dir), runner)
    for warning in check(settings.package, staging, set(), allow, license_of):
        runner.report.warning(warning)
    root = settings.staging_root
    state = _load(settings.work_dir) or {"venvs": {}}
    state.update(
        sbom=settings.sbom,
        allow=allow,
        python=str(python),
        staging=str(root.relative_to(settings.build_dir) if root.is_relative_to(settings.build_dir) else root),
    )
    # A second dh_venv call into the same venv knows nothing of what the first installed.
    before = state["venvs"].get(str(settings.final_venv), {}).get("provenance", {})
    for name, earlier in before.items():
        if name in found and not found[name].sha256 and earlier.get("sha256"):
            found[name] = provenance.Provenance.from_json(earlier)
    state["venvs"][str(settings.final_venv)] = {
        "application": normalize(app.name[: -len(".dist-info")].rsplit("-", 1)[0]) if app is not None else None,
        "provenance": {name: p.to_json() for name, p in sorted(found.items())},
        "checked": sorted(found),
    }
    # State between sequence steps, under debian/.debhelper (as compiled.record leaves its own).
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    (settings.work_dir / STATE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")


def _load(work_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((work_dir / STATE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DhVenvError(f"{work_dir / STATE} is damaged ({exc})", hint="rebuild from a clean tree") from None
    return data if isinstance(data, dict) else None


def check(
    package: str,
    venv: Path,
    checked: set[str],
    allow: Sequence[str] | None,
    license_of: Callable[[Distribution], licenses.License] | None = None,
) -> list[str]:
    """Warnings for distributions with no license information; fail on licenses outside ``allow``.

    Distributions named in ``checked`` were checked before; ``license_of``
    reads a distribution's license (by default from its metadata, now).
    """
    warnings = []
    outside = []
    permitted = licenses.normalise_allowed(allow or ())
    for dist in distributions(venv):
        if dist.name in checked:
            continue
        license = license_of(dist) if license_of else licenses.of(dist.metadata)
        if not license.known:
            warnings.append(
                f"{package}: {dist.display_name} {dist.version} declares no license (no License-Expression, "
                "license classifier or License field in its METADATA); find its license and record it "
                "in debian/copyright"
            )
        if allow is not None and not licenses.allowed(license, permitted):
            outside.append(f"{dist.display_name} {dist.version} ({license})")
    if outside:
        raise DhVenvError(
            f"{len(outside)} distribution(s) in the venv have a license outside --license-allow="
            f"{','.join(allow or ())}: {', '.join(outside)}",
            package=package,
            hint="add the licenses to --license-allow if your policy permits them, or keep the distributions "
            "out of the venv",
        )
    return warnings


def write(build_dir: Path, package: str, runner: Runner, tool_version: str, environ: Mapping[str, str]) -> list[str]:
    """dh_venv_restore for one package: the bill of materials and the license summary; returns warnings."""
    state = _load(build_dir / "debian" / ".debhelper" / "dh_venv" / package)
    if state is None:
        return []
    root = build_dir / state["staging"]
    doc = root / "usr" / "share" / "doc" / package
    warnings: list[str] = []
    entries: list[sbom.Entry] = []
    license_of = functools.partial(_license, caches.reuse_root(environ, build_dir), runner)
    for final, recorded in sorted(state["venvs"].items()):
        venv = root / final.lstrip("/")
        warnings += check(package, venv, set(recorded["checked"]), state["allow"], license_of)
        entries += _entries(root, venv, recorded["provenance"], recorded.get("application"), license_of)
    if doc.is_symlink():
        return [
            *warnings,
            f"{package}: /usr/share/doc/{package} is a link to another package's documentation "
            f"(dh_installdocs --link-doc), so {SBOM_NAME} and {SUMMARY_NAME} are not shipped",
        ]
    target = _package(build_dir, package, runner, ", ".join(sorted(state["venvs"])), environ)
    texts = {SUMMARY_NAME: sbom.summary(target, entries)}
    if state["sbom"]:
        debian = _debian_dependencies(build_dir, package, runner, Path(state["python"]).name)
        epoch = environ.get("SOURCE_DATE_EPOCH")
        bom = sbom.document(target, entries, debian, tool_version, int(epoch) if epoch else None)
        texts[SBOM_NAME] = sbom.render(bom)
    for name, text in texts.items():
        if str(build_dir) in text:
            raise DhVenvError(f"{name} would name the build directory {build_dir}", package=package)
    runner.apply(f"write {' and '.join(texts)} into {doc}", lambda: _write_docs(doc, texts))
    return warnings


def _write_docs(doc: Path, texts: Mapping[str, str]) -> None:
    doc.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (doc / name).write_text(text, encoding="utf-8")
        os.chmod(doc / name, 0o644)


def _license(cache: Path | None, runner: Runner, dist: Distribution) -> licenses.License:
    """The license ``dist``'s METADATA declares, kept in ``cache`` by the file's bytes and the rules that read it."""
    try:
        digest: str | None = tree.sha256_of(dist.dist_info / "METADATA")
    except OSError:
        digest = None  # read it now (the error, if any, is the metadata reader's)
    text = caches.answer(
        cache,
        ["license", digest, *licenses.rules()],
        lambda: licenses.of(dist.metadata).to_json(),
        runner,
        f"the license of {dist.display_name}",
    )
    try:
        return licenses.License.from_json(text)
    except (ValueError, KeyError, TypeError):
        return licenses.of(dist.metadata)  # an entry of another shape: read the metadata


def _entries(
    root: Path,
    venv: Path,
    recorded: Mapping[str, Any],
    app: str | None,
    license_of: Callable[[Distribution], licenses.License],
) -> list[sbom.Entry]:
    entries = []
    for dist in distributions(venv):
        found = recorded.get(dist.name)
        entries.append(
            sbom.Entry(
                name=dist.display_name,
                version=dist.version,
                license=license_of(dist),
                license_files=tuple("/" + str(p.relative_to(root)) for p in dist.license_files()),
                provenance=provenance.Provenance.from_json(found) if found is not None else None,
                application=dist.name == app,
            )
        )
    return entries


def _package(build_dir: Path, package: str, runner: Runner, venvs: str, environ: Mapping[str, str]) -> sbom.Package:
    version = changelog_version(build_dir / "debian" / "changelog", package)
    arch = debhelper.control_field(build_dir, package, "Architecture").split()
    if arch != ["all"]:
        probe = ["dpkg", "--print-architecture"]
        arch = [environ.get("DEB_HOST_ARCH") or runner.run(probe, env={"PATH": "/usr/bin:/bin"}, changes_files=False)]
    return sbom.Package(package, version, arch[0] if arch else "", _vendor(), venvs)


# The first line of a changelog entry: "source (version) distributions; urgency=...".
_ENTRY = re.compile(r"^\w[-+0-9a-z.]*\s+\(([^ ()]+)\)\s+[^;]*;", re.IGNORECASE)


def changelog_version(path: Path, package: str) -> str:
    """The version of the newest entry of ``path``: from its first line, else as python-debian parses it."""
    try:
        with path.open(encoding="utf-8") as fh:
            first = next((line for line in fh if line.strip() and not line.startswith("#")), "")
    except (OSError, UnicodeDecodeError) as exc:
        raise DhVenvError(f"cannot read debian/changelog: {exc}", package=package) from None
    found = _ENTRY.match(first)
    if found:
        return found.group(1)
    # python-debian says what is wrong (and reads what this pattern does not).
    from debian.changelog import Changelog, ChangelogParseError

    try:
        with path.open(encoding="utf-8") as fh:
            version = Changelog(fh, max_blocks=1).version
    except (OSError, ChangelogParseError) as exc:
        raise DhVenvError(f"cannot read debian/changelog: {exc}", package=package) from None
    if version is None:
        raise DhVenvError(
            f"cannot read debian/changelog: its first entry does not start with 'source (version) distribution; "
            f"urgency=...' (found {first.strip()[:60]!r})",
            package=package,
        )
    return str(version)


def _vendor() -> str:
    """The distribution's ID from /etc/os-release (``debian``), the vendor part of its package URLs."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("ID="):
                return line.split("=", 1)[1].strip().strip('"') or "debian"
    except OSError:
        pass
    return "debian"


def _debian_dependencies(build_dir: Path, package: str, runner: Runner, python: str) -> list[tuple[str, str, str]]:
    """(package, relation, role) for the interpreter and what ``${shlibs:Depends}`` names.

    dh_venv put the interpreter's package (``python3.X``, named like the
    interpreter) into ``${misc:Depends}``; an interpreter dpkg does not
    know got none there, and gets no component.
    """
    files = debhelper.PackageFiles(build_dir, package, runner, "")
    misc = {alt["name"] for group in _relations(files.substvar("misc:Depends")) for alt in group}
    found = [(python, python, "interpreter")] if python in misc else []
    for group in _relations(files.substvar("shlibs:Depends")):
        relation = " | ".join(_relation_text(alt) for alt in group)
        found += [(alt["name"], relation, "shared library") for alt in group]
    return found


# One relation of a substvar: a name, an architecture qualifier, a version; [arch] and <profile> lists are dropped.
_RELATION = re.compile(
    r"^\s*(?P<name>[a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*(?:\(\s*(?P<op><<|<=|=|>=|>>|<|>)\s*(?P<version>[^)\s]+)\s*\))?",
    re.IGNORECASE,
)


def _relations(value: str) -> list[list[Mapping[str, Any]]]:
    """The alternatives of a substvar's relations (an empty value has none), as deb822's PkgRelation gives them."""
    groups: list[list[Mapping[str, Any]]] = []
    for group in value.split(","):
        named: list[Mapping[str, Any]] = []
        for alt in group.split("|"):
            found = _RELATION.match(alt)
            if found:
                op, version = found.group("op"), found.group("version")
                named.append({"name": found.group("name"), "version": (op, version) if op else None})
        if named:
            groups.append(named)
    return groups


def _relation_text(alt: Mapping[str, Any]) -> str:
    version = alt.get("version")
    return f"{alt['name']} ({version[0]} {version[1]})" if version else str(alt["name"])
