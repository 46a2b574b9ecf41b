"""Installed only through an extra."""

FLAVOUR = "fancy"
