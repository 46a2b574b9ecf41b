"""``dh-venv smoke``: install packages into a fresh system of their release, run them, purge, look.

The system is the release's smoke chroot tarball (:mod:`dh_venv.releases.chroots`),
unpacked afresh by mmdebstrap for every run (``--variant=custom`` with the
tarball as its setup; as root, or as a user through mmdebstrap's unshare
mode); mmdebstrap's customize hooks copy the plan in, run
``smoke-inside.sh`` there and copy the results out.  Checks: the install
with apt; each command the packages expose in ``/usr/bin`` with
``--version`` (else ``--help``), or the tests a ``debian/tests/control``
lists instead; the purge; and that nothing is left of the venvs or in
``/usr/bin``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError, doing
from dh_venv.releases import chroots, targets, testcontrol
from dh_venv.releases.testcontrol import Tests
from dh_venv.runner import Runner

INSIDE = Path(__file__).with_name("smoke-inside.sh")
#: Lines of a failed step's output shown under its FAIL line.
TAIL = 15
_SYMLINK = re.compile(r"^l\S*\s+\S+\s+\d+\s+\S+\s+\S+\s+\.(/.*?) -> (.*)$")
_FILE = re.compile(r"^\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\.(/.*?)/?$")


@dataclass(frozen=True)
class Deb:
    """What a package under test ships that the smoke test checks."""

    path: Path
    package: str
    #: The venv directories (where ``pyvenv.cfg`` is).
    venvs: tuple[str, ...]
    #: The ``/usr/bin`` links that point into a venv: the commands it exposes.
    links: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    status: str  # PASS, FAIL or SKIP
    what: str  # install, run, test, purge, clean
    subject: str
    detail: str = ""
    output: str = ""


@dataclass(frozen=True)
class Outcome:
    """What one smoke test found."""

    release: str
    packages: tuple[str, ...]
    tarball: Path
    checks: tuple[Check, ...]
    seconds: float

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)


def inspect(path: Path, runner: Runner) -> Deb:
    """The package name, venvs and exposed commands of the ``.deb`` at ``path``."""
    try:
        package = runner.run(["dpkg-deb", "--field", path, "Package"], changes_files=False, stdout_only=True).strip()
        listing = runner.run(["dpkg-deb", "--contents", path], changes_files=False, stdout_only=True)
    except CommandError as exc:
        raise DhVenvError(f"{path} is not a Debian package dpkg-deb can read", details=exc.output) from None
    venvs, links = [], {}
    for line in listing.splitlines():
        link = _SYMLINK.match(line)
        if link:
            links[link.group(1)] = os.path.normpath(os.path.join(os.path.dirname(link.group(1)), link.group(2)))
            continue
        entry = _FILE.match(line)
        if entry and entry.group(1).endswith("/pyvenv.cfg"):
            venvs.append(os.path.dirname(entry.group(1)))
    exposed = sorted(
        name
        for name, target in links.items()
        if os.path.dirname(name) == "/usr/bin" and any(target.startswith(v + "/") for v in venvs)
    )
    return Deb(path, package, tuple(sorted(venvs)), tuple(exposed))


def _write_plan(root: Path, debs: Sequence[Deb], tests: Tests | None) -> None:
    """The directory smoke-inside.sh reads as /smoke/plan."""
    plan = root / "smoke" / "plan"
    (plan / "debs").mkdir(parents=True)
    shutil.copy(INSIDE, plan / "inside.sh")
    for deb in debs:
        shutil.copy(deb.path, plan / "debs" / deb.path.name)
    (plan / "packages").write_text("".join(f"{d.package}\n" for d in debs))
    (plan / "venvs").write_text("".join(f"{v}\n" for d in debs for v in d.venvs))
    (plan / "links").write_text("".join(f"{link}\n" for d in debs for link in d.links))
    (plan / "extra").write_text("".join(f"{name}\n" for name in (tests.depends if tests else ())))
    for number, (kind, arg) in enumerate(_runs(debs, tests), 1):
        check = plan / "checks" / f"{number:03d}"
        check.mkdir(parents=True)
        (check / "kind").write_text(kind)
        if kind == "test-script":
            shutil.copy(arg, check / "arg")
        else:
            (check / "arg").write_text(arg)


def _runs(debs: Sequence[Deb], tests: Tests | None) -> list[tuple[str, str]]:
    """(kind, argument) of every check that runs, in order."""
    if tests is None:
        return [("command", os.path.basename(link)) for d in debs for link in d.links]
    runs = []
    for test in tests.tests:
        if test.skipped is None and test.command is not None:
            runs.append(("test-command", test.command))
        elif test.skipped is None and test.script is not None:
            runs.append(("test-script", str(test.script)))
    return runs


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-TAIL:])


def _step(results: Path, name: str, what: str, subject: str) -> Check:
    status = _read(results / f"{name}.status").strip()
    if status == "0":
        return Check("PASS", what, subject)
    return Check("FAIL", what, subject, f"exit status {status or '?'}", _tail(_read(results / f"{name}.log")))


def _ran(results: Path, number: int, what: str, subject: str, allow_stderr: bool, skippable: bool) -> Check:
    """The check of a command (``what``: run) or test (test) that ran, or did not: the install failed."""
    base = results / "checks" / f"{number:03d}"
    status = _read(base.with_suffix(".status")).strip()
    out, err = _read(base.with_suffix(".out")), _read(base.with_suffix(".err"))
    if not status:
        return Check("SKIP", what, subject, "not run: the install failed")
    if status == "77" and skippable:
        return Check("SKIP", what, subject, "skipped itself with exit status 77")
    if status == "124":
        return Check("FAIL", what, subject, "did not finish in time", _tail(out + err))
    if status != "0":
        return Check("FAIL", what, subject, f"exit status {status}", _tail(out + err))
    if err.strip() and not allow_stderr:
        return Check("FAIL", what, subject, "wrote to stderr; add allow-stderr to its Restrictions", _tail(err))
    first = next((line.strip() for line in (out or err).splitlines() if line.strip()), "")
    return Check("PASS", what, subject, first[:100])


def _checks(results: Path, debs: Sequence[Deb], tests: Tests | None, release: str) -> list[Check]:
    checks: list[Check] = []
    update = _step(results, "update", "update", f"apt-get update in {release}")
    if update.status == "FAIL":
        checks.append(Check("FAIL", "update", update.subject, "no network, or the mirror failed", update.output))
    checks.append(_step(results, "install", "install", ", ".join(d.path.name for d in debs)))
    number = 0
    if tests is None and not any(d.links for d in debs):
        checks.append(
            Check("SKIP", "run", "no command", "none in /usr/bin points into a venv; list tests with --tests")
        )
    if tests is None:
        for link in (link for d in debs for link in d.links):
            number += 1
            flag = _read(results / "checks" / f"{number:03d}.flag").strip() or "--version"
            checks.append(_ran(results, number, "run", f"{os.path.basename(link)} {flag}", True, False))
    else:
        for test in tests.tests:
            if test.skipped is not None:
                checks.append(Check("SKIP", "test", test.name, test.skipped))
                continue
            number += 1
            checks.append(_ran(results, number, "test", test.name, test.allow_stderr, test.skippable))
    purged = " ".join(d.package for d in debs)
    if _read(results / "purge.status").strip() == "none":
        checks.append(Check("SKIP", "purge", purged, "none of them was installed"))
    else:
        checks.append(_step(results, "purge", "purge", purged))
    left = _read(results / "left").split()
    if left:
        shown = ", ".join(left[:10]) + (f" and {len(left) - 10} more" if len(left) > 10 else "")
        checks.append(Check("FAIL", "clean", "after the purge", f"left: {shown}"))
    else:
        where = ", ".join([*(v for d in debs for v in d.venvs), "/usr/bin"])
        checks.append(Check("PASS", "clean", "after the purge", f"nothing left in {where}"))
    return checks


def _run(program: str, tarball: Path, release: str, work: Path, runner: Runner, env: Mapping[str, str]) -> None:
    # As a user, mmdebstrap's unshare mode (its auto mode would fall back to fakechroot, where nothing here works).
    mode = "--mode=root" if os.geteuid() == 0 else "--mode=unshare"
    argv = [program, mode, "--variant=custom", "--skip=update", f"--setup-hook=tar-in {shlex.quote(str(tarball))} /"]
    # The tarball has no /dev (chroots.VARIANTS): mmdebstrap fills it, in unshare mode by bind mounts into it.
    argv += ['--setup-hook=mkdir -p "$1/dev"']
    argv += [f"--customize-hook=copy-in {shlex.quote(str(work / 'smoke'))} /"]
    argv += ['--customize-hook=chroot "$1" /bin/sh /smoke/plan/inside.sh']
    argv += [f"--customize-hook=copy-out /smoke/results {shlex.quote(str(work / 'out'))}", release, "/dev/null"]
    try:
        runner.run(argv, env=env, stream=False)
    except CommandError as exc:
        hint = "see mmdebstrap's output below"
        if os.geteuid() != 0:
            hint += "; as a user other than root it needs uidmap and an /etc/subuid entry (docs/smoke.rst)"
        raise DhVenvError(
            f"mmdebstrap could not run the smoke test in a fresh {release} system",
            hint=hint,
            details=exc.output[-3000:],
        ) from None


def smoke(
    paths: Sequence[Path],
    runner: Runner,
    environ: Mapping[str, str],
    *,
    release: str | None = None,
    tests: Path | None = None,
    cwd: Path | None = None,
) -> Outcome:
    """Smoke-test the ``.deb`` files ``paths`` in a fresh system of their release (see the module's docstring).

    The tests are those of ``tests`` (an autopkgtest control file), else of
    ``debian/tests/control`` in ``cwd`` when that source builds one of the
    packages, else each exposed command's ``--version``/``--help``.
    """
    started = time.monotonic()
    for path in paths:
        if not path.is_file():
            hint = "give the path of a .deb file (dpkg-buildpackage writes them beside the source)"
            raise DhVenvError(f"{path} not found", hint=hint)
    program = chroots.mmdebstrap(environ, "dh-venv smoke runs the packages in a fresh chroot that it makes")
    debs = [inspect(path, runner) for path in paths]
    target = targets.target_of(paths, runner, environ, release=release)
    control = tests if tests is not None else testcontrol.find(cwd or Path.cwd(), [d.package for d in debs])
    listed = testcontrol.read(control) if control is not None else None
    tarball = chroots.tarball(target, "smoke", runner, environ)
    env = {k: v for k, v in environ.items() if k != "TMPDIR"}
    with tempfile.TemporaryDirectory(prefix="dh-venv-smoke-") as tmp:
        work = Path(tmp)
        with doing("write the smoke test's plan", work):
            _write_plan(work, debs, listed)
        _run(program, tarball, target, work, runner, env)
        if runner.no_act:
            return Outcome(target, tuple(d.package for d in debs), tarball, (), 0.0)
        checks = _checks(work / "out" / "results", debs, listed, target)
    return Outcome(target, tuple(d.package for d in debs), tarball, tuple(checks), time.monotonic() - started)
