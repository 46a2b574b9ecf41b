"""A service whose venv debian/build_virtualenv builds."""

import sys

import extradep
import tinydep


def main() -> None:
    print(tinydep.shout("migr-script"), extradep.FLAVOUR, sys.prefix)
