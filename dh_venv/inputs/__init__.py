"""The inputs stage: what goes into the venv, from where, with which hashes.

The file list is the stage: :mod:`~dh_venv.inputs.collect` decides, by
precedence, from :mod:`~dh_venv.inputs.pyproject`,
:mod:`~dh_venv.inputs.requirements`, :mod:`~dh_venv.inputs.locks` (one
reader per format: :mod:`~dh_venv.inputs.uvlock`,
:mod:`~dh_venv.inputs.poetrylock`, :mod:`~dh_venv.inputs.pylock`),
:mod:`~dh_venv.inputs.wheelhouse` and :mod:`~dh_venv.inputs.vcs`;
:mod:`~dh_venv.inputs.project` finds the project and makes its build copy.
Other stages take only the frozen values re-exported here.
"""

from dh_venv.inputs.values import PYPI, Inputs, Lock, Pin, Sources

__all__ = ["PYPI", "Inputs", "Lock", "Pin", "Sources"]
