"""debian/tests/control: the autopkgtest runs what make check runs, with what make check installs."""

from __future__ import annotations

import os
import re
from pathlib import Path

from debian.deb822 import Deb822

ROOT = Path(__file__).resolve().parents[2]


def make_list(name: str) -> set[str]:
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(rf"^{name} := (.*)$", text, re.MULTILINE)
    assert match, name
    return set(match.group(1).split())


def test_autopkgtest_runs_the_suite_with_the_test_dependencies() -> None:
    (stanza,) = Deb822.iter_paragraphs((ROOT / "debian/tests/control").read_text())
    for name in stanza["Tests"].split():
        assert os.access(ROOT / "debian/tests" / name, os.X_OK), name
    depends = {d.strip() for d in stanza["Depends"].split(",") if d.strip()}
    assert "dh-venv" in depends
    # Everything else it needs, make check installs too (mypy only lints).
    assert depends - {"dh-venv"} <= make_list("TEST_DEPS") | make_list("DEPS")
    assert "needs-root" in stanza["Restrictions"]
    assert "DH_VENV_TEST_INSTALLED=1" in (ROOT / "debian/tests/suite").read_text()
