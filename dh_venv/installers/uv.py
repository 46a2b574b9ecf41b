"""The uv installer backend (``--installer=uv``).

virtualenv still creates the venv (so relocation is the same as with pip);
``uv pip install --python <venv>/bin/python`` installs each step of the
plan into it.  uv's own configuration is fixed here: no user or system
config, copies instead of hard links into its cache, no interpreter
downloads, its cache inside the one :mod:`dh_venv.caches` chose (which
:func:`~dh_venv.installers.backend.build_environment` passes on in
``DH_VENV_CACHE_DIR``).  :mod:`dh_venv.installers.uvtool` gets uv itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv import caches, site
from dh_venv.errors import CommandError, DhVenvError, replaced_script
from dh_venv.inputs.values import Sources
from dh_venv.installers import backend, failures, index, projectwheel, resolution, skeleton, uvtool
from dh_venv.installers import venv as _venv
from dh_venv.installers.plan import Plan, Step
from dh_venv.installers.venv import python_of
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner, redact

# What uv says when a build from source failed, when a requirement has no distribution, when a hash differs.
_UV_BUILDING = re.compile(r"Failed to build|build backend returned an error|Failed to download and build")
_UV_NOT_FOUND = re.compile(
    r"Because (\S+) was not found in the|Because there is no version of (\S+?)(?: and|,|$)", re.M
)
_UV_HASH = re.compile(r"Hash mismatch for `([^`]+)`")
_UV_UNKNOWN_OPTION = re.compile(r"unexpected argument '([^']+)' found")
_UV_RESERVED = re.compile(
    r"Failed to install: (?P<dist>[^-\s]+)-(?P<version>[^-\s]+)-\S+\.whl.*\n.*"
    r"Scripts must not use the reserved name (?P<name>\S+)"
)
# The user's installer options ``uv build`` takes with the same meaning (the others: the project is not cached).
_BUILD_OPTIONS = {"--no-index": False, "--find-links": True, "-f": True, "--index-url": True, "-i": True}
_BUILD_OPTIONS |= {"--extra-index-url": True, "--index-strategy": True, "--keyring-provider": True}
# Transport settings of the machine are kept; everything else uv would read is dropped.
_UV_ENV_KEPT = {"UV_HTTP_TIMEOUT", "UV_NATIVE_TLS", "UV_CONCURRENT_DOWNLOADS", "UV_REQUEST_TIMEOUT"}


def cache_root(env: Mapping[str, str], work_dir: Path) -> Path:
    """The cache :mod:`dh_venv.caches` chose for this build, as ``env`` passes it on.

    An environment without it (a backend made outside a build) gets the
    build tree's cache beside the package's ``work_dir``.
    """
    if env.get(caches.VARIABLE):
        return Path(env[caches.VARIABLE])
    return work_dir.parent / "cache"


def environment(env: Mapping[str, str], cache: Path) -> dict[str, str]:
    """``env`` without the machine's uv settings, plus the ones dh_venv fixes."""
    out = {k: v for k, v in env.items() if not k.startswith("UV_") or k in _UV_ENV_KEPT}
    out.update(
        UV_NO_CONFIG="1",
        UV_LINK_MODE="copy",
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
        UV_NO_WRAP="1",  # whole lines: the compiler's complaint is found in them (dh_venv.installers.failures)
        UV_CACHE_DIR=str(cache / "uv"),
        NO_COLOR="1",
    )
    if "SSL_CERT_FILE" not in env and "UV_NATIVE_TLS" not in env:
        # The machine's trust store, as pip and apt use it: uv's own roots alone fail behind a proxy whose CA
        # the system trusts (debuild, sbuild and sudo drop SSL_CERT_FILE).
        out["UV_NATIVE_TLS"] = "1"
    return out


class UvBackend:
    """virtualenv creates the venv; uv installs into it."""

    name = "uv"

    def __init__(self, runner: Runner, env: Mapping[str, str], work_dir: Path) -> None:
        self.runner = runner
        self.env = dict(env)
        self.work_dir = work_dir
        self.cache = cache_root(self.env, work_dir)
        self.uv_env = environment(self.env, self.cache)
        self.seeded = True
        self._uv: Path | None = None

    def prepare(self, plan: Plan) -> None:
        """Find uv, and check that the user's installer options are ones ``uv pip install`` takes.

        A pip-only option (``--extra-pip-arg``, ``DH_VENV_PIP_ARGS``) counts as no uv.  uv's answer is
        kept in the cache for the same uv (:func:`dh_venv.caches.answer`).
        """
        uv, args = self.program(plan), plan.extra_args
        cache = self.cache if self.env.get(projectwheel.NO_REUSE) != "1" else None
        key = ["uv options", caches.file_identity(uv), *args]
        ask = lambda: _foreign_option(self.runner, uv, self.uv_env, args) or ""  # noqa: E731
        what = f"{uv} pip install --dry-run {' '.join(args)}"
        foreign = caches.answer(cache, key, ask, self.runner, what) if any(a.startswith("-") for a in args) else ""
        if foreign:
            raise DhVenvError(
                f"--installer=uv: uv pip install does not take the pip option {foreign} "
                "(from --extra-pip-arg or DH_VENV_PIP_ARGS)",
                hint="drop the option, or build with --installer=pip",
            )

    def program(self, plan: Plan | None) -> Path:
        """The uv program: on PATH, in the cache, or fetched into the cache.

        The plan's local ``--find-links`` directories are searched for the uv wheel too,
        and with ``--no-index`` among its options no index is asked.
        """
        if self._uv is None:
            dirs, no_index = uvtool.local_find_links(plan.extra_args if plan else ())
            sources = plan.sources if plan else None
            self._uv = uvtool.find_or_fetch(
                self.runner, self.uv_env, self.cache, sources, find_links=dirs, no_index=no_index
            )
        return self._uv

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
        # uv needs no pip in the venv: a lean venv gets only what is asked for or required.
        self.seeded = not lean
        args = (*extra_args, "--no-seed") if lean else (*extra_args, *_venv.seed_args(seed, self.runner))

        def make() -> None:
            _venv.create(
                venv, python, self.runner, env=self.env, system_site_packages=system_site_packages, extra_args=args
            )

        if not lean:  # seeded from wheels the key does not cover
            make()
            return
        options = [*args, *(["--system-site-packages"] if system_site_packages else [])]
        skeleton.create(self.runner, venv, python, self.env, options, projectwheel.build_dir_of(self.work_dir), make)

    def install(self, venv: Path, plan: Plan, *, report: Path | None = None) -> list[Path]:
        # uv writes no report: the wheel tags tell prebuilt from built here (dh_venv.compiled.prebuilt).
        backend.write_files(plan, self.runner)
        identity = "" if self.runner.no_act else f"uv {uvtool.version_of(self.runner, self.program(plan))}"
        wheel = projectwheel.reuse_or_build(
            self.runner, plan, venv, {**self.uv_env, **plan.build_env}, identity, self.cache,
            lambda out: self._build_wheel(venv, plan, out),
        )  # fmt: skip
        steps = projectwheel.with_wheel(plan, wheel).steps if wheel else plan.steps
        # Offline only when the key covers what the project needs: its wheel's key, or no project.
        reusable = not self.runner.no_act and (wheel is not None or plan.project is None)
        key = resolution.resolution_key(plan, steps, venv, identity) if reusable else ""
        offline = bool(key) and self.env.get(projectwheel.NO_REUSE) != "1" and resolution.known(self.cache, key)
        before = {d.name for d in site.distributions(venv)}
        try:
            self._run_steps(venv, plan, steps, offline=offline)
        finally:
            _drop_lock(venv)
        if wheel and plan.project:
            projectwheel.as_built_from(venv, wheel, plan.project)
        project = site.normalize(wheel.name.split("-")[0]) if wheel else None
        if key and not offline and resolution.fully_pinned(venv, steps, before, project):
            resolution.remember(self.cache, key, venv)
        return []

    def _run_steps(self, venv: Path, plan: Plan, steps: Sequence[Step], *, offline: bool) -> None:
        """Every step; offline from uv's cache first if ``offline``, and online again if that fails."""
        if offline:
            self.runner.announce("the pinned set is unchanged since a build that resolved it: installing offline")
            try:
                for step in steps:
                    self._run(venv, plan, step, offline=True)
                return
            except DhVenvError:
                self.runner.announce("the offline install failed (uv's cache lacks a file): asking the index")
        for step in steps:
            self._run(venv, plan, step)

    def _build_wheel(self, venv: Path, plan: Plan, out: Path) -> bool:
        """``uv build`` the project's wheel into ``out``; False when it cannot (then the install builds it)."""
        if plan.project is None or not _build_options(plan.extra_args):
            return False
        args = [*index.source_args(plan.sources, self.env), *plan.extra_args]
        argv: list[str | Path] = [self.program(plan), "build", "--wheel", "--out-dir", out, "--python", python_of(venv)]
        argv += args
        cwd = plan.cwd if plan.cwd and plan.cwd.is_dir() else None
        try:
            self.runner.run([*argv, plan.project], env={**self.uv_env, **plan.build_env}, cwd=cwd, stream=False)
        except CommandError:
            return False
        return True

    def check(self, venv: Path) -> None:
        try:
            self.runner.run([self.program(None), "pip", "check", "--python", python_of(venv)], env=self.uv_env)
        except CommandError as exc:
            raise failures.check_error("uv pip", redact(exc.output.strip())) from None
        finally:
            _drop_lock(venv)

    def remove_seed(self, venv: Path, keep: set[str]) -> None:
        names = _venv.seed_installed(venv, keep)
        if not names:
            return
        try:
            argv: list[str | Path] = [self.program(None), "pip", "uninstall", "--python", python_of(venv), *names]
            self.runner.run(argv, env=self.uv_env)
        except CommandError as exc:
            raise DhVenvError(
                f"uv could not remove {', '.join(names)} from the venv",
                hint="build with --keep-seed to ship them",
                details=redact(uv_reason(exc.output)),
            ) from None
        finally:
            _drop_lock(venv)

    def _run(self, venv: Path, plan: Plan, step: Step, *, offline: bool = False) -> None:
        args = [*index.source_args(plan.sources, self.env), *plan.extra_args, *step_args(step)]
        if offline:
            args.append("--offline")
        else:
            backend.check_sources(plan, self.runner, self.env)
        argv = install_argv(self.program(plan), python_of(venv), args)
        backend.run_step(
            self.runner, argv, self.uv_env, plan, self.work_dir, lambda output: failure(output, step, plan)
        )


def _foreign_option(runner: Runner, uv: Path, env: Mapping[str, str], args: Sequence[str]) -> str | None:
    """The first of ``args`` that ``uv pip install`` rejects as an unknown option, if any."""
    if not any(a.startswith("-") for a in args):
        return None
    try:
        runner.run([uv, "pip", "install", "--dry-run", *args], env=env, changes_files=False)
    except CommandError as exc:
        unknown = _UV_UNKNOWN_OPTION.search(exc.output)
        return unknown.group(1) if unknown else None
    return None


def _build_options(args: Sequence[str]) -> bool:
    """Whether every one of the user's installer options is one ``uv build`` takes (:data:`_BUILD_OPTIONS`)."""
    value_next = False
    for arg in args:
        if value_next:
            value_next = False
            continue
        name, has_value, _ = arg.partition("=")
        if name not in _BUILD_OPTIONS:
            return False
        value_next = _BUILD_OPTIONS[name] and not has_value
    return True


def _drop_lock(venv: Path) -> None:
    """uv locks the venv with a ``.lock`` file at its top, which must not go into the package."""
    (venv / ".lock").unlink(missing_ok=True)


def step_args(step: Step) -> list[str]:
    """``uv pip install``'s arguments for one step of the plan."""
    args = ["--upgrade"] if step.upgrade else []
    args += ["--require-hashes"] if step.require_hashes else []
    args += ["--no-deps"] if step.no_deps else []
    args += [arg for f in step.requirement_files for arg in ("-r", str(f))]
    return [*args, *step.requirements]


def install_argv(uv: Path, python: Path, args: Sequence[str]) -> list[str | Path]:
    """``uv pip install`` into ``python``'s venv, choosing among indexes as pip does."""
    argv: list[str | Path] = [uv, "pip", "install", "--python", python]
    if any(a == "--extra-index-url" or a.startswith("--extra-index-url=") for a in args):
        # pip takes the best version from all indexes; uv's default stops at the first that has the name.
        argv += ["--index-strategy", "unsafe-best-match"]
    return [*argv, *args]


def uv_reason(output: str, tail: int = 20) -> str:
    """The end of uv's output, where it says why it failed."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    return "\n".join(lines[-tail:])


def failure(output: str, step: Step, plan: Plan) -> DhVenvError:
    """The error for a failed uv run: the same as pip's for the same trouble."""
    reserved = _UV_RESERVED.search(output)
    if reserved:
        # uv refuses what pip would install and dh_venv then refuse (dh_venv.expose.clashes): the same error.
        return replaced_script(f"{reserved['dist']} {reserved['version']}", reserved["name"])
    details = redact(uv_reason(output))
    # A resolver error names no compiler; only a failed build is searched for the compiler's complaint.
    complaint = failures.build_failure(output) if _UV_BUILDING.search(output) else None
    if complaint:
        return failures.build_error("uv", step.what, complaint, details)
    missing = _UV_NOT_FOUND.search(output)
    mismatch = _UV_HASH.search(output)
    return failures.install_error(
        "uv",
        step.what,
        plan,
        step.require_hashes,
        details,
        missing=next(g for g in missing.groups() if g) if missing else None,
        mismatch=mismatch.group(1) if mismatch else None,
    )
