"""``--service 'COMMAND'``: a systemd unit run as a dedicated system user that the postinst creates.

The unit is ``debian/<package>.service``, which debhelper's
``dh_installsystemd`` installs, enables and starts (when systemd runs).
The user, named after the package, is made with ``adduser --system`` in
the postinst before ``#DEBHELPER#`` starts the service, and removed on
purge with the state directory systemd made for it (``StateDirectory=``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from dh_venv.errors import DhVenvError

#: What the package must depend on for its maintainer scripts.
DEPENDS = ("adduser",)


def user_name(package: str) -> str:
    """A system user name for ``package`` (adduser's rule: lower case, digits, ``-`` and ``_``)."""
    name = re.sub(r"[^a-z0-9_-]", "-", package)
    return name if name[0].isalpha() else f"_{name}"


def exec_start(command: str, package: str, scripts: Sequence[str]) -> str:
    """``ExecStart=``'s value: an absolute program, one of the application's commands, or one in the venv."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise DhVenvError(f"--service {command!r} cannot be read as a command line: {exc}") from None
    if not words:
        raise DhVenvError("--service needs a command, e.g. --service 'myapp serve --port 8080'")
    program = words[0]
    if not program.startswith("/"):
        program = f"/usr/bin/{program}" if program in scripts else f"/opt/venvs/{package}/bin/{program}"
    return shlex.join([program, *words[1:]]).replace("%", "%%")


def unit(package: str, synopsis: str, command: str, scripts: Sequence[str]) -> str:
    user = user_name(package)
    return f"""[Unit]
Description={synopsis}
After=network.target

[Service]
Type=exec
ExecStart={exec_start(command, package, scripts)}
User={user}
Group={user}
StateDirectory={package}
WorkingDirectory=/var/lib/{package}
Restart=on-failure
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes

[Install]
WantedBy=multi-user.target
"""


def postinst(package: str) -> str:
    user = user_name(package)
    return f"""#!/bin/sh
set -e

if [ "$1" = configure ]; then
    if ! getent passwd {user} >/dev/null; then
        adduser --system --group --quiet --no-create-home --home /nonexistent {user}
    fi
fi

#DEBHELPER#

exit 0
"""


def postrm(package: str) -> str:
    user = user_name(package)
    return f"""#!/bin/sh
set -e

#DEBHELPER#

if [ "$1" = purge ]; then
    rm -rf /var/lib/{package}
    if getent passwd {user} >/dev/null && command -v deluser >/dev/null; then
        deluser --system --quiet {user} || true
    fi
    if getent group {user} >/dev/null && command -v delgroup >/dev/null; then
        delgroup --system --quiet {user} || true
    fi
fi

exit 0
"""
