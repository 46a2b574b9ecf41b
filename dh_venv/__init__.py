"""dh-venv: ship a Python application in a virtualenv inside a Debian package."""

from dh_venv.errors import DhVenvError
from dh_venv.settings import Settings

__version__ = "0.2.0"

__all__ = ["DhVenvError", "Settings", "__version__"]
