import os
import sys

from sec_app import _fast


def main() -> None:
    here = os.path.dirname(__file__)
    data = sorted(n for n in os.listdir(here) if n.endswith(".txt"))
    print(f"sec-app {_fast.answer()} in {sys.prefix} data={','.join(data)}")
