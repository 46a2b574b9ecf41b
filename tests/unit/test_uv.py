"""Tests for dh_venv.installers.uv and .uvtool: uv's arguments and environment, and how uv is obtained."""

from __future__ import annotations

import hashlib
import platform
import zipfile
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers import uv, uvtool
from dh_venv.installers.backend import build_environment
from dh_venv.installers.plan import plan
from dh_venv.runner import Runner


def test_environment_drops_machine_uv_settings_and_fixes_its_own() -> None:
    env = uv.environment(
        {
            "PATH": "/usr/bin:/bin",
            "UV_INDEX_URL": "https://mirror.example.org/simple",
            "UV_EXTRA_INDEX_URL": "https://extra.example.org/simple",
            "UV_FIND_LINKS": "/srv/wheels",
            "UV_LINK_MODE": "hardlink",
            "UV_CACHE_DIR": "/home/me/.cache/uv",
            "UV_PYTHON_DOWNLOADS": "automatic",
            "UV_COMPILE_BYTECODE": "1",
            "UV_SYSTEM_PYTHON": "1",
            "UV_HTTP_TIMEOUT": "60",
        },
        Path("/cache"),
    )
    assert env == {
        "PATH": "/usr/bin:/bin",
        "UV_HTTP_TIMEOUT": "60",
        "UV_NO_CONFIG": "1",
        "UV_LINK_MODE": "copy",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
        "UV_NO_WRAP": "1",
        "UV_CACHE_DIR": "/cache/uv",
        "NO_COLOR": "1",
        "UV_NATIVE_TLS": "1",
    }


def test_environment_trusts_the_system_store_unless_told_which_certificates() -> None:
    # uv's bundled roots alone fail behind a TLS proxy whose CA only the system trusts.
    assert uv.environment({"PATH": "/bin"}, Path("/c"))["UV_NATIVE_TLS"] == "1"
    given = uv.environment({"SSL_CERT_FILE": "/etc/ca.pem"}, Path("/c"))
    assert given["SSL_CERT_FILE"] == "/etc/ca.pem" and "UV_NATIVE_TLS" not in given
    assert uv.environment({"UV_NATIVE_TLS": "0"}, Path("/c"))["UV_NATIVE_TLS"] == "0"


def test_cache_root_is_dh_venv_cache_dir_else_the_build_tree() -> None:
    work = Path("/build/pkg/debian/.debhelper/dh_venv/demo")
    assert uv.cache_root({}, work) == Path("/build/pkg/debian/.debhelper/dh_venv/cache")
    assert uv.cache_root({"DH_VENV_CACHE_DIR": "/var/cache/ci"}, work) == Path("/var/cache/ci")


def test_install_argv_picks_best_match_across_indexes_like_pip() -> None:
    py = Path("/v/bin/python")
    assert uv.install_argv(Path("uv"), py, ["-r", "r.txt"]) == [
        Path("uv"),
        "pip",
        "install",
        "--python",
        py,
        "-r",
        "r.txt",
    ]
    assert uv.install_argv(Path("uv"), py, ["--extra-index-url", "https://x/simple", "demo"])[5:7] == [
        "--index-strategy",
        "unsafe-best-match",
    ]


def fake_uv(tmp_path: Path, body: str) -> Path:
    """A directory holding a shell script called uv, to put on PATH."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    script = bin_dir / "uv"
    script.write_text("#!/bin/sh\ncase $1 in --version) echo 'uv 0.9.7 (fake)'; exit 0;; esac\n" + body)
    script.chmod(0o755)
    return bin_dir


def test_install_runs_uv_on_path_with_pip_steps_and_clean_env(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    bin_dir = fake_uv(
        tmp_path,
        f"""printf '%s|' "$@" >> {log}\n"""
        f"""printf '%s|%s|%s\\n' "$UV_LINK_MODE" "$UV_INDEX_URL" "$UV_CACHE_DIR" >> {log}\n""",
    )
    env = build_environment({"PATH": f"{bin_dir}:/usr/bin:/bin", "UV_INDEX_URL": "https://evil/simple"}, tmp_path)
    work = tmp_path / "debian/.debhelper/dh_venv/demo"
    work.mkdir(parents=True)
    backend = uv.UvBackend(Runner(log=[].append), env, work)
    venv = tmp_path / "venv"
    wanted = Inputs(
        sources=Sources(wheelhouse=Path("/src/debian/wheelhouse")),
        requirement_files=(Path("/src/requirements.txt"),),
        hashed=True,
        project=Path("/src/demo"),
        extras=("cli",),
        extra_args=("--prefer-binary",),
    )
    to_install = plan(wanted, work)
    backend.prepare(to_install)
    assert backend.install(venv, to_install, report=tmp_path / "report.json") == []
    cache = tmp_path / "debian/.debhelper/dh_venv/cache/uv"
    head = f"pip|install|--python|{venv}/bin/python|--no-index|--find-links|/src/debian/wheelhouse|--prefer-binary|"
    assert log.read_text().splitlines() == [
        # The user's options, checked once against uv's own.
        f"pip|install|--dry-run|--prefer-binary|copy||{cache}",
        f"{head}--require-hashes|-r|/src/requirements.txt|copy||{cache}",
        f"{head}--no-deps|/src/demo[cli]|copy||{cache}",
    ]


def test_install_failure_names_uv_and_redacts_credentials(tmp_path: Path) -> None:
    bin_dir = fake_uv(
        tmp_path,
        "echo 'error: Failed to fetch: https://user:s3cret@pypi.example.org/simple/nosuchthing/' >&2\nexit 2\n",
    )
    backend = uv.UvBackend(Runner(log=[].append), {"PATH": f"{bin_dir}:/usr/bin:/bin"}, tmp_path)
    wanted = Inputs(sources=Sources(wheelhouse=tmp_path), requirement_files=(tmp_path / "r.txt",))
    with pytest.raises(DhVenvError) as info:
        backend.install(tmp_path / "venv", plan(wanted, tmp_path))
    assert info.value.message == "uv could not install the requirements"
    assert info.value.details == "error: Failed to fetch: https://****@pypi.example.org/simple/nosuchthing/"


def test_check_failure(tmp_path: Path) -> None:
    bin_dir = fake_uv(tmp_path, "echo 'The package `demo` requires `requests`, but it is not installed' >&2\nexit 1\n")
    backend = uv.UvBackend(Runner(log=[].append), {"PATH": f"{bin_dir}:/usr/bin:/bin"}, tmp_path)
    with pytest.raises(DhVenvError) as info:
        backend.check(tmp_path / "venv")
    assert info.value.message == "installed distributions have missing or conflicting dependencies (uv pip check)"


def fake_wheel(path: Path) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"uv-{uvtool.VERSION}.data/scripts/uv", "#!/bin/sh\necho uv from the wheel\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_offline_without_uv_fails_clearly(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    fake_wheel(wheelhouse / f"uv-{uvtool.VERSION}-py3-none-any.whl")  # not the genuine wheel: its hash differs
    with pytest.raises(DhVenvError) as info:
        uvtool.find_or_fetch(
            Runner(log=[].append),
            {"PATH": "/nonexistent"},
            tmp_path / "cache",
            Sources(wheelhouse=wheelhouse),
        )
    assert info.value.message == (
        f"--installer=uv: no uv on PATH and no uv {uvtool.VERSION} wheel in the wheelhouse {wheelhouse}"
    )
    assert "--installer=pip" in (info.value.hint or "")


def test_uv_from_the_wheelhouse_is_verified_and_unpacked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    digest = fake_wheel(wheelhouse / f"uv-{uvtool.VERSION}-py3-none-any.whl")
    monkeypatch.setitem(uvtool.WHEELS, platform.machine(), digest)
    cache = tmp_path / "cache"
    args = (Runner(log=[].append), {"PATH": "/nonexistent"}, cache, Sources(wheelhouse=wheelhouse))
    found = uvtool.find_or_fetch(*args)
    assert found == cache / "uv-bin" / uvtool.VERSION / "uv"
    assert found.read_text() == "#!/bin/sh\necho uv from the wheel\n" and found.stat().st_mode & 0o111
    (wheelhouse / f"uv-{uvtool.VERSION}-py3-none-any.whl").unlink()
    assert uvtool.find_or_fetch(*args) == found  # the cached copy, no wheel needed any more


def test_unpack_refuses_a_wheel_with_another_hash(tmp_path: Path) -> None:
    wheel = tmp_path / f"uv-{uvtool.VERSION}-py3-none-any.whl"
    fake_wheel(wheel)
    with pytest.raises(DhVenvError) as info:
        uvtool._unpack(wheel, "0" * 64, tmp_path / "bin" / "uv")
    assert "does not match the sha256" in info.value.message
    assert not (tmp_path / "bin" / "uv").exists()


def test_local_find_links(tmp_path: Path) -> None:
    args = ["--no-index", "--find-links", str(tmp_path), f"--find-links=file://{tmp_path}", "-f", "https://x/links"]
    assert uvtool.local_find_links(args) == ([tmp_path, tmp_path], True)
    assert uvtool.local_find_links(["--prefer-binary", "-f", "relative/dir"]) == ([], False)


def test_uv_wheel_from_find_links_and_no_index_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    links = tmp_path / "links"
    links.mkdir()
    runner = Runner(log=[].append)
    env = {"PATH": "/nonexistent"}
    with pytest.raises(DhVenvError) as info:
        uvtool.find_or_fetch(runner, env, tmp_path / "c1", None, find_links=[links], no_index=True)
    assert info.value.message == (
        f"--installer=uv: no uv on PATH, --no-index, and no uv {uvtool.VERSION} wheel in {links}"
    )
    monkeypatch.setitem(uvtool.WHEELS, platform.machine(), fake_wheel(links / f"uv-{uvtool.VERSION}-py3-none-any.whl"))
    found = uvtool.find_or_fetch(runner, env, tmp_path / "c2", None, find_links=[links], no_index=True)
    assert found == tmp_path / "c2" / "uv-bin" / uvtool.VERSION / "uv"


# uv's failure texts (0.9), each turned into the same error pip's would give.
UV_NOT_FOUND = """\
Using Python 3.11.2 environment at: debian/errapp/opt/venvs/errapp
  \u00d7 No solution found when resolving dependencies:
  ╰─▶ Because no-such-dist-for-dh-venv was not found in the provided package
      locations and you require no-such-dist-for-dh-venv==9.9, we can conclude
      that your requirements are unsatisfiable.
"""
UV_NO_VERSION = """\
  \u00d7 No solution found when resolving dependencies:
  ╰─▶ Because there is no version of tinydep==9.0 and you require tinydep==9.0, we can conclude that your
      requirements are unsatisfiable.
"""
UV_HASH = """\
  \u00d7 Failed to read `tinydep==1.0`
  ╰─▶ Hash mismatch for `tinydep==1.0`

      Expected:
        sha256:0000000000000000000000000000000000000000000000000000000000000000

      Computed:
        sha256:1111111111111111111111111111111111111111111111111111111111111111
"""
UV_BUILD = """\
  \u00d7 Failed to build `psycopg2==2.9.9`
  ├─▶ The build backend returned an error
  ╰─▶ Call to `setuptools.build_meta.build_wheel` failed (exit status: 1)

      [stderr]
      psycopg/psycopgmodule.c:28:10: fatal error: libpq-fe.h: No such file or directory
"""


@pytest.mark.parametrize(
    ("output", "wheelhouse", "message"),
    [
        (UV_NOT_FOUND, False, "uv could not install the requirements"),
        (UV_NOT_FOUND, True, "no-such-dist-for-dh-venv is not in the wheelhouse {wh} (needed for the requirements)"),
        (UV_NO_VERSION, True, "tinydep==9.0 is not in the wheelhouse {wh} (needed for the requirements)"),
        (UV_HASH, False, "hash mismatch for tinydep==1.0: the file does not match the hash in {wh}/r.txt"),
        (
            UV_BUILD,
            False,
            "uv could not build the requirements from source: "
            "psycopg/psycopgmodule.c:28:10: fatal error: libpq-fe.h: No such file or directory",
        ),
    ],
    ids=["not-found", "not-in-wheelhouse", "no-such-version", "hash", "build"],
)
def test_uv_failures_read_like_pips(tmp_path: Path, output: str, wheelhouse: bool, message: str) -> None:
    sources = Sources(wheelhouse=tmp_path) if wheelhouse else Sources()
    to_install = plan(Inputs(sources=sources, requirement_files=(tmp_path / "r.txt",)), tmp_path)
    (step,) = to_install.steps
    error = uv.failure(output, step, to_install)
    assert error.message == message.format(wh=tmp_path)
    assert output.strip().splitlines()[-1].strip() in error.details  # uv's own words, under the error


def test_remove_seed_with_uv_keeps_what_is_needed(tmp_path: Path) -> None:
    log = tmp_path / "calls"
    bin_dir = fake_uv(tmp_path, f"""printf '%s ' "$@" >> {log}\n""")
    venv = tmp_path / "venv"
    for dist in ("pip-24.0", "setuptools-69.0", "demo-1.0"):
        (venv / f"lib/python3.11/site-packages/{dist}.dist-info").mkdir(parents=True)
    (venv / ".lock").write_text("")
    backend = uv.UvBackend(Runner(log=[].append), {"PATH": f"{bin_dir}:/usr/bin:/bin"}, tmp_path)
    backend.remove_seed(venv, {"setuptools"})
    assert log.read_text() == f"pip uninstall --python {venv}/bin/python pip "
    assert not (venv / ".lock").exists()  # uv's lock of the venv does not stay in the package


@pytest.mark.parametrize(
    ("version", "used"),
    [("0.9.0", True), ("0.9.7", True), ("0.9.30", True), ("0.8.24", False), ("0.10.0", False), ("1.0.0", False)],
)
def test_uv_on_path_is_usable_only_in_the_tested_range(version: str, used: bool) -> None:
    assert uvtool.usable(version) is used
    assert not uvtool.usable(version + "-dev") and not uvtool.usable("")


def test_uv_on_path_too_old_is_ignored_for_the_pinned_one(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text(f'#!/bin/sh\necho "$@" >> {calls}\necho "uv 0.4.30 (abc 2024-11-01)"\n')
    (bin_dir / "uv").chmod(0o755)
    pinned = tmp_path / "cache" / "uv-bin" / uvtool.VERSION / "uv"
    pinned.parent.mkdir(parents=True)
    pinned.write_text("#!/bin/sh\n")
    lines: list[str] = []
    found = uvtool.find_or_fetch(
        Runner(log=lines.append, verbose=True), {"PATH": str(bin_dir)}, tmp_path / "cache", None
    )
    assert found == pinned
    assert lines[-1] == (
        f"\tignored {bin_dir}/uv (uv 0.4.30): dh_venv uses uv 0.9.0 to below 0.10.0 from PATH; "
        f"using uv {uvtool.VERSION}"
    )
    assert calls.read_text() == "--version\n"


def test_uv_on_path_in_range_is_used(tmp_path: Path) -> None:
    bin_dir = fake_uv(tmp_path, "exit 1\n")  # says it is 0.9.7
    found = uvtool.find_or_fetch(Runner(log=[].append), {"PATH": str(bin_dir)}, tmp_path / "cache", None)
    assert found == bin_dir / "uv" and not (tmp_path / "cache").exists()
    assert uvtool.version_of(Runner(log=[].append), bin_dir / "uv") == "0.9.7"
    assert uvtool.version_of(Runner(log=[].append), tmp_path / "missing") == ""


def test_an_earlier_pin_in_the_cache_is_used_before_fetching(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for version in ("0.8.9", "0.9.10", "0.9.3"):
        (cache / "uv-bin" / version).mkdir(parents=True)
        (cache / "uv-bin" / version / "uv").write_text("#!/bin/sh\n")
    lines: list[str] = []
    found = uvtool.find_or_fetch(Runner(log=lines.append, verbose=True), {"PATH": "/nonexistent"}, cache, None)
    assert found == cache / "uv-bin/0.9.10/uv"
    assert lines == [f"\tusing {found}, unpacked by an earlier build, instead of fetching uv {uvtool.VERSION}"]


def test_a_known_pinned_set_is_installed_offline_and_online_again_if_that_fails(tmp_path: Path) -> None:
    import os

    from dh_venv.installers import resolution

    calls = tmp_path / "calls"
    bin_dir = fake_uv(
        tmp_path, f'echo "$@" >> {calls}\ncase "$*" in *--offline*) echo "no such file" >&2; exit 2;; esac\n'
    )
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").symlink_to(os.path.realpath("/usr/bin/python3"))
    (tmp_path / "r.txt").write_text("six==1.16.0\n")
    wanted = plan(Inputs(Sources(wheelhouse=tmp_path), requirement_files=(tmp_path / "r.txt",)), tmp_path / "work")
    cache = tmp_path / "cache"
    key = resolution.resolution_key(wanted, wanted.steps, venv, "uv 0.9.7")
    (cache / "resolutions").mkdir(parents=True)
    (cache / "resolutions" / key).write_text("{}")
    lines: list[str] = []
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DH_VENV_CACHE_DIR": str(cache)}
    uv.UvBackend(Runner(log=lines.append, verbose=True), env, tmp_path / "work").install(venv, wanted)
    installs = [line for line in calls.read_text().splitlines() if line.startswith("pip install")]
    assert len(installs) == 2 and installs[0].endswith(f"-r {tmp_path}/r.txt --offline")
    assert installs[1].endswith(f"-r {tmp_path}/r.txt")
    assert "\tthe pinned set is unchanged since a build that resolved it: installing offline" in lines
    assert "\tthe offline install failed (uv's cache lacks a file): asking the index" in lines
