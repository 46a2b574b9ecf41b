"""The license of a distribution, from its metadata, as an SPDX expression where the metadata gives one.

Sources in order: ``License-Expression`` (core metadata 2.4), the
``License ::`` classifiers, the free-text ``License`` field.  The first
that yields a valid SPDX expression wins, normalised by Debian's
python3-license-expression (``mit`` becomes ``MIT``, ``GPL-2.0+``
``GPL-2.0-or-later``); when none does, the names the metadata gives are
kept as they are; with no license information at all the license is
unknown, and said to be.
"""

from __future__ import annotations

import email.message
import importlib.util
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from dh_venv import caches

if TYPE_CHECKING:
    from license_expression import Licensing

UNKNOWN = "unknown"

# License classifiers with one SPDX identifier (the last part of the classifier).
_CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "European Union Public License 1.2 (EUPL 1.2)": "EUPL-1.2",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}

# What ``License`` fields commonly say instead of an SPDX identifier (lower case).
_FIELD_NAMES = {
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit licence": "MIT",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "mpl 2.0": "MPL-2.0",
    "mpl-2": "MPL-2.0",
    "psf": "PSF-2.0",
    "psf license": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "isc license": "ISC",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
}

# A License field longer than this, or of several lines, holds a license text, not a name.
_NAME_MAX = 100


@dataclass(frozen=True)
class License:
    """What a distribution's metadata says about its license."""

    #: A normalised SPDX expression, or None.
    expression: str | None = None
    #: License names that are not SPDX identifiers, when there is no expression.
    names: tuple[str, ...] = ()
    #: Where it was read: ``License-Expression``, ``classifiers``, ``License`` or "" (nowhere).
    source: str = ""

    @property
    def known(self) -> bool:
        return bool(self.expression or self.names)

    def __str__(self) -> str:
        return self.expression or " / ".join(self.names) or UNKNOWN

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> License:
        data = json.loads(text)
        return cls(data["expression"], tuple(data["names"]), data["source"])


@cache
def rules() -> tuple[object, ...]:
    """What :func:`of` reads a METADATA file by: this module and the installed license-expression (its SPDX list).

    A cached answer of :func:`of` is keyed by it and by the METADATA bytes.
    """
    spec = importlib.util.find_spec("license_expression")
    return (caches.file_identity(__file__), caches.file_identity(spec.origin) if spec and spec.origin else None)


@cache
def _licensing() -> Licensing:
    # Imported here: building the SPDX list costs a twentieth of a second, and a warm build
    # takes every license from the cache (see rules()).
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def spdx(text: str) -> str | None:
    """``text`` as a normalised SPDX expression, or None if it is not one."""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False, strict=False)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    unknown = [k for k in licensing.unknown_license_keys(parsed) if not k.startswith(("LicenseRef-", "DocumentRef-"))]
    return None if unknown else str(parsed.render())


def of(metadata: email.message.Message) -> License:
    """The license ``metadata`` (the headers of a ``METADATA`` file) declares."""
    expression = str(metadata.get("License-Expression") or "").strip()
    if expression and spdx(expression):
        return License(spdx(expression), source="License-Expression")
    classifiers = [
        str(c).split("::")[-1].strip()
        for c in metadata.get_all("Classifier") or []
        if str(c).startswith("License ::") and str(c).strip() != "License :: OSI Approved"
    ]
    if classifiers and all(c in _CLASSIFIERS for c in classifiers):
        return License(" OR ".join(sorted({_CLASSIFIERS[c] for c in classifiers})), source="classifiers")
    field = str(metadata.get("License") or "").strip()
    if field.upper() in ("UNKNOWN", "NONE"):
        field = ""
    from_field = _FIELD_NAMES.get(field.lower().rstrip(". ")) or (spdx(field) if "\n" not in field else None)
    if from_field:
        return License(from_field, source="License")
    if expression:
        return License(names=(expression,), source="License-Expression")
    if classifiers:
        return License(names=tuple(sorted(set(classifiers))), source="classifiers")
    if field:
        first = field.splitlines()[0].strip()
        name = f"{first[:_NAME_MAX]}..." if "\n" in field or len(first) > _NAME_MAX else first
        return License(names=(name,), source="License")
    return License()


def normalise_allowed(entries: Iterable[str]) -> frozenset[str]:
    """The licenses of ``--license-allow``, as lower-case SPDX identifiers or names."""
    return frozenset((spdx(e) or e).strip().lower() for e in entries if e.strip())


def allowed(license: License, allow: frozenset[str]) -> bool:
    """Whether ``license`` may be shipped under the maintainer's list ``allow``.

    ``A OR B`` needs one of them, ``A AND B`` both, ``A WITH E`` either
    itself or ``A`` (an exception only adds permissions); names need to be
    listed as they are; an unknown license is never allowed.
    """
    if license.expression:
        return _satisfied(_licensing().parse(license.expression), allow)
    return bool(license.names) and all(n.lower() in allow for n in license.names)


def _satisfied(node: Any, allow: frozenset[str]) -> bool:
    from license_expression import LicenseSymbol, LicenseWithExceptionSymbol

    if isinstance(node, LicenseWithExceptionSymbol):
        return str(node.render()).lower() in allow or str(node.license_symbol.key).lower() in allow
    if isinstance(node, LicenseSymbol):
        return str(node.key).lower() in allow
    licensing = _licensing()
    if isinstance(node, licensing.OR):
        return any(_satisfied(arg, allow) for arg in node.args)
    if isinstance(node, licensing.AND):
        return all(_satisfied(arg, allow) for arg in node.args)
    return False
