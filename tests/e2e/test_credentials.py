"""A private index that needs credentials: the build works, and the secret goes nowhere.

A PEP 503 index of the test wheelhouse is served on 127.0.0.1 behind HTTP
basic authentication, by a server thread that lives only as long as the
test.  The credentials reach dh_venv as ``${VAR}`` in ``--index-url``
and as user:password in ``--extra-index-url``.
"""

from __future__ import annotations

import base64
import html
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from .conftest import extract, files_containing

USER, SECRET, OTHER_SECRET = "builder", "s3cret-Token-42", "0ther-Secret-77"


class _Index(http.server.BaseHTTPRequestHandler):
    wheels: ClassVar[dict[str, Path]] = {}
    allowed: ClassVar[set[str]] = set()
    seen: ClassVar[list[tuple[str, int]]] = []

    head_only = False

    def do_HEAD(self) -> None:  # uv asks for a file's size before it fetches it, as indexes allow
        self.head_only = True
        self._answer()

    def do_GET(self) -> None:
        self.head_only = False
        self._answer()

    def _answer(self) -> None:
        expected = {"Basic " + base64.b64encode(f"{USER}:{s}".encode()).decode() for s in self.allowed}
        if self.headers.get("Authorization") not in expected:
            self.seen.append((self.path, 401))
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="private"')
            self.end_headers()
            return
        self.seen.append((self.path, 200))
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if len(parts) == 2 and parts[0] == "simple":
            files = [w for w in self.wheels if w.split("-")[0].lower().replace("_", "-") == parts[1]]
            body = "".join(f'<a href="/files/{html.escape(f)}">{html.escape(f)}</a>\n' for f in files).encode()
            self._send(body, "text/html")
        elif len(parts) == 2 and parts[0] == "files" and parts[1] in self.wheels:
            self._send(self.wheels[parts[1]].read_bytes(), "application/octet-stream")
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def private_index(wheelhouse: Path) -> Iterator[str]:
    _Index.wheels = {w.name: w for w in wheelhouse.glob("*.whl")}
    _Index.allowed = {SECRET, OTHER_SECRET}
    _Index.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    server.timeout = 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_work_and_never_show(build_package, private_index: str, tmp_path: Path) -> None:
    # make turns $$ into $, the single quotes keep the shell from expanding it: dh_venv does.
    # (A literal secret in debian/rules would be echoed by make itself.)
    args = f"'--index-url=http://{USER}:$${{INP_INDEX_TOKEN}}@{private_index}/simple' --preinstall=extradep"
    # The build machine's own setting, with the secret in the URL.
    pip_args = f"--extra-index-url=http://{USER}:{OTHER_SECRET}@{private_index}/simple"
    build = build_package("errors", args=args, DH_VENV_PIP_ARGS=pip_args, DH_VERBOSE="1", INP_INDEX_TOKEN=SECRET)
    assert build.returncode == 0, build.output[-4000:]
    assert ("/simple/extradep/", 200) in _Index.seen
    assert any(path.startswith("/files/extradep-") and code == 200 for path, code in _Index.seen)
    # The verbose log shows the commands, never the secrets.
    assert f"--index-url http://****@{private_index}/simple" in build.output
    assert f"--extra-index-url=http://****@{private_index}/simple" in build.output
    assert SECRET not in build.output
    assert OTHER_SECRET not in build.output
    tree = extract(build.deb("errapp"), tmp_path / "x")
    assert list(tree.glob("opt/venvs/errapp/lib/python3*/site-packages/extradep-1.0.dist-info"))
    assert files_containing(tree, SECRET) == []
    assert files_containing(tree, OTHER_SECRET) == []
    assert files_containing(tree, private_index) == []


def test_wrong_credentials_fail_with_a_clean_message(build_package, private_index: str) -> None:
    pip_args = f"--index-url=http://{USER}:wrong-{SECRET}@{private_index}/simple"
    build = build_package("errors", args="--preinstall=extradep", DH_VENV_PIP_ARGS=pip_args)
    assert build.returncode != 0
    assert "dh_venv: error: errapp: uv could not install the --preinstall packages" in build.output
    assert f"wrong-{SECRET}" not in build.output


def test_netrc_credentials(build_package, private_index: str, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {SECRET}\n")
    netrc.chmod(0o600)
    pip_args = f"--index-url=http://{private_index}/simple"
    build = build_package(
        "errors", args="--preinstall=extradep", DH_VENV_PIP_ARGS=pip_args, DH_VERBOSE="1", NETRC=str(netrc)
    )
    assert build.returncode == 0, build.output[-4000:]
    assert any(path.startswith("/files/extradep-") and code == 200 for path, code in _Index.seen)
    assert SECRET not in build.output
    tree = extract(build.deb("errapp"), tmp_path / "x")
    assert files_containing(tree, SECRET) == []
