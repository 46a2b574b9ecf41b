"""A service with a web front and a queue worker, run by systemd units."""

import sys

import tinydep


def web() -> None:
    print("migservice web on", sys.prefix)


def worker() -> None:
    print("migservice worker with", tinydep.__name__)
