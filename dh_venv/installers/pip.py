"""Installers put requirements and the application into a venv.

The core talks to :class:`Backend` only: it creates the venv and installs
an :class:`~dh_venv.inputs.collect.Inputs` value into it.  :class:`PipBackend` is
the first implementation.  Each installer gets a cleaned environment in which
the build machine's own configuration (pip.conf, ``PIP_INDEX_URL``, ...)
has no say: only the options in ``debian/rules`` choose what is installed.
"""

from __future__ import annotations

import os
import re
import socket
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from dh_venv import caches
from dh_venv.compiled.steps import build_failure
from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs import locks
from dh_venv.inputs.collect import Inputs, Sources
from dh_venv.installers import venv as _venv
from dh_venv.installers.venv import python_of
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
#: What virtualenv seeds every venv with.
SEED = ("pip", "setuptools", "wheel")
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
    """What the core needs from an installer: a venv, and :class:`~dh_venv.inputs.collect.Inputs` in it."""

    name: str
    #: Whether the last venv created holds pip, setuptools and wheel.
    seeded: bool

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

    def prepare(self, inputs: Inputs) -> None:
        """Get the installer program for ``inputs`` ready, before the venv is created."""

    def install(self, venv: Path, inputs: Inputs, *, report: Path | None = None) -> list[Path]:
        """Install everything ``inputs`` names into ``venv``.

        With ``report``, each installer run writes which distributions came
        from a wheel and which were built from source (pip's ``--report``
        JSON) to a file named after it; the files written are returned.
        """

    def download(self, venv: Path, inputs: Inputs, dest: Path, *, allow_sdists: bool) -> None:
        """Save every distribution file ``inputs`` needs (build backends included) into ``dest``."""

    def check(self, venv: Path) -> None:
        """Verify that every installed distribution has its dependencies."""

    def remove_seed(self, venv: Path, keep: set[str]) -> None:
        """Remove pip, setuptools and wheel from ``venv``, except those named in ``keep``."""


class PipBackend:
    """virtualenv creates the venv; the venv's own pip installs into it.

    ``extra_args`` and ``extra_env`` are for other stages (a report file,
    a TMPDIR) and go to every pip run as they are.
    """

    name = "pip"

    def __init__(
        self,
        runner: Runner,
        env: Mapping[str, str],
        work_dir: Path,
        *,
        extra_args: Sequence[str] = (),
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.runner = runner
        self.env = {**env, **(extra_env or {})}
        self.work_dir = work_dir
        self.extra_args = list(extra_args)
        self.seeded = True

    def prepare(self, inputs: Inputs) -> None:
        """The venv's own pip installs: nothing to get ready."""

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
        # pip runs from the venv, so the venv is always seeded; dh_venv.installers.lean removes what is not needed.
        self.seeded = True
        args = list(extra_args)
        if seed is not None and seed.wheelhouse is not None and seed.seed:
            # The seed versions dh-venv vendor recorded, from the wheelhouse: the same on every machine.
            args += ["--extra-search-dir", str(seed.wheelhouse)]
            args += [f"--{name}={version}" for name, version in seed.seed]
        _venv.create(
            venv,
            python,
            self.runner,
            env=self.env,
            system_site_packages=system_site_packages,
            extra_args=tuple(args),
        )

    def install(self, venv: Path, inputs: Inputs, *, report: Path | None = None) -> list[Path]:
        written: list[Path] = []
        for number, (args, what, hashed) in enumerate(self._steps(inputs)):
            command = ["install", "--no-compile"]
            if report is not None:
                path = report.with_name(f"{report.stem}-{number}{report.suffix}")
                path.unlink(missing_ok=True)
                command += ["--report", str(path)]
                written.append(path)
            self._pip(venv, command, args, inputs, what=what, hashed=hashed)
        return written

    def download(self, venv: Path, inputs: Inputs, dest: Path, *, allow_sdists: bool) -> None:
        binary = [] if allow_sdists else ["--only-binary=:all:"]
        for args, what, hashed in self._steps(inputs):
            if inputs.project is not None and str(inputs.project) in " ".join(args):
                # The project is in the source; pip download would only build its metadata.
                args = [a for a in args if not a.startswith(str(inputs.project))]
                if "--no-deps" in args:
                    continue
                args.append(_with_extras(inputs.project, inputs.extras))
            self._pip(venv, ["download", "-d", str(dest), *binary], args, inputs, what=what, hashed=hashed)

    def check(self, venv: Path) -> None:
        try:
            self.runner.run([python_of(venv), "-m", "pip", "check"], env=self.env)
        except CommandError as exc:
            raise DhVenvError(
                "installed distributions have missing or conflicting dependencies (pip check)",
                hint="fix the requirements, or build with DEB_BUILD_OPTIONS=nocheck to ship it anyway",
                details=exc.output.strip(),
            ) from None

    def remove_seed(self, venv: Path, keep: set[str]) -> None:
        names = [
            n for n in SEED if n not in keep and list((venv / "lib").glob(f"python3*/site-packages/{n}-*.dist-info"))
        ]
        if not names:
            return
        try:
            self.runner.run([python_of(venv), "-m", "pip", "uninstall", "--yes", *names], env=self.env)
        except CommandError as exc:
            raise DhVenvError(
                f"pip could not remove {', '.join(names)} from the venv",
                hint="build with --keep-seed to ship them",
                details=pip_reason(exc.output),
            ) from None

    def _steps(self, inputs: Inputs) -> list[tuple[list[str], str, bool]]:
        """pip arguments of each run, what it installs, and whether it is hash-checked."""
        steps: list[tuple[list[str], str, bool]] = []
        if inputs.upgrade_pip is not None:
            pip = f"pip=={inputs.upgrade_pip}" if inputs.upgrade_pip else "pip"
            steps.append((["--upgrade", pip], f"{pip} (--upgrade-pip)", False))
        if inputs.preinstall:
            steps.append((list(inputs.preinstall), "the --preinstall packages", False))
        project = [_with_extras(inputs.project, inputs.extras)] if inputs.project else []
        files = [arg for f in inputs.requirement_files for arg in ("-r", str(f))]
        if inputs.lock is not None:
            # Exactly the locked set, each file verified; then the project alone.
            locked = self.work_dir / "locked-requirements.txt"
            if not self.runner.no_act:
                locked.parent.mkdir(parents=True, exist_ok=True)
                locked.write_text("".join(p.requirement_line() + "\n" for p in inputs.lock.pins))
            if inputs.lock.pins:
                steps.append(
                    (["--require-hashes", "--no-deps", "-r", str(locked)], f"what {inputs.lock.path.name} locks", True)
                )
            if project:
                steps.append((["--no-deps", *project], "the application", False))
        elif inputs.hashed:
            # pip refuses hashes next to a directory: the hashed set first, then the project alone.
            steps.append((["--require-hashes", *files], "the hashed requirements", True))
            if project:
                steps.append((["--no-deps", *project], "the application", False))
        elif files or project:
            what = "the application and its requirements" if project else "the requirements"
            steps.append(([*files, *project], what, False))
        return steps

    def _pip(self, venv: Path, command: list[str], args: list[str], inputs: Inputs, *, what: str, hashed: bool) -> None:
        sources = [expand_url(a, self.env) for a in _source_args(inputs.sources)]
        own_args = [*self.extra_args, *inputs.extra_args]
        own = [a.split("=", 1)[0] for a in own_args]
        # An index or --no-index given as a plain pip argument is the user's business.
        if not (inputs.sources.offline or self.runner.no_act or {"--no-index", "--index-url", "-i"} & set(own)):
            check_reachable(inputs.sources, self.env)
        tool, argv, env = self._command(venv, command, [*sources, *own_args, *args], inputs)
        try:
            cwd = inputs.source_dir or self.work_dir
            # Not streamed with -v: the failure text is shown once, under the error line.
            output = self.runner.run(
                argv, env={**env, **inputs.build_env}, cwd=cwd if cwd.is_dir() else None, stream=False
            )
        except CommandError as exc:
            raise self._failure(tool, exc.output, what, inputs, hashed) from None
        if self.runner.verbose:
            for line in output.splitlines():
                self.runner.log("\t  " + redact(line))

    def _command(
        self, venv: Path, command: list[str], args: list[str], inputs: Inputs
    ) -> tuple[str, list[str | Path], dict[str, str]]:
        """The installer's name, argv and environment for one run (another backend may use another tool)."""
        return "pip", [python_of(venv), "-m", "pip", *command, *args], self.env

    def _failure(self, tool: str, output: str, what: str, inputs: Inputs, hashed: bool) -> DhVenvError:
        """The error for a failed pip run, naming what a missing Build-Depends looks like."""
        complaint = build_failure(output)
        details = redact(pip_reason(output))
        if complaint:
            return build_error("pip", what, complaint, details)
        missing = _NOT_FOUND.search(output)
        rows = [m.group(0).strip() for line in output.splitlines() if (m := _HASH_ROW.match(line)) and "==" in line]
        mismatch = ("; ".join(rows) or what) if "DO NOT MATCH THE HASHES" in output else None
        return install_error(
            "pip", what, inputs, hashed, details, missing=missing.group(1) if missing else None, mismatch=mismatch
        )


def _with_extras(project: Path, extras: Sequence[str]) -> str:
    return f"{project}[{','.join(extras)}]" if extras else str(project)


def _source_args(sources: Sources) -> list[str]:
    if sources.wheelhouse is not None:
        return ["--no-index", "--find-links", str(sources.wheelhouse)]
    args = ["--index-url", sources.index_url] if sources.index_url else []
    for url in sources.extra_index_urls:
        args += ["--extra-index-url", url]
    return args


_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")
_HASH_ROW = re.compile(r"^\s*(\S+) from (\S+)")


def build_error(tool: str, what: str, complaint: str, details: str) -> DhVenvError:
    """A build from source failed for want of a tool or header (``complaint``, the compiler's line)."""
    return DhVenvError(
        f"{tool} could not build {what} from source: {complaint}",
        hint="a Build-Depends is probably missing (the compiler, or the -dev package with "
        f"that header or library); {tool} said",
        details=details,
    )


def install_error(
    tool: str,
    what: str,
    inputs: Inputs,
    hashed: bool,
    details: str,
    *,
    missing: str | None = None,
    mismatch: str | None = None,
) -> DhVenvError:
    """A failed install: ``missing`` names a requirement no source has, ``mismatch`` files with another hash."""
    origin = inputs.lock.path if inputs.lock else ", ".join(str(f) for f in inputs.requirement_files)
    if missing and inputs.sources.wheelhouse is not None:
        return DhVenvError(
            f"{missing} is not in the wheelhouse {inputs.sources.wheelhouse} (needed for {what})",
            hint="run dh-venv vendor again in the source tree (with network) so the wheelhouse has every file",
            details=details,
        )
    if mismatch:
        return DhVenvError(
            f"hash mismatch for {mismatch}: the file does not match the hash in {origin}",
            hint="the file was changed or replaced; get the genuine file, or lock again if the change is intended",
            details=details,
        )
    hint = f"fix the requirement or the index options; {tool} said"
    if hashed:
        hint = f"every requirement in {origin} must be pinned with == and --hash; {tool} said"
    return DhVenvError(f"{tool} could not install {what}", hint=hint, details=details)


_CREDENTIAL_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_url(url: str, env: Mapping[str, str]) -> str:
    """Expand ``${VAR}`` in an index URL from the build environment (a token kept out of debian/rules)."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in env:
            raise DhVenvError(
                f"the index URL {url} names ${{{match.group(1)}}}, which is not set",
                hint=f"export {match.group(1)} in the build environment",
            )
        return urllib.parse.quote(env[match.group(1)], safe="")

    return _CREDENTIAL_VAR.sub(value, url)


def check_reachable(sources: Sources, env: Mapping[str, str], timeout: float = 5.0) -> None:
    """Fail within seconds when the index cannot be reached, instead of after pip's retries."""
    url = expand_url(sources.index_url or locks.PYPI, env)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    proxy = _proxy_for(parts.scheme, parts.hostname, env)
    target = urllib.parse.urlsplit(proxy) if proxy else parts
    host = target.hostname or parts.hostname
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        via = f" through the proxy {redact(proxy)}" if proxy else ""
        raise DhVenvError(
            f"cannot reach the package index {redact(url)}{via} ({exc.strerror or exc})",
            hint="this build has no network: run `dh-venv vendor` once in the source tree with network "
            "(it fills debian/wheelhouse/, which dh_venv then uses without any index), "
            "or name a wheelhouse with --wheelhouse or DH_VENV_WHEELHOUSE",
        ) from None


def _proxy_for(scheme: str, host: str, env: Mapping[str, str]) -> str | None:
    lower = {k.lower(): v for k, v in env.items()}
    no_proxy = [h.strip().lstrip(".") for h in lower.get("no_proxy", "").split(",") if h.strip()]
    if "*" in no_proxy or any(host == h or host.endswith("." + h) for h in no_proxy):
        return None
    return lower.get(f"{scheme}_proxy") or lower.get("all_proxy") or None


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


def make_backend(
    name: str,
    runner: Runner,
    env: Mapping[str, str],
    work_dir: Path,
    *,
    extra_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
) -> Backend:
    """The installer backend called ``name``."""
    if name == "pip":
        return PipBackend(runner, env, work_dir, extra_args=extra_args, extra_env=extra_env)
    if name in ("uv", "auto"):
        from dh_venv.installers.uv import UvBackend  # uv builds on this module

        return UvBackend(runner, env, work_dir, extra_args=extra_args, extra_env=extra_env, fallback=name == "auto")
    raise DhVenvError(f"unknown installer {name!r}", hint="use --installer=pip, uv or auto")
