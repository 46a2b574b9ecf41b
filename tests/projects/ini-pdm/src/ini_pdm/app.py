import sys
import time
from importlib.metadata import version

from markupsafe import escape


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"ini-pdm {version('ini-pdm')}")
    elif sys.argv[1:] == ["serve"]:
        while True:
            time.sleep(3600)
    else:
        print(escape(" ".join(sys.argv[1:])))
