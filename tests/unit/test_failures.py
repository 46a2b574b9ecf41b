"""Tests for dh_venv.installers.failures: the compiler's complaint found in an installer's output."""

from __future__ import annotations

import pytest

from dh_venv.installers import failures


@pytest.mark.parametrize(
    ("output", "complaint"),
    [
        (
            "  psycopg/psycopg.h:36:10: fatal error: libpq-fe.h: No such file or directory\n  compilation terminated.",
            "psycopg/psycopg.h:36:10: fatal error: libpq-fe.h: No such file or directory",
        ),
        (
            "error: command 'x86_64-linux-gnu-gcc' failed: No such file or directory",
            "error: command 'x86_64-linux-gnu-gcc' failed: No such file or directory",
        ),
        ("  Error: pg_config executable not found.", "Error: pg_config executable not found."),
        ("  /usr/bin/ld: cannot find -lxslt: No such file", "/usr/bin/ld: cannot find -lxslt: No such file"),
        ("ERROR: No matching distribution found for nothere==1", None),
    ],
)
def test_build_failure(output: str, complaint: str | None) -> None:
    assert failures.build_failure(output) == complaint
