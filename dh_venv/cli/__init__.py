"""Command lines: dh_venv and its sequence steps (main), and dh-venv's subcommands (frontend)."""
