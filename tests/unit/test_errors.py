"""Tests for dh_venv.errors: failed file operations and full disks in a program's output."""

from __future__ import annotations

import errno
import os

import pytest

from dh_venv.errors import DhVenvError, doing, os_error, output_trouble


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (
            errno.ENOSPC,
            "could not copy x: no space left on the device holding /d/f; free space there (df -h) and build again",
        ),
        (errno.EROFS, "could not copy x: the file system holding /d/f is read-only; build in a writable directory"),
        (errno.EACCES, "could not copy x: permission denied on /d/f; let the user running the build write there"),
        (errno.EIO, f"could not copy x: /d/f: {os.strerror(errno.EIO)}; build again"),
    ],
)
def test_os_error(number: int, text: str) -> None:
    assert str(os_error(OSError(number, os.strerror(number), "/d/f"), "copy x")) == text


def test_doing_turns_os_errors_into_ours() -> None:
    with pytest.raises(DhVenvError) as info, doing("write it"):
        raise OSError(errno.ENOSPC, "No space left on device", "/full/file")
    assert info.value.message == "could not write it: no space left on the device holding /full/file"


@pytest.mark.parametrize(
    ("output", "cause"),
    [
        # pip
        (
            "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device: '/v/lib/x.py'\n",
            "no space left on the device holding /v/lib/x.py",
        ),
        # uv
        (
            "error: Failed to install: x-1.0-py3-none-any.whl (x==1.0)\n  Caused by: failed to write to file "
            "`/v/lib/python3/site-packages/x/big`: No space left on device (os error 28)\n",
            "no space left on the device holding /v/lib/python3/site-packages/x/big",
        ),
        # virtualenv, no path in the line
        ("OSError: [Errno 30] Read-only file system\n", "the file system holding /fallback is read-only"),
        ("ERROR: No matching distribution found for nope\n", None),
    ],
)
def test_output_trouble(output: str, cause: str | None) -> None:
    found = output_trouble(output, "/fallback")
    assert (found[0] if found else None) == cause


def test_output_trouble_virtualenv_unwritable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    output = f"virtualenv: error: argument dest: the destination . is not write-able at {tmp_path}\n"
    assert output_trouble(output, "/fallback") == (
        f"permission denied on {tmp_path}",
        "let the user running the build write there",
    )
