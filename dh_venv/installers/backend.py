"""What the core needs from an installer, and what every installer shares.

A backend creates the venv and renders an install :class:`~dh_venv.installers.plan.Plan`
into its own tool's command lines.  :func:`dh_venv.installers.choose.choose`
picks one, once, before any venv exists; a backend never turns into another.
Each installer gets a cleaned environment (:func:`build_environment`) in
which the build machine's own configuration (pip.conf, ``PIP_INDEX_URL``,
...) has no say: only the options in ``debian/rules`` choose what is installed.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from dh_venv import caches
from dh_venv.errors import CommandError, DhVenvError, output_trouble
from dh_venv.inputs.values import Sources
from dh_venv.installers import index
from dh_venv.installers.plan import Plan
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner, redact

# Transport settings of the build machine are kept; anything that picks
# packages or indexes is dropped.
_PIP_ENV_KEPT = {
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_TIMEOUT",
    "PIP_RETRIES",
    "PIP_PROXY",
    "PIP_TRUSTED_HOST",
    "PIP_CACHE_DIR",
    "PIP_NO_CACHE_DIR",
}
_DROPPED = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV", "CONDA_PREFIX"}


def build_environment(environ: Mapping[str, str], build_dir: Path) -> dict[str, str]:
    """The environment every installer and virtualenv run sees.

    Compiled extensions get ``-ffile-prefix-map`` for the build directory,
    as dpkg-buildflags gives them inside dpkg-buildpackage, so their debug
    information names no build path when dh_venv runs on its own either.
    """
    env = {k: v for k, v in environ.items() if k not in _DROPPED and (not k.startswith("PIP_") or k in _PIP_ENV_KEPT)}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_NO_WARN_SCRIPT_LOCATION="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
    )
    # One cache for pip, uv and virtualenv, shared between builds (dh_venv.caches).
    cache = caches.cache_root(environ, build_dir)
    env[caches.VARIABLE] = str(cache)
    if "PIP_CACHE_DIR" not in env and "PIP_NO_CACHE_DIR" not in env:
        env["PIP_CACHE_DIR"] = str(cache / "pip")
    env.setdefault("VIRTUALENV_OVERRIDE_APP_DATA", str(cache / "virtualenv"))
    for var in ("CFLAGS", "CXXFLAGS"):
        flags = env.get(var, "")
        if f"-ffile-prefix-map={build_dir}=" not in flags:
            env[var] = f"{flags} -ffile-prefix-map={build_dir}=.".strip()
    return env


class Backend(Protocol):
    """An installer: a venv, and a :class:`~dh_venv.installers.plan.Plan` installed into it."""

    #: The ``--installer`` value that names it, and the tool its errors name.
    name: str
    #: Whether the last venv created holds pip, setuptools and wheel.
    seeded: bool

    def prepare(self, plan: Plan) -> None:
        """Get the installer program ready for ``plan``, or raise :class:`DhVenvError` saying why it cannot be had."""

    def create(
        self,
        venv: Path,
        python: Interpreter,
        *,
        system_site_packages: bool,
        extra_args: Sequence[str],
        seed: Sources | None = None,
        lean: bool = False,
    ) -> None:
        """Create a fresh venv at ``venv`` for ``python``, seeded from ``seed``'s wheelhouse when it has one.

        With ``lean``, a backend that installs without the venv's own pip
        leaves pip, setuptools and wheel out (and sets ``seeded`` false).
        """

    def install(self, venv: Path, plan: Plan, *, report: Path | None = None) -> list[Path]:
        """Run every step of ``plan`` into ``venv``.

        With ``report``, each installer run that can writes which distributions
        came from a wheel and which were built from source (pip's ``--report``
        JSON) to a file named after it; the files written are returned.
        """

    def check(self, venv: Path) -> None:
        """Verify that every installed distribution has its dependencies."""

    def remove_seed(self, venv: Path, keep: set[str]) -> None:
        """Remove pip, setuptools and wheel from ``venv``, except those named in ``keep``."""


def write_files(plan: Plan, runner: Runner) -> None:
    """Write the files the plan's runs read (the locked set)."""
    for path, text in plan.files:
        runner.apply(f"write {path}", functools.partial(_write, path, text))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def check_sources(plan: Plan, runner: Runner, env: Mapping[str, str]) -> None:
    """Fail fast when the plan's index cannot be reached (an index the user's own options name is theirs)."""
    if not (plan.sources.offline or plan.user_chose_index):
        index.check_reachable(plan.sources, env)


def run_step(
    runner: Runner,
    argv: Sequence[str | Path],
    env: Mapping[str, str],
    plan: Plan,
    work_dir: Path,
    failure: Callable[[str], DhVenvError],
) -> None:
    """Run one installer command; ``failure`` turns its output into the error to raise."""
    cwd = plan.cwd or work_dir
    try:
        # Not streamed with -v: the failure text is shown once, under the error line.
        output = runner.run(list(argv), env={**env, **plan.build_env}, cwd=cwd if cwd.is_dir() else None, stream=False)
    except CommandError as exc:
        error = failure(exc.output)
        trouble = output_trouble(exc.output, work_dir)
        if trouble:
            # The disk, not the requirements: say so in the headline.
            error = DhVenvError(f"{error.message}: {trouble[0]}", hint=trouble[1], details=error.details)
        raise error from None
    if runner.verbose:
        for line in output.splitlines():
            runner.log("\t  " + redact(line))
