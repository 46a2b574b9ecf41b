"""The relocate stage: the venv made correct at its final path, then scanned for build paths."""
