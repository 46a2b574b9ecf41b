"""apt install of a built package and the first run of its command, timed; then apt purge."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .analysis import INSTALL_ROOT
from .builds import Build, the_deb
from .inputs import BenchError, InputSpec

APT = ("apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=900", "-o", "Dpkg::Use-Pty=0")
#: What apt and dpkg lock while they work (another apt, a test suite's dpkg -i).
DPKG_LOCKS = (Path("/var/lib/dpkg/lock-frontend"), Path("/var/lib/dpkg/lock"))


@dataclass(frozen=True)
class InstallTimes:
    """Seconds of the install and of the first run (the field order is the JSON file's)."""

    apt_install_s: float
    first_run_s: float
    #: Files and directories the purge left in the venv's directory (removed then, so the next install starts clean).
    left_after_purge: int = 0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def install_and_run(spec: InputSpec, b: Build) -> InstallTimes:
    """apt install the package, run its command once, purge it; time the first two."""
    deb = the_deb(spec, b)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    argv = [*APT, "install", "--no-install-recommends", str(deb)]
    # Not timed: what the build left to write (dpkg's fsyncs would pay for it), and the wait for
    # another apt or dpkg on the machine to finish (apt would wait for the lock within the clock).
    os.sync()
    wait_for_dpkg_locks(DPKG_LOCKS)
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    installed = time.monotonic() - start
    try:
        if proc.returncode != 0:
            raise BenchError(f"apt-get install {deb} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        start = time.monotonic()
        # By its path in the venv: dh-virtualenv links nothing into /usr/bin.
        script = f"/{INSTALL_ROOT}/{spec.package}/bin/{spec.script}"
        first = subprocess.run(
            ["env", "-i", "PATH=/usr/bin:/bin", script, *spec.script_args], capture_output=True, text=True
        )
        first_run = time.monotonic() - start
        if first.returncode != 0:
            raise BenchError(f"{script} failed after installing {deb.name}:\n{first.stderr[-2000:]}")
    finally:
        subprocess.run([*APT, "purge", spec.package], capture_output=True, env=env)
    return InstallTimes(installed, first_run, _remove_leftovers(Path("/", INSTALL_ROOT, spec.package)))


def wait_for_dpkg_locks(locks: tuple[Path, ...], timeout: float = 900.0) -> None:
    """Return once no other process holds any of ``locks`` (fcntl locks, as apt and dpkg take them)."""
    deadline = time.monotonic() + timeout
    for lock in locks:
        while _held(lock):
            if time.monotonic() > deadline:
                raise BenchError(f"{lock} is still locked by another apt or dpkg after {timeout:.0f} s")
            time.sleep(0.2)


def _held(lock: Path) -> bool:
    """Whether another process holds ``lock`` (if not, it is taken and given back at once)."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # which releases the lock
    return False


def _remove_leftovers(venv: Path) -> int:
    """How many entries a purge left under ``venv`` (bytecode of the first run, say); then remove them."""
    if not venv.is_dir() or subprocess.run(["dpkg-query", "-S", str(venv)], capture_output=True).returncode == 0:
        return 0
    left = sum(1 for _ in venv.rglob("*")) + 1
    shutil.rmtree(venv, ignore_errors=True)
    return left
