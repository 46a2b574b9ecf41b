"""An omnibus wrapper: ships one project from the index, pinned by the Debian version.

Like a family of packaging templates, it reads debian/changelog for the
version and debian/control for the description, so it needs debian/ at
build time.
"""

import re

from setuptools import setup

with open("debian/changelog") as changelog:
    version = re.match(r"\S+ \(([^)-]+)", changelog.readline()).group(1)
with open("debian/control") as control:
    description = re.search(r"^Description: (.*)$", control.read(), re.MULTILINE).group(1)

setup(
    name="mig-omnibus",
    version=version,
    description=description,
    py_modules=[],
    install_requires=[f"tinydep=={version}"],
)
