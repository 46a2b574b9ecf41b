"""Example application for dh-venv."""
