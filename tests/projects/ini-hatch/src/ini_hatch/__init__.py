"""ini-hatch: a dh-venv test fixture."""
