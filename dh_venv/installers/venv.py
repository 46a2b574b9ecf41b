"""Creating the virtualenv in the staging tree."""

from __future__ import annotations

import functools
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from dh_venv import site
from dh_venv.errors import CommandError, DhVenvError, output_trouble
from dh_venv.inputs.values import Sources
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner

#: Where Debian keeps the wheels virtualenv seeds venvs from.
WHEELS = "/usr/share/python-wheels"
#: What virtualenv seeds every venv with.
SEED = ("pip", "setuptools", "wheel")


def create(
    dest: Path,
    interpreter: Interpreter,
    runner: Runner,
    *,
    env: Mapping[str, str],
    system_site_packages: bool = False,
    extra_args: tuple[str, ...] = (),
) -> None:
    """Create a fresh virtualenv at ``dest`` for ``interpreter``.

    virtualenv runs under the interpreter running dh_venv (which has it
    installed), never a ``virtualenv`` found on ``PATH``.  A venv left by
    an earlier run is removed first; files that ``debian/*.install`` put
    into the directory (dh_install runs earlier) stay, as they did with
    dh-virtualenv.
    """
    if (dest / "pyvenv.cfg").exists():
        runner.apply(f"rm -rf {dest}", functools.partial(shutil.rmtree, dest))
    argv: list[str | Path] = [
        sys.executable,
        "-m",
        "virtualenv",
        "--quiet",
        "--no-periodic-update",
        "--no-download",
        "--python",
        interpreter.path,
    ]
    if system_site_packages:
        argv.append("--system-site-packages")
    argv += [*extra_args, dest]
    try:
        runner.run(argv, env=env)
    except CommandError as exc:
        trouble = output_trouble(exc.output, dest)
        if trouble:
            raise DhVenvError(
                f"virtualenv could not create {dest}: {trouble[0]}", hint=trouble[1], details=exc.output
            ) from None
        raise DhVenvError(
            f"virtualenv could not create {dest}",
            hint="check --python and --extra-virtualenv-arg; run with -v for the full output",
            details=exc.output,
        ) from None


_SEED_OPTIONS: dict[str, frozenset[str]] = {}


def seed_options(runner: Runner) -> frozenset[str]:
    """Which of pip, setuptools and wheel this virtualenv takes a version for (``--pip=X``, ...).

    bookworm's takes all three; trixie's has no ``--wheel`` (it seeds no wheel).
    """
    if sys.executable not in _SEED_OPTIONS:
        try:
            out = runner.run([sys.executable, "-m", "virtualenv", "--help"], changes_files=False, stream=False)
        except CommandError as exc:
            raise DhVenvError(
                "virtualenv --help failed", hint="check the python3-virtualenv package", details=exc.output
            ) from None
        _SEED_OPTIONS[sys.executable] = frozenset(re.findall(r"--(pip|setuptools|wheel) version", out))
    return _SEED_OPTIONS[sys.executable]


def python_of(venv: Path) -> Path:
    """The venv's own interpreter."""
    return venv / "bin" / "python"


def outside_pip() -> list[str]:
    """A pip command that needs no venv: the pip wheel virtualenv seeds from, run by dh_venv's interpreter.

    Debian's virtualenv seeds from ``/usr/share/python-wheels`` (python3-pip-whl, which it depends on).
    """
    wheels = sorted(Path(WHEELS).glob("pip-*-py3-none-any.whl"))
    if wheels:
        return [sys.executable, str(wheels[-1] / "pip")]
    return [sys.executable, "-m", "pip"]


def seed_args(seed: Sources | None, runner: Runner) -> list[str]:
    """virtualenv's options to seed the versions ``dh-venv vendor`` recorded, from the wheelhouse.

    The same seed on every machine, whatever virtualenv bundles, as far as this
    virtualenv takes a version for it (trixie's has no ``--wheel``: --keep-seed
    then installs wheel from the wheelhouse).
    """
    if seed is None or seed.wheelhouse is None or not seed.seed:
        return []
    takes = seed_options(runner)
    versions = [f"--{name}={version}" for name, version in seed.seed if name in takes]
    return ["--extra-search-dir", str(seed.wheelhouse), *versions]


def seed_installed(venv: Path, keep: set[str]) -> list[str]:
    """The seed distributions in ``venv`` that are not in ``keep``."""
    present = {dist.name for dist in site.distributions(venv)}
    return [n for n in SEED if n not in keep and n in present]
