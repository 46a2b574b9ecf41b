import importlib.metadata
import sys

from qa_binwheel import mul
from qa_server._speed import add


def main():
    deps = sorted(d.metadata["Name"] for d in importlib.metadata.distributions() if d.metadata["Name"].startswith(("tinydep", "extradep")))
    print("server", add(40, 2), mul(6, 7), sys.prefix, ",".join(deps))
