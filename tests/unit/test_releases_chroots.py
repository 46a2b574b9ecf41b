"""Chroot tarballs: where they are kept, made once, remade when stale (dh_venv.releases.chroots).

mmdebstrap itself runs in the end-to-end tests (tests/e2e/test_smoke.py); here a
stand-in with its command line writes a tarball, so that what the cache does
with it can be checked without network.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from dh_venv.errors import DhVenvError
from dh_venv.releases import chroots, targets
from dh_venv.report import Report
from dh_venv.runner import Runner

FAKE = """\
#!/usr/bin/python3
import os, sys, tarfile
with open(os.environ["SMK_FAKE_LOG"], "a") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n")
if os.environ.get("SMK_FAKE_FAIL"):
    sys.exit(os.environ["SMK_FAKE_FAIL"])
out = next(a for a in sys.argv if a.endswith(".partial.tar"))
with tarfile.open(out, "w") as tar:
    info = tarfile.TarInfo("./usr/bin/python3")
    info.type = tarfile.SYMTYPE
    info.linkname = "python3.97"
    tar.addfile(info)
"""


@pytest.fixture
def fake(tmp_path: Path) -> dict[str, str]:
    """An environment with a stand-in mmdebstrap, a file:// mirror of every supported release and its own cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mmdebstrap").write_text(FAKE)
    (bin_dir / "mmdebstrap").chmod(0o755)
    mirror = tmp_path / "mirror"
    for release in targets.supported():
        (mirror / "dists" / release.codename).mkdir(parents=True)
        (mirror / "dists" / release.codename / "Release").write_text("Suite: test\n")
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DH_VENV_CHROOT_CACHE": str(tmp_path / "chroots"),
        "DH_VENV_MIRROR": f"file://{mirror}",
        "SMK_FAKE_LOG": str(tmp_path / "calls"),
    }


def _runner(lines: list[str]) -> Runner:
    return Runner(log=lines.append, report=Report("dh-venv", lines.append))


def _calls(env: dict[str, str]) -> list[str]:
    path = Path(env["SMK_FAKE_LOG"])
    return path.read_text().splitlines() if path.exists() else []


def test_cache_dir_choices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert chroots.cache_dir({"DH_VENV_CHROOT_CACHE": "/srv/c", "HOME": str(tmp_path)}) == Path("/srv/c")
    assert chroots.cache_dir({"HOME": str(tmp_path)}) == tmp_path / ".cache/dh-venv/chroots"
    assert chroots.cache_dir({"HOME": str(tmp_path), "XDG_CACHE_HOME": "/x"}) == Path("/x/dh-venv/chroots")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert chroots.cache_dir({}) == Path("/var/cache/dh-venv/chroots")
    assert chroots.cache_dir({"HOME": "/nonexistent"}) == Path("/var/cache/dh-venv/chroots")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(DhVenvError) as info:
        chroots.cache_dir({})
    assert str(info.value) == (
        "no place for the chroot cache: HOME is not set or not a writable directory; "
        "set DH_VENV_CHROOT_CACHE to a directory this user may write"
    )


def test_made_once_then_reused_and_keyed_by_its_inputs(fake: dict[str, str]) -> None:
    release = targets.supported()[0].codename
    lines: list[str] = []
    first = chroots.tarball(release, "smoke", _runner(lines), fake)
    assert first.parent == Path(fake["DH_VENV_CHROOT_CACHE"])
    assert first.name.startswith(f"{release}-smoke-")
    manifest = json.loads(Path(f"{first}.json").read_text())
    assert manifest["interpreter"] == chroots.interpreter(first) == "python3.97"
    assert manifest["inputs"]["include"] == ["python3"]
    assert lines[0] == f"dh-venv: making the {release} smoke chroot with mmdebstrap (once; kept in {first.parent})"
    (call,) = _calls(fake)
    mirror = fake["DH_VENV_MIRROR"]
    assert call.startswith("--variant=apt --format=tar --skip=output/dev --include=python3 ")
    assert call.endswith(f" deb {mirror} {release} main deb {mirror} {release}-updates main")
    assert chroots.tarball(release, "smoke", _runner(lines), fake) == first
    assert len(_calls(fake)) == 1
    # Other packages or another variant: another tarball.
    extra = chroots.tarball(release, "smoke", _runner(lines), fake, extra=["make"])
    buildd = chroots.tarball(release, "buildd", _runner(lines), fake)
    assert len({first, extra, buildd}) == 3
    assert _calls(fake)[2].startswith('--variant=buildd --format=tar --aptopt=APT::Install-Recommends "false" ')
    # No partial file is left behind.
    assert sorted(p.name for p in first.parent.iterdir() if p.name.startswith(".")) == []


def test_a_corrupt_or_stale_tarball_is_made_again(fake: dict[str, str]) -> None:
    release = targets.supported()[0].codename
    path = chroots.tarball(release, "smoke", _runner([]), fake)
    # What a killed run left: removed when a day old, with the next tarball made.
    old, recent = path.parent / f".{path.name}.1.partial.tar", path.parent / f".{path.name}.2.partial.tar"
    old.write_text("")
    recent.write_text("")
    os.utime(old, (time.time() - 90000, time.time() - 90000))
    with path.open("ab") as fh:
        fh.write(b"half a block")
    assert chroots.tarball(release, "smoke", _runner([]), fake) == path
    assert len(_calls(fake)) == 2
    assert not old.exists() and recent.exists()
    Path(f"{path}.json").unlink()
    chroots.tarball(release, "smoke", _runner([]), fake)
    assert len(_calls(fake)) == 3
    chroots.tarball(release, "smoke", _runner([]), fake, max_age=datetime.timedelta(0))
    assert len(_calls(fake)) == 4
    with tarfile.open(path) as tar:
        assert [m.name for m in tar] == ["./usr/bin/python3"]


def test_a_host_ca_bundle_goes_in_and_changes_the_key(fake: dict[str, str], tmp_path: Path) -> None:
    release = targets.supported()[0].codename
    bundle = tmp_path / "ca.crt"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    env = {**fake, "SSL_CERT_FILE": str(bundle)}
    plain = chroots.tarball(release, "smoke", _runner([]), env)
    with_ca = chroots.tarball(release, "smoke", _runner([]), env, host_ca=True)
    assert plain != with_ca
    call = _calls(fake)[-1]
    assert "--include=ca-certificates,python3 " in call
    assert f"--customize-hook=upload {bundle} /etc/ssl/certs/ca-certificates.crt" in call


def test_no_mmdebstrap_says_what_to_install(fake: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(DhVenvError) as info:
        chroots.tarball("trixie", "smoke", _runner([]), {**fake, "PATH": str(tmp_path / "nothing")})
    assert str(info.value) == "mmdebstrap is not installed; it makes the trixie chroot; apt-get install mmdebstrap"


def test_an_unreachable_mirror_is_no_network(fake: dict[str, str]) -> None:
    env = {**fake, "DH_VENV_MIRROR": "http://127.0.0.1:9/debian"}
    with pytest.raises(DhVenvError) as info:
        chroots.tarball("trixie", "smoke", _runner([]), env)
    assert str(info.value) == (
        "no network: cannot reach the Debian mirror http://127.0.0.1:9/debian to make the trixie chroot "
        "([Errno 111] Connection refused); connect to the network (or set DH_VENV_MIRROR to a reachable mirror) "
        f"and run again; once made, the chroot is kept in {fake['DH_VENV_CHROOT_CACHE']}"
    )
    assert _calls(fake) == []


def test_mmdebstrap_failing_on_the_network_or_otherwise(fake: dict[str, str]) -> None:
    release = targets.supported()[0].codename
    env = {**fake, "SMK_FAKE_FAIL": "E: Failed to fetch http://deb.debian.org/x  Temporary failure resolving 'x'"}
    with pytest.raises(DhVenvError) as info:
        chroots.tarball(release, "smoke", _runner([]), env)
    assert info.value.message == (
        f"no network: mmdebstrap could not download {release} from the Debian mirror {fake['DH_VENV_MIRROR']}"
    )
    env["SMK_FAKE_FAIL"] = "E: unable to find a working mode"
    with pytest.raises(DhVenvError) as info:
        chroots.tarball(release, "smoke", _runner([]), env)
    assert info.value.message == f"mmdebstrap could not make the {release} chroot"
    assert "E: unable to find a working mode" in info.value.details
    assert sorted(p.name for p in Path(fake["DH_VENV_CHROOT_CACHE"]).iterdir()) == []


def test_other_releases_answer_from_their_chroot_tarball(tmp_path: Path, fake: dict[str, str]) -> None:
    """Another release's interpreter comes from its smoke tarball (here the stand-in's python3.97)."""
    releases = targets.supported()
    (tmp_path / "os-release").write_text(f"ID=debian\nVERSION_CODENAME={releases[0].codename}\n")
    (tmp_path / "python3.98").touch()
    (tmp_path / "python3").symlink_to("python3.98")
    host = {"os_release": tmp_path / "os-release", "python3": tmp_path / "python3"}
    runner = _runner([])
    assert targets.interpreter(releases[0].codename, runner, fake, **host) == "python3.98"
    for other in releases[1:]:
        assert targets.interpreter(other.codename, runner, fake, **host) == "python3.97"
    root = tmp_path / "deb"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(
        "Package: smk-g\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\n"
        "Depends: python3.95\nDescription: t\n"
    )
    subprocess.run(["dpkg-deb", "--build", "-Zgzip", str(root), str(tmp_path)], check=True, capture_output=True)
    with pytest.raises(DhVenvError) as info:
        targets.target_of([tmp_path / "smk-g_1.0_all.deb"], runner, fake, **host)
    seen = "; ".join([f"{releases[0].codename}: python3.98", *(f"{r.codename}: python3.97" for r in releases[1:])])
    assert str(info.value) == (
        f"smk-g_1.0_all.deb depend on python3.95, the interpreter of no supported release ({seen}); "
        "build the package on (or for) a supported release, or give --release"
    )
