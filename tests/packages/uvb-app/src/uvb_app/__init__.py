import sys


def main():
    import extradep
    import tinydep

    print(tinydep.shout("uvb"), extradep.FLAVOUR, sys.prefix)
