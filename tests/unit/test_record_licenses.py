"""dh_venv.record.licenses: the license a distribution's metadata declares, and the allow list."""

from __future__ import annotations

import email.parser

import pytest

from dh_venv.record import licenses
from dh_venv.record.licenses import License


def headers(text: str) -> email.message.Message:
    return email.parser.HeaderParser().parsestr(text)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        # License-Expression wins, normalised.
        (
            "License-Expression: mit OR apache-2.0\nLicense: BSD\n",
            License("MIT OR Apache-2.0", (), "License-Expression"),
        ),
        ("License-Expression: GPL-2.0+\n", License("GPL-2.0-or-later", (), "License-Expression")),
        ("License-Expression: LicenseRef-Proprietary\n", License("LicenseRef-Proprietary", (), "License-Expression")),
        # Classifiers that each name one SPDX license; several mean a choice.
        (
            "Classifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n",
            License("MIT", (), "classifiers"),
        ),
        (
            "Classifier: License :: OSI Approved :: MIT License\n"
            "Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)\n",
            License("GPL-2.0-or-later OR MIT", (), "classifiers"),
        ),
        # A classifier naming no one license gives way to an SPDX License field.
        (
            "Classifier: License :: OSI Approved :: BSD License\nLicense: BSD-3-Clause\n",
            License("BSD-3-Clause", (), "License"),
        ),
        # ... and is kept as a name when the field is no better.
        (
            "Classifier: License :: OSI Approved :: BSD License\nLicense: BSD\n",
            License(None, ("BSD License",), "classifiers"),
        ),
        ("License: Apache 2.0\n", License("Apache-2.0", (), "License")),
        ("License: MIT License\n", License("MIT", (), "License")),
        ("License: Some Custom Terms\n", License(None, ("Some Custom Terms",), "License")),
        (
            "License: Copyright (c) 2012 Someone\n        Permission is granted\n",
            License(None, ("Copyright (c) 2012 Someone...",), "License"),
        ),
        ("License: UNKNOWN\nClassifier: License :: OSI Approved\n", License()),
        ("Name: x\n", License()),
        # An invalid License-Expression is kept as a name if nothing better is there.
        ("License-Expression: Foo Bar\n", License(None, ("Foo Bar",), "License-Expression")),
    ],
)
def test_of(metadata: str, expected: License) -> None:
    assert licenses.of(headers(metadata)) == expected


def test_text() -> None:
    assert str(License("MIT")) == "MIT"
    assert str(License(None, ("A", "B"))) == "A / B"
    assert str(License()) == "unknown"
    assert not License().known


@pytest.mark.parametrize(
    ("license", "ok"),
    [
        (License("MIT"), True),
        (License("MIT OR GPL-3.0-only"), True),
        (License("MIT AND GPL-3.0-only"), False),
        (License("(MIT OR GPL-3.0-only) AND BSD-3-Clause"), True),
        (License("GPL-2.0-only WITH Classpath-exception-2.0"), True),
        (License("GPL-3.0-only WITH Classpath-exception-2.0"), False),
        (License(None, ("Public Domain",)), True),
        (License(None, ("BSD License",)), False),
        (License(), False),
    ],
)
def test_allowed(license: License, ok: bool) -> None:
    allow = licenses.normalise_allowed(["mit", "BSD-3-Clause", "GPL-2.0-only", "public domain", " "])
    assert licenses.allowed(license, allow) is ok
