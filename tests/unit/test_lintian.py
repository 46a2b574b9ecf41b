"""Tests for dh_venv.debhelper.lintian: which overrides a venv gets, and how they merge."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path, PurePosixPath

from dh_venv.debhelper import lintian

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
    prebuilt = f"opt/venvs/demo/{SITE}/prebuilt/_fast.so"
    # The ELF tags are predicted by lintian's rules: true(1) is stripped and links libc.
    assert lines(blocks) == [
        "demo: dir-or-file-in-opt [opt/venvs/]",
        "demo: dir-or-file-in-opt [opt/venvs/demo/*]",
        "demo: script-not-executable [opt/venvs/demo/*]",
        "demo: unusual-interpreter * [opt/venvs/demo/*]",
        "demo: interpreter-not-absolute * [opt/venvs/demo/*]",
        "demo: python3-script-but-no-python3-dep * [opt/venvs/demo/*]",
        "demo: executable-not-elf-or-script [opt/venvs/demo/*]",
        "demo: embedded-library * [opt/venvs/demo/*]",
    ]
    assert prebuilt not in "\n".join(lines(blocks))


def test_elf_tags_follow_lintians_rules(tmp_path: Path) -> None:
    built = tmp_path / "lib.so"
    src = tmp_path / "lib.c"
    src.write_text("int f(void) { return 1; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-nostdlib", "-o", str(built), str(src)], check=True)
    # Not stripped (a symbol table), shared, and it needs no library at all.
    assert lintian._elf_tags(built, "x/lib.so") == ["unstripped-binary-or-object", "shared-library-lacks-prerequisites"]
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-s", "-o", str(built), str(src), "-lm", "-Wl,--no-as-needed"], check=True
    )
    # Stripped, links libc (gcc adds it).
    assert lintian._elf_tags(built, "x/lib.so") == []
    (tmp_path / "junk.so").write_bytes(b"\x7fELF" + b"\0" * 10)
    assert lintian._elf_tags(tmp_path / "junk.so", "x/junk.so") == []


def test_prebuilt_elf_files_only(tmp_path: Path) -> None:
    venv = make_venv(tmp_path)
    src = tmp_path / "lib.c"
    src.write_text("int f(void) { return 1; }\n")
    for sub in ("prebuilt/_fast.so", "demo/_local.so"):
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(venv / SITE / sub), str(src)], check=True)
    blocks = lintian.overrides("demo", tmp_path, FINAL, venv / SITE / "demo-1.0.dist-info/RECORD")
    # The application's own extension (in its RECORD) is left to lintian.
    assert [line for line in lines(blocks) if ".so]" in line] == [
        f"demo: unstripped-binary-or-object [opt/venvs/demo/{SITE}/prebuilt/_fast.so]",
        f"demo: shared-library-lacks-prerequisites [opt/venvs/demo/{SITE}/prebuilt/_fast.so]",
    ]


def test_install_root_outside_opt_needs_no_opt_override(tmp_path: Path) -> None:
    (tmp_path / "srv/app/bin").mkdir(parents=True)
    blocks = lintian.overrides("demo", tmp_path, PurePosixPath("/srv/app"))
    assert lines(blocks) == ["demo: unusual-interpreter * [srv/app/*]"]


def test_merge_keeps_the_maintainers_and_replaces_ours() -> None:
    mine = "# why\ndemo: no-manual-page [usr/bin/demo]\n"
    first = lintian.merge(mine, lintian.render([lintian.Override("one", ("demo: a",))]))
    assert first == f"{mine}\n{lintian.BEGIN}\n\n# one\ndemo: a\n\n{lintian.END}\n"
    again = lintian.merge(first, lintian.render([lintian.Override("two", ("demo: b",))]))
    assert again == f"{mine}\n{lintian.BEGIN}\n\n# two\ndemo: b\n\n{lintian.END}\n"
    assert lintian.merge("", lintian.render([])) == f"{lintian.BEGIN}\n\n{lintian.END}\n"
