"""The PEP 508 marker environment of the target interpreter.

Lock files and requirements are decided for the interpreter the venv is
made with, not the one dh_venv runs on: that interpreter computes its
own marker values.
"""

from __future__ import annotations

import json

from dh_venv.errors import CommandError, DhVenvError
from dh_venv.interpreter import Interpreter, ask
from dh_venv.runner import Runner

# Marker values of the target interpreter, computed by that interpreter.
_MARKER_PROBE = """
import json, os, platform, sys
def full(info):
    v = '%d.%d.%d' % info[:3]
    return v if info.releaselevel == 'final' else v + info.releaselevel[0] + str(info.serial)
print(json.dumps({
    'implementation_name': sys.implementation.name,
    'implementation_version': full(sys.implementation.version),
    'os_name': os.name,
    'platform_machine': platform.machine(),
    'platform_release': platform.release(),
    'platform_system': platform.system(),
    'platform_version': platform.version(),
    'python_full_version': platform.python_version(),
    'platform_python_implementation': platform.python_implementation(),
    'python_version': '.'.join(platform.python_version_tuple()[:2]),
    'sys_platform': sys.platform,
}))
"""


def marker_environment(python: Interpreter, runner: Runner) -> dict[str, str]:
    """PEP 508 marker values of ``python``."""
    try:
        out = ask(python, _MARKER_PROBE, runner)  # kept in the cache, as the interpreter's version is
    except CommandError as exc:
        raise DhVenvError(f"interpreter {python.path} does not run", details=exc.output) from None
    try:
        env = json.loads(out.strip().splitlines()[-1])
        if not isinstance(env, dict):
            raise ValueError(f"not an object: {env!r}")
    except (ValueError, IndexError) as exc:
        raise DhVenvError(
            f"interpreter {python.path} did not report its marker values ({exc})",
            hint="check that it is a working CPython; its sitecustomize must not print",
            details=out,
        ) from None
    return {str(k): str(v) for k, v in env.items()}
