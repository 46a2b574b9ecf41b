"""Prints the versions it runs with, so a test can compare them to the lock."""

from importlib import metadata


def main() -> None:
    names = sorted(d.metadata["Name"].lower() for d in metadata.distributions())
    print(" ".join(f"{n}=={metadata.version(n)}" for n in names if n not in ("pip", "setuptools", "wheel")))
