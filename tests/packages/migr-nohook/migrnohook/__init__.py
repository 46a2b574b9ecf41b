"""A service whose postinst has no #DEBHELPER# line."""

import tinydep


def main() -> None:
    print(tinydep.shout("migr-nohook"))
