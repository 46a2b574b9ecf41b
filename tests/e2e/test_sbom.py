"""The bill of materials and the license summary in /usr/share/doc/<package>/.

tests/packages/sbom-app needs distributions with every kind of license
metadata (tests/wheels/sbomexpr: License-Expression; sbomclassic: a
classifier that names no one license and an SPDX License field; tinydep:
nothing) and, with requirements-sdist.txt, tests/sdists/sbomsrc, which
exists only as an sdist and is built here.  tests/packages/sbom-locked is
inp-uvapp's uv.lock under another package name.  Every document is
checked against CycloneDX's official JSON schema (cyclonedx-python-lib,
which ships it) and read by sbomaudit (lib4sbom), both from PyPI into a
test venv.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from dh_venv.site import distributions, normalize

from .conftest import (
    PACKAGES,
    ROOT,
    Build,
    assert_purged,
    clean_pip_env,
    dpkg_buildpackage,
    extract,
    installed,
    run_clean,
    tool_env,
)

DOC = Path("usr/share/doc")
TOOLS = ("cyclonedx-python-lib[json-validation]==11.12.0", "sbomaudit==0.4.4")
NO_LICENSE = (
    "dh_venv: warning: sbom-app: tinydep 1.0 declares no license (no License-Expression, license classifier or "
    "License field in its METADATA); find its license and record it in debian/copyright"
)


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with CycloneDX's schema validator and sbomaudit, from PyPI."""
    venv = tmp_path_factory.mktemp("sbom-tools")
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin/pip"), "install", "-q", "--index-url", "https://pypi.org/simple", *TOOLS]
    proc = subprocess.run(pip, env=clean_pip_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def check_schema(tools: Path, path: Path) -> None:
    script = (
        "import sys\n"
        "from cyclonedx.schema import SchemaVersion\n"
        "from cyclonedx.validation.json import JsonStrictValidator\n"
        "error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\n"
        "print(error if error is not None else 'valid')\n"
    )
    proc = subprocess.run([str(tools / "bin/python"), "-c", script, str(path)], capture_output=True, text=True)
    assert proc.stdout.strip() == "valid", proc.stdout + proc.stderr


def audit(tools: Path, path: Path) -> str:
    """sbomaudit's report on the document (offline).

    It counts only concluded licenses (CycloneDX's ``acknowledgement``);
    the metadata's are declared, so its license lines are not checked.
    """
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "300", "HOME": str(tools)}
    argv = [str(tools / "bin/sbomaudit"), "--offline", "--purlcheck", "--verbose", "-i", str(path)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert "Package Summary" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unpack(build: Build, package: str, dest: Path) -> tuple[Path, str, dict[str, Any]]:
    """The unpacked package, the SBOM's text and the SBOM."""
    root = extract(build.deb(package), dest)
    text = (root / DOC / package / "sbom.cdx.json").read_text()
    return root, text, json.loads(text)


def pypi(bom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in bom["components"] if c["purl"].startswith("pkg:pypi/")}


def props(component: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        found.setdefault(p["name"].removeprefix("dh-venv:"), []).append(p["value"])
    return found


def installed_set(root: Path, venv: str) -> set[tuple[str, str]]:
    return {(d.name, d.version) for d in distributions(root / venv.lstrip("/"))}


def check_common(root: Path, text: str, bom: dict[str, Any], package: str, venv: str, source: Path) -> None:
    """What holds for every package: the component list, the interpreter, no build path, plain files."""
    components = pypi(bom)
    assert {(normalize(c["name"]), c["version"]) for c in components.values()} == installed_set(root, venv)
    for c in components.values():
        assert c["purl"] == f"pkg:pypi/{normalize(c['name'])}@{c['version']}"
    python = os.path.basename(os.path.realpath("/usr/bin/python3"))
    interpreter = [c for c in bom["components"] if c["name"] == python]
    assert interpreter and interpreter[0]["purl"].startswith(f"pkg:deb/debian/{python}")
    assert all(c["name"] and c["purl"] for c in bom["components"])
    root_ref = bom["metadata"]["component"]["bom-ref"]
    assert root_ref.startswith(f"pkg:deb/debian/{package}@")
    top = next(d for d in bom["dependencies"] if d["ref"] == root_ref)
    assert set(top["dependsOn"]) == {c["bom-ref"] for c in bom["components"]}
    epoch = int(subprocess.run(["dpkg-parsechangelog", "-STimestamp"], cwd=source, capture_output=True).stdout)
    assert bom["metadata"]["timestamp"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    doc = root / DOC / package
    for name in ("sbom.cdx.json", "venv-licenses.txt"):
        assert (doc / name).stat().st_mode & 0o777 == 0o644
        assert str(source.parent) not in (doc / name).read_text()
    assert str(source.parent) not in text


def build_app(tmp: Path, name: str, args: str, wheels: Path | None, wheelhouse: Path | None = None) -> Build:
    source = tmp / name / "sbom-app-1.0"
    shutil.copytree(PACKAGES / "sbom-app", source)
    pip_args = f"--no-index --find-links={wheels}" if wheels is not None else ""
    if wheelhouse is not None:
        shutil.copytree(wheelhouse, source / "debian" / "wheelhouse")
    return dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=pip_args, DH_VENV_TEST_ARGS=args))


@pytest.mark.network
def test_unlocked_with_pip(tmp_path: Path, wheelhouse: Path, tools: Path) -> None:
    """pip's report gives each wheel's hash; licenses from all three sources; the app runs; purge leaves nothing."""
    build = build_app(tmp_path, "pip", "--installer=pip", wheelhouse)
    assert build.returncode == 0, build.output[-4000:]
    assert NO_LICENSE in build.output.splitlines()
    root, text, bom = unpack(build, "sbom-app", tmp_path / "x")
    check_common(root, text, bom, "sbom-app", "/opt/venvs/sbom-app", build.source)
    components = pypi(bom)
    assert components["sbomexpr"]["licenses"] == [{"expression": "MIT OR Apache-2.0", "acknowledgement": "declared"}]
    assert components["sbomclassic"]["licenses"] == [{"license": {"id": "BSD-3-Clause", "acknowledgement": "declared"}}]
    assert "licenses" not in components["tinydep"]
    assert props(components["tinydep"])["license"] == ["unknown"]
    assert props(components["sbomexpr"])["license-source"] == ["License-Expression"]
    assert props(components["sbomclassic"])["license-source"] == ["License"]
    for name in ("sbomexpr", "sbomclassic", "tinydep"):
        wheel = wheelhouse / f"{name}-1.0-py3-none-any.whl"
        assert components[name]["hashes"] == [{"alg": "SHA-256", "content": sha256(wheel)}]
        assert props(components[name])["built-from-source"] == ["false"]
        assert props(components[name])["hash-from"] == ["installer report"]
    app = components["sbom-app"]
    assert app["type"] == "application" and "hashes" not in app
    assert props(app)["built-from-source"] == ["true"]
    site = next(root.glob("opt/venvs/sbom-app/lib/python3*/site-packages"))
    # setuptools puts license files beside METADATA (bookworm) or under licenses/ (trixie).
    classic = "/" + str(next(site.glob("sbomclassic-1.0.dist-info/**/LICENSE.txt")).relative_to(root))
    expr = f"/{site.relative_to(root)}/sbomexpr-1.0.dist-info/licenses/LICENSE"
    assert (root / DOC / "sbom-app/venv-licenses.txt").read_text().splitlines()[4:] == [
        "sbom-app 1.0 | GPL-2.0-or-later | none",
        f"sbomclassic 1.0 | BSD-3-Clause | {classic}",
        f"sbomexpr 1.0 | MIT OR Apache-2.0 | {expr}",
        "tinydep 1.0 | unknown | none",
    ]
    check_schema(tools, root / DOC / "sbom-app/sbom.cdx.json")
    report = audit(tools, root / DOC / "sbom-app/sbom.cdx.json")
    for name in components:
        assert f"[x] PURL included for package {name}" in report, report
        assert f"[x] PURL name compatible with package {name}" in report, report
    with installed(build.deb("sbom-app")):
        assert Path("/usr/share/doc/sbom-app/sbom.cdx.json").read_text() == text
        result = run_clean("sbom-app")
        assert result.stdout.split() == ["sbomexpr", "sbomclassic", "tinydep"], result.stderr
    assert_purged("sbom-app", "/opt/venvs/sbom-app", ["sbom-app"])
    assert not Path("/usr/share/doc/sbom-app").exists()


@pytest.mark.network
def test_unlocked_with_uv_is_reproducible(tmp_path: Path, wheelhouse: Path, tools: Path) -> None:
    """uv gives no report and find-links are no wheelhouse: no hash claimed; two builds byte-identical."""
    first = build_app(tmp_path, "one", "", wheelhouse)
    second = build_app(tmp_path, "two", "", wheelhouse)
    assert first.returncode == 0, first.output[-4000:]
    assert second.returncode == 0, second.output[-4000:]
    root, text, bom = unpack(first, "sbom-app", tmp_path / "x1")
    _, text2, _ = unpack(second, "sbom-app", tmp_path / "x2")
    assert text == text2
    summary = (root / DOC / "sbom-app/venv-licenses.txt").read_bytes()
    assert summary == (tmp_path / "x2" / DOC / "sbom-app/venv-licenses.txt").read_bytes()
    check_common(root, text, bom, "sbom-app", "/opt/venvs/sbom-app", first.source)
    for name, component in pypi(bom).items():
        assert "hashes" not in component, name
        assert props(component)["built-from-source"] == ["true" if name == "sbom-app" else "false"]
    check_schema(tools, root / DOC / "sbom-app/sbom.cdx.json")


@pytest.fixture(scope="module")
def offline_wheelhouse(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    """The fixture wheels and the sdist of sbomsrc, which has no wheel."""
    out = tmp_path_factory.mktemp("sbom-wheelhouse")
    for wheel in wheelhouse.iterdir():
        shutil.copy(wheel, out)
    src = tmp_path_factory.mktemp("sbomsrc")
    shutil.copytree(ROOT / "tests/sdists/sbomsrc", src, dirs_exist_ok=True)
    hook = f"import sbom_backend; sbom_backend.build_sdist({str(out)!r})"
    subprocess.run(["/usr/bin/python3", "-c", hook], cwd=src, check=True)
    return out


@pytest.mark.network
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_sdist_built_here_offline(tmp_path: Path, offline_wheelhouse: Path, tools: Path, installer: str) -> None:
    """From debian/wheelhouse (no index): every hash from the wheelhouse, the sdist's for what was built here."""
    args = f"--installer={installer} --requirements=requirements-sdist.txt"
    build = build_app(tmp_path, installer, args, None, offline_wheelhouse)
    assert build.returncode == 0, build.output[-4000:]
    root, text, bom = unpack(build, "sbom-app", tmp_path / "x")
    check_common(root, text, bom, "sbom-app", "/opt/venvs/sbom-app", build.source)
    components = pypi(bom)
    source = components["sbomsrc"]
    assert props(source)["built-from-source"] == ["true"]
    assert props(source)["file"] == ["sbomsrc-2.0.tar.gz"]
    assert source["hashes"] == [{"alg": "SHA-256", "content": sha256(offline_wheelhouse / "sbomsrc-2.0.tar.gz")}]
    assert props(source)["hash-from"] == ["wheelhouse"]
    assert source["licenses"] == [{"license": {"id": "MIT", "acknowledgement": "declared"}}]
    assert props(source)["license-source"] == ["classifiers"]
    for name in ("sbomexpr", "sbomclassic", "tinydep"):
        wheel = offline_wheelhouse / f"{name}-1.0-py3-none-any.whl"
        assert components[name]["hashes"] == [{"alg": "SHA-256", "content": sha256(wheel)}]
        assert props(components[name])["built-from-source"] == ["false"]
    check_schema(tools, root / DOC / "sbom-app/sbom.cdx.json")


def test_license_policy(build_package: Any) -> None:
    """--license-allow fails the build naming every distribution outside the list, before anything ships."""
    build = build_package("sbom-app", args="--license-allow=MIT,Apache-2.0 --license-allow=BSD-2-Clause")
    assert build.returncode != 0
    expected = (
        "dh_venv: error: sbom-app: 3 distribution(s) in the venv have a license outside "
        "--license-allow=MIT,Apache-2.0,BSD-2-Clause: sbom-app 1.0 (GPL-2.0-or-later), sbomclassic 1.0 "
        "(BSD-3-Clause), tinydep 1.0 (unknown); add the licenses to --license-allow if your policy permits them, "
        "or keep the distributions out of the venv"
    )
    assert expected in build.output.splitlines(), build.output[-3000:]
    assert build.debs == {}


def test_no_sbom_keeps_the_summary(build_package: Any, tmp_path: Path) -> None:
    """--no-sbom leaves the document out; the license summary and the policy (here satisfied) stay."""
    allow = "--license-allow=MIT,BSD-3-Clause,GPL-2.0-or-later"
    build = build_package("sbom-app", args=f"--no-sbom {allow} --requirements=requirements-licensed.txt")
    assert build.returncode == 0, build.output[-4000:]
    root = extract(build.deb("sbom-app"), tmp_path / "x")
    assert sorted(p.name for p in (root / DOC / "sbom-app").iterdir()) == [
        "changelog.gz",
        "copyright",
        "venv-licenses.txt",
    ]


@pytest.mark.network
def test_locked_hashes_are_the_locks(tmp_path: Path, tools: Path) -> None:
    """uv.lock: each component's hash is the lock's for the file installed; uv twice and pip give one document."""
    builds = {}
    for name, args in (("uv1", ""), ("uv2", ""), ("pip", "--installer=pip")):
        source = tmp_path / name / "sbom-locked-0.3.0"
        shutil.copytree(PACKAGES / "sbom-locked", source)
        builds[name] = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS="", DH_VENV_TEST_ARGS=args))
        assert builds[name].returncode == 0, builds[name].output[-4000:]
    root, text, bom = unpack(builds["uv1"], "sbom-locked", tmp_path / "x1")
    assert unpack(builds["uv2"], "sbom-locked", tmp_path / "x2")[1] == text
    assert unpack(builds["pip"], "sbom-locked", tmp_path / "x3")[1] == text
    check_common(root, text, bom, "sbom-locked", "/opt/venvs/sbom-locked", builds["uv1"].source)
    lock = tomllib.loads((PACKAGES / "sbom-locked/uv.lock").read_text())
    files = {
        f["url"].rsplit("/", 1)[-1]: f["hash"].split(":", 1)[1]
        for package in lock["package"]
        for f in [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
    }
    components = pypi(bom)
    assert set(components) == {"idna", "six", "inp-uvapp"}
    for name in ("idna", "six"):
        (filename,) = props(components[name])["file"]
        assert components[name]["hashes"] == [{"alg": "SHA-256", "content": files[filename]}]
        assert props(components[name])["hash-from"] == ["lock"]
    check_schema(tools, root / DOC / "sbom-locked/sbom.cdx.json")
    report = audit(tools, root / DOC / "sbom-locked/sbom.cdx.json")
    for name in components:
        assert f"[x] Version included for package {name}" in report, report
