"""dh_venv.record.sbom: the CycloneDX document and the license summary."""

from __future__ import annotations

import json

from dh_venv.record import sbom
from dh_venv.record.licenses import License
from dh_venv.record.provenance import Provenance

PACKAGE = sbom.Package("demo", "1:1.0-1", "amd64", "debian", "/opt/venvs/demo")
ENTRIES = [
    sbom.Entry("Zope.Interface", "6.0+local", License("ZPL-2.1"), (), Provenance("z.whl", "sha256:ab", "lock", False)),
    sbom.Entry("demo", "1.0", License(), (), Provenance(built_here=True), application=True),
    sbom.Entry("attrs", "23.1", License("MIT OR Apache-2.0"), ("/opt/venvs/demo/x/LICENSE",), None),
    sbom.Entry("odd", "1", License(None, ("BSD License",), "classifiers"), (), None),
]
DEBIAN = [("python3.11", "python3.11", "interpreter"), ("libc6", "libc6 (>= 2.34)", "shared library")]


def test_document() -> None:
    bom = sbom.document(PACKAGE, ENTRIES, DEBIAN, "0.2.0", 1700000000)
    assert list(bom)[:4] == ["bomFormat", "specVersion", "serialNumber", "version"]
    assert bom["specVersion"] == "1.6" and bom["serialNumber"].startswith("urn:uuid:")
    assert bom["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    root = bom["metadata"]["component"]
    assert root["purl"] == "pkg:deb/debian/demo@1%3A1.0-1?arch=amd64"
    names = [c["name"] for c in bom["components"]]
    assert names == ["attrs", "demo", "odd", "Zope.Interface", "libc6", "python3.11"]
    by_name = {c["name"]: c for c in bom["components"]}
    assert by_name["Zope.Interface"]["purl"] == "pkg:pypi/zope.interface@6.0%2Blocal"
    assert by_name["Zope.Interface"]["hashes"] == [{"alg": "SHA-256", "content": "ab"}]
    assert by_name["Zope.Interface"]["licenses"] == [{"license": {"id": "ZPL-2.1", "acknowledgement": "declared"}}]
    assert by_name["attrs"]["licenses"] == [{"expression": "MIT OR Apache-2.0", "acknowledgement": "declared"}]
    assert by_name["odd"]["licenses"] == [{"license": {"name": "BSD License", "acknowledgement": "declared"}}]
    assert "licenses" not in by_name["demo"] and by_name["demo"]["type"] == "application"
    assert {"name": "dh-venv:license", "value": "unknown"} in by_name["demo"]["properties"]
    assert {"name": "dh-venv:built-from-source", "value": "true"} in by_name["demo"]["properties"]
    assert not any(p["name"] == "dh-venv:built-from-source" for p in by_name["attrs"]["properties"])
    assert by_name["libc6"]["purl"] == "pkg:deb/debian/libc6?arch=amd64"
    assert {"name": "dh-venv:debian-dependency", "value": "libc6 (>= 2.34)"} in by_name["libc6"]["properties"]
    top = bom["dependencies"][0]
    assert top["ref"] == root["bom-ref"] and len(top["dependsOn"]) == 6


def test_document_is_a_function_of_its_inputs() -> None:
    one = sbom.render(sbom.document(PACKAGE, ENTRIES, DEBIAN, "0.2.0", None))
    two = sbom.render(sbom.document(PACKAGE, list(reversed(ENTRIES)), list(reversed(DEBIAN)), "0.2.0", None))
    assert one == two
    assert "timestamp" not in json.loads(one)["metadata"]
    other = sbom.render(sbom.document(PACKAGE, ENTRIES[:2], DEBIAN, "0.2.0", None))
    assert json.loads(other)["serialNumber"] != json.loads(one)["serialNumber"]


def test_summary() -> None:
    assert sbom.summary(PACKAGE, ENTRIES).splitlines()[4:] == [
        "attrs 23.1 | MIT OR Apache-2.0 | /opt/venvs/demo/x/LICENSE",
        "demo 1.0 | unknown | none",
        "odd 1 | BSD License | none",
        "Zope.Interface 6.0+local | ZPL-2.1 | none",
    ]
