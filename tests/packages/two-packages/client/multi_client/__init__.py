import sys

import tinydep


def main():
    print(tinydep.shout("client"), sys.prefix)
