import sys


def main():
    import cwbundled
    import cwplain
    import cwnative
    import cworigin
    import cwsuffix

    print(cwbundled.value(), cworigin.value(), cwsuffix.value(), cwplain.value(), cwnative.crc(b"dh-venv"), cwnative.pq_major() >= 10, sys.prefix)
