"""A command for dh-venv smoke's tests that has no --version (smoke falls back to --help)."""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="smk-leaky")
    parser.add_argument("--greet", metavar="NAME")
    parser.add_argument("--fail", action="store_true")
    args = parser.parse_args()
    if args.fail:
        print("failing as asked", file=sys.stderr)
        return 1
    print(f"hello {args.greet or 'world'}")
    return 0
