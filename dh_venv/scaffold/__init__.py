"""The ``dh-venv init`` front end: a complete ``debian/`` from a Python project's own metadata.

:mod:`~dh_venv.scaffold.metadata` reads the project (its wheel, built by its
backend) and resolves its requirement set; :mod:`~dh_venv.scaffold.names`
gives Debian's names; :mod:`~dh_venv.scaffold.control`,
:mod:`~dh_venv.scaffold.copyright` and :mod:`~dh_venv.scaffold.service`
write the files; :mod:`~dh_venv.scaffold.compose` puts them together
(``compose``) and into the project (``write``).  ``dh-venv build`` calls
both on a temporary copy of a project without ``debian/``.
"""

from dh_venv.scaffold.compose import compose, write
from dh_venv.scaffold.values import Project, Request, Scaffold

__all__ = ["Project", "Request", "Scaffold", "compose", "write"]
