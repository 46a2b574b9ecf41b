"""Test fixture for dh-venv build: says which interpreter runs it."""

import sys


def main() -> None:
    print(f"bld-app on Python {sys.version_info[0]}.{sys.version_info[1]}")
