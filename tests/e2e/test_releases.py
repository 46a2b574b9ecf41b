"""Every supported release ships the same package from the same source, and survives a dist-upgrade.

``make check-other`` (``.ci/other-release``) first runs these tests on this
machine with ``DH_VENV_TEST_EXPORT_DEBS`` naming a directory, which gets the
package built here; then it runs them again on the other release, in a
chroot, with ``DH_VENV_TEST_OTHER_DEBS`` naming that directory.  There, the
two packages are compared (they may differ only where the interpreter's
version is part of a path or of ``Depends``), and the bookworm package is
taken through a dist-upgrade to trixie and then replaced by the trixie one
(tests/e2e/distupgrade.sh, in a bookworm chroot that mmdebstrap makes).
Each release builds the source with its own version, ``1.0+deb<N>``, as a
rebuild for a release would be numbered, so the newer release's is newer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import OS_RELEASE, PACKAGES, PY, RELEASE, ROOT, assert_purged, deb_field, installed, run_clean, sh

VENV = "/opt/venvs/rel-files"
VERSION = f"1.0+deb{OS_RELEASE['VERSION_ID'].strip(chr(34))}"
OTHER = os.environ.get("DH_VENV_TEST_OTHER_DEBS")


def _any_python(text: str) -> str:
    return re.sub(r"cpython-3\d+", "cpython-3X", re.sub(r"python3\.\d+", "python3.X", text))


def file_list(deb: Path) -> list[str]:
    """Mode, path and link target of every file of ``deb``, with the interpreter's version as X."""
    rows = []
    for line in sh("dpkg-deb", "-c", str(deb)).stdout.splitlines():
        mode, _owner, _size, _date, _time, rest = line.split(None, 5)
        rows.append(_any_python(f"{mode} {rest}"))
    return sorted(rows)


@pytest.fixture(scope="module")
def built_here(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    """tests/packages/rel-files built on this machine, as version 1.0+deb<N>; exported when asked."""
    from .conftest import dpkg_buildpackage, tool_env

    source = tmp_path_factory.mktemp("rel") / "rel-files-1.0"
    shutil.copytree(PACKAGES / "rel-files", source)
    changelog = source / "debian/changelog"
    changelog.write_text(changelog.read_text().replace("rel-files (1.0)", f"rel-files ({VERSION})", 1))
    build = dpkg_buildpackage(source, tool_env(DH_VENV_PIP_ARGS=f"--no-index --find-links={wheelhouse}"))
    deb = build.deb("rel-files")
    export = os.environ.get("DH_VENV_TEST_EXPORT_DEBS")
    if export:
        Path(export).mkdir(parents=True, exist_ok=True)
        shutil.copy(deb, export)
        (Path(export) / "release").write_text(f"{RELEASE}\n")
    return deb


def _other_deb() -> tuple[str, Path]:
    assert OTHER is not None
    release = (Path(OTHER) / "release").read_text().strip()
    assert release != RELEASE, f"{OTHER} holds a package of this release ({RELEASE})"
    [deb] = Path(OTHER).glob("rel-files_*.deb")
    return release, deb


def test_the_same_files_on_every_release(built_here: Path) -> None:
    files = file_list(built_here)
    # Markers virtualenv writes for the build machine's tools (trixie's adds CACHEDIR.TAG,
    # which backup tools honour by skipping the installed application) are not shipped.
    assert [row for row in files if row.endswith(("/CACHEDIR.TAG", "/.gitignore"))] == []
    assert any(row.endswith(f".{VENV}/lib/python3.X/site-packages/rel_files/data/note.txt") for row in files)
    assert deb_field(built_here, "Depends") == PY
    with installed(built_here):
        result = run_clean("rel-files")
        version = PY.removeprefix("python")
        assert result.stdout == f"rel-files on {version}: shipped with the application; tinydep tinydep\n"
    assert_purged("rel-files", VENV, ["rel-files"])

    if OTHER is None:
        pytest.skip("no package of the other release to compare with (make check-other gives one)")
    release, other = _other_deb()
    assert file_list(other) == files, f"{release} and {RELEASE} ship different files"
    assert _any_python(deb_field(other, "Depends")) == _any_python(PY)


@pytest.mark.distupgrade
def test_a_dist_upgrade_keeps_the_application_running(built_here: Path, tmp_path: Path) -> None:
    if OTHER is None:
        pytest.skip("needs the package of the other release (make check-other gives one)")
    other_release, other = _other_deb()
    here_version, other_version = deb_field(built_here, "Version"), deb_field(other, "Version")
    pair = [(RELEASE, built_here), (other_release, other)]
    other_is_newer = sh("dpkg", "--compare-versions", other_version, "gt", here_version, check=False).returncode == 0
    (old_release, old), (new_release, new) = pair if other_is_newer else pair[::-1]
    results = tmp_path / "results"
    results.mkdir()
    argv = [str(ROOT / "tests/e2e/distupgrade.sh"), old_release, str(old), new_release, str(new), str(results)]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]

    def step(name: str) -> str:
        return (results / name).read_text()

    def says(deb: Path) -> str:
        version = deb_field(deb, "Depends").removeprefix("python")
        return f"rel-files on {version}: shipped with the application; tinydep tinydep\n"

    assert step("old.run") == says(old)
    # apt keeps the old interpreter (no longer in the new release, and nothing replaces it)
    # for the package that depends on it: the application keeps running on it.  What the
    # upgrade removes is libraries renamed by the new release (libssl3 -> libssl3t64, ...).
    removed = step("upgrade.removed").split()
    assert not {"rel-files", deb_field(old, "Depends")} & set(removed), removed
    assert step("upgraded.run") == says(old)
    assert step("upgraded.python") == deb_field(old, "Depends") + "\n"
    # The rebuild for the new release replaces it, on that release's interpreter; purge leaves nothing.
    assert step("new.version") == deb_field(new, "Version") + "\n"
    assert step("new.run") == says(new)
    assert step("purged.left") == ""
