import sys
from importlib.metadata import version


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"ini-poetry {version('ini-poetry')}")
        return
    print(" ".join(reversed(sys.argv[1:])))
