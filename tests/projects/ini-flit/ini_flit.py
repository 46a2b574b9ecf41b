"""Shouts its arguments, from a flit-core module with dynamic metadata."""

import sys

__version__ = "0.9.2"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"ini-flit {__version__}")
        return
    print(" ".join(sys.argv[1:]).upper())
