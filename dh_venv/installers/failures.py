"""What a failed installer run means, in the words a Debian maintainer can act on.

Each backend reads its own tool's output (which line names the missing
distribution, the hash that differs); the errors it then raises are the same
for every backend, so a build reads alike with pip and with uv.  pip runs as
a backend and to fetch uv (:mod:`dh_venv.installers.uvtool`), so
:func:`pip_reason`, which finds where its output says why it failed, is here.
"""

from __future__ import annotations

import re

from dh_venv.errors import DhVenvError
from dh_venv.installers.plan import Plan

# What compilers and build backends say when a tool or header is missing.
_BUILD_TROUBLE = re.compile(
    r"fatal error: .*No such file or directory"
    r"|command '[^']*' failed: No such file or directory"
    r"|unable to execute '[^']*': No such file"
    r"|cannot find -l\S+"
    r"|\b(\S+) (?:executable )?not found\b"
    r"|error: can't find Rust compiler"
    r"|Could not find compiler"
    r"|No CMAKE_\w+_COMPILER could be found"
)


def build_failure(output: str) -> str | None:
    """The compiler's own complaint, if a build from source failed for want of a tool or header."""
    for line in output.splitlines():
        if _BUILD_TROUBLE.search(line) and "warning" not in line.lower():
            return line.strip()
    return None


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
    plan: Plan,
    hashed: bool,
    details: str,
    *,
    missing: str | None = None,
    mismatch: str | None = None,
) -> DhVenvError:
    """A failed install: ``missing`` names a requirement no source has, ``mismatch`` files with another hash."""
    if missing and plan.sources.wheelhouse is not None:
        return DhVenvError(
            f"{missing} is not in the wheelhouse {plan.sources.wheelhouse} (needed for {what})",
            hint="run dh-venv vendor again in the source tree (with network) so the wheelhouse has every file",
            details=details,
        )
    if mismatch:
        return DhVenvError(
            f"hash mismatch for {mismatch}: the file does not match the hash in {plan.origin}",
            hint="the file was changed or replaced; get the genuine file, or lock again if the change is intended",
            details=details,
        )
    hint = f"fix the requirement or the index options; {tool} said"
    if hashed:
        hint = f"every requirement in {plan.origin} must be pinned with == and --hash; {tool} said"
    return DhVenvError(f"{tool} could not install {what}", hint=hint, details=details)


def check_error(tool: str, details: str) -> DhVenvError:
    """The venv's distributions miss dependencies or conflict (``pip check``, ``uv pip check``)."""
    return DhVenvError(
        f"installed distributions have missing or conflicting dependencies ({tool} check)",
        hint="fix the requirements, or build with DEB_BUILD_OPTIONS=nocheck to ship it anyway",
        details=details,
    )
