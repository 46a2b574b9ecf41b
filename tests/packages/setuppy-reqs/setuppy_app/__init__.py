import sys

import tinydep


def main():
    print(tinydep.shout("setuppy-app"), sys.prefix)
