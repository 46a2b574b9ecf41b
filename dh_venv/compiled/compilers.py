"""Compilers that leave no random directory name in what they build.

pip and uv build a downloaded sdist in a directory with a random name
(``pip-install-k3j2/psycopg2_8f1e/`` under ``TMPDIR``, ``.tmpAb12/`` in
uv's cache).  The compiler records that directory in the debug
information (``DW_AT_comp_dir``, and ``__FILE__``), and the linker's GNU
build ID is a hash over all of it: two builds of the same source give
different extensions, different ``RECORD`` files and different
``-dbgsym`` packages.  ``-ffile-prefix-map`` needs the directory's name,
which is only known inside the build; so ``CC`` and ``CXX`` point at a
small wrapper that adds ``-ffile-prefix-map=<its working directory>=.``
after the build's own flags (the last map that matches wins, over the
one dpkg-buildflags gives for the source tree).  A maintainer's own
``CC`` or ``CXX`` is left alone.
"""

from __future__ import annotations

import shlex
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

_WRAPPER = """\
#!/bin/sh
# Written by dh_venv (dh_venv/compiled/compilers.py): map the random build
# directory of an sdist to "." in debug information and __FILE__.
exec {compiler} "$@" "-ffile-prefix-map=$(pwd -P)=." "-ffile-prefix-map=$PWD=."
"""


@dataclass(frozen=True)
class Wrappers:
    """``CC``/``CXX`` values, and the wrapper scripts (path -> text, mode 755) they name."""

    env: dict[str, str] = field(default_factory=dict)
    files: dict[Path, str] = field(default_factory=dict)


def wrappers(env: dict[str, str], directory: Path) -> Wrappers:
    """``CC`` and ``CXX`` for ``env`` (unless it sets them), as wrappers to write into ``directory``."""
    out = Wrappers()
    for variable, name, default in (("CC", "cc", "cc"), ("CXX", "c++", "c++")):
        if env.get(variable):
            continue
        configured = shlex.split(str(sysconfig.get_config_var(variable) or default))
        compiler = " ".join(shlex.quote(word) for word in configured) or default
        path = directory / name
        out.files[path] = _WRAPPER.format(compiler=compiler)
        out.env[variable] = str(path)
    return out
