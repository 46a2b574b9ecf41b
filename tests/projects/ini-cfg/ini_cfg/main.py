import sys
from importlib.metadata import version


def run() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"ini-cfg {version('ini_cfg')}")
        return
    print(len(sys.argv) - 1, "words")
