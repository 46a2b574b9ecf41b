"""Two binary packages from one source: -p/-N, a python3-* name, setup.cfg only, a C extension."""

from __future__ import annotations

from pathlib import Path

from .conftest import PY, assert_purged, deb_field, extract, files_containing, installed, run_clean

SERVER = "/opt/venvs/multi-server"
CLIENT = "/opt/venvs/python3-multi-client"


def test_each_package_gets_its_own_venv(build_package, tmp_path: Path) -> None:
    build = build_package("two-packages")
    assert build.returncode == 0, build.output[-4000:]
    # dh_strip, dh_dwz and dh_shlibdeps ran over the compiled extension without trouble.
    for step in ("dh_strip", "dh_dwz", "dh_shlibdeps"):
        assert f"   {step}" in build.output
    server, client = build.deb("multi-server"), build.deb("python3-multi-client")

    server_tree = extract(server, tmp_path / "server")
    client_tree = extract(client, tmp_path / "client")
    # -p and -N kept each project in its own package.
    assert sorted(p.name for p in (server_tree / "opt/venvs").iterdir()) == ["multi-server"]
    assert sorted(p.name for p in (client_tree / "opt/venvs").iterdir()) == ["python3-multi-client"]
    assert sorted(p.name for p in (server_tree / "usr/bin").iterdir()) == ["multi-server"]
    assert sorted(p.name for p in (client_tree / "usr/bin").iterdir()) == ["multi-client-cli"]
    for tree in (server_tree, client_tree):
        assert files_containing(tree, str(build.source)) == []
    # The interpreter, and the C library the extension links, are in Depends.
    server_depends = deb_field(server, "Depends")
    assert PY in server_depends and "libc6" in server_depends, server_depends
    assert deb_field(client, "Depends") == PY
    # Files of prebuilt wheels are set aside around dh_strip and friends, which get no options.
    for step in ("dh_venv_setaside", "dh_strip -a\n", "dh_dwz -a\n", "dh_venv_restore"):
        assert f"   {step}" in build.output, step

    with installed(server, client):
        out_server = run_clean("multi-server")
        out_client = run_clean("multi-client-cli")
        assert (out_server.returncode, out_server.stdout.split()) == (0, ["server", "42", SERVER]), out_server.stderr
        assert (out_client.returncode, out_client.stdout.split()) == (0, ["CLIENT!", CLIENT]), out_client.stderr
    assert_purged("multi-server", SERVER, ["multi-server"])
    assert_purged("python3-multi-client", CLIENT, ["multi-client-cli"])
