"""The library behind the migr-sc script."""

import tinydep


def main() -> None:
    print(tinydep.shout("migr-sc"))
