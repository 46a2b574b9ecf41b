"""The pip installer backend (``--installer=pip``).

virtualenv creates the venv, seeded with pip, setuptools and wheel; the
venv's own pip installs each step of the plan, in a cleaned environment
(:func:`dh_venv.installers.backend.build_environment`).  This backend also
downloads for ``dh-venv vendor`` (``pip download``, which uv has no equivalent of).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.inputs.values import Sources
from dh_venv.installers import backend, failures, index
from dh_venv.installers import venv as _venv
from dh_venv.installers.plan import Plan, Step
from dh_venv.installers.venv import python_of
from dh_venv.interpreter import Interpreter
from dh_venv.runner import Runner, redact

_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")
_HASH_ROW = re.compile(r"^\s*(\S+) from (\S+)")


class PipBackend:
    """virtualenv creates the venv; the venv's own pip installs into it."""

    name = "pip"

    def __init__(self, runner: Runner, env: Mapping[str, str], work_dir: Path) -> None:
        self.runner = runner
        self.env = dict(env)
        self.work_dir = work_dir
        self.seeded = True

    def prepare(self, plan: Plan) -> None:
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
        _venv.create(
            venv,
            python,
            self.runner,
            env=self.env,
            system_site_packages=system_site_packages,
            extra_args=(*extra_args, *_venv.seed_args(seed, self.runner)),
        )

    def install(self, venv: Path, plan: Plan, *, report: Path | None = None) -> list[Path]:
        backend.write_files(plan, self.runner)
        written: list[Path] = []
        for number, step in enumerate(plan.steps):
            command = ["install", "--no-compile"]
            if report is not None:
                path = report.with_name(f"{report.stem}-{number}{report.suffix}")
                path.unlink(missing_ok=True)
                command += ["--report", str(path)]
                written.append(path)
            self._run(venv, command, plan, step)
        return written

    def download(
        self, venv: Path, plan: Plan, dest: Path, *, allow_sdists: bool, python_version: str | None = None
    ) -> None:
        """Save every distribution file ``plan`` needs into ``dest`` (``dh-venv vendor``).

        The project alone is skipped: it is in the source, and ``pip download`` would only build its metadata.
        With ``python_version`` (``X.Y``), wheels for that CPython (another release's) instead of the venv's.
        """
        backend.write_files(plan, self.runner)
        binary = [] if allow_sdists and python_version is None else ["--only-binary=:all:"]
        if python_version is not None:
            binary += ["--python-version", python_version]
        for step in plan.steps:
            if not step.project_only:
                self._run(venv, ["download", "-d", str(dest), *binary], plan, step)

    def check(self, venv: Path) -> None:
        try:
            self.runner.run([python_of(venv), "-m", "pip", "check"], env=self.env)
        except CommandError as exc:
            raise failures.check_error("pip", exc.output.strip()) from None

    def remove_seed(self, venv: Path, keep: set[str]) -> None:
        names = _venv.seed_installed(venv, keep)
        if not names:
            return
        try:
            self.runner.run([python_of(venv), "-m", "pip", "uninstall", "--yes", *names], env=self.env)
        except CommandError as exc:
            raise DhVenvError(
                f"pip could not remove {', '.join(names)} from the venv",
                hint="build with --keep-seed to ship them",
                details=failures.pip_reason(exc.output),
            ) from None

    def _run(self, venv: Path, command: list[str], plan: Plan, step: Step) -> None:
        args = [*index.source_args(plan.sources, self.env), *plan.extra_args, *step_args(step)]
        backend.check_sources(plan, self.runner, self.env)
        argv: list[str | Path] = [python_of(venv), "-m", "pip", *command, *args]
        backend.run_step(self.runner, argv, self.env, plan, self.work_dir, lambda output: failure(output, step, plan))


def step_args(step: Step) -> list[str]:
    """pip's arguments for one step of the plan."""
    args = ["--upgrade"] if step.upgrade else []
    args += ["--require-hashes"] if step.require_hashes else []
    args += ["--no-deps"] if step.no_deps else []
    args += [arg for f in step.requirement_files for arg in ("-r", str(f))]
    return [*args, *step.requirements]


def failure(output: str, step: Step, plan: Plan) -> DhVenvError:
    """The error for a failed pip run, naming what a missing Build-Depends looks like."""
    complaint = failures.build_failure(output)
    details = redact(failures.pip_reason(output))
    if complaint:
        return failures.build_error("pip", step.what, complaint, details)
    missing = _NOT_FOUND.search(output)
    rows = [m.group(0).strip() for line in output.splitlines() if (m := _HASH_ROW.match(line)) and "==" in line]
    mismatch = ("; ".join(rows) or step.what) if "DO NOT MATCH THE HASHES" in output else None
    return failures.install_error(
        "pip",
        step.what,
        plan,
        step.require_hashes,
        details,
        missing=missing.group(1) if missing else None,
        mismatch=mismatch,
    )
