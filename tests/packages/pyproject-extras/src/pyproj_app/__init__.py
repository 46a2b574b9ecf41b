import sys


def one():
    import tinydep

    print(tinydep.shout("one"), sys.prefix)


def two():
    import extradep

    print("two", extradep.FLAVOUR, sys.prefix)
