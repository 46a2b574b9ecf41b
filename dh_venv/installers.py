"""Installers put requirements and the application into a venv.

The core talks to :class:`Installer` only; :class:`PipInstaller` is the
first implementation.  Each installer gets a cleaned environment in which
the build machine's own configuration (pip.conf, ``PIP_INDEX_URL``, ...)
has no say: only the options in ``debian/rules`` choose what is installed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from dh_venv.compiled import build_failure
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.runner import Runner
from dh_venv.venv import python_of

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
    for var in ("CFLAGS", "CXXFLAGS"):
        flags = env.get(var, "")
        if f"-ffile-prefix-map={build_dir}=" not in flags:
            env[var] = f"{flags} -ffile-prefix-map={build_dir}=.".strip()
    return env


class Installer(Protocol):
    """What the core needs from an installer."""

    name: str

    def install(
        self, venv: Path, requirements: Sequence[str], *, cwd: Path, what: str, report: Path | None = None
    ) -> None:
        """Install ``requirements`` (pip-style arguments) into ``venv``.

        ``report``: where to write which distributions came from a wheel
        and which were built from source (pip's ``--report`` JSON).
        """

    def check(self, venv: Path) -> None:
        """Verify that every installed distribution has its dependencies."""


class PipInstaller:
    """Installs with the venv's own pip."""

    name = "pip"

    def __init__(
        self,
        runner: Runner,
        env: Mapping[str, str],
        *,
        index_url: str | None = None,
        extra_index_urls: Sequence[str] = (),
        extra_args: Sequence[str] = (),
    ) -> None:
        self.runner = runner
        self.env = dict(env)
        self.options: list[str] = []
        if index_url:
            self.options += ["--index-url", index_url]
        for url in extra_index_urls:
            self.options += ["--extra-index-url", url]
        self.options += list(extra_args)

    def install(
        self, venv: Path, requirements: Sequence[str], *, cwd: Path, what: str, report: Path | None = None
    ) -> None:
        argv: list[str | Path] = [python_of(venv), "-m", "pip", "install", "--no-compile"]
        if report is not None:
            argv += ["--report", report]
        argv += [*self.options, *requirements]
        try:
            # Not streamed with -v: pip's failure text is shown once, under the error line.
            output = self.runner.run(argv, env=self.env, cwd=cwd, stream=False)
        except CommandError as exc:
            complaint = build_failure(exc.output)
            if complaint:
                raise DhVenvError(
                    f"pip could not build {what} from source: {complaint}",
                    hint="a Build-Depends is probably missing (the compiler, or the -dev package with "
                    "that header or library); pip said",
                    details=pip_reason(exc.output),
                ) from None
            raise DhVenvError(
                f"pip could not install {what}",
                hint="fix the requirement or the index options; pip said",
                details="\n".join(_once(exc.output)) if self.runner.verbose else pip_reason(exc.output),
            ) from None
        if self.runner.verbose:
            for line in output.splitlines():
                self.runner.log("\t  " + line)

    def check(self, venv: Path) -> None:
        try:
            self.runner.run([python_of(venv), "-m", "pip", "check"], env=self.env)
        except CommandError as exc:
            raise DhVenvError(
                "installed distributions have missing or conflicting dependencies (pip check)",
                hint="fix the requirements, or build with DEB_BUILD_OPTIONS=nocheck to ship it anyway",
                details=exc.output.strip(),
            ) from None


def _once(output: str) -> list[str]:
    """pip's non-blank output lines, without the repeat of a failed wheel build.

    When building a wheel fails, old pip falls back to ``setup.py install``,
    which fails the same way: the fallback's block is dropped, the final
    summary kept.
    """
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    fallback = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith("Running setup.py install for")), None
    )
    if fallback is not None and any("error: subprocess-exited-with-error" in line for line in lines[:fallback]):
        summary = [i for i, line in enumerate(lines) if i > fallback and re.match(r"(ERROR|error):", line)]
        lines = lines[:fallback] + (lines[summary[0] :] if summary else [])
    return lines


def pip_reason(output: str, tail: int = 15) -> str:
    """The part of pip's output that says why it failed, each failure once."""
    lines = _once(output)
    errors = [i for i, line in enumerate(lines) if re.match(r"(ERROR|error):", line)]
    if errors:
        start = max(errors[0] - 8, 0) if len(errors) == 1 else errors[0]
        # A failed build's own output starts its block.
        block = next((i for i, line in enumerate(lines) if "error: subprocess-exited-with-error" in line), start)
        return "\n".join(lines[min(start, block) :][-40:])
    return "\n".join(lines[-tail:])


def make_installer(name: str, runner: Runner, env: Mapping[str, str], **options: object) -> Installer:
    """The installer called ``name``."""
    if name == "pip":
        return PipInstaller(runner, env, **options)  # type: ignore[arg-type]
    raise DhVenvError(f"unknown installer {name!r}", hint="use --installer=pip")
