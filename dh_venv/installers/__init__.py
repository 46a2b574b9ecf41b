"""The install stage: creating the venv and installing the inputs into it with pip or uv.

:mod:`.plan` computes what to install from the inputs (pure, no tool's
syntax); :mod:`.choose` picks the backend once, before any venv exists;
:mod:`.pip` and :mod:`.uv` are sibling backends behind :mod:`.backend`'s
interface, each rendering the plan into its own command line and reading
its own failures (:mod:`.failures`).  :mod:`.venv` runs virtualenv,
:mod:`.index` reaches the package index, :mod:`.uvtool` gets uv itself,
:mod:`.lean` decides which of the venv's seed stays, :mod:`.launchers` leaves
out the Windows launchers pip and setuptools carry.
"""
