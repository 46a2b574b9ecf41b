"""A PEP 517 build backend writing core metadata 2.4 (License-Expression, License-File).

Debian's setuptools on bookworm cannot write License-Expression; this
backend writes whatever licence metadata pyproject.toml's [project]
table gives, so the fixtures carry every kind on every release.  Only
what the tests need: one top-level package named like the project, no
dependencies.
"""

import base64
import hashlib
import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

_FIXED = (2026, 1, 1, 0, 0, 0)


def _project():
    return tomllib.loads(Path("pyproject.toml").read_text())["project"]


def _metadata(project):
    lines = ["Metadata-Version: 2.4", f"Name: {project['name']}", f"Version: {project['version']}"]
    license = project.get("license")
    if isinstance(license, str):
        lines.append(f"License-Expression: {license}")
    elif isinstance(license, dict):
        lines.append(f"License: {license['text']}")
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    lines += [f"License-File: {f}" for f in project.get("license-files", [])]
    return "\n".join(lines) + "\n"


def _sources(project):
    package = Path(project["name"])
    return sorted(p for p in package.rglob("*.py"))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    name, version = project["name"], project["version"]
    dist_info = f"{name}-{version}.dist-info"
    files = {str(p): p.read_bytes() for p in _sources(project)}
    for license_file in project.get("license-files", []):
        files[f"{dist_info}/licenses/{license_file}"] = Path(license_file).read_bytes()
    files[f"{dist_info}/METADATA"] = _metadata(project).encode()
    wheel_file = "Wheel-Version: 1.0\nGenerator: sbom_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist_info}/WHEEL"] = wheel_file.encode()
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(zipfile.ZipInfo(path, _FIXED), data)
    return wheel


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = f"{project['name']}-{project['version']}"
    members = ["pyproject.toml", "sbom_backend.py", *project.get("license-files", []), *map(str, _sources(project))]
    files = {f"{base}/{m}": Path(m).read_bytes() for m in members}
    files[f"{base}/PKG-INFO"] = _metadata(project).encode()
    sdist = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / sdist, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), 1767225600, 0o644
            tf.addfile(info, io.BytesIO(data))
    return sdist


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []
