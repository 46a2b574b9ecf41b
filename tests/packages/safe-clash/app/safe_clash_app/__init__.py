import sys


def main():
    print(f"safe-clash-app as {sys.argv[0]}")
