import sys


def main():
    import cwbundled
    import cwnative
    import cworigin

    print(cwbundled.value(), cworigin.value(), cwnative.crc(b"dh-venv"), cwnative.pq_major() >= 10, sys.prefix)
