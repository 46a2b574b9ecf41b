"""What compiled code gets in a build: Debian's flags, a TMPDIR in the tree, prefix-mapping compilers.

``dh_venv`` calls :func:`build_environment` before installing, and gives
pip the :func:`report_path` that tells prebuilt files from files built here.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping
from pathlib import Path

from dh_venv import errors
from dh_venv.compiled import compilers
from dh_venv.errors import CommandError
from dh_venv.runner import Runner

_FLAGS = ("CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "FFLAGS", "FCFLAGS", "OBJCFLAGS", "OBJCXXFLAGS")


def build_environment(env: Mapping[str, str], work_dir: Path, runner: Runner) -> dict[str, str]:
    """``env`` plus Debian's build flags and a TMPDIR inside the build tree.

    Flags the environment already sets (``debian/rules`` exports, or
    dpkg-buildpackage) win; the others come from ``dpkg-buildflags``, so
    extensions compiled from source get the hardening flags and
    ``-ffile-prefix-map`` like any other code of the package (when the
    environment sets them all, as ``dpkg-buildpackage`` does, it is not asked).  pip's
    temporary build directories land in ``TMPDIR``, inside the tree the
    leak scan and ``dh_clean`` know.
    """
    out = dict(env)
    dump = ""
    if all(name in env for name in _FLAGS):
        # dpkg-buildpackage exports every one of them: dpkg-buildflags would add nothing.
        runner.announce("the environment sets every build flag (as dpkg-buildpackage does): dpkg-buildflags not asked")
    else:
        with contextlib.suppress(CommandError):
            dump = runner.run(["dpkg-buildflags", "--dump"], env=out, changes_files=False)
    for line in dump.splitlines():
        name, sep, value = line.partition("=")
        if sep and name in _FLAGS and name not in env:
            out[name] = value
    tmp = work_dir / "tmp"
    runner.apply(f"mkdir -p {tmp}", functools.partial(_make_tmp, tmp))
    out["TMPDIR"] = str(tmp)
    # Extensions compiled from downloaded sdists must not name their random build directory.
    wrappers = compilers.wrappers(out, work_dir / "compilers")
    for path, text in wrappers.files.items():
        runner.apply(f"write {path} (mode 755)", functools.partial(_write_wrapper, path, text))
    out.update(wrappers.env)
    return out


def report_path(staging_venv: Path, work_dir: Path) -> Path | None:
    """Where pip should write its ``--report``; ``None`` if the venv's pip is older than 22.2 (no such option).

    Without a report, the wheel tags alone tell prebuilt from built here.
    """
    for dist_info in staging_venv.glob("lib*/python*/site-packages/pip-*.dist-info"):
        version = re.match(r"pip-(\d+)\.(\d+)", dist_info.name)
        if version and (int(version.group(1)), int(version.group(2))) < (22, 2):
            return None
    path = work_dir / "pip-report.json"
    path.unlink(missing_ok=True)
    return path


def _make_tmp(tmp: Path) -> None:
    with errors.doing(f"create {tmp}"):
        tmp.mkdir(parents=True, exist_ok=True)


def _write_wrapper(path: Path, text: str) -> None:
    with errors.doing(f"write the compiler wrapper {path}"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
