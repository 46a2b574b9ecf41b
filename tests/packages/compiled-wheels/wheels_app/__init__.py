import sys


def main():
    import numpy
    import psycopg2
    from PIL import Image

    image = Image.new("L", (4, 4), color=7)
    total = int(numpy.asarray(image).sum())
    print(total, psycopg2.extensions.ISOLATION_LEVEL_SERIALIZABLE, sys.prefix)
