"""Compiled code in a venv: build flags, provenance of ELF files, the set-aside steps, Depends."""
