"""The install stage: creating the venv and installing the inputs into it with pip or uv."""
