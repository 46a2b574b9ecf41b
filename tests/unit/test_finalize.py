"""Tests for dh_venv.relocate.finalize: relocating a venv from staging to its final path."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from dh_venv.relocate.finalize import finalize

FINAL = PurePosixPath("/opt/venvs/demo")
SITE = Path("lib/python3.11/site-packages")


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def record_row(name: str, data: bytes) -> str:
    return f"{name},{record_hash(data)},{len(data)}"


def write(path: Path, text: str, mode: int = 0o644) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = textwrap.dedent(text).encode()
    path.write_bytes(data)
    os.chmod(path, mode)
    return data


def script_text(python: str) -> str:
    return textwrap.dedent(
        f"""\
        #!{python}
        # -*- coding: utf-8 -*-
        import sys
        from demo.cli import main
        if __name__ == "__main__":
            sys.exit(main())
        """
    )


class FakeVenv:
    """A venv-shaped tree whose text files name ``named`` as its location."""

    def __init__(self, root: Path, named: Path) -> None:
        self.root = root
        self.named = named
        site = root / SITE
        self.script = write(root / "bin/foo", script_text(f"{named}/bin/python"), 0o755)
        write(
            root / "bin/activate",
            f"""\
            VIRTUAL_ENV='{named}'
            export VIRTUAL_ENV
            PATH="$VIRTUAL_ENV/bin:$PATH"
            """,
        )
        write(
            root / "pyvenv.cfg",
            f"""\
            home = /usr/bin
            include-system-site-packages = false
            version = 3.11.2
            command = {named}/bin/python
            """,
        )
        self.init = write(site / "demo/__init__.py", "VERSION = '1.0'\n")
        self.cli = write(site / "demo/cli.py", "def main():\n    return 0\n")
        pyc = site / "demo/__pycache__/__init__.cpython-311.pyc"
        pyc.parent.mkdir()
        pyc.write_bytes(b"\xa7\r\r\n\0\0\0\0compiled")
        (site / "stray.pyc").write_bytes(b"\xa7\r\r\n\0stray")

        info = site / "demo-1.0.dist-info"
        self.metadata = write(info / "METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
        self.installer = write(info / "INSTALLER", "pip\n")
        self.direct_url = write(
            info / "direct_url.json",
            json.dumps({"url": "file:///srv/build/demo/src", "dir_info": {}}),
        )
        rows = [
            record_row("../../../bin/foo", self.script),
            record_row("demo/__init__.py", self.init),
            "demo/__pycache__/__init__.cpython-311.pyc,,",
            record_row("demo/cli.py", self.cli),
            record_row("demo-1.0.dist-info/INSTALLER", self.installer),
            record_row("demo-1.0.dist-info/METADATA", self.metadata),
            "demo-1.0.dist-info/RECORD,,",
            record_row("demo-1.0.dist-info/direct_url.json", self.direct_url),
            "stray.pyc,,",
        ]
        (info / "RECORD").write_text("\n".join(rows) + "\n")
        self.info = info

        dep = site / "dep-2.0.dist-info"
        self.dep_direct_url = write(
            dep / "direct_url.json",
            json.dumps({"url": "https://example.org/dep-2.0.tar.gz", "archive_info": {}}),
        )
        self.dep_record = (
            record_row("dep-2.0.dist-info/direct_url.json", self.dep_direct_url) + "\ndep-2.0.dist-info/RECORD,,\n"
        )
        (dep / "RECORD").write_text(self.dep_record)
        self.dep = dep

        (root / "bin/python").symlink_to("/usr/bin/python3.11")
        (root / "bin/python3").symlink_to("python")
        (root / "bin/foo-alias").symlink_to(f"{named}/bin/foo")
        (root / "lib/demo-pkg").symlink_to(f"{named}/{SITE}/demo", target_is_directory=True)
        self.binary = b"\x7fELF\0\0\0" + str(named).encode() + b"\0rest"
        (root / "lib/libdemo.so").write_bytes(self.binary)


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    return tmp_path / "build/debian/demo" / str(FINAL).lstrip("/")


@pytest.fixture
def venv(staging: Path) -> FakeVenv:
    staging.mkdir(parents=True)
    return FakeVenv(staging, staging)


def test_script_shebang_names_final_path(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert (venv.root / "bin/foo").read_text() == script_text("/opt/venvs/demo/bin/python")


def test_rewritten_script_keeps_its_mode(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert stat.S_IMODE((venv.root / "bin/foo").stat().st_mode) == 0o755


def test_activate_names_final_path(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert (venv.root / "bin/activate").read_text() == textwrap.dedent(
        """\
        VIRTUAL_ENV='/opt/venvs/demo'
        export VIRTUAL_ENV
        PATH="$VIRTUAL_ENV/bin:$PATH"
        """
    )


def test_pyvenv_cfg_command_names_final_path(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert (venv.root / "pyvenv.cfg").read_text() == textwrap.dedent(
        """\
        home = /usr/bin
        include-system-site-packages = false
        version = 3.11.2
        command = /opt/venvs/demo/bin/python
        """
    )


def test_record_matches_rewritten_files_and_drops_removed_ones(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    new_script = (venv.root / "bin/foo").read_bytes()
    assert new_script != venv.script
    # A rewritten RECORD is sorted, so its order never depends on the filesystem.
    assert (venv.info / "RECORD").read_text().splitlines() == [
        record_row("../../../bin/foo", new_script),
        record_row("demo-1.0.dist-info/INSTALLER", venv.installer),
        record_row("demo-1.0.dist-info/METADATA", venv.metadata),
        "demo-1.0.dist-info/RECORD,,",
        record_row("demo/__init__.py", venv.init),
        record_row("demo/cli.py", venv.cli),
    ]


def test_record_rows_for_bytecode_are_dropped(venv: FakeVenv) -> None:
    record = venv.dep / "RECORD"
    kept = record.read_text()
    # virtualenv's seeder lists bytecode, even at paths that do not exist, in directory order.
    record.write_text("dep/x.cpython-311.pyc,,\n" + kept + "dep/__pycache__/y.cpython-311.pyc,,\ndep/__pycache__,,\n")
    finalize(venv.root, FINAL)
    assert record.read_text().splitlines() == sorted(kept.splitlines())


def test_record_with_absolute_final_paths_is_fixed(staging: Path) -> None:
    staging.mkdir(parents=True)
    script = write(staging / "bin/tool", script_text(f"{staging}/bin/python"), 0o755)
    info = staging / SITE / "tool-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "RECORD").write_text(
        f"{staging}/bin/tool,{record_hash(script)},{len(script)}\ntool-1.0.dist-info/RECORD,,\n"
    )

    finalize(staging, FINAL)

    new_script = (staging / "bin/tool").read_bytes()
    assert (info / "RECORD").read_text() == (
        f"/opt/venvs/demo/bin/tool,{record_hash(new_script)},{len(new_script)}\ntool-1.0.dist-info/RECORD,,\n"
    )


def test_local_direct_url_is_removed(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert not (venv.info / "direct_url.json").exists()


def test_remote_direct_url_and_its_record_are_kept(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert (venv.dep / "direct_url.json").read_bytes() == venv.dep_direct_url
    assert (venv.dep / "RECORD").read_text() == venv.dep_record


def test_unreadable_direct_url_counts_as_local(staging: Path) -> None:
    info = staging / SITE / "odd-1.0.dist-info"
    write(info / "direct_url.json", "[not, json")
    finalize(staging, FINAL)
    assert not (info / "direct_url.json").exists()


def test_bytecode_is_removed(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    site = venv.root / SITE
    assert not (site / "demo/__pycache__").exists()
    assert not (site / "stray.pyc").exists()
    assert sorted(p.name for p in (site / "demo").iterdir()) == ["__init__.py", "cli.py"]


def test_symlinks_into_staging_point_to_final_path(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert os.readlink(venv.root / "bin/foo-alias") == "/opt/venvs/demo/bin/foo"
    assert os.readlink(venv.root / "lib/demo-pkg") == "/opt/venvs/demo/lib/python3.11/site-packages/demo"


def test_other_symlinks_are_untouched(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert os.readlink(venv.root / "bin/python") == "/usr/bin/python3.11"
    assert os.readlink(venv.root / "bin/python3") == "python"


def test_binary_file_is_untouched(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    assert (venv.root / "lib/libdemo.so").read_bytes() == venv.binary


def test_report_lists_changes(venv: FakeVenv) -> None:
    report = finalize(venv.root, FINAL)
    site = venv.root / SITE
    assert sorted(report.rewritten) == sorted(
        [venv.root / "bin/foo", venv.root / "bin/activate", venv.root / "pyvenv.cfg"]
    )
    assert sorted(report.relinked) == sorted([venv.root / "bin/foo-alias", venv.root / "lib/demo-pkg"])
    assert sorted(report.removed) == sorted(
        [site / "demo/__pycache__", site / "stray.pyc", venv.info / "direct_url.json"]
    )


def test_no_staging_path_left_in_text_files(venv: FakeVenv) -> None:
    finalize(venv.root, FINAL)
    needle = str(venv.root).encode()
    leftovers = [
        p.relative_to(venv.root).as_posix()
        for p in venv.root.rglob("*")
        if not p.is_symlink() and p.is_file() and needle in p.read_bytes()
    ]
    assert leftovers == ["lib/libdemo.so"]


def test_clean_tree_is_left_alone(staging: Path) -> None:
    data = write(staging / "bin/activate", "VIRTUAL_ENV='/opt/venvs/demo'\n")
    report = finalize(staging, FINAL)
    assert (report.rewritten, report.relinked, report.removed) == ([], [], [])
    assert (staging / "bin/activate").read_bytes() == data


def test_staging_reached_through_symlinked_directory(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    real_venv = real / "debian/demo/opt/venvs/demo"
    link_venv = tmp_path / "link/debian/demo/opt/venvs/demo"
    real_venv.mkdir(parents=True)
    # Tools that resolved the path wrote the real form, the others the literal one.
    v = FakeVenv(link_venv, real_venv)
    write(link_venv / "bin/activate.fish", f"set -gx VIRTUAL_ENV '{link_venv}'\n")

    finalize(link_venv, FINAL)

    assert (real_venv / "bin/foo").read_text() == script_text("/opt/venvs/demo/bin/python")
    assert (real_venv / "bin/activate.fish").read_text() == "set -gx VIRTUAL_ENV '/opt/venvs/demo'\n"
    assert os.readlink(real_venv / "bin/foo-alias") == "/opt/venvs/demo/bin/foo"
    new_script = (real_venv / "bin/foo").read_bytes()
    assert (v.info / "RECORD").read_text().splitlines()[0] == record_row("../../../bin/foo", new_script)
    assert not (real_venv / SITE / "demo/__pycache__").exists()


def test_long_path_trampoline_becomes_a_shebang(venv: FakeVenv) -> None:
    # pip writes a /bin/sh trampoline when the staging path is too long for #!.
    script = venv.root / "bin/long"
    script.write_text(
        f"#!/bin/sh\n'''exec' {venv.root}/bin/python \"$0\" \"$@\"\n' '''\n# -*- coding: utf-8 -*-\nimport sys\n"
    )
    finalize(venv.root, FINAL)
    assert script.read_text() == "#!/opt/venvs/demo/bin/python\n# -*- coding: utf-8 -*-\nimport sys\n"


def test_trampoline_kept_when_the_final_path_is_too_long(staging: Path) -> None:
    final = PurePosixPath("/opt/" + "v" * 130)
    staging.mkdir(parents=True)
    script = staging / "run"
    text = f"#!/bin/sh\n'''exec' {staging}/bin/python \"$0\" \"$@\"\n' '''\nimport sys\n"
    script.write_text(text)
    finalize(staging, final)
    assert script.read_text() == text.replace(str(staging), str(final))


def test_uv_long_path_trampoline_becomes_a_shebang(venv: FakeVenv) -> None:
    # uv's trampoline quotes the interpreter path.
    script = venv.root / "bin/long-uv"
    script.write_text(f"#!/bin/sh\n'''exec' '{venv.root}/bin/python' \"$0\" \"$@\"\n' '''\nimport sys\n")
    finalize(venv.root, FINAL)
    assert script.read_text() == "#!/opt/venvs/demo/bin/python\nimport sys\n"


def test_uv_build_state_is_dropped_with_its_record_rows(venv: FakeVenv) -> None:
    for name in ("uv_cache.json", "uv_build.json"):
        (venv.info / name).write_text('{"timestamp": {"secs_since_epoch": 1763700000}}')
    with (venv.info / "RECORD").open("a") as record:
        record.write("demo-1.0.dist-info/uv_cache.json,sha256=x,47\ndemo-1.0.dist-info/uv_build.json,sha256=y,47\n")
    finalize(venv.root, FINAL)
    assert not (venv.info / "uv_cache.json").exists() and not (venv.info / "uv_build.json").exists()
    assert "uv_" not in (venv.info / "RECORD").read_text()


def test_virtualenv_markers_at_the_top_are_removed(venv: FakeVenv) -> None:
    # virtualenv writes .gitignore on every release, CACHEDIR.TAG on newer ones (trixie's).
    marker = "Signature: 8a477f597d28d172789f06886806bc55\n"
    (venv.root / ".gitignore").write_text("# created by virtualenv automatically\n*\n")
    (venv.root / "CACHEDIR.TAG").write_text(marker)
    (venv.root / SITE / "demo/CACHEDIR.TAG").write_text(marker)
    report = finalize(venv.root, FINAL)
    assert not (venv.root / ".gitignore").exists()
    assert not (venv.root / "CACHEDIR.TAG").exists()
    assert {venv.root / ".gitignore", venv.root / "CACHEDIR.TAG"} <= set(report.removed)
    # The application's own files of that name are its business.
    assert (venv.root / SITE / "demo/CACHEDIR.TAG").read_text() == marker


def test_records_of_vendored_distributions_are_left_alone(venv: FakeVenv) -> None:
    # setuptools >= 71 (trixie's) ships setuptools/_vendor/<dist>.dist-info/RECORD, rows for
    # bytecode included; its own RECORD has their hashes, which must stay true.
    site = venv.root / SITE
    vendored = site / "setuptools/_vendor/autocommand-2.2.2.dist-info/RECORD"
    vendored.parent.mkdir(parents=True)
    text = "autocommand/__pycache__/x.cpython-311.pyc,,\nautocommand/x.py,sha256=abc,3\n"
    vendored.write_text(text)
    finalize(venv.root, FINAL)
    assert vendored.read_text() == text
