"""Build and install dh-venv (the Debian package uses this through pybuild)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

version = re.search(r'__version__ = "([^"]+)"', Path("dh_venv/__init__.py").read_text()).group(1)

setup(
    name="dh-venv",
    version=version,
    description="debhelper add-on that ships a Python application in a virtualenv",
    long_description=Path("README.rst").read_text(),
    long_description_content_type="text/x-rst",
    license="GPL-2+",
    python_requires=">=3.9",
    packages=find_packages(include=["dh_venv", "dh_venv.*"]),
    package_data={"dh_venv.debhelper": ["autoscripts/*"], "dh_venv.releases": ["smoke-inside.sh"]},
    scripts=["bin/dh_venv", "bin/dh_venv_setaside", "bin/dh_venv_rescan", "bin/dh_venv_restore", "bin/dh-venv"],
    install_requires=["virtualenv", "python-debian", "packaging"],
)
