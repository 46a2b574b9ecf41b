import argparse
from importlib.metadata import version


def main() -> None:
    parser = argparse.ArgumentParser(prog="ini-hatch")
    parser.add_argument("--version", action="version", version=f"ini-hatch {version('ini-hatch')}")
    parser.parse_args()
    print("hello from ini-hatch")
