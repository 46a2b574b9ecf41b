"""Tests for dh_venv.lintian: which overrides a venv gets, and how they merge."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from dh_venv import lintian

FINAL = PurePosixPath("/opt/venvs/demo")
SITE = "lib/python3.11/site-packages"
ELF = Path(shutil.which("true") or "/bin/true")


def make_venv(root: Path) -> Path:
    venv = root / "opt/venvs/demo"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/tool").write_text("#!/opt/venvs/demo/bin/python\nimport demo\n")
    (venv / "bin/tool").chmod(0o755)
    site = venv / SITE
    for sub in ("vendored", "prebuilt", "demo", "odd"):
        (site / sub).mkdir(parents=True)
    (site / "vendored/certs.py").write_text("#!/usr/bin/env python\nprint(1)\n")
    (site / "vendored/plain.py").write_text("X = 1\n")
    shutil.copy(ELF, site / "prebuilt/_fast.so")
    shutil.copy(ELF, site / "demo/_local.so")
    (site / "odd/data.txt").write_text("data\n")
    (site / "odd/data.txt").chmod(0o755)
    info = site / "demo-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("demo/_local.so,sha256=x,1\ndemo-1.0.dist-info/RECORD,,\n")
    return venv


def lines(blocks: list[lintian.Override]) -> list[str]:
    return [line for block in blocks for line in block.lines]


def test_overrides_are_narrow_and_explained(tmp_path: Path) -> None:
    venv = make_venv(tmp_path)
    blocks = lintian.overrides("demo", tmp_path, FINAL, venv / SITE / "demo-1.0.dist-info/RECORD")
    assert all(block.why for block in blocks)
    site = f"opt/venvs/demo/{SITE}"
    assert lines(blocks) == [
        "demo: dir-or-file-in-opt [opt/venvs/]",
        "demo: dir-or-file-in-opt [opt/venvs/demo/*]",
        "demo: unusual-interpreter /opt/venvs/demo/bin/python* [opt/venvs/demo/bin/*]",
        f"demo: script-not-executable [{site}/vendored/certs.py]",
        f"demo: unusual-interpreter python [{site}/vendored/certs.py]",
        f"demo: executable-not-elf-or-script [{site}/odd/data.txt]",
        f"demo: unstripped-binary-or-object [{site}/prebuilt/_fast.so]",
        f"demo: embedded-library * [{site}/prebuilt/_fast.so]",
        f"demo: custom-library-search-path * [{site}/prebuilt/_fast.so]",
        f"demo: shared-library-lacks-prerequisites [{site}/prebuilt/_fast.so]",
        f"demo: library-not-linked-against-libc [{site}/prebuilt/_fast.so]",
    ]


def test_install_root_outside_opt_needs_no_opt_override(tmp_path: Path) -> None:
    (tmp_path / "srv/app/bin").mkdir(parents=True)
    blocks = lintian.overrides("demo", tmp_path, PurePosixPath("/srv/app"))
    assert lines(blocks) == ["demo: unusual-interpreter /srv/app/bin/python* [srv/app/bin/*]"]


def test_merge_keeps_the_maintainers_and_replaces_ours() -> None:
    mine = "# why\ndemo: no-manual-page [usr/bin/demo]\n"
    first = lintian.merge(mine, lintian.render([lintian.Override("one", ("demo: a",))]))
    assert first == f"{mine}\n{lintian.BEGIN}\n\n# one\ndemo: a\n\n{lintian.END}\n"
    again = lintian.merge(first, lintian.render([lintian.Override("two", ("demo: b",))]))
    assert again == f"{mine}\n{lintian.BEGIN}\n\n# two\ndemo: b\n\n{lintian.END}\n"
    assert lintian.merge("", lintian.render([])) == f"{lintian.BEGIN}\n\n{lintian.END}\n"
