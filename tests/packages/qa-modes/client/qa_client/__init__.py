import sys


def main():
    print("client", sys.prefix)
