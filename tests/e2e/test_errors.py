"""Every error ends the build with one dh_venv: error: line naming the package, and no .deb."""

from __future__ import annotations

import re

import pytest

from .conftest import SITE

CASES = {
    "missing requirements file": (
        "--requirements=nope.txt",
        ["dh_venv: error: errapp: requirements file ", "/nope.txt does not exist; fix --requirements"],
    ),
    "requirement not found": (
        "--requirements=requirements-broken.txt",
        [
            "dh_venv: error: errapp: uv could not install the application and its requirements;",
            "Because no-such-dist-for-dh-venv was not found in the provided package",
        ],
    ),
    "requirement not found by pip": (
        "--requirements=requirements-broken.txt --installer=pip",
        [
            "dh_venv: error: errapp: pip could not install the application and its requirements;",
            "No matching distribution found for no-such-dist-for-dh-venv==9.9",
        ],
    ),
    "missing interpreter": (
        "--python=/usr/bin/python9.9",
        ["dh_venv: error: errapp: interpreter /usr/bin/python9.9 does not exist;"],
    ),
    "no python project": (
        "--sourcedirectory=empty",
        [
            "dh_venv: error: errapp: no Python project in ",
            "/empty: none of pyproject.toml, setup.py, setup.cfg found;",
            "--skip-install",
        ],
    ),
    "leaked build path": (
        "--sourcedirectory=leaky",
        [
            "dh_venv: error: errapp: 1 file(s) of the venv still contain the build path ",
            f"dh_venv: error:   opt/venvs/errapp/{SITE}/leaky/_where.py",
        ],
    ),
    "console script clash": (
        "--console-script=errapp=dup --console-script=errapp-admin=dup",
        ["dh_venv: error: errapp: console scripts errapp and errapp-admin would both be linked as /usr/bin/dup;"],
    ),
    "unknown console script": (
        "--console-script=nosuch",
        [
            "dh_venv: error: errapp: --console-script nosuch: no such script in /opt/venvs/errapp/bin;",
            "the application's own scripts are: errapp, errapp-admin",
        ],
    ),
    "incumbent option without counterpart": (
        "--pip-tool=pip-sync",
        [
            "dh_venv: error: source package errapp: --pip-tool is a dh-virtualenv option dh_venv does not have;",
            "use --installer=pip",
        ],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_error(build_package, case: str) -> None:
    args, expected = CASES[case]
    build = build_package("errors", args=args)
    assert build.returncode != 0
    for text in expected:
        assert text in build.output, f"{text!r} not in:\n{build.output[-3000:]}"
    assert "Traceback" not in build.output
    assert build.debs == {}
    errors = [
        line for line in build.output.splitlines() if re.match(r"dh_venv: error: (source package )?errapp: ", line)
    ]
    assert len(errors) == 1, errors
