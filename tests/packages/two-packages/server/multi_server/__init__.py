import sys

from multi_server._speed import add


def main():
    print("server", add(40, 2), sys.prefix)
